"""Decide, per top-level statement, what stays at module level and what moves under the guard.

Pure: takes the parsed module and the analysis, returns a ``Plan`` (or a decline reason).
Never edits text; ``rewrite.py`` carries the plan out mechanically.
"""

from __future__ import annotations

import ast
import enum
import io
import keyword
import tokenize
from dataclasses import dataclass, field

from fixer.analyze import ModuleAnalysis
from fixer.hazards import child_functions, initializer_globals, unjoined_with_shared
from fixer.model import Style
from fixer import names as _names
from fixer.names import calls_named, iter_runtime_nodes, mutated_root

_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)
_TRY = tuple(t for t in (ast.Try, getattr(ast, "TryStar", None)) if t is not None)


class Action(str, enum.Enum):
    KEEP = "keep"
    MOVE = "move"
    GUARD = "guard"  # the existing guard that receives the moved statements


class Target(str, enum.Enum):
    NEW_MAIN = "new_main"  # def main(): ... + new guard calling it
    NEW_INLINE = "new_inline"  # the work directly under a new guard
    EXISTING_GUARD = "existing_guard"  # the work moves into the file's own guard


@dataclass(frozen=True)
class Plan:
    """What to do with each top-level statement, in the order of ``ast.Module.body``."""

    actions: tuple  # Action per statement
    target: Target
    guard_index: int | None = None  # for EXISTING_GUARD
    main_name: str = "main"
    global_names: tuple = ()
    quote: str = '"'
    unsafe_reasons: tuple = ()
    keep_reasons: dict = field(default_factory=dict, compare=False)  # index -> why it stays
    notes: tuple = ()
    #: (statement index, name): a def or class inside a moved block that goes to module level,
    #: just above main() (or the new guard), instead of becoming local to main().
    hoisted: tuple = ()

    @property
    def moved(self) -> tuple:
        return tuple(i for i, a in enumerate(self.actions) if a is Action.MOVE)


@dataclass(frozen=True)
class Declined:
    """The findings stand, but no rewrite can be made safely; ``reason`` says why."""

    reason: str


def make_plan(
    tree: ast.Module,
    analysis: ModuleAnalysis,
    text: str,
    style: Style = Style.MAIN,
    main_name: str | None = None,
) -> Plan | Declined:
    """Plan the rewrite of a module whose analysis has findings.  Pure."""
    with _names.remembering():
        return _make_plan(tree, analysis, text, style, main_name)


