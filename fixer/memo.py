"""Remembered answers to questions that may depend on themselves.

"Can this function reach a process start?" and "can this module start processes?" are
recursive: functions call each other (recursion), modules import each other (import cycles),
and the two kinds of question feed each other across files.  Answering them naively either
loops forever or, if a cycle is cut by assuming "no" and nothing computed meanwhile is
remembered, explores the same cycles again from every entry point -- exponential on a tree
like the standard library.

``solve`` remembers every answer exactly once and stays correct on cycles.  It is Tarjan's
strongly-connected-components walk combined with a fixpoint iteration: a question met again
while it is still being answered gets an *assumed* answer (the seed: "no" at first); answers
that rest on an assumption stay provisional until the first question of their cycle (the
root of its component) is finished.  If every assumption turned out to equal the answer
found, all of them become final at once; otherwise the component is answered again, seeded
with the answers of the previous round.  The questions are monotone (more "yes" below never
gives fewer "yes" above), so the rounds stop; a cap guards against the pathological case.

Every table passed to ``solve`` is a plain dict owned by the caller; the bookkeeping of the
walk in progress is module-global (guardfix answers one file at a time per process).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Tuple

_UNSET = object()
_NO_CUT = 1 << 62
#: A component answered this many times without settling is committed as it stands.
MAX_ROUNDS = 20

_on_stack: Dict[Tuple[int, Any], int] = {}  # question -> depth of the walk
_low = [_NO_CUT]  # lowest depth a cut inside the current question pointed at
_pending: List[tuple] = []  # (table, key, answer, low, witness, default): not final yet
_pending_at: Dict[Tuple[int, Any], Tuple[Any, int]] = {}  # question -> (answer, low)
_assumed: List[tuple] = []  # (table, key, assumed answer, witness, default)
_seeds: Dict[Tuple[int, Any], Any] = {}  # question -> answer assumed in this round


#: When set, every answer committed to a table is listed here, in order (see ``journal``).
_journal: Optional[List[Tuple[dict, Any]]] = None


def journal(on: bool) -> None:
    """Start (or stop) listing the answers committed from now on, so that those committed
    after a given moment can be forgotten (``forget_since``)."""
    global _journal
    _journal = [] if on else None


def position() -> int:
    """The current moment in the journal (0 when none is kept)."""
    return len(_journal) if _journal is not None else 0


def forget_since(moment: int) -> None:
    """Forget every answer committed at or after ``moment``: they may rest on an assumption
    that has since changed.  Answers committed before it were finished before, and stand."""
    if _journal is None:
        return
    for table, key in _journal[moment:]:
        table.pop(key, None)
    del _journal[moment:]


def idle() -> bool:
    """Whether no question is being answered (nothing provisional, nothing on the walk's
    stack): a moment at which a caller may drop tables without losing an answer in flight."""
    return not _on_stack and not _pending and not _assumed


def solve(table: dict, key: Any, compute: Callable[[], Any], default: Any, witness: bool = False) -> Any:
    """``table[key]``, computing it with ``compute()`` the first time.

    ``default`` is the answer assumed for a question met again inside its own computation
    (``False``, ``None``, an empty set): the bottom of the question's order.  A ``witness``
    question returns evidence (a call chain) rather than a value of a lattice: inside a
    cycle it is always assumed absent (the shortest evidence never goes round a cycle), and
    only whether evidence exists is checked against the assumption.
    """
    try:
        return table[key]
    except KeyError:
        pass
    node = (id(table), key)
    depth = _on_stack.get(node)
    if depth is not None:  # a cycle: assume, and remember that we did
        _low[0] = min(_low[0], depth)
        assumed = _seeds.get(node, default)
        _assumed.append((table, key, assumed, witness, default))
        return assumed
    earlier = _pending_at.get(node)
    if earlier is not None:  # answered earlier in the same unfinished component
        _low[0] = min(_low[0], earlier[1])
        return earlier[0]
    depth = len(_on_stack)
    outer_low = _low[0]
    pending_mark, assumed_mark = len(_pending), len(_assumed)
    first_evidence: Dict[Tuple[int, Any], Any] = {}
    rounds = 0
    try:
        while True:
            _on_stack[node] = depth
            _low[0] = _NO_CUT
            try:
                answer = compute()
            finally:
                del _on_stack[node]
            low = _low[0]
            if low < depth:  # rests on a question further up: provisional
                _pending.append((table, key, answer, low, witness, default))
                _pending_at[node] = (answer, low)
                _low[0] = min(outer_low, low)
                return answer
            # The root of its component: check every assumption made inside it.
            members = _pending[pending_mark:] + [(table, key, answer, low, witness, default)]
            answers = {(id(t), k): a for t, k, a, *_ in members}
            for t, k, a, _, is_witness, bottom in members:
                if is_witness and a != bottom:
                    first_evidence.setdefault((id(t), k), a)
            wrong = False
            for t, k, assumed, is_witness, bottom in _assumed[assumed_mark:]:
                actual = answers.get((id(t), k), t.get(k, _UNSET))
                if is_witness:
                    wrong = wrong or ((actual == bottom) != (assumed == bottom))
                else:
                    wrong = wrong or actual != assumed
            rounds += 1
            if wrong and rounds < MAX_ROUNDS:
                # Answer the component again, seeded with this round's answers.
                _seeds.update(answers)
                _drop(pending_mark, assumed_mark)
                continue
            for t, k, a, _, is_witness, bottom in members:
                # Evidence from the earliest round is kept: it goes round no cycle.
                t[k] = first_evidence.get((id(t), k), a) if is_witness else a
                if _journal is not None:
                    _journal.append((t, k))
            _drop(pending_mark, assumed_mark)
            for n in answers:
                _seeds.pop(n, None)
            _low[0] = outer_low
            return table[key]
    except BaseException:
        _drop(pending_mark, assumed_mark)
        _low[0] = outer_low
        raise


def _drop(pending_mark: int, assumed_mark: int) -> None:
    for table, key, *_ in _pending[pending_mark:]:
        _pending_at.pop((id(table), key), None)
    del _pending[pending_mark:]
    del _assumed[assumed_mark:]
