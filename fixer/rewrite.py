"""Carry out a plan on the concrete syntax tree: move statements, add main() and the guard.

Makes no decisions (``plan.py`` does).  libcst keeps every byte it is not asked to change:
comments, quotes, blank lines, tabs and newlines outside the moved statements survive as
they were, and moved statements change by one level of indentation only.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Sequence

import libcst as cst

from fixer.plan import Action, Plan, Target


class RewriteError(Exception):
    """The plan cannot be carried out on this file's layout (a user-facing reason)."""


def apply_plan(text: str, plan: Plan) -> str:
    """Return ``text`` rewritten according to ``plan``.  Pure; raises ``RewriteError``."""
    if _LONE_CR.search(text):
        # libcst does not round-trip old-Mac CR line endings (it drops the last one); a file
        # that uses only CR is rewritten with LF and translated back.
        if "\n" in text:
            raise RewriteError(
                "the file mixes lone CR line endings with LF or CRLF; normalise its line endings first"
            )
        return _apply_plan(text.replace("\r", "\n"), plan).replace("\n", "\r")
    new = _apply_plan(text, plan)
    if text.endswith("\r\n") and not new.endswith("\r\n") and new.endswith("\n"):
        # A file mixing LF and CRLF: libcst writes new lines (the guard, last) with the first
        # newline of the file, but the file's last line ending is part of its bytes too.
        new = new[:-1] + "\r\n"
    elif text.endswith("\n") and not text.endswith("\r\n") and new.endswith("\r\n"):
        new = new[:-2] + "\n"
    return new


_LONE_CR = re.compile(r"\r(?!\n)")


@lru_cache(maxsize=2)
def _parse(text: str) -> cst.Module:
    """libcst's tree of ``text``; the last few are kept (modules are immutable), so the
    rewrite and ``indent_unit`` share one parse of a file."""
    return cst.parse_module(text)


def indent_unit(text: str) -> str:
    """The indentation libcst gives new blocks in this file (what the rewrite uses)."""
    if _LONE_CR.search(text) and "\n" not in text:
        text = text.replace("\r", "\n")  # as apply_plan parses it
    try:
        return _parse(text).default_indent
    except cst.ParserSyntaxError:
        return "    "


