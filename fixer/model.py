"""Frozen values shared by the pipeline stages: findings, plans, per-file results."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class Code(str, enum.Enum):
    """Stable finding codes.  Never renumber; retire codes instead.

    GF0xx are errors (an unprotected entry point: fixable, or explained when not);
    GF1xx are warnings about hazards that remain after a fix and need a human decision.
    """

    GF001 = "GF001"
    GF002 = "GF002"
    GF003 = "GF003"
    GF004 = "GF004"
    GF101 = "GF101"
    GF102 = "GF102"
    GF103 = "GF103"
    GF104 = "GF104"
    GF105 = "GF105"

    @property
    def title(self) -> str:
        return CODE_TITLES[self]

    @property
    def is_warning(self) -> bool:
        return self.value.startswith("GF1")


CODE_TITLES = {
    Code.GF001: "a module-level statement starts processes directly",
    Code.GF002: "a module-level call reaches a process start through functions or classes",
    Code.GF003: "start-method set-up (set_start_method, set_forkserver_preload, freeze_support) at module level",
    Code.GF004: "a module imported by other modules starts processes at import time",
    Code.GF101: "a worker reads a module-level lock, queue, shared value or manager proxy",
    Code.GF102: "a worker reads a global that the script's work changes after creating it",
    Code.GF103: "a lambda or nested function is used as a process target or mapped over a pool",
    Code.GF104: "processes are started and never joined",
    Code.GF105: "set_start_method('fork') used to avoid the problem",
}


@dataclass(frozen=True)
class ChainStep:
    """One hop of a call chain: what is called, where the call is, and where the callee is
    defined (empty for the final process start, which is a call into the catalogue)."""

    label: str
    line: int
    path: str = ""  # the file holding the call ("" = the file being analysed)
    callee_path: str = ""
    callee_line: int = 0


@dataclass(frozen=True)
class Finding:
    """One unprotected entry point or hazard: where it starts and ends (1-based line and
    column) and why."""

    code: Code
    line: int
    col: int
    message: str
    chain: tuple[ChainStep, ...] = ()
    #: Where the flagged expression ends: 1-based line, and the 1-based column just past its
    #: last character (0 = unknown; output formats then fall back to ``line`` / ``col``).
    end_line: int = 0
    end_col: int = 0


class Style(str, enum.Enum):
    MAIN = "main"
    INLINE = "inline"


@dataclass(frozen=True)
class Options:
    """What the user asked for that changes the result of processing one file."""

    style: Style = Style.MAIN
    main_name: str | None = None
    unsafe_fixes: bool = False
    extra_spawners: tuple = ()  # qualified names of project or third-party spawners
    select: tuple = ()  # code prefixes to report (empty = all)
    ignore: tuple = ()  # code prefixes never to report
    #: Where imports resolve beyond each file's own folders (``roots.SearchSettings``:
    #: ``--src`` folders, the installed environment); None: nowhere else.
    search: Any = None

    def wants(self, code: "Code") -> bool:
        """Whether findings with ``code`` are reported under --select / --ignore."""
        value = code.value
        if self.select and not any(value.startswith(prefix) for prefix in self.select):
            return False
        return not any(value.startswith(prefix) for prefix in self.ignore)


#: The reason of a file the byte-level prefilter skipped (it never mentions a process API).
PREFILTER_REASON = "no process-starting API is mentioned"


class Status(str, enum.Enum):
    """The outcome of processing one file."""

    CLEAN = "clean"  # nothing to report
    FIXED = "fixed"  # findings and a safe rewrite
    UNSAFE = "unsafe"  # findings and a rewrite that needs explicit consent
    DECLINED = "declined"  # findings that cannot be rewritten safely
    SKIPPED = "skipped"  # not analysed (no process-starting API mentioned, or __main__.py)
    ERROR = "error"  # the input cannot be read or parsed
    FAILED = "failed"  # guardfix itself failed (a bug): nothing is written

    @property
    def has_fix(self) -> bool:
        return self in (Status.FIXED, Status.UNSAFE)


@dataclass(frozen=True)
class SourceResult:
    """What the pure core decided for one source text."""

    status: Status
    findings: tuple[Finding, ...] = ()
    new_source: bytes | None = None
    reason: str = ""  # why unsafe / declined / error / failed
    notes: tuple[str, ...] = ()  # extra information, e.g. the name chosen for main()
    #: (input line, levels): lines of definitions the fix took out of a moved block to module
    #: level, and how many levels of indentation they lost (the rewrite's line invariant).
    hoisted_lines: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class FileResult:
    """One file's result, as it crosses the file boundary: picklable, never an exception."""

    path: Path
    display: str
    status: Status
    findings: tuple[Finding, ...] = ()
    old_source: bytes | None = None
    new_source: bytes | None = None
    reason: str = ""
    notes: tuple[str, ...] = ()
    written: bool = False
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def has_fix(self) -> bool:
        return self.status.has_fix and self.new_source is not None
