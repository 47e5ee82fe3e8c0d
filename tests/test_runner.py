"""Batch runs: ordered results over a process pool, the cache, progress and summary, Ctrl-C."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import fixer.runner
from fixer.cache import FORMAT, Manifest, Stamp, decode_record, encode_record, load_manifest, plan_reuse, run_key
from fixer.discover import find_scripts
from fixer.model import Options, Status
from fixer.runner import Runner

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

POOL = b"from multiprocessing import Pool\n\nwith Pool(2) as pool:\n    print(pool.map(abs, [1]))\n"
HELPER_INERT = b"def run_all():\n    return 1\n"
HELPER_SPAWNS = (
    b"from multiprocessing import Pool\n\n\ndef run_all():\n    with Pool(2) as pool:\n"
    b"        return pool.map(abs, [1])\n"
)
SCRIPT_USING_HELPER = b"from helpers import run_all\n\nrun_all()\n"


def fixture_tree(tmp_path: Path) -> Path:
    """A copy of every fixture's input files: a tree with many flagged and clean scripts."""
    root = tmp_path / "tree"
    for case in sorted(FIXTURES.iterdir()):
        if case.is_dir():
            shutil.copytree(case, root / case.name, ignore=shutil.ignore_patterns("expected*", "*.toml", "*.txt"))
    return root


def outcome(results: list) -> list[tuple]:
    return [
        (r.display, r.status.value, r.reason, [(f.code.value, f.line, f.col, f.message, f.chain) for f in r.findings])
        for r in results
    ]


def run_tree(root: Path, **kwargs) -> tuple[list, Runner]:
    candidates = find_scripts([root])
    runner = Runner([(c.path, c.display) for c in candidates], Options(), roots=[str(root)], cwd=root, **kwargs)
    return list(runner.run()), runner


# ----- parallel runs ---------------------------------------------------------------------------
def test_a_pool_gives_the_same_results_in_the_same_order_as_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = fixture_tree(tmp_path)
    serial, one = run_tree(root, jobs=1, need_sources=True)
    monkeypatch.setattr(fixer.runner, "MIN_BYTES_FOR_POOL", 0)
    parallel, two = run_tree(root, jobs=2, need_sources=True)
    assert one.stats.workers == 0 and two.stats.workers == 2
    assert outcome(parallel) == outcome(serial)
    assert [r.new_source for r in parallel] == [r.new_source for r in serial]
    assert sum(r.status is Status.FIXED for r in serial) > 20  # the tree is worth comparing
    assert [r.display for r in serial] == sorted(r.display for r in serial)


