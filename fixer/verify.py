"""Post-conditions of a rewrite, checked before anything is written.

A failed check is guardfix's own bug: the file is reported as failed (exit 123) and left
untouched.  Checked: the output compiles; its syntax tree is exactly the planned one (every
statement kept, in order, and every moved statement present under the guard, in order); the
module-level code that stays reads only names that stay; no line of the input is lost or
altered beyond one level of indentation; a second run finds nothing to fix.
"""

from __future__ import annotations

import ast
import copy
import re
from collections import Counter
from typing import Callable

from fixer.analyze import is_main_guard_test
from fixer.diff import split_lines
from fixer.names import binds, call_time_reads, iter_runtime_nodes, runtime_reads, walk
from fixer.plan import Action, Plan, Target, nested_definitions


def verify_rewrite(
    old_text: str,
    new_text: str,
    new_bytes: bytes,
    old_tree: ast.Module,
    plan: Plan,
    indent: str,
    recheck: Callable[[str], int],
) -> str:
    """Return "" when the rewrite is sound, else a description of the first broken check.

    ``recheck(text)`` returns how many findings a fresh analysis of ``text`` reports.
    """
    try:
        compile(new_bytes, "<rewrite>", "exec", dont_inherit=True)
        new_tree = ast.parse(new_text)
    except (SyntaxError, ValueError) as exc:
        return f"the rewrite does not compile: {exc}"
    problem = check_structure(old_tree, new_tree, plan)
    if problem:
        return problem
    problem = check_kept_reads(old_tree, plan)
    if problem:
        return problem
    hoisted = hoisted_line_numbers(old_text, old_tree, plan, indent)
    problem = check_lines_preserved(
        old_text,
        new_text,
        indent,
        moved_line_numbers(old_tree, plan) - frozenset(hoisted),
        moved_region(new_tree, plan, len(_lines(new_text))),
        hoisted,
        footer_comment_lines(old_text, old_tree, plan) - frozenset(hoisted),
    )
    if problem:
        return problem
    remaining = recheck(new_text)
    if remaining:
        return f"a second run on the rewrite still reports {remaining} finding(s)"
    return ""


def _dumps(stmts: list) -> list[str]:
    return [ast.dump(s) for s in stmts]


def check_structure(old: ast.Module, new: ast.Module, plan: Plan) -> str:
    """The new tree must be exactly the planned arrangement of the old statements."""
    kept = [s for s, a in zip(old.body, plan.actions) if a is not Action.MOVE]
    moved = [s for s, a in zip(old.body, plan.actions) if a is Action.MOVE]
    if plan.target is Target.EXISTING_GUARD:
        assert plan.guard_index is not None
        guard_old = old.body[plan.guard_index]
        before = [s for i, s in enumerate(old.body) if plan.actions[i] is Action.MOVE and i < plan.guard_index]
        after = [s for i, s in enumerate(old.body) if plan.actions[i] is Action.MOVE and i > plan.guard_index]
        hoisted, _stripped = _split_hoisted(old, plan, moved)
        stripped = dict(zip(map(id, moved), _stripped))
        before = [stripped[id(s)] for s in before]
        after = [stripped[id(s)] for s in after]
        at = kept.index(guard_old)
        kept = kept[:at] + hoisted + kept[at:]
        if len(new.body) != len(kept):
            return "the rewrite has a different number of module-level statements than planned"
        for old_stmt, new_stmt in zip(kept, new.body):
            if old_stmt is guard_old:
                if not (isinstance(new_stmt, ast.If) and is_main_guard_test(new_stmt.test)):
                    return "the existing guard was not kept in place"
                expected = _dumps(before) + _dumps(guard_old.body) + _dumps(after)  # type: ignore[attr-defined]
                if _dumps(new_stmt.body) != expected or _dumps(new_stmt.orelse) != _dumps(guard_old.orelse):  # type: ignore[attr-defined]
                    return "the guard's body is not the moved statements followed by its own code"
            elif ast.dump(old_stmt) != ast.dump(new_stmt):
                return f"statement at line {old_stmt.lineno} changed"
        return ""
    hoisted, moved = _split_hoisted(old, plan, moved)
    kept = kept + hoisted
    extra = 2 if plan.target is Target.NEW_MAIN else 1
    if len(new.body) != len(kept) + extra:
        return "the rewrite has a different number of module-level statements than planned"
    if _dumps(new.body[: len(kept)]) != _dumps(kept):
        return "a statement that stays at module level changed or moved"
    guard = new.body[-1]
    if not (isinstance(guard, ast.If) and is_main_guard_test(guard.test) and not guard.orelse):
        return "the new guard is not `if __name__ == \"__main__\":`"
    if plan.target is Target.NEW_INLINE:
        if _dumps(guard.body) != _dumps(moved):
            return "the guard's body is not exactly the moved statements"
        return ""
    function = new.body[-2]
    if not (
        isinstance(function, ast.FunctionDef)
        and function.name == plan.main_name
        and not function.decorator_list
        and not (function.args.args or function.args.posonlyargs or function.args.kwonlyargs)
        and not (function.args.vararg or function.args.kwarg)
    ):
        return f"the new {plan.main_name}() is not a plain function without arguments"
    body = list(function.body)
    declared: list[str] = []
    while body and isinstance(body[0], ast.Global):
        declared += body.pop(0).names  # type: ignore[attr-defined]
    if tuple(declared) != tuple(plan.global_names):
        return "the global declaration is not the one planned"
    if _dumps(body) != _dumps(moved):
        return f"{plan.main_name}()'s body is not exactly the moved statements"
    call = guard.body
    if not (
        len(call) == 1
        and isinstance(call[0], ast.Expr)
        and isinstance(call[0].value, ast.Call)
        and isinstance(call[0].value.func, ast.Name)
        and call[0].value.func.id == plan.main_name
        and not call[0].value.args
        and not call[0].value.keywords
    ):
        return f"the guard does not just call {plan.main_name}()"
    return ""


