"""The warm path (fixer.warm): the same bytes and exit code as the normal path, or no answer.

Each case runs the command as a user does (a subprocess, so that what is imported is real):
once to fill the cache, then warm with the fast path allowed and with it disabled
(``GUARDFIX_NO_FASTPATH``).  Both warm runs must print the same stdout and stderr and exit
alike, and the trace (``GUARDFIX_FASTPATH_TRACE``) says which path answered.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fixer import warm
from fixer.model import PREFILTER_REASON, FileResult, Finding, Code, Status
from fixer.report import Report

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

POOL = "from multiprocessing import Pool\n\nwith Pool(2) as pool:\n    print(pool.map(abs, [1]))\n"
UNSAFE = textwrap.dedent(
    """\
    from multiprocessing import Pool

    pool = Pool(2)


    def work(values):
        return pool.map(abs, values)


    print(pool.apply(work, ([-1, 2],)))
    """
)
CLEAN = "import multiprocessing\nprint(multiprocessing.cpu_count() > 0)\n"
#: A spawner known by name because its library is installed nowhere imports resolve: the
#: warm path must compute the same run key (``sites.absent_spawners``) as the command.
VEC_ENV = "from stable_baselines3.common.vec_env import SubprocVecEnv\n\nenvs = SubprocVecEnv([dict, dict])\n"
PLAIN = "print('no processes here')\n"
BROKEN = "from multiprocessing import Pool\nwith Pool(2) as pool\n"


def guardfix(cwd: Path, *args: str, fast: bool = True, trace: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in (warm.DISABLE_ENV, warm.TRACE_ENV, *warm.RICH_ENV)}
    if not fast:
        env[warm.DISABLE_ENV] = "1"
    if trace is not None:
        env[warm.TRACE_ENV] = str(trace)
    return subprocess.run(
        [sys.executable, "-m", "fixer", *args], cwd=cwd, env=env, capture_output=True, stdin=subprocess.DEVNULL,
        timeout=300,
    )


def warm_and_full(cwd: Path, *args: str) -> tuple[str, subprocess.CompletedProcess, subprocess.CompletedProcess]:
    """(the path the fast run took, the fast run, the normal run), after a run that fills
    the cache; asserts the two warm runs answered alike."""
    guardfix(cwd, *args)
    trace = cwd / "trace.txt"
    trace.unlink(missing_ok=True)
    fast = guardfix(cwd, *args, trace=trace)
    full = guardfix(cwd, *args, fast=False)
    assert fast.stdout == full.stdout
    if "-v" not in args:  # (-v prints the run's duration)
        assert fast.stderr == full.stderr
    assert fast.returncode == full.returncode
    taken = trace.read_text().strip()
    trace.unlink()
    return taken, fast, full


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A repository with every kind of result, a .gitignore, a virtualenv, a built-in
    excluded folder, a shebang script, a symlink and a configuration file."""
    root = tmp_path / "proj"
    (root / ".git").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[tool.guardfix]\nextend-exclude = ["gen/"]\n')
    files = {
        "pool.py": POOL, "vec.py": VEC_ENV, "unsafe.py": UNSAFE, "clean.py": CLEAN, "plain.py": PLAIN, "broken.py": BROKEN,
        "pkg/__init__.py": "", "pkg/work.py": POOL, "pkg/deep/more.py": PLAIN,
        "ignored/skip.py": POOL, "secret.py": POOL, "gen/made.py": POOL, "build/out.py": POOL,
        "env/pyvenv.cfg": "home = /usr\n", "env/lib/site.py": POOL, "bin/tool": "#!/usr/bin/env python\n" + POOL,
        "notes.txt": "not python\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    (root / ".gitignore").write_text("ignored/\nsecret.py\n")
    (root / "linked.py").symlink_to(root / "plain.py")
    return tmp_path


def fixture_tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    for case in sorted(FIXTURES.iterdir()):
        if case.is_dir():
            shutil.copytree(case, root / case.name, ignore=shutil.ignore_patterns("expected*", "*.toml", "*.txt"))
    return tmp_path


# ----- the same answer ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "path"),
    [
        (["--check", "proj"], "warm"),
        (["--check", "-q", "proj"], "warm"),
        (["--check", "--select", "GF0,gf1", "--ignore", "GF104", "proj"], "warm"),
        (["--check", "--style", "inline", "--main-name", "entry", "proj"], "warm"),
        (["--check", "--no-respect-gitignore", "proj"], "warm"),
        (["--check", "--exclude", "pkg", "proj"], "warm"),
        (["--check", "--extend-exclude=bin", "--no-color", "-j", "2", "proj"], "warm"),
        (["--check", "--output-format", "json", "proj"], "warm"),
        (["--check", "--output-format", "github", "proj"], "warm"),
        (["--check", "--output-format", "sarif", "proj"], "warm"),
        (["--check", "proj/pool.py", "proj/plain.py", "proj/pkg"], "warm"),
        (["--check", "proj/pkg", "proj/pkg/work.py"], "warm"),
        (["--check", "proj/plain.py", "proj/linked.py"], "warm"),
        (["--check", "--unsafe-fixes", "./proj/"], "warm"),
        (["--check", "proj/pkg/deep"], "warm"),
        (["--diff", "proj/pkg/deep", "proj/clean.py"], "warm"),
        (["proj/pkg/deep", "proj/broken.py"], "warm"),
        (["-q", "proj/plain.py"], "warm"),
        (["--diff", "proj"], "full"),  # fixes to show: computed again
        (["proj"], "full"),
        (["--write", "proj/plain.py"], "full"),
        (["-v", "--check", "proj"], "full"),
        (["--check", "--force-exclude", "proj/plain.py"], "full"),
        (["--check", "--python", sys.executable, "proj"], "full"),
        (["--check", "--diff", "proj"], "full"),
        (["--check", "--output-format", "json", "--diff", "proj"], "full"),
        (["--check", "proj/missing.py"], "full"),
        (["--check", "--jobs", "0", "proj"], "full"),
        (["--check", "--select", "XX1", "proj"], "full"),
        (["--check", "--no-cache", "proj"], "full"),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else value,
)
def test_the_fast_path_answers_as_the_normal_path(project: Path, args: list[str], path: str) -> None:
    taken, fast, _ = warm_and_full(project, *args)
    assert taken == "warm" if path == "warm" else taken.startswith("full:"), taken


def test_a_folder_of_many_fixtures(tmp_path: Path) -> None:
    root = fixture_tree(tmp_path)
    taken, fast, _ = warm_and_full(root, "--check", "tree")
    assert fast.returncode == 123 and fast.stdout.count(b"GF0") > 50
    # (a file that cannot be decoded is never cached, so such a tree is analysed every time)
    assert taken == "warm" or taken == "full: no cache for this run", taken


def test_a_configuration_file_is_read_as_the_command_reads_it(project: Path) -> None:
    (project / "proj" / "pyproject.toml").write_text(
        '[tool.guardfix]\nselect = ["GF0"]\nstyle = "inline"\nexclude = ["pkg/deep"]\n'
    )
    taken, fast, _ = warm_and_full(project, "--check", "proj")
    assert taken == "warm"
    assert b"gen/made.py" in fast.stdout and b"build/out.py" in fast.stdout  # exclude replaced the built-ins
    taken, _, _ = warm_and_full(project, "--check", "--config", "proj/pyproject.toml", "proj")
    assert taken == "warm"


def test_a_bad_configuration_file_is_left_to_the_command(project: Path) -> None:
    (project / "proj" / "pyproject.toml").write_text('[tool.guardfix]\nstyle = "sideways"\n')
    taken, fast, _ = warm_and_full(project, "--check", "proj")
    assert taken.startswith("full:") and fast.returncode == 2


# What the fast path itself loads: modules the interpreter loaded at start-up (``site``, an
# editable install's finder, which may import pathlib) do not count.
PROBE = (
    "import sys; before = set(sys.modules); from fixer.warm import answer; code = answer(sys.argv[1:]); "
    "print(code, sorted(m for m in set(sys.modules) - before if m in sys.argv[0].split(',') or m.split('.')[0] in sys.argv[0].split(',')), file=sys.stderr)"
)
NEVER = "click,rich,libcst,fixer.cli,fixer.console,fixer.model,fixer.analyze,fixer.project,fixer.pipeline,fixer.runner"
LIGHT = NEVER + ",ast,dataclasses,pathlib,typing,fixer.discover,fixer.config,pathspec"


def probe(cwd: Path, modules: str, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in (warm.DISABLE_ENV, *warm.RICH_ENV)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.replace("sys.argv[0]", repr(modules)), *args],
        cwd=cwd, env=env, capture_output=True, stdin=subprocess.DEVNULL,
    )
    return done.stderr.decode().splitlines()[-1]


