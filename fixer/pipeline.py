"""The pure core (``process_source``) and the per-file wrapper that never raises.

discover -> read -> analyze -> plan -> rewrite -> verify; writing is a separate step
(``write_fix``) so that review mode can ask first.
"""

from __future__ import annotations

import ast
import re
import sys
import traceback
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from fixer.analyze import analyze_module
from fixer.hazards import find_hazards
from fixer.names import remembering
from fixer.model import PREFILTER_REASON, Code, FileResult, Finding, Options, SourceResult, Status
from fixer.plan import Declined, make_plan
from fixer.source import SourceError, WriteError, decode_source, read_bytes, write_atomic
from fixer.targets import PREFILTER_TOKENS, build_catalogue, mentions_tokens, prefilter_tokens
from fixer.verify import hoisted_line_numbers, verify_rewrite

if TYPE_CHECKING:
    from fixer.project import Project

PACKAGE_MAIN_REASON = (
    "a package's __main__.py is not re-run by spawn children, so a guard changes nothing; "
    "functions defined here cannot be found by the children: keep workers in an importable module"
)


def mentions_process_api(data: bytes, tokens: tuple = PREFILTER_TOKENS) -> bool:
    """Cheap prefilter on raw bytes: could this file start processes by itself?

    A process start names a catalogued library (every import path spells its package name)
    and one of its spawners (``Pool``, ``ProcessPoolExecutor``...).  A file without such a
    pair, and without a call of a project module's spawner, cannot produce a finding and is
    never parsed.
    """
    return mentions_tokens(data, tokens)


@lru_cache(maxsize=8)
def _catalogue(extra: tuple) -> tuple[dict, tuple]:
    return build_catalogue(extra), prefilter_tokens(extra)


def parse_text(text: str, filename: str) -> ast.Module:
    """Parse with the running interpreter's grammar; raises SyntaxError / ValueError."""
    return compile(text, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)  # type: ignore[return-value]


def process_source(
    data: bytes,
    filename: str = "<stdin>",
    options: Options = Options(),
    project: "Project | None" = None,
    path: Path | None = None,
    prefilter: bool = True,
) -> SourceResult:
    """Analyse one script's bytes and compute its verified rewrite.

    ``prefilter=False`` analyses the file even when its bytes rule a process start out
    (only the tests use it, to prove the prefilter never misses a finding).

    Pure when ``project`` is None: reads and writes nothing.  With a project, it may read
    the modules this script calls into (cross-module chains) and the files that import it
    (a module imported by others is a library: GF004, never wrapped).  Raises only on
    guardfix's own bugs (``process_file`` turns those into FAILED).
    """
    with remembering():
        return _process_source(data, filename, options, project, path, prefilter)