def _make_plan(
    tree: ast.Module,
    analysis: ModuleAnalysis,
    text: str,
    style: Style = Style.MAIN,
    main_name: str | None = None,
) -> Plan | Declined:
    """``make_plan``'s work, with the plan's memo in place."""
    body = tree.body
    facts = analysis.statements
    guards = [i for i, f in enumerate(facts) if f.guard]
    for g in guards:
        if facts[g].guard_else_starts:
            return Declined(
                f"the `if __name__ == \"__main__\":` guard at line {body[g].lineno} has an "
                "elif/else branch that starts processes; that branch runs in every child"
            )
    input_stmts = {
        i for i, stmt in enumerate(body) if calls_named(stmt, frozenset({"input"})) and not _is_import_fallback(stmt)
    }
    must_move = {i for i, f in enumerate(facts) if (f.starts or f.setup) and not f.guard}
    if not must_move:
        return Declined("nothing at module level can be moved to fix the findings")
    unsafe: list[str] = []
    for i in sorted(must_move):
        if facts[i].unsafe_position:
            unsafe.append(facts[i].unsafe_position)

    keep: dict[int, str] = {}
    last_import = max(
        (i for i, stmt in enumerate(body) if _is_import_like(stmt) and i not in must_move), default=-1
    )
    for i, stmt in enumerate(body):
        if i in guards or i in must_move:
            continue
        why = _keep_category(stmt, i)
        if why:
            keep[i] = why
        elif i < min(must_move) and _is_bare_string(stmt):
            # A string statement does nothing when it runs (commented-out code, a section
            # title): above the work it stays where the author put it.
            keep[i] = "string statement (no effect)"
        elif i < last_import and i not in input_stmts:
            keep[i] = "set-up above the last import"
    for i in _absl_flag_statements(body):
        if i not in keep and i not in guards and i not in must_move and i not in input_stmts:
            keep[i] = "absl flags: defined and parsed into one registry that code in every child reads"

    # Names that functions and classes staying at module level read when they are called:
    # spawn children re-import the module, so those names must be bound at module level.
    readers: dict[str, str] = {}
    bindings: dict[str, list[int]] = {}
    for i, stmt in enumerate(body):
        if i in guards:
            continue
        for name in binds(stmt):
            bindings.setdefault(name, []).append(i)

    # Only functions that can run in a child need the names they read bound at module level;
    # a function that only runs in the parent sees what main() binds, because main()
    # declares those names global.
    in_children = child_functions(tree, analysis)
    # What a pool initializer sets in every child is there before any task runs.
    initialized = initializer_globals(tree, analysis)

    def add_readers(i: int) -> None:
        stmt = body[i]
        label = _definition_label(stmt)
        if not isinstance(stmt, _FUNCS) or stmt.name in in_children:
            for name in sorted(call_time_reads(stmt) - initialized):
                readers.setdefault(name, label)
        # Functions the statement calls when it runs at module level (a decorator, a kept
        # `x = build()`) run at import time in every child too.
        called = sorted(
            n.func.id
            for n in iter_runtime_nodes(stmt)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in analysis.functions
        )
        for name in sorted(_function_reads_of(body, set(called), analysis)):
            readers.setdefault(name, f"line {stmt.lineno} (calling {called[0]}())")

    for i in sorted(keep):
        add_readers(i)
    for i in sorted(must_move):
        if isinstance(body[i], _FUNCS + (ast.ClassDef,)):
            add_readers(i)

    # Calling a module's function (os.makedirs(...)) does not fill the module with data.
    imported = {n for stmt in body if isinstance(stmt, (ast.Import, ast.ImportFrom)) for n in binds(stmt)}
    first_forced = min(must_move)
    needs_moved: set[int] = set()  # kept statements already reported as needing moved ones
    crashes: list[str] = []  # kept statements that would read a name only moved code binds
    ordering: list[str] = []  # kept statements that would run before moved work they depend on
    changed = True
    reported: set[tuple] = set()
    while changed:
        changed = False
        # Objects that functions read and that module-level code fills in place
        # (LOOKUP[k] = v, table.update(...)) must be filled in every spawn child too.
        for j, stmt in enumerate(body):
            if j in keep or j in guards or j >= first_forced:
                continue
            filled = (_fills(stmt) & set(readers)) - imported
            if not filled:
                continue
            name = sorted(filled)[0]
            if j in input_stmts:
                key = ("reads", name, j)
                if key not in reported:
                    reported.add(key)
                    unsafe.append(_needs_moved(readers[name], name, stmt, True))
                continue
            keep[j] = f"{readers[name]} reads {name!r}, which this statement fills"
            add_readers(j)
            changed = True
        for name, reader in list(readers.items()):
            indices = bindings.get(name, [])
            assignments = [i for i in indices if isinstance(body[i], (ast.Assign, ast.AnnAssign))]
            if not assignments:
                moving = [i for i in indices if i in must_move or i in input_stmts]
                for i in moving:
                    key = ("reads", name, i)
                    if key not in reported:
                        reported.add(key)
                        unsafe.append(_needs_moved(reader, name, body[i], i in input_stmts))
                # A conditional binding (`if fast: mode = "x"`) that may stay, stays: moved,
                # the name would be missing in every spawn child.
                for i in indices:
                    if i in keep or i in moving or i in guards or not isinstance(body[i], (ast.If,) + _TRY):
                        continue
                    keep[i] = f"{reader} reads {name!r}"
                    add_readers(i)
                    changed = True
                continue
            # The first assignment, and each later one up to the first statement between
            # them that is neither kept nor another assignment of the name (one scan).
            assigned = set(assignments)
            chosen = [assignments[0]]
            for previous, j in zip(assignments, assignments[1:]):
                if any(k not in keep and k not in assigned for k in range(previous + 1, j)):
                    break
                chosen.append(j)
            for i in chosen:
                if i in keep:
                    continue
                if i in must_move or i in input_stmts:
                    key = ("reads", name, i)
                    if key not in reported:
                        reported.add(key)
                        unsafe.append(_needs_moved(reader, name, body[i], i in input_stmts))
                    continue
                keep[i] = f"{reader} reads {name!r}"
                add_readers(i)
                changed = True
        # What stays must find, when it runs, everything it reads: keep the statements before
        # it that bind those names or mutate them (parser.add_argument(...) before parse_args()).
        for k in sorted(keep):
            needed = set(runtime_reads(body[k]))
            if not needed:
                continue
            for j in range(k):
                alias = _alias_of(body[j])
                if alias is not None and alias[1] in needed:
                    # `group = parser.add_argument_group(...)` binds an object whose changes
                    # (group.add_argument(...)) are changes of `parser`: later ones count too.
                    needed.add(alias[0])
                if j in keep or j in guards:
                    continue
                if not (binds(body[j]) & needed or _mutates(body[j]) & needed):
                    continue
                if j in must_move or j in input_stmts:
                    needs_moved.add(k)
                    # Not even an unsafe fix: the kept line would fail at import.
                    crashes.append(
                        f"line {body[k].lineno} stays at module level but needs line "
                        f"{body[j].lineno}, which must move: kept, it would fail when the "
                        "module is imported"
                    )
                    continue
                keep[j] = f"line {body[k].lineno} needs it"
                add_readers(j)
                changed = True

    # A kept assignment that rebinds a name after work has run would now run before that
    # work: it moves instead (main() declares it global, so the parent sees the same values).
    # One pass in order: ``last_moved`` is the latest statement before k that moves (a
    # statement's fate is settled before any later one is looked at), so "something moves
    # between the name's first binding and k" is one comparison, not a scan (a script of
    # N rebinding statements was quadratic).
    guard_set = set(guards)
    last_moved = -1
    for k in range(len(body)):
        if k not in keep:
            if k not in guard_set:
                last_moved = k
            continue
        if not isinstance(body[k], (ast.Assign, ast.AnnAssign)):
            continue
        for name in sorted(binds(body[k])):
            first = bindings.get(name, [k])[0]
            if first >= k:
                continue
            if last_moved > first:
                del keep[k]
                last_moved = k
                if name in readers:
                    unsafe.append(
                        f"line {body[k].lineno} rebinds {name!r}, which {readers[name]} reads, after "
                        "work has started: spawn children will only see its first value"
                    )
                break

    actions = []
    for i in range(len(body)):
        if i in guards:
            actions.append(Action.GUARD)
        elif i in keep:
            actions.append(Action.KEEP)
        else:
            actions.append(Action.MOVE)
    moved = [i for i, a in enumerate(actions) if a is Action.MOVE]

    # Keeping a statement that originally ran after moved work makes it run first.
    for k in sorted(keep):
        if not moved or k < moved[0] or k in needs_moved:
            continue
        k_binds = binds(body[k]) - {body[k].name} if isinstance(body[k], _FUNCS + (ast.ClassDef,)) else binds(body[k])
        k_reads = runtime_reads(body[k])
        for m in moved:
            if m > k:
                break
            used = runtime_reads(body[m]) | binds(body[m])
            used |= _function_reads_of(body, used, analysis)
            clash = (k_binds & used) | (k_reads & (binds(body[m]) | _mutates(body[m])))
            if clash:
                ordering.append(
                    f"line {body[k].lineno} must stay at module level and would then run before "
                    f"line {body[m].lineno}, which uses {sorted(clash)[0]!r}"
                )
                unsafe.append(ordering[-1])
                break

    notes: list[str] = []
    if crashes or ordering:
        # What careful humans often do: guard only from the first process start onward.
        partial = _partial_fallback(body, keep, guards, must_move, input_stmts, in_children, initialized)
        if partial is not None and (crashes or not partial[1]):
            actions, partial_unsafe = partial
            moved = [i for i, a in enumerate(actions) if a is Action.MOVE]
            keep = {i: "above the first process start" for i, a in enumerate(actions) if a is Action.KEEP}
            unsafe = [facts[i].unsafe_position for i in sorted(must_move) if facts[i].unsafe_position]
            unsafe += partial_unsafe
            notes.append(
                f"the whole-script fix is not possible ({(crashes or ordering)[0]}); this fix guards "
                f"only from line {body[first_forced].lineno}, the first process start, onward"
            )
        elif crashes:
            return Declined(crashes[0])

    if len(guards) > 1:
        return Declined(
            "the file has several `if __name__ == \"__main__\":` guards (lines "
            + ", ".join(str(body[g].lineno) for g in guards)
            + "); merge them by hand first"
        )

    if guards:
        target = Target.EXISTING_GUARD
    elif style is Style.INLINE:
        target = Target.NEW_INLINE
    elif len(moved) == 1 and _is_bare_call(body[moved[0]]):
        target = Target.NEW_INLINE
        notes.append("the work is a single call, so it goes directly under the guard")
    else:
        target = Target.NEW_MAIN

    for i in moved:
        for node in ast.walk(body[i]):
            if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names):
                if target is Target.NEW_MAIN:
                    return Declined(
                        f"line {node.lineno}: `from {node.module} import *` cannot move into a "
                        "function; use --style inline"
                    )

    outlived = unjoined_with_shared(tree, analysis, [body[i] for i in moved])
    if outlived:
        unsafe.append(outlived)

    hoisted, problem = _plan_hoists(body, moved, guards[0] if target is Target.EXISTING_GUARD else None)
    if problem:
        return Declined(problem)
    for index, name in hoisted:
        notes.append(
            f"{name} is defined inside the block at line {body[index].lineno}: it goes to module level, "
            "above the work, so that spawn children can find it"
        )

    global_names: tuple = ()
    chosen_name = main_name or "main"
    if target is Target.NEW_MAIN:
        # Every name the moved code binds was a module global and stays one: main() declares
        # them all ``global``.  That keeps what functions read, what kept code rebinds, and the
        # lifetime of objects live processes still use (a Queue bound at module level lives
        # until the interpreter exits; as a local of main() it is collected when main()
        # returns, while unjoined children still need it).
        moved_binds: set[str] = set()
        for i in moved:
            moved_binds |= binds(body[i])
        # Python forbids `global x` with `x: int = ...` in the same function: an annotated
        # name stays local to main(), unless something else needs it as a global.
        annotated = _annotated_names([body[i] for i in moved])
        if annotated:
            outside: set[str] = set()
            for i, stmt in enumerate(body):
                if i in keep or isinstance(stmt, _FUNCS + (ast.ClassDef,)):
                    outside |= call_time_reads(stmt) | runtime_reads(stmt) | binds(stmt)
            clash = sorted(set(annotated) & outside)
            if clash:
                return Declined(
                    f"line {annotated[clash[0]]} annotates {clash[0]!r}, which must stay a module global "
                    f"(code outside {chosen_name}() uses it), and Python does not allow an annotated "
                    "global in a function: remove the annotation first"
                )
        global_names = tuple(sorted(moved_binds - {name for _i, name in hoisted} - set(annotated)))
        for i in moved:
            for call in calls_named(body[i], frozenset({"locals", "globals", "vars", "exec", "eval"})):
                name = call.func.id  # type: ignore[attr-defined]
                if name in ("exec", "eval") and len(call.args) + len(call.keywords) >= 2:
                    continue
                if name == "vars" and call.args:
                    continue
                unsafe.append(
                    f"line {call.lineno}: {name}() in the moved code: names bound there become "
                    f"local to {chosen_name}() and stop being module globals"
                )
        taken = set(bindings) | {n for i in range(len(body)) for n in binds(body[i])}
        if chosen_name in taken:
            original = chosen_name
            chosen_name = _free_name(chosen_name, taken)
            notes.append(f"{original!r} is already a module-level name; the work goes into {chosen_name}()")

    return Plan(
        actions=tuple(actions),
        target=target,
        guard_index=guards[0] if guards else None,
        main_name=chosen_name,
        global_names=global_names,
        quote=detect_quote(text),
        unsafe_reasons=tuple(dict.fromkeys(unsafe)),
        keep_reasons=keep,
        notes=tuple(notes),
        hoisted=hoisted,
    )