def hoisted_definitions(tree: ast.Module, plan: Plan) -> list[ast.stmt]:
    """The defs and classes the plan takes out of moved blocks, in the order they are written."""
    found = []
    for index, name in plan.hoisted:
        for node in nested_definitions(tree.body[index]):
            if node.name == name:  # type: ignore[attr-defined]
                found.append(node)
                break
    return found


def _split_hoisted(tree: ast.Module, plan: Plan, moved: list) -> tuple[list, list]:
    """(hoisted definitions, moved statements without them), as the rewrite must show them."""
    if not plan.hoisted:
        return [], moved
    hoisted = hoisted_definitions(tree, plan)
    ids = {id(node) for node in hoisted}

    class Remove(ast.NodeTransformer):
        def generic_visit(self, node: ast.AST) -> ast.AST:
            for field_name in ("body", "orelse", "finalbody"):
                block = getattr(node, field_name, None)
                if isinstance(block, list):
                    setattr(node, field_name, [c for c in block if id(c) not in ids])
            return super().generic_visit(node)

    # Only the copies' blocks change; the original nodes (and their ids) stay as they are.
    stripped = []
    for stmt in moved:
        if any(id(n) in ids for n in ast.walk(stmt)):
            clone = _shallow_blocks_copy(stmt)
            Remove().visit(clone)
            stripped.append(clone)
        else:
            stripped.append(stmt)
    return hoisted, stripped


def _shallow_blocks_copy(node: ast.AST) -> ast.AST:
    """A copy of ``node`` whose statement lists (and the statements holding them) are new
    objects, sharing every other node: removing a statement from the copy leaves ``node`` as it is."""
    clone = copy.copy(node)
    for field_name in ("body", "orelse", "finalbody", "handlers", "cases"):
        block = getattr(clone, field_name, None)
        if isinstance(block, list):
            setattr(clone, field_name, [_shallow_blocks_copy(c) if _has_blocks(c) else c for c in block])
    return clone


def _has_blocks(node: ast.AST) -> bool:
    return not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and any(
        isinstance(getattr(node, f, None), list) for f in ("body", "orelse", "finalbody", "handlers", "cases")
    )