def _process_source(
    data: bytes,
    filename: str,
    options: Options,
    project: "Project | None",
    path: Path | None,
    prefilter: bool,
) -> SourceResult:
    catalogue, tokens = _catalogue(tuple(options.extra_spawners))
    resolver = project.resolver_for(path) if project is not None and path is not None else None
    mentions = mentions_process_api(data, tokens)
    if prefilter and not mentions and not (
        project is not None and path is not None and project.imports_spawner_module(data, path)
    ):
        return SourceResult(Status.SKIPPED, reason=PREFILTER_REASON)
    if has_ignore_file_comment(data):
        return SourceResult(Status.SKIPPED, reason="`# guardfix: ignore-file` comment")
    try:
        decoded = decode_source(data)
    except SourceError as exc:
        return SourceResult(Status.ERROR, reason=str(exc))
    text = decoded.text
    display = project.display(path) if project is not None and path is not None else filename
    known = project.loaded_analyzer(path, text, display) if project is not None and path is not None else None
    if known is not None:
        tree = known.tree  # type: ignore[attr-defined]  # parsed when another file's chain went through it
    else:
        try:
            tree = parse_text(text, filename)
        except SyntaxError as exc:
            # (the grammar is the running interpreter's: a file written for a newer Python,
            # PEP 695 generics on 3.11 say, parses when guardfix runs on that Python)
            grammar = f"Python {sys.version_info[0]}.{sys.version_info[1]}"
            return SourceResult(Status.ERROR, reason=f"cannot parse: line {exc.lineno}: {exc.msg} ({grammar}'s grammar)")
        except (ValueError, RecursionError, MemoryError) as exc:
            return SourceResult(Status.ERROR, reason=f"cannot parse: {exc}")
    analysis = analyze_module(tree, text, catalogue, resolver, display, known)  # type: ignore[arg-type]
    suppressed = suppressions(text)

    def shown(findings: Iterable[Finding]) -> list[Finding]:
        return [f for f in findings if options.wants(f.code) and not is_suppressed(f, suppressed)]

    def with_warnings(errors: list[Finding], work: Iterable[ast.stmt] = ()) -> tuple[Finding, ...]:
        # Workers and primitives are only ever named in files that use a process API.
        warnings = shown(find_hazards(tree, analysis, work)) if mentions else []
        return tuple(sorted(errors + warnings, key=lambda f: (f.line, f.col, f.code.value)))

    unsuppressed = [f for f in analysis.findings if not is_suppressed(f, suppressed)]
    if unsuppressed and Path(filename).name == "__main__.py":
        return SourceResult(Status.SKIPPED, findings=(), reason=PACKAGE_MAIN_REASON)
    if unsuppressed:
        importers = project.importers_of(path) if project is not None and path is not None else []
        if importers:
            # A library module is never wrapped, even when its GF004 findings are hidden.
            library = shown(as_library_finding(f, importers) for f in unsuppressed)
            if not library:
                return SourceResult(Status.CLEAN, with_warnings([]))
            return SourceResult(Status.DECLINED, with_warnings(library), reason=library_advice(importers))
    errors = shown(unsuppressed)
    if not errors:
        return SourceResult(Status.CLEAN, with_warnings([]))
    plan = make_plan(tree, analysis, text, options.style, options.main_name)
    if isinstance(plan, Declined):
        return SourceResult(Status.DECLINED, with_warnings(errors), reason=plan.reason)
    findings = with_warnings(errors, [tree.body[i] for i in plan.moved])
    try:
        new_text = _rewrite(text, plan)
    except RewriteError as exc:
        return SourceResult(Status.DECLINED, findings, reason=str(exc))
    new_bytes = decoded.encode(new_text)
    indent = _indent_unit(text)
    problem = verify_rewrite(
        text, new_text, new_bytes, tree, plan, indent,
        lambda t: _count_findings(t, filename, catalogue, resolver, display),
    )
    if problem:
        return SourceResult(
            Status.FAILED,
            findings,
            new_source=None,
            reason=f"internal error: the rewrite failed verification ({problem}); nothing written",
        )
    status = Status.UNSAFE if plan.unsafe_reasons else Status.FIXED
    return SourceResult(
        status,
        findings,
        new_source=new_bytes,
        reason="; ".join(plan.unsafe_reasons),
        notes=plan.notes,
        hoisted_lines=tuple(sorted(hoisted_line_numbers(text, tree, plan, indent).items())),
    )


class RewriteError(Exception):
    """Raised by ``_rewrite`` when libcst cannot carry out a plan (``rewrite.RewriteError``)."""


def _rewrite(text: str, plan: object) -> str:
    """Apply a plan.  ``fixer.rewrite`` (and with it libcst, slow to import) is loaded only
    when a file needs a rewrite, so ``guardfix --help`` and clean runs never pay for it."""
    from fixer import rewrite

    try:
        return rewrite.apply_plan(text, plan)  # type: ignore[arg-type]
    except rewrite.RewriteError as exc:
        raise RewriteError(str(exc)) from exc


def _count_findings(text: str, filename: str, catalogue: dict, resolver: object, display: str) -> int:
    findings = analyze_module(parse_text(text, filename), text, catalogue, resolver, display).findings  # type: ignore[arg-type]
    suppressed = suppressions(text)
    return sum(1 for f in findings if not is_suppressed(f, suppressed))


_IGNORE = re.compile(r"#\s*guardfix:\s*ignore(?:\[([A-Za-z0-9_, ]*)\])?(?![-\w])")
_IGNORE_FILE = re.compile(rb"#\s*guardfix:\s*ignore-file\b")


def has_ignore_file_comment(data: bytes) -> bool:
    """``# guardfix: ignore-file`` among the comment lines at the top of the file."""
    for line in data.splitlines()[:50]:
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith(b"#"):
            return False
        if _IGNORE_FILE.search(stripped):
            return True
    return False


