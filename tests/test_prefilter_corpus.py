"""The byte-level prefilter never hides a finding.

Every file of a corpus is analysed twice: in full (``prefilter=False``: parsed and
analysed whatever its bytes say) and as a run does it.  Wherever the full analysis reports
something, the normal run must report exactly the same.  The corpus: every fixture (each in a
project of its folder, so cross-module cases count) and the running interpreter's standard
library (a project of its own: 1,700+ files, with real import cycles)."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import pytest

from fixer.model import Options, Status
from fixer.pipeline import process_source
from fixer.project import Project

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def python_files(root: Path) -> list[Path]:
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("__pycache__", "site-packages"))
        found += [Path(folder) / name for name in sorted(files) if name.endswith(".py")]
    return found


def compare(files: list[Path], root: Path) -> tuple[int, list[str]]:
    """(files the full analysis flags, files where the prefiltered run differs)."""
    full_project = Project(files=files, cwd=root)
    run_project = Project(files=files, cwd=root)
    flagged, missed = 0, []
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            continue
        full = process_source(data, path.name, Options(), full_project, path, prefilter=False)
        if not full.findings or full.status is Status.ERROR:
            continue
        flagged += 1
        normal = process_source(data, path.name, Options(), run_project, path)
        if (normal.status, normal.findings) != (full.status, full.findings):
            missed.append(f"{path.relative_to(root)}: {normal.status.value} instead of {full.status.value}")
    return flagged, missed


def test_the_prefilter_misses_nothing_in_the_fixtures() -> None:
    total, missed = 0, []
    for case in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        files = [p for p in python_files(case) if not p.name.startswith("expected")]
        flagged, misses = compare(files, case)
        total += flagged
        missed += [f"{case.name}/{m}" for m in misses]
    assert not missed
    assert total >= 60  # the corpus is worth the name: most fixtures are flagged


@pytest.mark.corpus
def test_the_prefilter_misses_nothing_in_the_standard_library() -> None:
    root = Path(sysconfig.get_paths()["stdlib"])
    files = python_files(root)
    assert len(files) > 500
    flagged, missed = compare(files, root)
    print(f"standard library: {len(files)} files, {flagged} flagged by the full analysis, {len(missed)} missed")
    assert not missed
    assert flagged >= 1
