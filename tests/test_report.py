"""fixer.report: the counters and the one exit-code policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixer.model import Code, FileResult, Finding, Status
from fixer.report import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, Report

FINDING = Finding(Code.GF001, 3, 1, "Pool() starts processes at module level")


def result(name: str, status: Status, findings: int = 0, written: bool = False) -> FileResult:
    return FileResult(
        path=Path(name),
        display=name,
        status=status,
        findings=(FINDING,) * findings,
        new_source=b"fixed\n" if status.has_fix else None,
        written=written,
    )


CLEAN = result("clean.py", Status.CLEAN)
SKIPPED = result("skipped.py", Status.SKIPPED)
WRITTEN = result("written.py", Status.FIXED, findings=1, written=True)
WRITTEN_UNSAFE = result("unsafe_written.py", Status.UNSAFE, findings=1, written=True)
LEFT = result("left.py", Status.FIXED, findings=2)
UNSAFE = result("unsafe.py", Status.UNSAFE, findings=1)
DECLINED = result("declined.py", Status.DECLINED, findings=1)
ERROR = result("error.py", Status.ERROR)
ERROR_WITH_FINDINGS = result("not_written.py", Status.ERROR, findings=1)  # the write failed
FAILED = result("failed.py", Status.FAILED, findings=1)

RETURN_CODES = [
    pytest.param([], EXIT_CLEAN, id="nothing"),
    pytest.param([CLEAN], EXIT_CLEAN, id="clean"),
    pytest.param([SKIPPED, CLEAN], EXIT_CLEAN, id="skipped-and-clean"),
    pytest.param([WRITTEN], EXIT_CLEAN, id="written"),
    pytest.param([WRITTEN_UNSAFE, CLEAN], EXIT_CLEAN, id="unsafe-written-with-consent"),
    pytest.param([LEFT], EXIT_FINDINGS, id="left"),
    pytest.param([WRITTEN, LEFT], EXIT_FINDINGS, id="written-and-left"),
    pytest.param([UNSAFE], EXIT_FINDINGS, id="unsafe-not-written"),
    pytest.param([DECLINED], EXIT_FINDINGS, id="declined"),
    pytest.param([ERROR], EXIT_ERROR, id="error"),
    pytest.param([ERROR, CLEAN], EXIT_ERROR, id="error-and-clean"),
    pytest.param([DECLINED, ERROR], EXIT_ERROR, id="error-and-findings"),
    pytest.param([ERROR_WITH_FINDINGS], EXIT_ERROR, id="error-with-findings"),
    pytest.param([FAILED, WRITTEN], EXIT_ERROR, id="failed"),
]


@pytest.mark.parametrize(("results", "code"), RETURN_CODES)
def test_return_code(results: list, code: int) -> None:
    report = Report()
    for item in results:
        report.add(item)
    assert report.return_code == code


def test_exit_code_values_are_stable() -> None:
    assert (EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR) == (0, 1, 123)


def test_counters() -> None:
    report = Report()
    for item in (CLEAN, SKIPPED, WRITTEN, LEFT, UNSAFE, DECLINED, ERROR, ERROR_WITH_FINDINGS, FAILED):
        report.add(item)
    counts = {
        name: getattr(report, name)
        for name in ("seen", "skipped", "clean", "written", "left", "declined", "unsafe", "errors", "findings")
    }
    assert counts == {
        "seen": 9,
        "skipped": 1,
        "clean": 1,
        "written": 1,
        "left": 5,  # LEFT, UNSAFE, DECLINED, and the two errors that still have findings
        "declined": 1,
        "unsafe": 1,
        "errors": 3,
        "findings": 7,
    }
    assert report.error_paths == ["error.py", "not_written.py", "failed.py"]