def check_kept_reads(tree: ast.Module, plan: Plan) -> str:
    """Module-level code that stays reads, when it runs, only names that stay bound at module
    level: a kept ``q = m.Queue()`` after ``m = Manager()`` moved fails when the module is
    imported, in the parent and in every child.  Functions a kept statement calls count with
    the globals they read (transitively)."""
    kept_binds: set[str] = set()
    moved_binds: set[str] = set()
    for stmt, action in zip(tree.body, plan.actions):
        (moved_binds if action is Action.MOVE else kept_binds).update(binds(stmt))
    moved_only = moved_binds - kept_binds
    if not moved_only:
        return ""
    functions = {s.name: s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for stmt, action in zip(tree.body, plan.actions):
        if action is not Action.KEEP:
            continue
        reads = set(runtime_reads(stmt))
        todo = [n.func.id for n in iter_runtime_nodes(stmt) if _calls_name(n) and n.func.id in functions]  # type: ignore[attr-defined]
        seen: set[str] = set()
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            reads |= call_time_reads(functions[name])
            todo += [n.func.id for n in walk(functions[name]) if _calls_name(n) and n.func.id in functions]  # type: ignore[attr-defined]
        bad = sorted(reads & moved_only)
        if bad:
            return (
                f"line {stmt.lineno} stays at module level but reads {bad[0]!r}, which only the moved "
                "code binds"
            )
    hoisted_names = {name for _index, name in plan.hoisted}
    for node in hoisted_definitions(tree, plan):
        bad = sorted(runtime_reads(node) & (moved_only - hoisted_names))
        if bad:
            return f"the definition at line {node.lineno} goes to module level but reads {bad[0]!r}, which only the moved code binds"
    return ""


def _calls_name(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name)


def check_lines_preserved(
    old_text: str,
    new_text: str,
    indent: str,
    moved_lines: frozenset = frozenset(),
    moved_region: frozenset | None = None,
    hoisted_lines: dict | None = None,
    either_lines: frozenset = frozenset(),
) -> str:
    """Every non-blank input line survives: lines of kept statements unchanged, lines of moved
    statements (``moved_lines``, 1-based) indented by ``indent`` -- or unchanged, for lines
    inside multi-line strings, which are never re-indented because that would change the string.

    ``moved_region`` (1-based lines of the new text: main()'s body, or the guard's) says where
    moved lines may land; outside it only kept lines match.  Without it, a kept ``    '''``
    could be counted as a moved ``'''`` one level deeper, and the moved line then reported
    as foreign (a file whose functions and moved code both hold triple-quoted strings).

    ``hoisted_lines`` (input line -> levels) are the lines of definitions taken out of moved
    blocks to module level: they lose that many levels of indentation (or none, inside
    multi-line strings).

    ``either_lines`` (1-based input lines, comments only) may survive kept or moved: the
    comments between a block and a moved statement after it (``footer_comment_lines``).

    New lines are only blank lines and guardfix's own scaffolding (``def main():``,
    ``global ...``, the guard and its call).
    """
    kept: Counter = Counter()
    moved: Counter = Counter()
    hoisted: Counter = Counter()  # (dedented, original) pairs
    either: Counter = Counter()
    for number, line in enumerate(_lines(old_text), start=1):
        if not line.strip():
            continue
        if number in either_lines:
            either[line] += 1
        elif hoisted_lines and number in hoisted_lines:
            prefix = indent * hoisted_lines[number]
            hoisted[(line[len(prefix):] if line.startswith(prefix) else line, line)] += 1
        else:
            (moved if number in moved_lines else kept)[line] += 1

    # A one-line guard (`if __name__ == "__main__": run()`) that receives moved work becomes
    # a block: its statements move to their own line, one level deeper.
    for line in list(kept):
        match = _ONE_LINE_GUARD.match(line)
        if match:
            count = kept.pop(line)
            kept[match.group(1) + indent + match.group(2).strip()] += count
    # Without ``moved_lines`` every input line counts as kept, and a line may match either
    # as kept or as kept one level deeper (a statement moved into main() whose text equals a
    # line of a block it was nested in): both orders of preference are tried.
    orders = (False, True) if not moved_lines else (False,)
    problem = ""
    for deeper_first in orders:
        problem = _match_new_lines(new_text, indent, Counter(kept), Counter(moved), Counter(hoisted),
                                   moved_region, deeper_first, Counter(either))
        if not problem:
            break
    if problem:
        return problem
    if _final_newline(old_text) != _final_newline(new_text):
        return "the rewrite changed how the file ends (its final newline)"
    return ""


def _match_new_lines(new_text: str, indent: str, kept: Counter, moved: Counter, hoisted: Counter,
                     moved_region: frozenset | None, deeper_first: bool, either: Counter) -> str:
    """``check_lines_preserved``'s matching of the new text's lines against the input's."""

    def take_either(line: str) -> bool:
        for text in (line, line[len(indent):] if line.startswith(indent) else None):
            if text is not None and either[text] > 0:
                either[text] -= 1
                return True
        return False

    def take_hoisted(line: str) -> bool:
        for pair in [p for p in hoisted if hoisted[p] > 0 and p[0] == line] or [
            p for p in hoisted if hoisted[p] > 0 and p[1] == line
        ]:
            hoisted[pair] -= 1
            return True
        return False

    for number, line in enumerate(_lines(new_text), start=1):
        if not line.strip():
            continue
        if moved_region is not None and number not in moved_region:
            if kept[line] > 0:
                kept[line] -= 1
            elif take_hoisted(line) or take_either(line):
                pass
            elif not _is_scaffolding(line):
                return f"the rewrite contains a line that is not in the input: {line.strip()[:60]!r}"
            continue
        if line.startswith(indent) and moved[line[len(indent):]] > 0:
            moved[line[len(indent):]] -= 1
        elif deeper_first and line.startswith(indent) and kept[line[len(indent):]] > 0:
            kept[line[len(indent):]] -= 1
        elif kept[line] > 0:
            kept[line] -= 1
        elif moved[line] > 0:
            moved[line] -= 1
        elif line.startswith(indent) and kept[line[len(indent):]] > 0:
            # the statements of a one-line guard, or code moved into an existing guard
            kept[line[len(indent):]] -= 1
        elif take_hoisted(line) or take_either(line):
            pass
        elif not _is_scaffolding(line):
            return f"the rewrite contains a line that is not in the input: {line.strip()[:60]!r}"
    lost = [line for line, count in (kept + moved + either).items() if count > 0]
    lost += [pair[1] for pair, count in hoisted.items() if count > 0]
    if lost:
        return f"the rewrite lost a line of the input: {lost[0].strip()[:60]!r}"
    return ""


def hoisted_line_numbers(text: str, tree: ast.Module, plan: Plan, indent: str) -> dict[int, int]:
    """Input line -> levels of indentation it loses, for the definitions the plan takes out of
    moved blocks: decorators, the definition, and the comment lines right above it."""
    lines = _lines(text)
    out: dict[int, int] = {}
    for node in hoisted_definitions(tree, plan):
        levels = node.col_offset // max(1, len(indent))
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        while start > 1 and lines[start - 2].strip().startswith("#"):
            start -= 1
        for number in range(start, (node.end_lineno or node.lineno) + 1):
            out[number] = levels
    return out


def moved_region(new_tree: ast.Module, plan: Plan, line_count: int = 0) -> frozenset:
    """Lines of the rewrite where moved statements (and their comments) may land: the body of
    the new main() or guard, or the whole existing guard (its own lines are there too), and
    the comment lines after it, up to the next statement (``line_count``: the rewrite's, for
    the last one).  A comment that ends an indented block (``for ...:`` then ``    # note``)
    lies past the block's last statement, yet moves with it, one level deeper."""
    if plan.target is Target.EXISTING_GUARD:
        candidates = [s for s in new_tree.body if isinstance(s, ast.If) and is_main_guard_test(s.test)]
        if not candidates:
            return frozenset()
        node = candidates[0]
        start = node.lineno
    else:
        node = new_tree.body[-2] if plan.target is Target.NEW_MAIN and len(new_tree.body) >= 2 else new_tree.body[-1]
        start = node.lineno + 1
    end = node.end_lineno or node.lineno
    following = [
        min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
        for stmt in new_tree.body if stmt.lineno > end
    ]
    last = min(following) - 1 if following else max(end, line_count)
    return frozenset(range(start, last + 1))


def moved_line_numbers(tree: ast.Module, plan: Plan) -> frozenset:
    """Input lines that travel with moved statements: each moved statement's own lines and
    the comment and blank lines above it (libcst attaches those to the statement)."""
    numbers: set[int] = set()
    previous_end = 0
    for stmt, action in zip(tree.body, plan.actions):
        end = stmt.end_lineno or stmt.lineno
        if action is Action.MOVE:
            start = previous_end + 1 if previous_end else stmt.lineno
            numbers.update(range(start, end + 1))
        previous_end = end
    return frozenset(numbers)


#: Statements that end with an indented block (whose footer may own comments after it).
_BLOCKS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While,
           ast.With, ast.AsyncWith, ast.Try) + tuple(
    getattr(ast, name) for name in ("TryStar", "Match") if hasattr(ast, name)
)


