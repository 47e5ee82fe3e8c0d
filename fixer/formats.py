"""Findings as text for machines: ``--output-format text | json | github | sarif``.

Pure: a sequence of ``FileResult`` values goes in, one string comes out.  The JSON layout is
documented in the README ("JSON output"); change it only together with ``JSON_SCHEMA_VERSION``.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any, Iterable, Sequence
from urllib.parse import quote

from fixer import __version__
from fixer.explain import EXPLANATIONS
from fixer.model import Code, FileResult, Finding, Status

FORMATS = ("text", "json", "github", "sarif")

#: Bumped whenever a field of the JSON output changes meaning or disappears.
JSON_SCHEMA_VERSION = 1

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"


def format_results(results: Sequence[FileResult], output_format: str) -> str:
    """All findings of ``results`` in ``output_format`` (one of ``FORMATS``)."""
    formatter = {"text": format_text, "json": format_json, "github": format_github, "sarif": format_sarif}
    return formatter[output_format](results)


# ----- shared pieces ------------------------------------------------------------------------
def end_of(finding: Finding) -> tuple[int, int]:
    """The finding's end (line, column just past it); its start when the end is unknown."""
    if finding.end_line:
        return finding.end_line, finding.end_col
    return finding.line, finding.col


def fix_of(result: FileResult, finding: Finding) -> dict | None:
    """What happens to the finding: the file's fix, its safety and whether it was written.

    ``None`` for warnings (GF1xx), which no fix removes.  ``safety`` is ``None`` when there
    is no automatic fix (declined, or the file failed); ``reason`` then says why.
    """
    if finding.code.is_warning:
        return None
    if result.status is Status.FIXED:
        return {"safety": "safe", "applied": result.written, "reason": None}
    if result.status is Status.UNSAFE:
        return {"safety": "unsafe", "applied": result.written, "reason": result.reason}
    return {"safety": None, "applied": False, "reason": result.reason or None}


def _errors(results: Iterable[FileResult]) -> list[FileResult]:
    return [r for r in results if r.status in (Status.ERROR, Status.FAILED)]


# ----- text ---------------------------------------------------------------------------------
def text_line(result: FileResult, finding: Finding) -> str:
    """``PATH:LINE:COL: CODE message`` -- the ``--check`` line."""
    return f"{result.display}:{finding.line}:{finding.col}: {finding.code.value} {finding.message}\n"


def format_text(results: Sequence[FileResult]) -> str:
    return "".join(text_line(r, f) for r in results for f in r.findings)


# ----- JSON ---------------------------------------------------------------------------------
def finding_record(result: FileResult, finding: Finding) -> dict[str, Any]:
    """One finding as a JSON-ready dict (the README documents each field)."""
    end_line, end_col = end_of(finding)
    return {
        "path": result.display,
        "line": finding.line,
        "column": finding.col,
        "end_line": end_line,
        "end_column": end_col,
        "code": finding.code.value,
        "severity": "warning" if finding.code.is_warning else "error",
        "title": finding.code.title,
        "message": finding.message,
        "chain": [
            {
                "label": step.label,
                "path": step.path or result.display,
                "line": step.line,
                "defined_at": {"path": step.callee_path or step.path or result.display, "line": step.callee_line}
                if step.callee_line
                else None,
            }
            for step in finding.chain
        ],
        "fix": fix_of(result, finding),
    }