def suppressions(text: str) -> dict[int, frozenset | None]:
    """Line -> codes suppressed there by ``# guardfix: ignore[...]`` (None = every code)."""
    found: dict[int, frozenset | None] = {}
    if "guardfix" not in text:
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        match = _IGNORE.search(line)
        if match:
            codes = match.group(1)
            found[number] = None if codes is None else frozenset(c.strip().upper() for c in codes.split(",") if c.strip())
    return found


def is_suppressed(finding: Finding, suppressed: dict) -> bool:
    if finding.line not in suppressed:
        return False
    codes = suppressed[finding.line]
    return codes is None or finding.code.value in codes


def as_library_finding(finding: Finding, importers: list[str]) -> Finding:
    if finding.code is Code.GF002:
        what = finding.message
    else:
        what = f"{finding.chain[0].label if finding.chain else 'a process start'} at line {finding.line}"
    shown = ", ".join(importers[:3]) + (f" and {len(importers) - 3} more" if len(importers) > 3 else "")
    return Finding(
        Code.GF004,
        finding.line,
        finding.col,
        f"starts processes at import time ({what}); imported by {shown}",
        finding.chain,
        end_line=finding.end_line,
        end_col=finding.end_col,
    )


def library_advice(importers: list[str]) -> str:
    return (
        f"this module is imported by {importers[0]}"
        + (f" and {len(importers) - 1} other file(s)" if len(importers) > 1 else "")
        + ": a guard here would silently disable the code for its importers; move the process "
        "start into a function and call it from the script's own `if __name__ == \"__main__\":` guard"
    )


def _indent_unit(text: str) -> str:
    """The indentation unit the rewrite used (libcst's, from the parse it already made)."""
    from fixer import rewrite

    return rewrite.indent_unit(text)


def process_file(
    path: Path, options: Options = Options(), display: str | None = None, project: "Project | None" = None
) -> FileResult:
    """Read and process one file.  Never raises: every outcome is a ``FileResult``."""
    shown = display if display is not None else str(path)
    try:
        data = read_bytes(path)
    except OSError as exc:
        return FileResult(path, shown, Status.ERROR, reason=f"cannot read: {exc.strerror or exc}")
    return process_bytes(data, path, shown, options, project, path)


def process_bytes(
    data: bytes,
    path: Path,
    display: str,
    options: Options = Options(),
    project: "Project | None" = None,
    module_path: Path | None = None,
    filename: str | None = None,
) -> FileResult:
    """``process_source`` as a ``FileResult`` for ``path``; never raises.  ``module_path``
    places the script in the project (None: analysed on its own); ``filename`` is the name
    parse errors mention (default: ``path``'s name)."""
    try:
        result = process_source(data, filename or path.name, options, project, module_path)
    except Exception:  # the one broad except: a bug in guardfix must not stop a batch
        return FileResult(
            path,
            display,
            Status.FAILED,
            old_source=data,
            reason="internal error: " + traceback.format_exc(limit=-3).strip().splitlines()[-1],
            extra={"traceback": traceback.format_exc()},
        )
    return FileResult(
        path=path,
        display=display,
        status=result.status,
        findings=result.findings,
        old_source=data,
        new_source=result.new_source,
        reason=result.reason,
        notes=result.notes,
    )


def process_files(
    paths: Iterable[tuple[Path, str]], options: Options = Options(), project: "Project | None" = None
) -> Iterator[FileResult]:
    """Process files one after another, yielding results in the order given."""
    for path, display in paths:
        yield process_file(path, options, display, project)


def write_fix(result: FileResult) -> FileResult:
    """Write a result's rewrite atomically.  Never raises; a failure becomes an ERROR result."""
    assert result.has_fix and result.old_source is not None and result.new_source is not None
    try:
        write_atomic(result.path, result.new_source, result.old_source)
    except WriteError as exc:
        return FileResult(
            result.path,
            result.display,
            Status.ERROR,
            findings=result.findings,
            old_source=result.old_source,
            reason=f"not written: {exc}",
        )
    return FileResult(
        result.path,
        result.display,
        result.status,
        findings=result.findings,
        old_source=result.old_source,
        new_source=result.new_source,
        reason=result.reason,
        notes=result.notes,
        written=True,
    )