def test_a_warm_run_loads_nothing_it_does_not_need(tmp_path: Path) -> None:
    (tmp_path / "tree" / "sub").mkdir(parents=True)
    (tmp_path / "tree" / "pool.py").write_text(POOL)
    (tmp_path / "tree" / "sub" / "plain.py").write_text(PLAIN)
    guardfix(tmp_path, "--check", "tree")
    assert probe(tmp_path, LIGHT, "--check", "tree") == "1 []"


def test_a_warm_run_of_a_configured_repository_loads_no_command_line_and_no_analysis(project: Path) -> None:
    guardfix(project, "--check", "proj")
    assert probe(project, NEVER, "--check", "proj") == "123 []"  # (broken.py cannot be parsed)


# ----- never a stale answer ----------------------------------------------------------------------
def edit(root: Path) -> None:
    (root / "proj" / "plain.py").write_text(POOL)


def delete(root: Path) -> None:
    (root / "proj" / "pkg" / "deep" / "more.py").unlink()


def add(root: Path) -> None:
    (root / "proj" / "pkg" / "deep" / "new.py").write_text(POOL)


def add_script(root: Path) -> None:
    (root / "proj" / "bin" / "other").write_text("#!/usr/bin/python3\n" + POOL)


def ignore_more(root: Path) -> None:
    with open(root / "proj" / ".gitignore", "a") as handle:
        handle.write("pool.py\n")


