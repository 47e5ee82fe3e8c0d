"""Property-based tests of the pure core on random valid modules (hypothesis + hypothesmith).

A process start injected at module level, at a random statement boundary, must be fixed
(or declined / marked unsafe with a reason): the rewrite compiles, a second pass changes
nothing, every statement that stays at module level is byte-identical and in its order, and
the moved statements keep their order.  Without a process start nothing changes.

Profiles: ``ci`` (the default) and ``long``, chosen with ``GUARDFIX_FUZZ_PROFILE=long``.
"""

from __future__ import annotations

import ast
import os
import re
from functools import lru_cache

import hypothesmith
import pytest
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from fixer.model import Options, Status, Style
from fixer.pipeline import process_source

# Generating a random module from the grammar is slow and its examples are large; that is
# the nature of the strategy, not a problem of the test, so only these two checks are off.
_SLOW_GENERATOR = [HealthCheck.too_slow, HealthCheck.data_too_large]
# CI explores the same 250 examples every time (derandomize): a red build always means a
# change broke something, never that a new random example was drawn.  New ground is
# covered by the long profile, run by hand; what it finds becomes an @example below.
settings.register_profile(
    "ci", max_examples=250, deadline=None, database=None, print_blob=True, derandomize=True,
    suppress_health_check=_SLOW_GENERATOR,
)
settings.register_profile(
    "long", max_examples=3000, deadline=None, database=None, print_blob=True,
    suppress_health_check=_SLOW_GENERATOR,
)
settings.load_profile(os.environ.get("GUARDFIX_FUZZ_PROFILE", "ci"))

ALIAS = "_gf_mp"
STARTS = [
    f"{ALIAS}.Process(target=print).start()\n",
    f"{ALIAS}.Pool(2)\n",
    f"with {ALIAS}.Pool(2) as _gf_pool:\n    _gf_pool.map(abs, [1])\n",
]
HARMLESS = f"_gf_process = {ALIAS}.Process(target=print)\n"  # created, never started
#: A line as the tokenizer counts lines (form feeds, \x85, \u2028... are not line breaks).
LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


def split_lines(text: str) -> list[str]:
    return LINE.findall(text)


def boundaries(text: str, tree: ast.Module) -> list[int]:
    """1-based lines where a top-level statement starts on a line of its own (the statement
    before it ended on an earlier line), plus the line after the end."""
    body = tree.body
    starts = [
        stmt.lineno
        for i, stmt in enumerate(body)
        if stmt.col_offset == 0 and (i == 0 or (body[i - 1].end_lineno or 0) < stmt.lineno)
    ]
    return starts + [len(split_lines(text)) + 1]


def inject(text: str, line: int, code: str) -> str:
    lines = split_lines(text)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
    return "".join(lines[: line - 1]) + f"import multiprocessing as {ALIAS}\n" + code + "".join(lines[line - 1 :])