_BLOCK_WORDS = {
    ast.For: "for", ast.AsyncFor: "async for", ast.While: "while", ast.If: "if", ast.With: "with",
    ast.AsyncWith: "async with",
}


def nested_definitions(stmt: ast.stmt) -> list[ast.stmt]:
    """Defs and classes that ``stmt`` (a compound statement) runs in its own scope: inside its
    blocks, not inside functions or classes.  Pure."""
    found: list[ast.stmt] = []
    for child in _child_statements(stmt):
        if isinstance(child, _FUNCS + (ast.ClassDef,)):
            found.append(child)
        else:
            found += nested_definitions(child)
    return found


def _child_statements(stmt: ast.stmt) -> list[ast.stmt]:
    if isinstance(stmt, _FUNCS + (ast.ClassDef,)):
        return []
    out: list[ast.stmt] = []
    for field_name in ("body", "orelse", "finalbody"):
        block = getattr(stmt, field_name, None)
        if isinstance(block, list):
            out += [c for c in block if isinstance(c, ast.stmt)]
    for handler in getattr(stmt, "handlers", None) or []:
        out += handler.body
    for case in getattr(stmt, "cases", None) or []:
        out += case.body
    return out


def _may_be_pickled(name: str, definition: ast.stmt, tree_body: list) -> bool:
    """Whether a def or class defined inside a block can end up pickled: a function used as a
    value (a process target, mapped over a pool, passed on), or a class used at all (its
    instances may be sent to a child)."""
    called: set[int] = set()
    loads: list[ast.Name] = []
    for stmt in tree_body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                called.add(id(node.func))
            elif isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
                loads.append(node)
    if isinstance(definition, ast.ClassDef):
        return bool(loads)
    return any(id(node) not in called for node in loads)