def make_virtualenv(root: Path) -> None:
    (root / "proj" / "pkg" / "deep" / "pyvenv.cfg").write_text("home = /usr\n")


def reconfigure(root: Path) -> None:
    (root / "proj" / "pyproject.toml").write_text('[tool.guardfix]\nignore = ["GF1"]\n')


def edit_imported_module(root: Path) -> None:
    (root / "proj" / "pkg" / "__init__.py").write_text("from .work import *\n")


@pytest.mark.parametrize(
    "change",
    [edit, delete, add, add_script, ignore_more, make_virtualenv, reconfigure, edit_imported_module],
)
def test_a_change_is_never_answered_from_the_old_results(project: Path, change) -> None:
    guardfix(project, "--check", "proj")
    taken, before, _ = warm_and_full(project, "--check", "proj")
    assert taken == "warm"
    change(project)
    trace = project / "trace.txt"
    after = guardfix(project, "--check", "proj", trace=trace)
    assert trace.read_text().strip().startswith("full:")
    full = guardfix(project, "--check", "proj", fast=False)
    assert (after.stdout, after.stderr, after.returncode) == (full.stdout, full.stderr, full.returncode)
    if change in (edit, delete, add, add_script, ignore_more, make_virtualenv):
        assert (after.stdout, after.stderr) != (before.stdout, before.stderr)


def test_touching_a_file_keeps_the_answer(project: Path) -> None:
    taken, before, _ = warm_and_full(project, "--check", "proj")
    plain = project / "proj" / "plain.py"
    os.utime(plain, ns=(plain.stat().st_atime_ns, plain.stat().st_mtime_ns + 10**9))
    taken, after, _ = warm_and_full(project, "--check", "proj")
    assert taken == "warm" and after.stdout == before.stdout


def test_an_edit_that_changes_no_result_is_answered_warm(project: Path) -> None:
    """plain.py names no process API and imports nothing: a new comment changes no result,
    and the warm path answers (and remembers the new stamp: the next run too)."""
    taken, before, _ = warm_and_full(project, "--check", "proj")
    with open(project / "proj" / "plain.py", "a") as handle:
        handle.write("# a comment\n")
    trace = project / "trace.txt"
    after = guardfix(project, "--check", "proj", trace=trace)
    assert trace.read_text().strip() == "warm"
    full = guardfix(project, "--check", "proj", fast=False)
    assert (after.stdout, after.stderr, after.returncode) == (full.stdout, full.stderr, full.returncode)
    assert after.stdout == before.stdout
    taken, again, _ = warm_and_full(project, "--check", "proj")
    assert taken == "warm" and again.stdout == before.stdout


def test_an_edit_that_starts_processes_under_the_same_imports_is_analysed(project: Path) -> None:
    warm_and_full(project, "--check", "proj")
    (project / "proj" / "clean.py").write_text("import multiprocessing\nmultiprocessing.Pool(2).map(abs, [1])\n")
    trace = project / "trace.txt"
    after = guardfix(project, "--check", "proj", trace=trace)
    assert trace.read_text().strip().startswith("full:")
    assert b"clean.py:2:1: GF001" in after.stdout


