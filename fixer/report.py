"""Counters over a run and the one exit-code policy."""

from __future__ import annotations

from dataclasses import dataclass, field

from fixer.model import PREFILTER_REASON, FileResult, Status

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_ERROR = 123
EXIT_INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT, as shells report it


@dataclass
class Report:
    """What happened to each file of a run."""

    seen: int = 0
    skipped: int = 0
    prefiltered: int = 0  # skipped because the byte-level prefilter ruled them out
    clean: int = 0
    written: int = 0
    left: int = 0  # files whose findings remain: not applied, declined, unsafe, or check/diff
    fixable: int = 0  # files with a safe fix that was not written
    declined: int = 0
    unsafe: int = 0
    errors: int = 0
    findings: int = 0
    flagged: int = 0  # files with at least one finding
    warned: int = 0  # files whose only findings are warnings (GF1xx)
    check_warnings: bool = False  # --check: warnings alone make the run exit 1
    error_paths: list = field(default_factory=list)

    def add(self, result: FileResult) -> None:
        self.seen += 1
        self.findings += len(result.findings)
        if result.findings:
            self.flagged += 1
        if result.status in (Status.ERROR, Status.FAILED):
            self.errors += 1
            self.error_paths.append(result.display)
            if result.findings:
                self.left += 1
            return
        if result.status is Status.SKIPPED:
            self.skipped += 1
            if result.reason == PREFILTER_REASON:
                self.prefiltered += 1
        elif result.status is Status.CLEAN:
            self.clean += 1
            if result.findings:
                self.warned += 1
        elif result.written:
            self.written += 1
        else:
            self.left += 1
            if result.status is Status.DECLINED:
                self.declined += 1
            elif result.status is Status.UNSAFE:
                self.unsafe += 1
            else:
                self.fixable += 1

    @property
    def return_code(self) -> int:
        """The exit code of the whole run.

        ``123`` when any file could not be read or parsed, or guardfix failed on it (even if
        other files have findings); else ``1`` when findings remain (not written: check or
        diff mode, declined, unsafe without consent, answered no) -- in ``--check`` mode
        warnings count too; else ``0`` (nothing to fix, or every fix written).  Usage errors
        exit ``2`` before a report exists.
        """
        if self.errors:
            return EXIT_ERROR
        if self.left or (self.check_warnings and self.warned):
            return EXIT_FINDINGS
        return EXIT_CLEAN