def test_results_without_a_fix_carry_no_file_contents(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(POOL)
    (tmp_path / "b.py").write_bytes(b"print('hello')\n")
    results, _ = run_tree(tmp_path, jobs=1, need_sources=True)
    assert [(r.path.name, r.status, r.old_source is not None) for r in results] == [
        ("a.py", Status.FIXED, True),
        ("b.py", Status.SKIPPED, False),
    ]
    checked, _ = run_tree(tmp_path, jobs=1, need_sources=False)
    assert all(r.old_source is None and r.new_source is None for r in checked)


# ----- the cache -------------------------------------------------------------------------------
def cached_run(root: Path, cache: Path, need_sources: bool = False) -> tuple[list, Runner]:
    return run_tree(root, jobs=1, cache_dir=cache, need_sources=need_sources)


def test_a_warm_run_reuses_every_result_and_reports_the_same(tmp_path: Path) -> None:
    root = fixture_tree(tmp_path)
    cold, first = cached_run(root, tmp_path / "cache")
    warm, second = cached_run(root, tmp_path / "cache")
    assert first.stats.cached == 0 and first.stats.analysed == len(cold)
    assert second.stats.analysed == 0 and second.stats.cached == len(cold)
    assert outcome(warm) == outcome(cold)


def test_editing_a_script_reanalyses_only_that_script(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(POOL)
    (tmp_path / "b.py").write_bytes(b"import os\nprint(os.sep)\n")
    (tmp_path / "c.py").write_bytes(b"import os\nprint(os.name)\n")
    cached_run(tmp_path, tmp_path / "cache")
    (tmp_path / "a.py").write_bytes(POOL.replace(b"Pool(2)", b"Pool(3)"))
    results, runner = cached_run(tmp_path, tmp_path / "cache")
    assert (runner.stats.analysed, runner.stats.cached) == (1, 2)
    assert [r.status for r in results] == [Status.FIXED, Status.SKIPPED, Status.SKIPPED]


def _manifest(cache: Path) -> Manifest:
    (record,) = cache.glob("run-*.rec")
    return Manifest.from_json(decode_record(record.read_bytes()))


def test_editing_an_inert_file_reuses_every_result_and_remembers_its_new_stamp(tmp_path: Path) -> None:
    """b.py names no process API and imports nothing that can start processes: an edit
    that keeps its import lines changes no result (its own stays "skipped"), even though
    another file imports it."""
    (tmp_path / "a.py").write_bytes(b"import b\n" + POOL)
    (tmp_path / "b.py").write_bytes(b"import os\nSEP = os.sep\n")
    cached_run(tmp_path, tmp_path / "cache")
    before = _manifest(tmp_path / "cache")
    real_b = os.path.realpath(tmp_path / "b.py")
    assert real_b in before.inert and real_b in before.named
    (tmp_path / "b.py").write_bytes(b"import os\nSEP = os.sep  # edited\n")
    results, runner = cached_run(tmp_path, tmp_path / "cache")
    assert (runner.stats.analysed, runner.stats.cached) == (0, 2)
    assert [r.status for r in results] == [Status.FIXED, Status.SKIPPED]
    after = _manifest(tmp_path / "cache")
    assert after.stamps[real_b] != before.stamps[real_b] and real_b in after.inert
    _, third = cached_run(tmp_path, tmp_path / "cache")
    assert third.stats.analysed == 0 and third.stats.cache_note == ""


def test_an_inert_helper_that_starts_processes_after_an_edit_reaches_its_callers(tmp_path: Path) -> None:
    """The import lines stay the same, but the helper now names a spawner: it is no longer
    inert, and the script calling it is analysed again (and flagged)."""
    (tmp_path / "helpers.py").write_bytes(b"import multiprocessing\n\n\ndef run_all():\n    return 1\n")
    (tmp_path / "script.py").write_bytes(SCRIPT_USING_HELPER)
    first, _ = cached_run(tmp_path, tmp_path / "cache")
    assert [r.status for r in first] == [Status.SKIPPED, Status.SKIPPED]
    assert os.path.realpath(tmp_path / "helpers.py") in _manifest(tmp_path / "cache").inert
    (tmp_path / "helpers.py").write_bytes(
        b"import multiprocessing\n\n\ndef run_all():\n    with multiprocessing.Pool(2) as pool:\n"
        b"        return pool.map(abs, [1])\n"
    )
    second, runner = cached_run(tmp_path, tmp_path / "cache")
    assert runner.stats.cached == 0
    assert {r.path.name: r.status for r in second}["script.py"] is Status.FIXED


def test_a_file_that_imports_a_spawning_module_is_never_inert(tmp_path: Path) -> None:
    """script.py imports tools, which can start processes: whether it calls the spawner is
    read off its body, so an edit that keeps the import lines and starts calling it must be
    analysed (and flagged)."""
    (tmp_path / "tools.py").write_bytes(HELPER_SPAWNS + b"VERSION = 1\n")
    (tmp_path / "script.py").write_bytes(b"import tools\n\nprint(tools.VERSION)\n")
    first, _ = cached_run(tmp_path, tmp_path / "cache")
    assert {r.path.name: r.status for r in first}["script.py"] is Status.SKIPPED
    assert os.path.realpath(tmp_path / "script.py") not in _manifest(tmp_path / "cache").inert
    (tmp_path / "script.py").write_bytes(b"import tools\n\nprint(tools.run_all())\n")
    second, _ = cached_run(tmp_path, tmp_path / "cache")
    assert {r.path.name: r.status for r in second}["script.py"] is Status.FIXED


def _helper_project(root: Path) -> None:
    """tools.py can start processes; helper.py imports it without calling its spawner (the
    triage reads its body: not inert) and is imported by main.py (named)."""
    (root / "tools.py").write_bytes(HELPER_SPAWNS)
    (root / "helper.py").write_bytes(b"import tools\n\n\ndef go():\n    return getattr(tools, 'VERSION', 0)\n")
    (root / "main.py").write_bytes(b"import helper\n\nhelper.go()\n")


def test_editing_an_imported_file_that_can_start_nothing_new_reanalyses_it_alone(tmp_path: Path) -> None:
    _helper_project(tmp_path)
    first, _ = cached_run(tmp_path, tmp_path / "cache")
    manifest = _manifest(tmp_path / "cache")
    real = os.path.realpath(tmp_path / "helper.py")
    assert real in manifest.named and real not in manifest.inert and real not in manifest.modules
    (tmp_path / "helper.py").write_bytes(b"import tools\n\n\ndef go():\n    return getattr(tools, 'VERSION', 1)\n")
    second, runner = cached_run(tmp_path, tmp_path / "cache")
    assert (runner.stats.analysed, runner.stats.cached) == (1, 2)
    assert outcome(second) == outcome(first)


def test_editing_an_imported_file_so_that_it_starts_processes_reanalyses_everything(tmp_path: Path) -> None:
    """The same place edited, but now helper.py names the spawner (through getattr, so its
    import facts stay the same): what it can start changed, so every file is analysed
    again, and the results are a cold run's."""
    _helper_project(tmp_path)
    first, _ = cached_run(tmp_path, tmp_path / "cache")
    assert {r.path.name: r.status for r in first}["main.py"] is Status.SKIPPED
    (tmp_path / "helper.py").write_bytes(b"import tools\n\n\ndef go():\n    return getattr(tools, 'run_all')()\n")
    second, runner = cached_run(tmp_path, tmp_path / "cache")
    assert runner.stats.cached == 0 and "what some file can start" in runner.stats.cache_note
    assert os.path.realpath(tmp_path / "helper.py") in _manifest(tmp_path / "cache").worth
    cold = run_tree(tmp_path, jobs=1)[0]
    assert outcome(second) == outcome(cold)


def test_an_inert_file_that_starts_adding_to_sys_path_reanalyses_everything(tmp_path: Path) -> None:
    """A sys.path addition changes where the file's imports resolve: not an inert edit."""
    (tmp_path / "a.py").write_bytes(b"import b\n" + POOL)
    (tmp_path / "b.py").write_bytes(b"import sys\nX = 1\n")
    cached_run(tmp_path, tmp_path / "cache")
    (tmp_path / "b.py").write_bytes(b"import sys\nX = 1\nsys.path.insert(0, '/elsewhere')\n")
    _, runner = cached_run(tmp_path, tmp_path / "cache")
    assert runner.stats.cached == 0 and runner.stats.cache_note.endswith("changed its imports")


def test_a_script_that_starts_processes_after_an_edit_is_flagged(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"import os\nprint(os.sep)\n")
    cached_run(tmp_path, tmp_path / "cache")
    (tmp_path / "a.py").write_bytes(b"import os\n" + POOL)
    results, runner = cached_run(tmp_path, tmp_path / "cache")
    assert results[0].status is Status.FIXED
    assert runner.stats.analysed >= 1


def test_a_changed_helper_module_invalidates_the_scripts_that_call_it(tmp_path: Path) -> None:
    """The result of script.py depends on helpers.py: when the helper starts processes
    after an edit, the cached "clean" verdict of the unchanged script must not be reused."""
    (tmp_path / "helpers.py").write_bytes(HELPER_INERT)
    (tmp_path / "script.py").write_bytes(SCRIPT_USING_HELPER)
    first, _ = cached_run(tmp_path, tmp_path / "cache")
    assert [r.status for r in first] == [Status.SKIPPED, Status.SKIPPED]
    (tmp_path / "helpers.py").write_bytes(HELPER_SPAWNS)
    second, runner = cached_run(tmp_path, tmp_path / "cache")
    assert runner.stats.cached == 0
    by_name = {r.path.name: r for r in second}
    assert by_name["script.py"].status is Status.FIXED
    assert [f.code.value for f in by_name["script.py"].findings] == ["GF002"]


def test_a_module_read_by_other_files_is_a_dependency_even_when_unchanged_elsewhere(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_bytes(HELPER_SPAWNS)
    (tmp_path / "script.py").write_bytes(SCRIPT_USING_HELPER)
    first, _ = cached_run(tmp_path, tmp_path / "cache")
    assert {r.path.name: r.status for r in first}["script.py"] is Status.FIXED
    (tmp_path / "helpers.py").write_bytes(HELPER_INERT)  # the helper no longer starts processes
    second, runner = cached_run(tmp_path, tmp_path / "cache")
    assert {r.path.name: r.status for r in second}["script.py"] is not Status.FIXED
    assert runner.stats.cached == 0


def test_adding_a_file_reanalyses_everything(tmp_path: Path) -> None:
    (tmp_path / "script.py").write_bytes(SCRIPT_USING_HELPER)
    first, _ = cached_run(tmp_path, tmp_path / "cache")
    assert first[0].status is Status.SKIPPED  # helpers.py does not exist yet
    (tmp_path / "helpers.py").write_bytes(HELPER_SPAWNS)
    second, runner = cached_run(tmp_path, tmp_path / "cache")
    assert runner.stats.cached == 0 and runner.stats.cache_note == "files were added or removed"
    assert {r.path.name: r.status for r in second}["script.py"] is Status.FIXED


def test_changing_the_import_lines_of_a_file_reanalyses_everything(tmp_path: Path) -> None:
    """Who imports whom decides GF004 (a module imported by others is a library)."""
    (tmp_path / "tool.py").write_bytes(POOL)
    (tmp_path / "other.py").write_bytes(b"print(1)\n")
    first, _ = cached_run(tmp_path, tmp_path / "cache")
    assert {r.path.name: r.status for r in first}["tool.py"] is Status.FIXED
    (tmp_path / "other.py").write_bytes(b"import tool\n")
    second, runner = cached_run(tmp_path, tmp_path / "cache")
    assert runner.stats.cached == 0
    tool = {r.path.name: r for r in second}["tool.py"]
    assert tool.status is Status.DECLINED and [f.code.value for f in tool.findings] == ["GF004"]


def test_a_cached_fix_is_recomputed_when_the_rewrite_itself_is_needed(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(POOL)
    cached_run(tmp_path, tmp_path / "cache")  # check mode: the rewrite is not kept
    results, runner = cached_run(tmp_path, tmp_path / "cache", need_sources=True)
    assert runner.stats.analysed == 1
    assert results[0].new_source is not None and b"def main():" in results[0].new_source


def test_options_and_guardfix_itself_are_part_of_the_key(tmp_path: Path) -> None:
    base = run_key(Options(), tmp_path, [str(tmp_path)])
    assert run_key(Options(), tmp_path, [str(tmp_path)]) == base
    assert run_key(Options(main_name="entry"), tmp_path, [str(tmp_path)]) != base
    assert run_key(Options(select=("GF0",)), tmp_path, [str(tmp_path)]) != base
    assert run_key(Options(), tmp_path / "sub", [str(tmp_path)]) != base


@pytest.mark.parametrize(
    "garbage",
    [b"", b"{not json", b'{"format": 999}', b'{"format": 1, "stamps": 3}', b"\xff\xfe\x00binary",
     encode_record({"format": 999}), encode_record({"format": FORMAT, "files": 3}), "truncated-record",
     "flipped-byte"],
    ids=["empty", "json", "json-format", "json-types", "binary", "other-format", "wrong-types", "truncated-record",
         "flipped-byte"],
)
def test_a_corrupt_cache_is_ignored(tmp_path: Path, garbage: bytes) -> None:
    (tmp_path / "a.py").write_bytes(POOL)
    _, first = cached_run(tmp_path, tmp_path / "cache")
    manifests = list((tmp_path / "cache").glob("run-*.rec"))
    assert len(manifests) == 1
    good = manifests[0].read_bytes()
    if garbage == "truncated-record":
        garbage = good[: len(good) // 2]
    elif garbage == "flipped-byte":  # the digest rejects it before marshal reads a byte
        garbage = good[:-3] + bytes([good[-3] ^ 0x40]) + good[-2:]
    manifests[0].write_bytes(garbage)
    assert load_manifest(str(manifests[0])) is None
    results, runner = cached_run(tmp_path, tmp_path / "cache")
    assert runner.stats.cached == 0 and results[0].status is Status.FIXED
    assert decode_record(manifests[0].read_bytes()) == decode_record(good)  # rewritten whole


def test_saving_a_record_deletes_the_json_records_of_earlier_versions(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(POOL)
    (tmp_path / "cache").mkdir()
    legacy = tmp_path / "cache" / ("run-" + "0" * 32 + ".json")
    legacy.write_text('{"format": 4}')
    other = tmp_path / "cache" / "notes.json"  # not a run record: left alone
    other.write_text("{}")
    cached_run(tmp_path, tmp_path / "cache")
    assert not legacy.exists() and other.exists()
    assert len(list((tmp_path / "cache").glob("run-*.rec"))) == 1


def test_an_unwritable_cache_folder_is_a_warning_not_a_failure(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(POOL)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    results, runner = cached_run(tmp_path, blocker / "cache")
    assert results[0].status is Status.FIXED
    assert runner.stats.cache_warning.startswith("cache not saved in")


def test_plan_reuse_explains_a_cold_start(tmp_path: Path) -> None:
    assert plan_reuse(None, []) == ({}, "no cache yet", {}, set())
    assert plan_reuse(Manifest(), [str(tmp_path / "a.py")]) == ({}, "files were added or removed", {}, set())


def test_concurrent_runs_leave_a_valid_cache(tmp_path: Path) -> None:
    root = fixture_tree(tmp_path)
    env = {**os.environ, "GUARDFIX_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "fixer", "--check", "-q", "--jobs", "1", str(root)]
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert {run.returncode for run in runs} == {123}  # the fixtures include unparsable files
    assert len({out for out, _ in outputs}) == 1  # the same findings, whoever wrote the cache
    manifests = list((tmp_path / "cache").glob("run-*.rec"))
    assert len(manifests) == 1 and not list((tmp_path / "cache").glob("*.tmp"))
    warm = subprocess.run(command, env=env, capture_output=True, timeout=300)
    assert warm.stdout == outputs[0][0]


def test_no_cache_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(POOL)
    env = {**os.environ, "GUARDFIX_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-m", "fixer", "--check", "--no-cache", str(tmp_path / "a.py")], env=env, capture_output=True
    )
    assert done.returncode == 1
    assert not (tmp_path / "cache").exists()
    cached = subprocess.run(
        [sys.executable, "-m", "fixer", "--check", "--cache-dir", str(tmp_path / "elsewhere"), str(tmp_path / "a.py")],
        env=env, capture_output=True,
    )
    assert cached.returncode == 1 and list((tmp_path / "elsewhere").glob("run-*.rec"))
    assert not (tmp_path / "cache").exists()


def test_default_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from fixer.cache import default_cache_dir

    monkeypatch.setenv("GUARDFIX_CACHE_DIR", str(tmp_path / "mine"))
    assert default_cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("GUARDFIX_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert default_cache_dir() == tmp_path / "xdg" / "guardfix"


# ----- the command line ------------------------------------------------------------------------
def guardfix(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fixer", *args], cwd=cwd, capture_output=True, timeout=300)


def test_jobs_must_be_positive(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(POOL)
    done = guardfix("--check", "--jobs", "0", "a.py", cwd=tmp_path)
    assert done.returncode == 2 and b"--jobs" in done.stderr


def test_verbose_summary_table_counts_the_run(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(POOL)
    (tmp_path / "b.py").write_bytes(b"print(1)\n")
    (tmp_path / "c.py").write_bytes(b"import multiprocessing\nmultiprocessing.Process(target=print).start(\n")
    done = guardfix("--check", "-v", "--no-cache", ".", cwd=tmp_path)
    text = done.stderr.decode()
    header = next(line for line in text.splitlines() if "prefiltered" in line)
    assert header.split() == ["files", "prefiltered", "flagged", "fixed", "declined", "unsafe", "errors", "time"]
    values = text.splitlines()[text.splitlines().index(header) + 2].split()
    assert values[:7] == ["3", "1", "1", "0", "0", "0", "1"]
    assert values[7].endswith("s") or values[8] == "s"
    # --no-cache: no cache was consulted, so there is no reason to give for not using one
    # b.py names no process API: the triage settles it unparsed
    assert "analysed 3 file(s), 2 of them parsed, in this process; no cached results\n" in text


def test_quiet_prints_no_summary(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(POOL)
    done = guardfix("--check", "-q", "a.py", cwd=tmp_path)
    assert done.returncode == 1
    assert b"prefiltered" not in done.stderr and b"would be fixed" not in done.stderr


def test_quiet_write_prints_nothing_for_a_successful_fix(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(POOL)
    done = guardfix("--write", "-q", "a.py", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    assert b"def main():" in (tmp_path / "a.py").read_bytes()
    loud = guardfix("--write", "a.py", cwd=tmp_path)  # nothing left to fix: a summary only
    assert loud.returncode == 0 and b"without findings" in loud.stderr


def test_progress_bar_appears_on_a_terminal_for_long_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    import io

    from rich.console import Console

    import fixer.console
    from fixer.console import UI

    ui = UI()
    buffer = io.StringIO()
    ui.err = Console(file=buffer, force_terminal=True, width=100)
    monkeypatch.setattr(fixer.console, "PROGRESS_DELAY", 0.0)
    with ui.progress(3) as advance:
        for name in ("a.py", "b.py", "c.py"):
            advance(name)
    assert "3/3" in buffer.getvalue() or "2/3" in buffer.getvalue()

    quiet = UI(verbosity=-1)
    quiet.err = Console(file=io.StringIO(), force_terminal=True)
    with quiet.progress(3) as advance:
        advance("a.py")
    assert quiet.err.file.getvalue() == ""  # type: ignore[attr-defined]

    piped = UI()
    piped.err = Console(file=io.StringIO(), force_terminal=False)
    with piped.progress(3) as advance:
        for name in ("a.py", "b.py", "c.py"):
            advance(name)
    assert piped.err.file.getvalue() == ""  # type: ignore[attr-defined]


def test_the_same_output_with_one_or_two_jobs_on_the_command_line(tmp_path: Path) -> None:
    root = fixture_tree(tmp_path)
    one = guardfix("--diff", "--no-cache", "--jobs", "1", ".", cwd=root)
    two = guardfix("--diff", "--no-cache", "--jobs", "2", ".", cwd=root)
    assert one.returncode == two.returncode == 123  # the fixtures include unparsable files
    assert one.stdout == two.stdout and one.stdout.count(b"+++ b/") > 20


def test_a_module_named_by_other_files_is_a_dependency_even_when_nobody_read_it(tmp_path: Path) -> None:
    """helpers.py cannot start processes at first, so the first run never reads it on
    script.py's behalf; an edit that keeps its import lines makes it start processes.  The
    script names it on an import line, so its cached verdict must not be reused."""
    (tmp_path / "helpers.py").write_bytes(b"import multiprocessing\n\n\ndef run_all():\n    return multiprocessing.cpu_count()\n")
    (tmp_path / "script.py").write_bytes(SCRIPT_USING_HELPER)
    first, _ = cached_run(tmp_path, tmp_path / "cache")
    assert [r.status for r in first] == [Status.SKIPPED, Status.SKIPPED]
    (tmp_path / "helpers.py").write_bytes(
        b"import multiprocessing\n\n\ndef run_all():\n    with multiprocessing.Pool(2) as pool:\n        return pool.map(abs, [1])\n"
    )
    second, runner = cached_run(tmp_path, tmp_path / "cache")
    assert runner.stats.cached == 0
    assert {r.path.name: r.status for r in second}["script.py"] is Status.FIXED


def test_an_edited_script_keeps_what_the_last_triage_found_about_its_modules(tmp_path: Path) -> None:
    """Only the edited script is analysed again; whether the helper it calls can start
    processes comes from the last run's triage, and the verdict is the same as cold."""
    (tmp_path / "helpers.py").write_bytes(HELPER_SPAWNS)
    (tmp_path / "script.py").write_bytes(SCRIPT_USING_HELPER)
    (tmp_path / "other.py").write_bytes(b"import os\n")
    cached_run(tmp_path, tmp_path / "cache")
    (tmp_path / "script.py").write_bytes(SCRIPT_USING_HELPER + b"# edited\n")
    warm, runner = cached_run(tmp_path, tmp_path / "cache")
    assert (runner.stats.analysed, runner.stats.cached) == (1, 2)
    cold, _ = run_tree(tmp_path, jobs=1, need_sources=False)
    assert outcome(warm) == outcome(cold)
    assert {r.path.name: r.status for r in warm}["script.py"] is Status.FIXED


def test_workers_start_before_the_first_result_is_handed_out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The progress bar starts a thread when it shows; workers are forked before any result
    reaches it (forking a process that runs threads can deadlock the child)."""
    monkeypatch.setattr(fixer.runner, "MIN_BYTES_FOR_POOL", 0)
    (tmp_path / "a_plain.py").write_bytes(b"print('no processes here')\n")  # settled by the triage
    for number in range(5):
        (tmp_path / f"job{number}.py").write_bytes(POOL)
    candidates = find_scripts([tmp_path])
    runner = Runner([(c.path, c.display) for c in candidates], Options(), jobs=2, roots=[str(tmp_path)], cwd=tmp_path)
    results = runner.run()
    first = next(results)
    assert first.path.name == "a_plain.py" and first.status is Status.SKIPPED
    assert runner.stats.workers == 2  # the pool was already running
    assert [r.status for r in results] == [Status.FIXED] * 5


@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_workers_started_without_fork_give_the_same_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    """As on macOS and Windows: workers that inherit nothing are told the triage's answers
    and its index of imports, and report what a forked pool reports."""
    import multiprocessing

    root = tmp_path / "tree"
    for case in sorted(FIXTURES.iterdir())[:25]:
        if case.is_dir():
            shutil.copytree(case, root / case.name, ignore=shutil.ignore_patterns("expected*", "*.toml", "*.txt"))
    serial, _ = run_tree(root, jobs=1, need_sources=True)
    monkeypatch.setattr(fixer.runner, "MIN_BYTES_FOR_POOL", 0)
    monkeypatch.setattr(fixer.runner, "_pool_context", lambda: multiprocessing.get_context(method))
    parallel, runner = run_tree(root, jobs=2, need_sources=True)
    assert runner.stats.workers == 2
    assert outcome(parallel) == outcome(serial)
    assert any(r.status is Status.FIXED for r in parallel)


def test_a_restamped_record_is_the_manifest_with_the_new_stamps(tmp_path: Path) -> None:
    """The warm path saves an inert edit by patching the rows it read
    (``Manifest.restamped_json``): the record must read back as the manifest with the new
    stamps, as ``to_json`` would have written it."""
    (tmp_path / "a.py").write_bytes(b"import b\n" + POOL)
    (tmp_path / "b.py").write_bytes(b"import os\nSEP = os.sep\n")
    (tmp_path / "c.py").write_bytes(b"print(1)\n")
    cached_run(tmp_path, tmp_path / "cache")
    (record,) = (tmp_path / "cache").glob("run-*.rec")
    read = Manifest.from_json(decode_record(record.read_bytes()))
    real_b = os.path.realpath(tmp_path / "b.py")
    new_stamp = Stamp(99, 12345, "f" * 32, read.stamps[real_b].imports)
    patched = Manifest.from_json(decode_record(encode_record(read.restamped_json({real_b: new_stamp}))))
    expected = Manifest.from_json(decode_record(record.read_bytes()))
    expected.stamps[real_b] = new_stamp
    assert patched == expected and patched.stamps[real_b] == new_stamp
    assert Manifest.from_json(decode_record(encode_record(expected.to_json()))) == patched


def test_analysed_modules_dropped_between_questions_change_no_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Project.trim`` drops analysed modules beyond its budget between questions: with a
    budget of one character (every module dropped at each chance, and parsed again when
    asked again) every fixture's result is what an unbounded run finds."""
    import fixer.project

    root = fixture_tree(tmp_path)
    made: list = []
    real_make = fixer.project.make_analyzer

    def counting(text: str, filename: str, *rest: object) -> object:
        made.append(filename)
        return real_make(text, filename, *rest)

    monkeypatch.setattr(fixer.project, "make_analyzer", counting)
    unbounded, _ = run_tree(root, jobs=1)
    once = len(made)
    made.clear()
    monkeypatch.setattr(fixer.project, "KEEP_CHARS", 1)
    trimmed, _ = run_tree(root, jobs=1)
    assert outcome(trimmed) == outcome(unbounded)
    assert len(made) > once and len(made) > len(set(made))  # modules were dropped and parsed again