def format_json(results: Sequence[FileResult]) -> str:
    document = {
        "schema_version": JSON_SCHEMA_VERSION,
        "tool": {"name": "guardfix", "version": __version__},
        "findings": [finding_record(r, f) for r in results for f in r.findings],
        "errors": [
            {"path": r.display, "message": r.reason, "internal": r.status is Status.FAILED} for r in _errors(results)
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# ----- GitHub Actions workflow commands -------------------------------------------------------
def escape_data(text: str) -> str:
    """The message part of a workflow command: ``%``, CR and LF are percent-encoded."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (``file=``, ``title=``): also ``:`` and ``,``, which delimit them."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(result: FileResult, finding: Finding) -> str:
    end_line, end_col = end_of(finding)
    properties = [
        ("file", result.display),
        ("line", str(finding.line)),
        ("col", str(finding.col)),
        ("endLine", str(end_line)),
    ]
    if end_line == finding.line:  # GitHub reads columns only for a single-line range
        properties.append(("endColumn", str(end_col)))
    properties.append(("title", f"guardfix {finding.code.value}: {finding.code.title}"))
    level = "warning" if finding.code.is_warning else "error"
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{level} {joined}::{escape_data(f'{finding.code.value} {finding.message}')}\n"


def format_github(results: Sequence[FileResult]) -> str:
    lines = [github_line(r, f) for r in results for f in r.findings]
    for r in _errors(results):
        title = "guardfix internal error" if r.status is Status.FAILED else "guardfix error"
        lines.append(f"::error file={escape_property(r.display)},title={escape_property(title)}::{escape_data(r.reason)}\n")
    return "".join(lines)


# ----- SARIF 2.1.0 ----------------------------------------------------------------------------
def artifact_uri(display: str) -> str:
    """A relative path as a relative URI reference; an absolute one as a ``file:`` URI."""
    posix = PurePosixPath(display.replace("\\", "/"))
    if posix.is_absolute():
        return "file://" + quote(str(posix))
    return quote(str(posix))


def _location(path: str, line: int, col: int = 0, end_line: int = 0, end_col: int = 0) -> dict:
    region: dict[str, int] = {"startLine": max(line, 1)}
    if col:
        region["startColumn"] = col
    if end_line:
        region["endLine"] = end_line
        if end_col:
            region["endColumn"] = end_col
    return {"physicalLocation": {"artifactLocation": {"uri": artifact_uri(path)}, "region": region}}


def _rule(code: Code) -> dict:
    why, fix = EXPLANATIONS[code]
    return {
        "id": code.value,
        "shortDescription": {"text": code.title},
        "fullDescription": {"text": why},
        "help": {"text": f"{why}\n\nFix: {fix}"},
        "defaultConfiguration": {"level": "warning" if code.is_warning else "error"},
    }


def sarif_result(result: FileResult, finding: Finding, rule_index: int) -> dict:
    end_line, end_col = end_of(finding)
    record: dict[str, Any] = {
        "ruleId": finding.code.value,
        "ruleIndex": rule_index,
        "level": "warning" if finding.code.is_warning else "error",
        "message": {"text": finding.message},
        "locations": [_location(result.display, finding.line, finding.col, end_line, end_col)],
    }
    if len(finding.chain) > 1:
        record["relatedLocations"] = [
            {"id": index, "message": {"text": step.label}, **_location(step.path or result.display, step.line)}
            for index, step in enumerate(finding.chain, start=1)
        ]
    fix = fix_of(result, finding)
    if fix is not None:
        record["properties"] = {"fixSafety": fix["safety"], "fixApplied": fix["applied"], "fixReason": fix["reason"]}
    return record


def format_sarif(results: Sequence[FileResult]) -> str:
    codes = list(Code)
    errors = _errors(results)
    run = {
        "tool": {
            "driver": {
                "name": "guardfix",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(code) for code in codes],
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": [sarif_result(r, f, codes.index(f.code)) for r in results for f in r.findings],
        "invocations": [
            {
                "executionSuccessful": not errors,
                "toolExecutionNotifications": [
                    {
                        "level": "error",
                        "message": {"text": r.reason},
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": artifact_uri(r.display)}}}],
                    }
                    for r in errors
                ],
            }
        ],
    }
    document = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


__all__ = [
    "FORMATS", "JSON_SCHEMA_VERSION", "format_results", "format_text", "format_json", "format_github",
    "format_sarif", "finding_record", "fix_of", "escape_data", "escape_property", "artifact_uri",
]