def _apply_plan(text: str, plan: Plan) -> str:
    try:
        module = _parse(text)
    except cst.ParserSyntaxError as exc:
        raise RewriteError(f"libcst cannot parse the file: {exc.message} (line {exc.raw_line})") from None
    if module.code != text:
        # libcst promises a lossless round trip, but drops e.g. an indented comment followed
        # by a whitespace-only last line; a rewrite built on that tree would lose lines.
        raise RewriteError("libcst cannot reproduce this file exactly, so it cannot be rewritten safely")
    actions = _actions_per_element(module, plan)

    kept_before_guard: list[cst.BaseStatement] = []
    moved_before: list[cst.BaseStatement] = []
    moved_after: list[cst.BaseStatement] = []
    guard: cst.If | None = None
    new_body: list[cst.BaseStatement] = []
    # The blank lines above the first statement moved since the last one kept: a statement
    # that stays after moved ones keeps the separation the moved ones had from what came
    # before (a constant after a function would otherwise end up right under its body).
    gap: int | None = None
    for element, action in zip(module.body, actions):
        if action is Action.GUARD:
            guard = element  # type: ignore[assignment]
            new_body.append(element)
            gap = None
        elif action is Action.KEEP:
            missing = (gap or 0) - _count_leading_blank_lines(element)
            if new_body and missing > 0:
                element = element.with_changes(leading_lines=_blank_lines(missing) + list(element.leading_lines))
            gap = None
            new_body.append(element)
            if guard is None:
                kept_before_guard.append(element)
        else:
            if gap is None:
                gap = _count_leading_blank_lines(element)
            (moved_after if guard is not None else moved_before).append(element)
    moved = moved_before + moved_after
    if not moved:
        raise RewriteError("nothing to move")
    hoisted: list[cst.BaseStatement] = []
    if plan.hoisted:
        elements = {plan_index: element for plan_index, element in _plan_indices(module)}
        replaced: dict[int, cst.BaseStatement] = {}
        for index, name in plan.hoisted:
            element = replaced.get(id(elements[index]), elements[index])
            remover = _Hoister(name)
            new_element = element.visit(remover)
            if remover.found is None:
                raise RewriteError(f"cannot find {name} inside the block at statement {index + 1}")
            replaced[id(elements[index])] = new_element  # type: ignore[assignment]
            hoisted.append(_as_hoisted(remover.found))
        moved = [replaced.get(id(el), el) for el in moved]
        moved_before = [replaced.get(id(el), el) for el in moved_before]
        moved_after = [replaced.get(id(el), el) for el in moved_after]

    if plan.target is Target.EXISTING_GUARD:
        assert guard is not None
        index = next(i for i, el in enumerate(new_body) if el is guard)
        new_body[index] = _extend_guard(guard, moved_before, moved_after)
        if hoisted and index == 0:
            hoisted[0] = _strip_leading_blank_lines(hoisted[0])
        if hoisted:
            # just above the guard, whose own work uses them; two blank lines after a def
            guarded = new_body[index]
            missing = 2 - _count_leading_blank_lines(guarded)
            if missing > 0:
                new_body[index] = guarded.with_changes(leading_lines=_blank_lines(missing) + list(guarded.leading_lines))
            new_body[index:index] = hoisted
        return module.with_changes(body=new_body).code

    work = [_as_nested(stmt) for stmt in moved]
    work[0] = _strip_leading_blank_lines(work[0])
    if hoisted and not new_body:
        hoisted[0] = _strip_leading_blank_lines(hoisted[0])
    new_body += hoisted
    previous = new_body[-1] if new_body else None
    guard_test = _guard_test(plan.quote)
    if plan.target is Target.NEW_MAIN:
        statements: list[cst.BaseStatement] = []
        for names in global_lines(plan.global_names, len(module.default_indent)):
            statements.append(
                cst.SimpleStatementLine(body=[cst.Global(names=[cst.NameItem(name=cst.Name(n)) for n in names])])
            )
        function = cst.FunctionDef(
            name=cst.Name(plan.main_name),
            params=cst.Parameters(),
            body=cst.IndentedBlock(body=statements + work),
            leading_lines=_blank_lines(2 if previous is not None else 0),
        )
        call = cst.SimpleStatementLine(body=[cst.Expr(value=cst.Call(func=cst.Name(plan.main_name)))])
        new_guard = cst.If(test=guard_test, body=cst.IndentedBlock(body=[call]), leading_lines=_blank_lines(2))
        new_body += [function, new_guard]
    else:
        blank = 0
        if previous is not None:
            blank = 2 if isinstance(previous, (cst.FunctionDef, cst.ClassDef)) else max(
                1, min(2, _count_leading_blank_lines(moved[0]))
            )
        new_guard = cst.If(test=guard_test, body=cst.IndentedBlock(body=work), leading_lines=_blank_lines(blank))
        new_body.append(new_guard)
    return module.with_changes(body=new_body).code


#: Longest ``global`` line written (black's default line length).
LINE_LENGTH = 88


def global_lines(names: Sequence[str], indent: int) -> list[tuple[str, ...]]:
    """``names`` split over as many ``global`` statements as keep each line within
    ``LINE_LENGTH`` (a ``global`` statement cannot be wrapped in parentheses)."""
    lines: list[tuple[str, ...]] = []
    current: list[str] = []
    width = indent + len("global ")
    for name in names:
        extra = len(name) + (2 if current else 0)
        if current and width + extra > LINE_LENGTH:
            lines.append(tuple(current))
            current, width = [], indent + len("global ")
            extra = len(name)
        current.append(name)
        width += extra
    if current:
        lines.append(tuple(current))
    return lines


def _plan_indices(module: cst.Module) -> list[tuple[int, cst.BaseStatement]]:
    """(index of the element's first ``ast`` statement, element) for each body element."""
    out = []
    index = 0
    for element in module.body:
        out.append((index, element))
        index += len(element.body) if isinstance(element, cst.SimpleStatementLine) else 1
    return out