def compiled(data: bytes) -> ast.Module | None:
    try:
        return compile(data, "<fuzz>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)  # type: ignore[return-value]
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


@lru_cache(maxsize=None)
def modules() -> st.SearchStrategy[str]:
    return hypothesmith.from_grammar()


@st.composite
def module_with_boundary(draw: st.DrawFn) -> tuple[str, ast.Module, int]:
    text = draw(modules())
    try:
        tree = ast.parse(text)
        text.encode("utf-8")
    except (SyntaxError, ValueError, RecursionError, MemoryError, UnicodeEncodeError):
        assume(False)
        raise AssertionError("unreachable")
    line = draw(st.sampled_from(boundaries(text, tree)))
    return text, tree, line


def dumps(stmts: list) -> list[str]:
    return [ast.dump(s) for s in stmts]


def split_rewrite(new: ast.Module, main_name: str, old_names: set) -> tuple[list, list]:
    """The rewrite's statements that stayed at module level, and the moved ones (in order)."""
    body = list(new.body)
    guard = body.pop()
    assert isinstance(guard, ast.If), ast.dump(guard)
    assert ast.unparse(guard.test) in ('__name__ == "__main__"', "__name__ == '__main__'")
    moved = guard.body
    if (
        body
        and isinstance(body[-1], ast.FunctionDef)
        and body[-1].name == main_name
        and main_name not in old_names
        and dumps(guard.body) == dumps(ast.parse(f"{main_name}()").body)
    ):
        moved = body.pop().body
    return body, moved


def interleave(old: list, kept: list, moved: list) -> list[int] | None:
    """Indexes into ``old`` of the kept statements when ``old`` is ``kept`` and ``moved``
    merged, each in its order (None when it is not)."""
    old_d, kept_d, moved_d = dumps(old), dumps(kept), dumps(moved)
    if len(old_d) != len(kept_d) + len(moved_d):
        return None

    @lru_cache(maxsize=None)
    def fits(i: int, j: int) -> tuple | None:
        k = i - j
        if i == len(old_d):
            return ()
        if j < len(kept_d) and old_d[i] == kept_d[j]:
            rest = fits(i + 1, j + 1)
            if rest is not None:
                return (i, *rest)
        if k < len(moved_d) and old_d[i] == moved_d[k]:
            return fits(i + 1, j)
        return None

    found = fits(0, 0)
    return None if found is None else list(found)


def segments(text: str, stmts: list) -> list[str | None]:
    return [ast.get_source_segment(text, s) for s in stmts]


@given(case=module_with_boundary(), start=st.sampled_from(STARTS), style=st.sampled_from(list(Style)))
# Found by the long profile: a module-level `global` statement is moved like any other.
@example(case=("global A\n", None, 1), start=STARTS[0], style=Style.MAIN)
# Found by fuzzing: an indented comment before a whitespace-only last line (libcst drops
# it), and a last line ending in CRLF in a file of LF lines.
@example(case=("x = 1\n  #c\n \n", None, 1), start=STARTS[0], style=Style.MAIN)
@example(case=("globalA\r\n", None, 1), start=STARTS[0], style=Style.MAIN)
# Found by fuzzing after the indentation unit was read off the tokens: a blank line with a
# space and a backslash gives libcst another default indent than the tokenizer; the check
# now asks libcst (the parse the rewrite made).
@example(case=("\n \\\n\n", None, 4), start=STARTS[0], style=Style.MAIN)
def test_injected_process_start_is_fixed_losslessly(case: tuple, start: str, style: Style) -> None:
    text, _, line = case
    source = inject(text, line, start)
    data = source.encode("utf-8")
    tree = compiled(data)
    assume(tree is not None)  # e.g. injected above `from __future__ import ...`
    assert tree is not None
    result = process_source(data, "fuzz.py", Options(style=style))
    event(f"status: {result.status.value}")
    assert result.status in (Status.FIXED, Status.UNSAFE, Status.DECLINED), result.reason
    assert ("GF001", line + 1) in [(f.code.value, f.line) for f in result.findings]
    if result.status is Status.DECLINED:
        event(f"declined: {result.reason[:50]}")
        assert result.reason and result.new_source is None
        return
    if result.status is Status.UNSAFE:
        assert result.reason
    new = result.new_source
    assert new is not None
    new_tree = compiled(new)
    assert new_tree is not None, "the rewrite does not compile"
    # idempotent: a second pass finds nothing to fix and changes nothing
    again = process_source(new, "fuzz.py", Options(style=style))
    assert again.status in (Status.CLEAN, Status.SKIPPED), again.reason
    assert again.new_source is None
    assert not [f for f in again.findings if not f.code.is_warning]
    # kept statements byte-identical and in order; moved ones in order; none lost
    new_text = new.decode("utf-8")
    old_names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    }
    main_name = next(
        (s.name for s in reversed(new_tree.body[:-1]) if isinstance(s, ast.FunctionDef)), "main"
    )
    kept, moved = split_rewrite(new_tree, main_name, old_names)
    kept_at = interleave(tree.body, kept, moved)
    if kept_at is None and moved and isinstance(moved[0], ast.Global):
        # main() may open with guardfix's own `global` declaration (a module-level `global`
        # statement of the input, a no-op there, moves like any other statement).
        moved = moved[1:]
        kept_at = interleave(tree.body, kept, moved)
    assert kept_at is not None, "statements were lost, added or reordered"
    assert segments(new_text, kept) == segments(source, [tree.body[i] for i in kept_at])
    assert any(ALIAS in ast.dump(s) for s in moved)


@given(case=module_with_boundary(), with_import=st.booleans())
def test_without_a_process_start_nothing_changes(case: tuple, with_import: bool) -> None:
    text, _, line = case
    # With the import and a harmless call the file passes the prefilter and is analysed.
    source = inject(text, line, HARMLESS) if with_import else text
    data = source.encode("utf-8")
    assume(compiled(data) is not None)
    result = process_source(data, "fuzz.py")
    event(f"status: {result.status.value}")
    assert result.status in (Status.CLEAN, Status.SKIPPED), result.reason
    assert result.new_source is None
    assert not [f for f in result.findings if not f.code.is_warning]
    if with_import:
        assert result.status is Status.CLEAN  # it was really analysed


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        pytest.param("x = 1\r\ny = 2\rz = 3\n", 2, "x = 1\r\n", id="crlf-and-cr"),
        pytest.param("s = 1  # a\x0cb\x85c\u2028d\nt = 2\n", 2, "s = 1  # a\x0cb\x85c\u2028d\n", id="not-line-breaks"),
    ],
)
def test_injection_splits_lines_as_the_tokenizer_does(text: str, line: int, expected: str) -> None:
    injected = inject(text, line, HARMLESS)
    assert injected.startswith(expected + f"import multiprocessing as {ALIAS}\n{HARMLESS}")
    assert compiled(injected.encode()) is not None