def _binding_count(name: str, body: list) -> int:
    """How many places bind ``name`` at module level (a def in both branches of an `if` is two)."""
    count = 0
    for stmt in body:
        for node in _scope_walk(stmt):
            if isinstance(node, _FUNCS + (ast.ClassDef,)) and node.name == name:
                count += 1
            elif isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, (ast.Store, ast.Del)):
                count += 1
            elif isinstance(node, (ast.Import, ast.ImportFrom)) and name in _names.import_names(node):
                count += 1
    return count


def _scope_walk(stmt: ast.AST):
    """Nodes of ``stmt``'s own scope (function and class bodies are not entered)."""
    stack = [stmt]
    while stack:
        node = stack.pop()
        yield node
        if node is not stmt and isinstance(node, _FUNCS + (ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(node))


def _plan_hoists(body: list, moved: list, guard_index: int | None) -> tuple[tuple, str]:
    """Defs and classes inside moved blocks that must go to module level, or why they cannot.

    Moved into main(), such a definition becomes local (``main.<locals>.work``): pickling it
    fails under every start method, fork included.  It can go to module level when what it
    reads (when called, and when defined: decorators, defaults, bases) is not bound by the
    moved code -- other definitions that go up with it aside: a hoisted worker takes the
    helpers it reads along -- and when it is the only binding of its name (a conditional
    definition would pick one branch).  Returns ((index, name), ...) and "" or (), the
    decline reason."""
    moved_binds: set[str] = set()
    for i in moved:
        moved_binds |= binds(body[i])
    after_guard: set[str] = set()  # bound by statements that stay after the file's own guard
    if guard_index is not None:
        for i in range(guard_index + 1, len(body)):
            if i not in moved:
                after_guard |= binds(body[i])
    nested: dict[str, tuple[int, ast.stmt]] = {}
    for i in moved:
        if not isinstance(body[i], _FUNCS + (ast.ClassDef,)):
            for definition in nested_definitions(body[i]):
                nested.setdefault(definition.name, (i, definition))  # type: ignore[attr-defined]

    def reads_of(definition: ast.stmt) -> set[str]:
        return set(runtime_reads(definition)) | set(call_time_reads(definition))

    wanted = [n for n, (_i, d) in nested.items() if _may_be_pickled(n, d, body)]
    going = set(wanted)
    todo = list(wanted)
    while todo:  # the nested helpers a hoisted definition reads go up with it
        for name in sorted(reads_of(nested[todo.pop()][1]) & set(nested)):
            if name not in going:
                going.add(name)
                todo.append(name)
    per_block: dict[int, int] = {}
    for name in sorted(going, key=lambda n: (nested[n][0], nested[n][1].lineno)):
        i, definition = nested[name]
        stmt = body[i]
        kind = f"class {name}" if isinstance(definition, ast.ClassDef) else f"function {name}()"
        word = _BLOCK_WORDS.get(type(stmt), "try" if isinstance(stmt, _TRY) else "match")
        where = f"{kind}, defined inside the `{word}` block at line {stmt.lineno},"
        why = "may be pickled (a process target, a pool callable, or passed on)" if name in wanted else (
            "is read by a definition that must go to module level"
        )
        local = (
            f"moved into main() it would become a local {'class' if isinstance(definition, ast.ClassDef) else 'function'}, "
            "which cannot be pickled"
        )
        used = sorted((reads_of(definition) & moved_binds) - going)
        if used:
            return (), (
                f"{where} {why}, and {local}; it reads {used[0]!r}, which the moved code binds, so it "
                f"cannot go to module level either: define it at module level and pass {used[0]!r} as "
                "an argument"
            )
        if _binding_count(name, body) != 1:
            return (), (
                f"{where} {why}, and {local}; {name!r} is bound more than once at module level, so it "
                "cannot be moved to module level as it is: define it once at module level"
            )
        if guard_index is not None and reads_of(definition) & after_guard:
            # It goes just above the file's own guard: what it reads must be bound by then.
            late = sorted(reads_of(definition) & after_guard)[0]
            return (), (
                f"{where} {why}, and moved under the file's guard it is never defined in spawn "
                f"children; above the guard it would read {late!r} before it is bound: define it at "
                "module level"
            )
        parent = _parent_block(stmt, definition)
        if parent is not None:
            per_block[id(parent)] = per_block.get(id(parent), 0) + 1
            if per_block[id(parent)] == len(parent):
                return (), f"{where} is the only statement of its block: define it at module level by hand"
    order = sorted(going, key=lambda n: (nested[n][0], nested[n][1].lineno))
    return tuple((nested[n][0], n) for n in order), ""


def _parent_block(stmt: ast.stmt, child: ast.stmt) -> list | None:
    for node in [stmt, *(n for n in ast.walk(stmt) if isinstance(n, (ast.stmt, ast.excepthandler)) or _is_case(n))]:
        for field_name in ("body", "orelse", "finalbody"):
            block = getattr(node, field_name, None)
            if isinstance(block, list) and any(item is child for item in block):
                return block
    return None


def _is_case(node: ast.AST) -> bool:
    return type(node).__name__ == "match_case"


def _annotated_names(stmts: list) -> dict[str, int]:
    """Names given an annotation (``x: int = 0``) in the scope of ``stmts`` -> first line."""
    found: dict[str, int] = {}
    for stmt in stmts:
        for node in _scope_walk(stmt):
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                found.setdefault(node.target.id, node.lineno)
    return found


def _partial_fallback(
    body: list, full_keep: dict, guards: list, must_move: set, input_stmts: set, in_children: dict, initialized: set
) -> tuple[list, list] | None:
    """The fix that guards only from the first process start onward: everything above it
    stays, everything from it on moves, except workers defined further down (and the classes
    they read), which must stay importable.  Returns (actions, unsafe reasons), or None when
    even that fix would fail at import.  Pure."""
    if guards:
        return None
    first = min(must_move)
    kept = set(range(first))
    later = range(first, len(body))
    worker_reads: set[str] = set()
    for i in later:
        stmt = body[i]
        if isinstance(stmt, _FUNCS) and stmt.name in in_children and i not in must_move:
            kept.add(i)
            worker_reads |= call_time_reads(stmt)
    for i in later:
        stmt = body[i]
        if isinstance(stmt, ast.ClassDef) and stmt.name in worker_reads and i not in must_move:
            kept.add(i)
    kept_binds: set[str] = set()
    moved_binds: set[str] = set()
    for i, stmt in enumerate(body):
        (kept_binds if i in kept else moved_binds).update(binds(stmt))
    moved_only = moved_binds - kept_binds
    unsafe: list[str] = []
    for i in sorted(kept):
        stmt = body[i]
        if runtime_reads(stmt) & moved_only:
            return None
        if i < first and i not in full_keep:
            if i in input_stmts:
                unsafe.append(
                    f"line {stmt.lineno} calls input() and stays above the guard: every spawn child asks again"
                )
            elif any(isinstance(n, ast.Call) for n in iter_runtime_nodes(stmt)):
                unsafe.append(f"line {stmt.lineno} stays above the guard: every spawn child runs it again")
    for i in sorted(kept):
        stmt = body[i]
        if not (isinstance(stmt, _FUNCS) and stmt.name in in_children):
            continue
        for name in sorted((call_time_reads(stmt) - initialized) & moved_binds):
            late = next(j for j in later if j not in kept and name in binds(body[j]))
            if name in moved_only:
                unsafe.append(
                    f"function {stmt.name}() reads {name!r}, which line {body[late].lineno} binds after the "
                    "first process start: spawn children will not have it"
                )
            elif any(j > late for j in must_move):
                # (Processes started before the rebinding saw the first value under fork too.)
                unsafe.append(
                    f"function {stmt.name}() reads {name!r}, which line {body[late].lineno} rebinds after the "
                    "first process start: spawn children will only see its first value"
                )
    actions = [Action.KEEP if i in kept else Action.MOVE for i in range(len(body))]
    return actions, unsafe


def _free_name(base: str, taken: set[str]) -> str:
    for candidate in (f"_{base}", f"{base}_", *(f"{base}{n}" for n in range(2, 100))):
        if candidate not in taken and not keyword.iskeyword(candidate):
            return candidate
    raise ValueError("no free name")  # pragma: no cover - 100 taken names


def _is_bare_string(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _is_bare_call(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) and not binds(stmt)


def _needs_moved(reader: str, name: str, stmt: ast.stmt, is_input: bool) -> str:
    cause = "reads input()" if is_input else "starts processes"
    return (
        f"{reader} reads {name!r}, which line {stmt.lineno} creates and which must move because it "
        f"{cause}; spawn children will not have it"
    )


def _definition_label(stmt: ast.stmt) -> str:
    if isinstance(stmt, _FUNCS):
        return f"function {stmt.name}()"
    if isinstance(stmt, ast.ClassDef):
        return f"class {stmt.name}"
    return f"line {stmt.lineno}"


def _function_reads_of(body: list, names: set[str], analysis: ModuleAnalysis) -> set[str]:
    """Globals read, when called, by the module-level functions and classes named in ``names``."""
    out: set[str] = set()
    seen: set[str] = set()
    todo = [n for n in names if n in analysis.functions or n in analysis.classes]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        node = analysis.functions.get(name) or analysis.classes.get(name)
        reads = call_time_reads(node)
        out |= reads
        todo.extend(n for n in reads if n in analysis.functions or n in analysis.classes)
    return out


def _compute_mutates(stmt: ast.stmt) -> set[str]:
    """Names whose objects the statement may change in place (``x.append(1)``, ``x[k] = v``)."""
    return {name for name in map(mutated_root, iter_runtime_nodes(stmt)) if name is not None}


def _fills(stmt: ast.stmt) -> set[str]:
    """Names whose objects the statement fills in for the functions that read them: an item
    or attribute stored, a ``del``, a list/dict/set method (``LOOKUP.update(...)``), or a
    method called for its effect alone (``parser.add_argument(...)``, ``config.read(f)``).
    A method whose result is kept (``items = client.list_items()``) or tested (``while
    client.status() != "done":``) is a question asked of the object: spawn children need
    the object, not the answer, so such statements may move into ``main()``."""
    return _names.remembered("fills", _compute_fills, stmt)


def _compute_fills(stmt: ast.stmt) -> set[str]:
    asked: set[int] = set()  # calls whose value is used: assigned, tested, passed on
    for node in iter_runtime_nodes(stmt):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            continue  # the call's value is dropped: called for its effect
        for child in _names.child_nodes(node):
            if isinstance(child, ast.Call) and not (isinstance(node, ast.Expr) and child is node.value):
                asked.add(id(child))
    found = set()
    for node in iter_runtime_nodes(stmt):
        if isinstance(node, ast.Call) and id(node) in asked and isinstance(node.func, ast.Attribute) and (
            node.func.attr not in _names.MUTATING_METHODS
        ):
            continue
        name = mutated_root(node)
        if name is not None:
            found.add(name)
    return found


def _is_import_like(stmt: ast.stmt) -> bool:
    if isinstance(stmt, (ast.Import, ast.ImportFrom)) or _is_import_fallback(stmt):
        return True
    return isinstance(stmt, (ast.If,) + _TRY) and _is_definitional(stmt) and any(
        isinstance(n, (ast.Import, ast.ImportFrom)) for n in ast.walk(stmt)
    )


def _keep_category(stmt: ast.stmt, index: int) -> str:
    """Why a statement stays at module level by its kind alone ("" when it does not)."""
    if index == 0 and isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(
        stmt.value.value, str
    ):
        return "module docstring"
    if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
        return "from __future__ import"
    if isinstance(stmt, (ast.Import, ast.ImportFrom)):
        return "import"
    if isinstance(stmt, _FUNCS):
        return "function definition"
    if isinstance(stmt, ast.ClassDef):
        return "class definition"
    if isinstance(stmt, ast.AnnAssign) and stmt.value is None:
        return "annotation"
    if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and _is_constant(stmt.value) and _plain_targets(stmt):
        return "constant"
    if type(stmt).__name__ == "TypeAlias":
        return "type alias"
    if isinstance(stmt, (ast.If,) + _TRY) and _is_definitional(stmt):
        return "definitions block (imports, TYPE_CHECKING, fallbacks)"
    if _is_import_fallback(stmt):
        return "import block with a fallback"
    return ""


_ABSL_REGISTERING = ("DEFINE", "declare_key_flag", "mark_flag", "mark_flags", "mark_bool_flags", "register_")


def _absl_flag_statements(body: list) -> list[int]:
    """Top-level statements that define absl flags (``flags.DEFINE_integer(...)``,
    ``flags.mark_flag_as_required(...)``) or parse them (``FLAGS(sys.argv)``, also
    assigned).  They fill the process-wide ``absl.flags.FLAGS`` registry, which the script's
    own functions and libraries (pysc2, TensorFlow) read in a spawn child as well: moved
    into ``main()``, the child's ``FLAGS.x`` raises ``UnparsedFlagAccessError``.  Calls on a
    module do not count as changing it anywhere else, so this idiom is recognised by name."""
    modules: set[str] = set()  # names bound to absl.flags
    registries: set[str] = set()  # names bound to absl.flags.FLAGS
    for stmt in body:
        if isinstance(stmt, ast.ImportFrom) and stmt.level == 0:
            for alias in stmt.names:
                if stmt.module == "absl" and alias.name == "flags":
                    modules.add(alias.asname or "flags")
                elif stmt.module == "absl.flags" and alias.name == "FLAGS":
                    registries.add(alias.asname or "FLAGS")
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.name == "absl.flags" and alias.asname:
                    modules.add(alias.asname)
    if not modules and not registries:
        return []

    def is_module(node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in modules

    def is_registry(node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in registries
        return isinstance(node, ast.Attribute) and node.attr == "FLAGS" and is_module(node.value)

    found = []
    for index, stmt in enumerate(body):
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and is_registry(stmt.value)
        ):
            registries.add(stmt.targets[0].id)  # FLAGS = flags.FLAGS
            continue
        value = stmt.value if isinstance(stmt, (ast.Expr, ast.Assign)) else None
        if not isinstance(value, ast.Call):
            continue
        func = value.func
        if is_registry(func) or (
            isinstance(func, ast.Attribute) and is_module(func.value) and func.attr.startswith(_ABSL_REGISTERING)
        ):
            found.append(index)
    return found


def _alias_of(stmt: ast.stmt) -> tuple[str, str] | None:
    """(new name, root name) for ``new = root.method(...)`` / ``new = root.attr`` / ``new = root[k]``."""
    if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name)):
        return None
    node = stmt.value
    if not isinstance(node, (ast.Call, ast.Attribute, ast.Subscript)):
        return None
    while isinstance(node, (ast.Call, ast.Attribute, ast.Subscript)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return (stmt.targets[0].id, node.id) if isinstance(node, ast.Name) else None


_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError"})


def _is_import_fallback(stmt: ast.stmt) -> bool:
    """``try: import x`` / ``except ImportError: ...``: an import block, whatever the fallback
    does (even asking with input()): it only runs when the import fails."""
    if not isinstance(stmt, _TRY) or not stmt.handlers:
        return False
    if not all(isinstance(child, (ast.Import, ast.ImportFrom, ast.Pass)) for child in stmt.body):
        return False
    for handler in stmt.handlers:
        caught = handler.type
        names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
        if not all(isinstance(n, (ast.Name, ast.Attribute)) and getattr(n, "id", getattr(n, "attr", "")) in _IMPORT_ERRORS for n in names):
            return False
    return not stmt.orelse and not stmt.finalbody


def _plain_targets(stmt: ast.Assign | ast.AnnAssign) -> bool:
    targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
    return all(isinstance(t, (ast.Name, ast.Tuple, ast.List)) for t in targets)


def _is_definitional(stmt: ast.stmt) -> bool:
    """A block that only defines names: imports, defs, classes, constants, pass."""
    if isinstance(stmt, ast.If):
        # `if TYPE_CHECKING:`, `if sys.version_info >= (3, 8):`, `if os.name == "nt":` define
        # names; `if len(sys.argv) > 1: mode = "x"` (a test that calls something, branches
        # that only assign) is the script's work.  A block that imports or defines stays a
        # definitions block whatever its test (`if platform.system() == "Windows": import winreg`).
        if any(isinstance(node, ast.Call) for node in ast.walk(stmt.test)) and not any(
            isinstance(node, (ast.Import, ast.ImportFrom, ast.ClassDef) + _FUNCS)
            for child in stmt.body + stmt.orelse
            for node in ast.walk(child)
        ):
            return False
        inner = stmt.body + stmt.orelse
    elif isinstance(stmt, _TRY):
        inner = stmt.body + stmt.orelse + stmt.finalbody
        for handler in stmt.handlers:
            inner += handler.body
    else:
        return False
    for child in inner:
        if isinstance(child, (ast.Import, ast.ImportFrom, ast.Pass, ast.ClassDef) + _FUNCS):
            continue
        if isinstance(child, (ast.Assign, ast.AnnAssign)) and (
            child.value is None or _is_constant(child.value) or isinstance(child.value, (ast.Name, ast.Attribute))
        ):
            continue
        if isinstance(child, ast.Expr) and isinstance(child.value, ast.Constant):
            continue
        if isinstance(child, ast.Raise):
            continue
        if isinstance(child, (ast.If,) + _TRY) and _is_definitional(child):
            continue
        return False
    return True


def _is_constant(node: ast.expr | None) -> bool:
    if node is None:
        return False
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_is_constant(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        return all(k is not None and _is_constant(k) for k in node.keys) and all(
            _is_constant(v) for v in node.values
        )
    if isinstance(node, ast.UnaryOp):
        return _is_constant(node.operand)
    if isinstance(node, ast.BinOp):
        return _is_constant(node.left) and _is_constant(node.right)
    return False


def detect_quote(text: str) -> str:
    """The quote character most strings of the file use (double on a tie)."""
    single = double = 0
    try:
        # Newlines normalised: from 3.12 the C tokenizer raises UnicodeDecodeError on a lone CR
        # followed by non-ASCII text (a line ending does not change which quotes are used).
        lines = io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n"))
        for tok in tokenize.generate_tokens(lines.readline):
            if tok.type == tokenize.STRING:
                body = tok.string.lstrip("rbuRBUfF")
                if body.startswith(("'''", '"""')):
                    continue
                if body.startswith("'"):
                    single += 1
                elif body.startswith('"'):
                    double += 1
    except (tokenize.TokenError, SyntaxError, ValueError):
        pass
    return "'" if single > double else '"'


# ----- per-file memo: see ``names.remembering`` ------------------------------------------------
binds = _names.binds
runtime_reads = _names.runtime_reads
call_time_reads = _names.call_time_reads


def _mutates(stmt: ast.stmt) -> set[str]:
    return _names.remembered("mutates", _compute_mutates, stmt)
