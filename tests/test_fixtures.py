"""One generic test per invariant, applied to every folder in fixtures/.

A new situation is a new fixture folder, never new test code here.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CASES, Case
from runscript import run_script

from fixer.cli import cli
from fixer.model import Options, Status, Style
from fixer.pipeline import process_source
from fixer.project import Project
from fixer.targets import build_catalogue, prefilter_tokens
from fixer.source import decode_source
from fixer.verify import check_lines_preserved

RUNNABLE = [c for c in CASES if c.runnable]
WITH_FIX = [c for c in CASES if c.outcome in ("fixed", "unsafe")]


def options_for(case: Case) -> Options:
    args = list(case.args)
    style, main_name, extra, select, ignore = Style.MAIN, None, [], [], []
    while args:
        flag = args.pop(0)
        if flag == "--style":
            style = Style(args.pop(0))
        elif flag == "--main-name":
            main_name = args.pop(0)
        elif flag == "--extra-spawner":
            extra.append(args.pop(0))
        elif flag == "--select":
            select.extend(args.pop(0).split(","))
        elif flag == "--ignore":
            ignore.extend(args.pop(0).split(","))
        else:
            raise ValueError(f"{case.name}: unsupported option {flag}")
    return Options(
        style=style, main_name=main_name, extra_spawners=tuple(extra), select=tuple(select), ignore=tuple(ignore)
    )


def copy_case(case: Case, where: Path) -> Path:
    """The fixture folder as a project on disk, with the input under its script name."""
    work = where / case.name
    shutil.copytree(case.folder, work, ignore=shutil.ignore_patterns("expected.py", "case.toml", "stdout.txt"))
    script = work / case.script
    if case.script != "input.py":
        script.parent.mkdir(parents=True, exist_ok=True)  # (git keeps no empty bin/ folder)
        (work / "input.py").rename(script)
    return script


def tmp_path_of(case: Case, where: Path) -> Path:
    """The copied fixture folder: the project root of cases whose script sits in a
    subfolder (``script = "bin/tool"``)."""
    return where / case.name


def process_case(case: Case, where: Path, data: bytes | None = None):
    """Process the case's script the way the CLI does: inside a project of its folder's files
    (so helper modules and importers are seen), or alone when the case says so."""
    script = copy_case(case, where)
    if data is not None:
        script.write_bytes(data)
    options = options_for(case)
    root = tmp_path_of(case, where)
    files = [script] if case.alone else sorted({script, *root.rglob("*.py")})
    project = Project(
        files=files,
        catalogue=build_catalogue(options.extra_spawners),
        tokens=prefilter_tokens(options.extra_spawners),
        cwd=root,
    )
    return process_source(script.read_bytes(), case.script, options, project, script)


def ids(cases: list[Case]) -> list[str]:
    return [c.name for c in cases]


def test_fixture_catalogue_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len(RUNNABLE) >= 20


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_outcome_and_findings(case: Case, tmp_path: Path) -> None:
    result = process_case(case, tmp_path)
    expected_status = {
        "fixed": {Status.FIXED},
        "unsafe": {Status.UNSAFE},
        "declined": {Status.DECLINED},
        "clean": {Status.CLEAN, Status.SKIPPED},
        "skipped": {Status.SKIPPED},
        "error": {Status.ERROR},
    }[case.outcome]
    assert result.status in expected_status, result.reason
    assert [(f.code.value, f.line) for f in result.findings] == list(case.findings)
    if case.reason:
        assert case.reason in result.reason
    if case.outcome in ("declined", "clean", "skipped", "error"):
        assert result.new_source is None


@pytest.mark.parametrize("case", CASES, ids=ids(CASES))
def test_expected_output(case: Case, update_goldens: bool, tmp_path: Path) -> None:
    result = process_case(case, tmp_path)
    if case.outcome not in ("fixed", "unsafe"):
        assert not case.expected_path.exists(), "expected.py only belongs to fixed/unsafe cases"
        return
    assert result.new_source is not None, result.reason
    if update_goldens:
        case.expected_path.write_bytes(result.new_source)
    assert case.expected_path.exists(), "run pytest --update-goldens and review the diff"
    assert result.new_source == case.expected_path.read_bytes()


@pytest.mark.parametrize("case", WITH_FIX, ids=ids(WITH_FIX))
def test_rewrite_invariants(case: Case, tmp_path: Path) -> None:
    old = case.input_bytes
    new = case.expected_path.read_bytes()
    # compiles, with the file's own encoding declaration
    compile(new, case.script, "exec", dont_inherit=True)
    # a second pass finds nothing to fix and changes nothing (warnings may remain)
    again = process_case(case, tmp_path, data=new)
    assert again.status in (Status.CLEAN, Status.SKIPPED)
    assert not [f for f in again.findings if not f.code.is_warning]
    assert again.new_source is None
    # encoding, BOM and newline style survive
    old_src, new_src = decode_source(old), decode_source(new)
    assert (new_src.encoding, new_src.bom, new_src.newline) == (old_src.encoding, old_src.bom, old_src.newline)
    for ending in ("\r\n", "\r"):
        if ending not in old_src.text:
            assert ending not in new_src.text
    # the first lines (shebang, cookie) stay on top, byte for byte
    for line in old.splitlines(keepends=True)[:2]:
        if line.startswith(b"#!") or b"coding" in line:
            assert line in new.splitlines(keepends=True)[:2]
    # every input line survives unchanged or one indentation level deeper (definitions taken
    # out of a moved block to module level: as many levels shallower as they were nested)
    indent = "\t" if re.search(r"[\r\n]\t", old_src.text) else "    "
    hoisted = dict(process_case(case, tmp_path / "first").hoisted_lines)
    assert check_lines_preserved(old_src.text, new_src.text, indent, hoisted_lines=hoisted) == ""


@pytest.mark.parametrize("case", WITH_FIX, ids=ids(WITH_FIX))
def test_cli_write_matches_golden_and_keeps_mode(case: Case, tmp_path: Path) -> None:
    target = copy_case(case, tmp_path)
    os.chmod(target, 0o751)
    before = sorted(p.name for p in target.parent.iterdir())
    args = [*case.args, "--write", str(target)]
    if case.outcome == "unsafe":
        refused = CliRunner().invoke(cli, args)
        assert refused.exit_code == 1
        assert target.read_bytes() == case.input_bytes
        args.insert(0, "--unsafe-fixes")
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == case.expected_path.read_bytes()
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    assert sorted(p.name for p in target.parent.iterdir()) == before  # no temporary file left


@pytest.mark.runnable
@pytest.mark.parametrize("case", RUNNABLE, ids=ids(RUNNABLE))
def test_runnable_input_fails_under_spawn_and_fix_runs_everywhere(case: Case, tmp_path: Path) -> None:
    expected_lines = case.stdout_path.read_text(encoding="utf-8").splitlines()
    assert expected_lines, "a runnable fixture must print something"
    script = copy_case(case, tmp_path)
    original = run_script(script, "fork")
    assert original.lines == expected_lines, original.stderr
    broken = run_script(script, "spawn", timeout=20)
    assert broken.lines != expected_lines or broken.timed_out or broken.bootstrap_error
    script.write_bytes(case.expected_path.read_bytes())
    for method in ("spawn", "forkserver", "fork"):
        fixed = run_script(script, method, timeout=60, stop_on_bootstrap_error=True)
        assert not fixed.timed_out, f"{method}: timed out"
        assert not fixed.bootstrap_error, f"{method}: {fixed.stderr}"
        assert fixed.lines == expected_lines, f"{method}: {fixed.stderr}"
        assert fixed.returncode == 0, f"{method}: {fixed.stderr}"