def footer_comment_lines(text: str, tree: ast.Module, plan: Plan) -> frozenset:
    """Comment lines between a block statement and a moved statement right after it.
    libcst gives an indented block the comments after its last statement up to the last
    one indented as deep as the block (``def f(): ...`` then ``    # note`` stays with
    ``f``), the rest to the next statement (they move with it): either is sound, since a
    comment's place changes nothing, and the line-by-line check accepts both."""
    lines = _lines(text)
    numbers: set[int] = set()
    for previous, stmt, action in zip(tree.body, tree.body[1:], plan.actions[1:]):
        if action is not Action.MOVE or not isinstance(previous, _BLOCKS):
            continue
        first = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
        for number in range((previous.end_lineno or previous.lineno) + 1, first):
            if lines[number - 1].lstrip().startswith("#"):
                numbers.add(number)
    return frozenset(numbers)


def _lines(text: str) -> list[str]:
    """Lines as the tokenizer counts them (\\n, \\r\\n, \\r only; not form feeds)."""
    return [line.rstrip("\r\n") for line in split_lines(text)]


_ONE_LINE_GUARD = re.compile(r"^(\s*)if\s+[^:]*__name__[^:]*:\s*(\S.*)$")


def _final_newline(text: str) -> str:
    for ending in ("\r\n", "\n", "\r"):
        if text.endswith(ending):
            return ending
    return ""


def _is_scaffolding(line: str) -> bool:
    stripped = line.strip()
    return (
        stripped.startswith(("def ", "global ", "if __name__ == "))
        or (stripped.endswith("()") and stripped[:-2].isidentifier())
    )
