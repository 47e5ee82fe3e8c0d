"""The pure core (``process_source``) and the per-file wrapper that never raises.

discover -> read -> analyze -> plan -> rewrite -> verify; writing is a separate step
(``write_fix``) so that review mode can ask first.
"""

from __future__ import annotations

import ast
import traceback
from pathlib import Path
from typing import Iterable, Iterator

from fixer.analyze import analyze_module
from fixer.model import FileResult, Options, SourceResult, Status
from fixer.plan import Declined, make_plan
from fixer.rewrite import RewriteError, apply_plan
from fixer.source import SourceError, WriteError, decode_source, read_bytes, write_atomic
from fixer.targets import PREFILTER_TOKENS
from fixer.verify import verify_rewrite

PACKAGE_MAIN_REASON = (
    "a package's __main__.py is not re-run by spawn children, so a guard changes nothing; "
    "functions defined here cannot be found by the children: keep workers in an importable module"
)


def mentions_process_api(data: bytes) -> bool:
    """Cheap prefilter on raw bytes: could this file start processes at all?

    Every import path to a catalogue entry spells one of ``PREFILTER_TOKENS``; a file
    without any of them cannot produce a finding and is never parsed.
    """
    return any(token in data for token in PREFILTER_TOKENS)


def parse_text(text: str, filename: str) -> ast.Module:
    """Parse with the running interpreter's grammar; raises SyntaxError / ValueError."""
    return compile(text, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)  # type: ignore[return-value]


def process_source(data: bytes, filename: str = "<stdin>", options: Options = Options()) -> SourceResult:
    """Analyse one script's bytes and compute its verified rewrite.  Pure: reads and writes
    nothing.  Raises only on guardfix's own bugs (``process_file`` turns those into FAILED)."""
    if not mentions_process_api(data):
        return SourceResult(Status.SKIPPED, reason="no process-starting API is mentioned")
    try:
        decoded = decode_source(data)
    except SourceError as exc:
        return SourceResult(Status.ERROR, reason=str(exc))
    text = decoded.text
    try:
        tree = parse_text(text, filename)
    except SyntaxError as exc:
        return SourceResult(Status.ERROR, reason=f"cannot parse: line {exc.lineno}: {exc.msg}")
    except (ValueError, RecursionError, MemoryError) as exc:
        return SourceResult(Status.ERROR, reason=f"cannot parse: {exc}")
    analysis = analyze_module(tree, text)
    findings = tuple(analysis.findings)
    if not findings:
        return SourceResult(Status.CLEAN)
    if Path(filename).name == "__main__.py":
        return SourceResult(Status.SKIPPED, findings=(), reason=PACKAGE_MAIN_REASON)
    plan = make_plan(tree, analysis, text, options.style, options.main_name)
    if isinstance(plan, Declined):
        return SourceResult(Status.DECLINED, findings, reason=plan.reason)
    try:
        new_text = apply_plan(text, plan)
    except RewriteError as exc:
        return SourceResult(Status.DECLINED, findings, reason=str(exc))
    new_bytes = decoded.encode(new_text)
    indent = _indent_unit(text)
    problem = verify_rewrite(
        text, new_text, new_bytes, tree, plan, indent, lambda t: _count_findings(t, filename)
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
    )


def _count_findings(text: str, filename: str) -> int:
    return len(analyze_module(parse_text(text, filename), text).findings)


def _indent_unit(text: str) -> str:
    import libcst as cst  # only reached for files being rewritten

    return cst.parse_module(text).default_indent


def process_file(path: Path, options: Options = Options(), display: str | None = None) -> FileResult:
    """Read and process one file.  Never raises: every outcome is a ``FileResult``."""
    shown = display if display is not None else str(path)
    try:
        data = read_bytes(path)
    except OSError as exc:
        return FileResult(path, shown, Status.ERROR, reason=f"cannot read: {exc.strerror or exc}")
    try:
        result = process_source(data, path.name, options)
    except Exception:  # the one broad except: a bug in guardfix must not stop a batch
        return FileResult(
            path,
            shown,
            Status.FAILED,
            old_source=data,
            reason="internal error: " + traceback.format_exc(limit=-3).strip().splitlines()[-1],
            extra={"traceback": traceback.format_exc()},
        )
    return FileResult(
        path=path,
        display=shown,
        status=result.status,
        findings=result.findings,
        old_source=data,
        new_source=result.new_source,
        reason=result.reason,
        notes=result.notes,
    )


def process_files(paths: Iterable[tuple[Path, str]], options: Options = Options()) -> Iterator[FileResult]:
    """Process files one after another, yielding results in the order given."""
    for path, display in paths:
        yield process_file(path, options, display)


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