def test_other_options_are_another_run(project: Path) -> None:
    guardfix(project, "--check", "proj")
    trace = project / "trace.txt"
    guardfix(project, "--check", "--select", "GF1", "proj", trace=trace)
    assert trace.read_text().strip() == "full: no cache for this run"


def test_guardfix_itself_changing_is_another_run(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from fixer import cache

    guardfix(project, "--check", "proj")
    folder = os.environ["GUARDFIX_CACHE_DIR"]
    assert any(name.startswith("code-") for name in os.listdir(folder))
    monkeypatch.setattr(cache, "_FINGERPRINT", [])
    remembered = cache.remembered_fingerprint(folder)
    monkeypatch.setattr(cache, "_FINGERPRINT", [])
    assert remembered == cache.code_fingerprint()
    monkeypatch.setattr(cache, "_FINGERPRINT", [])
    monkeypatch.setattr(cache, "__version__", "0.0.0-other")
    assert cache.remembered_fingerprint(folder) != remembered


# ----- the pieces it mirrors -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text", ["a", "a/b", "./a", "a/./b/", "a//b", "/", "//", "///a", "//a/b", ".", "./", "../x", "a/../b", ""]
)
def test_posix_path_is_what_pathlib_makes_of_a_path(text: str) -> None:
    from pathlib import PurePosixPath

    assert warm.posix_path(text) == str(PurePosixPath(text))


def test_own_dependencies_are_the_roots_list() -> None:
    from fixer import roots

    assert warm.OWN_DEPENDENCIES == roots.OWN_DEPENDENCIES
    assert warm.PROJECT_MARKERS == roots.PROJECT_MARKERS


def test_the_environment_is_the_one_the_command_finds(tmp_path: Path) -> None:
    from fixer import roots

    def same(project_roots: list, environ: dict) -> None:
        found = roots.find_environment(None, project_roots, environ)
        assert warm.environment_of(project_roots, environ) == (found.folders, found.hidden)

    same([str(tmp_path)], {})
    venv = tmp_path / "proj" / ".venv"
    site = venv / "lib" / "python3.99" / "site-packages"
    (site / "extra").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr\n")
    (site / "more.pth").write_text("# comment\nextra\nimport os\nmissing\n")
    (venv / "lib" / "python3.98").mkdir()
    same([str(tmp_path / "proj")], {})
    other = tmp_path / "active"
    (other / "lib64" / "python3.1" / "site-packages").mkdir(parents=True)
    same([str(tmp_path / "proj")], {"VIRTUAL_ENV": str(other)})
    same([str(tmp_path / "proj")], {"VIRTUAL_ENV": sys.prefix})


def _result(status: Status, findings: int = 0, reason: str = "") -> FileResult:
    found = tuple(Finding(Code.GF104 if status is Status.CLEAN else Code.GF001, 1, 1, "m") for _ in range(findings))
    return FileResult(Path("x.py"), "x.py", status, found, reason=reason)


@pytest.mark.parametrize("mode", ["check", "diff"])
def test_counts_and_summary_are_the_reports(mode: str) -> None:
    from rich.console import Console

    from fixer.console import UI

    results = [
        _result(Status.SKIPPED, reason=PREFILTER_REASON), _result(Status.SKIPPED, reason="other"),
        _result(Status.CLEAN), _result(Status.CLEAN, 1), _result(Status.FIXED, 1), _result(Status.UNSAFE, 1),
        _result(Status.DECLINED, 2), _result(Status.ERROR), _result(Status.FAILED, 1),
    ]
    for upto in range(len(results) + 1):
        report = Report(check_warnings=mode == "check")
        counts = dict.fromkeys(
            ("seen", "skipped", "prefiltered", "clean", "written", "left", "fixable", "declined", "unsafe", "errors", "warned"), 0
        )
        for result in results[:upto]:
            report.add(result)
            warm._count(counts, result.status.value, result.reason, list(result.findings))
        assert {k: getattr(report, k) for k in counts} == counts
        assert warm._return_code(counts, mode == "check") == report.return_code
        for ignored in ((0, ()), (2, ("/a/.gitignore",)), (3, ("/a/.gitignore", "/b/.gitignore"))):
            ui = UI()
            ui.err = Console(file=io.StringIO(), highlight=False, soft_wrap=True)
            ui.summary(report, mode, None, 0.5, ignored=ignored)
            assert ui.err.file.getvalue() == warm.summary_line(counts, mode, *ignored) + "\n"