class _Hoister(cst.CSTTransformer):
    """Removes the def or class ``name`` from a compound statement's own scope (not from
    inside functions or classes) and keeps it in ``found``."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.depth = 0
        self.found: cst.BaseStatement | None = None

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.depth += 1
        return False  # what is inside functions is not in the block's scope

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.depth += 1
        return False

    def leave_IndentedBlock(self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock):  # type: ignore[no-untyped-def]
        first = original_node.body[0] if original_node.body else None
        if (
            isinstance(first, (cst.FunctionDef, cst.ClassDef))
            and first.name.value == self.name
            and updated_node.body
            and len(updated_node.body) < len(original_node.body)
        ):
            # The block's new first statement does not start with the blank line that
            # separated it from the definition.
            body = list(updated_node.body)
            body[0] = _strip_leading_blank_lines(body[0])
            return updated_node.with_changes(body=body)
        return updated_node

    def _leave(self, original: cst.CSTNode, updated: cst.CSTNode):  # type: ignore[no-untyped-def]
        self.depth -= 1
        if self.depth == 0 and self.found is None and original.name.value == self.name:  # type: ignore[attr-defined]
            self.found = updated  # type: ignore[assignment]
            return cst.RemoveFromParent()
        return updated

    def leave_FunctionDef(self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef):  # type: ignore[no-untyped-def]
        return self._leave(original_node, updated_node)

    def leave_ClassDef(self, original_node: cst.ClassDef, updated_node: cst.ClassDef):  # type: ignore[no-untyped-def]
        return self._leave(original_node, updated_node)


def _as_hoisted(stmt: cst.BaseStatement) -> cst.BaseStatement:
    """A definition taken out of a block to live at module level: its comment lines travel
    with it, and two blank lines separate it from what comes before (black's rule)."""
    comments = [line.with_changes(indent=True) for line in stmt.leading_lines if line.comment is not None]
    return stmt.with_changes(leading_lines=_blank_lines(2) + comments)


def _actions_per_element(module: cst.Module, plan: Plan) -> list[Action]:
    """Map the plan (one action per ``ast`` statement) onto libcst's body elements."""
    actions: list[Action] = []
    index = 0
    for element in module.body:
        count = len(element.body) if isinstance(element, cst.SimpleStatementLine) else 1
        group = plan.actions[index : index + count]
        if len(group) != count:
            raise RewriteError("the syntax trees of ast and libcst disagree on the statements")
        if len(set(group)) != 1:
            raise RewriteError(
                "a line holds several statements separated by ';' of which some must stay at "
                "module level and some must move; split the line first"
            )
        actions.append(group[0])
        index += count
    if index != len(plan.actions):
        raise RewriteError("the syntax trees of ast and libcst disagree on the statements")
    return actions


def _extend_guard(guard: cst.If, before: list, after: list) -> cst.If:
    body = guard.body
    if isinstance(body, cst.SimpleStatementSuite):
        own: list[cst.BaseStatement] = [cst.SimpleStatementLine(body=body.body, trailing_whitespace=body.trailing_whitespace)]
        header = cst.TrailingWhitespace()
        indent = None
        footer: Sequence[cst.EmptyLine] = ()
    else:
        own = list(body.body)
        header = body.header
        indent = body.indent
        footer = body.footer
    inserted_before = [_as_nested(stmt) for stmt in before]
    if inserted_before:
        inserted_before[0] = _strip_leading_blank_lines(inserted_before[0])
    inserted_after = [_as_nested(stmt) for stmt in after]
    new_block = cst.IndentedBlock(
        body=inserted_before + own + inserted_after, header=header, indent=indent, footer=footer
    )
    return guard.with_changes(body=new_block)


def _as_nested(stmt: cst.BaseStatement) -> cst.BaseStatement:
    """Prepare a module-level statement to live one block deeper.

    Blank lines keep no indentation (libcst would otherwise write trailing whitespace on
    them), and a run of them shrinks to one: two blank lines separate module-level
    statements, one is the most a block holds (black's rule inside functions).  Comment lines
    above the statement are indented with it; a form feed is a page break and stays.
    """
    lines: list[cst.EmptyLine] = []
    for line in stmt.leading_lines:
        if line.comment is not None:
            lines.append(line)
            continue
        blank = "\x0c" not in line.whitespace.value
        if blank and lines and lines[-1].comment is None and "\x0c" not in lines[-1].whitespace.value:
            continue
        lines.append(line.with_changes(indent=False))
    return stmt.with_changes(leading_lines=lines)


def _strip_leading_blank_lines(stmt: cst.BaseStatement) -> cst.BaseStatement:
    lines = list(stmt.leading_lines)
    # A form feed is a page break the author put there, not a blank line: it travels too.
    while lines and lines[0].comment is None and "\x0c" not in lines[0].whitespace.value:
        lines.pop(0)
    return stmt.with_changes(leading_lines=lines)


def _count_leading_blank_lines(stmt: cst.BaseStatement) -> int:
    count = 0
    for line in stmt.leading_lines:
        if line.comment is not None:
            break
        count += 1
    return count


def _blank_lines(count: int) -> list[cst.EmptyLine]:
    return [cst.EmptyLine(indent=False) for _ in range(count)]


def _guard_test(quote: str) -> cst.Comparison:
    return cst.Comparison(
        left=cst.Name("__name__"),
        comparisons=[
            cst.ComparisonTarget(operator=cst.Equal(), comparator=cst.SimpleString(f"{quote}__main__{quote}"))
        ],
    )
