"""Triage: which files of a run are analysed at all (``fixer.triage``).

The triage must never leave out a file that the file-by-file question would analyse, and a
run that triages must report exactly what a run without it reports."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import pytest

from fixer.discover import Coverage, Excludes, discover, real_path
from fixer.model import Options, Status
from fixer.project import Project
from fixer.runner import Runner
from fixer.targets import PREFILTER_TOKENS, mentions_tokens
from fixer.triage import triage_files

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

SPAWNER = b"from multiprocessing import Process\n\n\ndef start():\n    Process(target=print).start()\n"


def write(root: Path, files: dict) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(text)


def triage_of(paths: list, coverage: Coverage, cwd: Path):
    reals = [real_path(p) for p in paths]
    project = Project(files=paths, cwd=cwd)
    return triage_files(paths, reals, coverage, project, PREFILTER_TOKENS), project


def missed_by_triage(root: Path, excludes: Excludes | None = None) -> tuple[int, list[str]]:
    """(files the file-by-file question picks, those of them the triage leaves out).  The
    question is asked twice: of a fresh project (as a run without triage asks it) and of
    the project the triage filled in (as the analysis asks it after the triage)."""
    found = discover([root], excludes)
    paths = [c.path for c in found.candidates]
    triage, triaged_project = triage_of(paths, found.coverage, root)
    fresh = Project(files=paths, cwd=root)
    picked, missed = 0, []
    for number, path in enumerate(paths):
        data = path.read_bytes()
        if mentions_tokens(data) or fresh.imports_spawner_module(data, path) or triaged_project.imports_spawner_module(data, path):
            picked += 1
            if number not in triage.send:
                missed.append(str(path.relative_to(root)))
    return picked, missed


def test_the_triage_leaves_out_no_fixture_the_exact_question_picks() -> None:
    total = 0
    for case in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        picked, missed = missed_by_triage(case)
        assert not missed, case.name
        total += picked
    assert total >= 60


def test_the_triage_leaves_out_no_file_of_the_standard_library() -> None:
    # (In place; an interpreter installed by pyenv sits in a repository that ignores it.)
    picked, missed = missed_by_triage(Path(sysconfig.get_paths()["stdlib"]), Excludes(gitignore=False))
    assert not missed
    assert picked >= 20  # multiprocessing, concurrent.futures and their tests


def test_most_files_are_left_out(tmp_path: Path) -> None:
    write(tmp_path, {f"m{i}.py": b"import os\nprint(os.sep)\n" for i in range(20)})
    write(tmp_path, {"run.py": b"from multiprocessing import Pool\nPool(2)\n"})
    found = discover([tmp_path])
    triage, _ = triage_of([c.path for c in found.candidates], found.coverage, tmp_path)
    assert [found.candidates[n].path.name for n in sorted(triage.send)] == ["run.py"]


def test_a_constructor_is_reached_through_its_class_name_not_its_own(tmp_path: Path) -> None:
    """A file that spells ``__init__`` (for a class of its own) does not reach the classes
    of a module it imports whose constructors start processes; naming the class does."""
    write(tmp_path, {
        "workers.py": b"from multiprocessing import Process\n\n\nclass Farm:\n"
                      b"    def __init__(self):\n        Process(target=print).start()\n",
        "own.py": b"import workers\n\n\nclass Local:\n    def __init__(self):\n        self.n = 1\n\n\n"
                  b"print(workers.__name__, Local().n)\n",
        "uses.py": b"import workers\n\nworkers.Farm()\n",
    })
    found = discover([tmp_path])
    triage, _ = triage_of([c.path for c in found.candidates], found.coverage, tmp_path)
    assert sorted(found.candidates[n].path.name for n in triage.send) == ["uses.py", "workers.py"]
    assert missed_by_triage(tmp_path)[1] == []


def run(root: Path, paths: list | None = None, coverage: bool = True, jobs: int = 1) -> list:
    found = discover(paths or [root])
    runner = Runner(
        [(c.path, c.display) for c in found.candidates], Options(), jobs=jobs, need_sources=True, cwd=root,
        roots=[str(p) for p in (paths or [root])], coverage=found.coverage if coverage else None,
    )
    return list(runner.run())


def verdicts(results: list) -> list[tuple]:
    return [(r.path.name, r.status, [(f.code.value, f.line) for f in r.findings]) for r in results]


def test_a_helper_in_a_left_out_folder_is_still_followed(tmp_path: Path) -> None:
    write(tmp_path, {
        "build/helpers.py": SPAWNER,  # `build` is a left-out folder name
        "build/__init__.py": b"",
        "script.py": b"from build.helpers import start\n\nstart()\n",
    })
    results = run(tmp_path)
    assert [r.path.name for r in results] == ["script.py"]
    assert results[0].status is Status.FIXED


def test_a_helper_outside_the_walked_folder_is_still_followed(tmp_path: Path) -> None:
    write(tmp_path, {
        "helpers.py": SPAWNER,  # next to the package: importable, but not walked
        "pkg/__init__.py": b"",
        "pkg/run.py": b"from helpers import start\n\nstart()\n",
    })
    results = run(tmp_path, [tmp_path / "pkg"])
    assert verdicts(results)[1][:2] == ("run.py", Status.FIXED)


def test_a_named_script_follows_its_neighbour(tmp_path: Path) -> None:
    write(tmp_path, {"helpers.py": SPAWNER, "script.py": b"import helpers\n\nhelpers.start()\n"})
    [result] = run(tmp_path, [tmp_path / "script.py"])
    assert result.status is Status.FIXED


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_triaged_run_reports_what_an_untriaged_run_reports(tmp_path: Path, jobs: int, monkeypatch: pytest.MonkeyPatch) -> None:
    import fixer.runner

    monkeypatch.setattr(fixer.runner, "MIN_BYTES_FOR_POOL", 0)
    for case in sorted(p for p in FIXTURES.iterdir() if p.is_dir())[:40]:
        (tmp_path / case.name).mkdir()
        for source in case.glob("*.py"):
            if not source.name.startswith("expected"):
                (tmp_path / case.name / source.name).write_bytes(source.read_bytes())
    triaged = run(tmp_path, jobs=jobs)
    untriaged = run(tmp_path, coverage=False, jobs=1)
    assert verdicts(triaged) == verdicts(untriaged)
    assert sum(r.status is Status.FIXED for r in triaged) >= 10


def test_coverage_names_what_discovery_left_out(tmp_path: Path) -> None:
    write(tmp_path, {"build/gen.py": b"", "venv/pyvenv.cfg": b"", "a.py": b"", "b.py": b""})
    (tmp_path / "linked.py").symlink_to(tmp_path / "a.py")
    found = discover([tmp_path])
    assert found.coverage.folders == (os.path.realpath(tmp_path),)
    assert {b"build", b"venv", b"linked"} <= found.coverage.left_out
    assert b"a" not in found.coverage.left_out and b"b" not in found.coverage.left_out


def test_a_spawner_reached_through_a_symlinked_module_name_is_found(tmp_path: Path) -> None:
    write(tmp_path, {"other/real_helpers.py": SPAWNER, "other/__init__.py": b"", "lib/__init__.py": b""})
    (tmp_path / "lib" / "helpers.py").symlink_to(tmp_path / "other" / "real_helpers.py")
    write(tmp_path, {"script.py": b"from lib.helpers import start\n\nstart()\n"})
    results = {r.display.rsplit("/", 1)[-1]: r for r in run(tmp_path)}
    assert results["script.py"].status is Status.FIXED


def test_a_triaged_run_agrees_with_the_file_by_file_question_on_the_fixtures(tmp_path: Path) -> None:
    """Without triage each file asks the cross-module question itself (``process_files``);
    on the fixtures both ways must give the same verdicts."""
    from fixer.pipeline import process_files

    total = 0
    for case in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        found = discover([case])
        files = [c for c in found.candidates if not c.path.name.startswith("expected")]
        runner = Runner([(c.path, c.display) for c in files], Options(), jobs=1, cwd=case, coverage=found.coverage)
        triaged = list(runner.run())
        project = Project(files=[c.path for c in files], cwd=case)
        one_by_one = list(process_files(((c.path, c.display) for c in files), Options(), project))
        assert verdicts(triaged) == verdicts(one_by_one), case.name
        total += sum(r.status is Status.FIXED for r in triaged)
    assert total >= 60


def test_files_read_in_parallel_give_the_same_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fixer.runner

    for case in sorted(p for p in FIXTURES.iterdir() if p.is_dir())[:30]:
        (tmp_path / case.name).mkdir()
        for source in case.glob("*.py"):
            if not source.name.startswith("expected"):
                (tmp_path / case.name / source.name).write_bytes(source.read_bytes())
    serial = run(tmp_path, jobs=2)
    monkeypatch.setattr(fixer.runner, "MIN_FILES_FOR_PARALLEL_READ", 2)
    calls = []
    reader = fixer.runner.Runner._parallel_reader
    monkeypatch.setattr(fixer.runner.Runner, "_parallel_reader", lambda self, count: calls.append(count) or reader(self, count))
    parallel = run(tmp_path, jobs=2)
    assert calls and verdicts(parallel) == verdicts(serial)


@pytest.mark.parametrize(
    "line, likely",
    [
        (b"pool = Pool(4)\n", True),
        (b"with ProcessPoolExecutor() as ex:\n", True),
        (b"Process(target=f).start()\n", True),
        (b"    pool = Pool(4)\n", False),  # indented: inside a function or a guard
        (b"def make_pool(): return Pool(4)\n", False),
        (b"from multiprocessing import Pool\n", False),
        (b"# Pool(4) would start processes\n", False),
    ],
)
def test_files_naming_a_spawner_at_the_top_level_are_started_first(line: bytes, likely: bool) -> None:
    from fixer.triage import _top_level_use

    assert bool(_top_level_use(PREFILTER_TOKENS).search(line)) is likely


def test_importers_found_through_the_triage_index_are_the_same(tmp_path: Path) -> None:
    write(tmp_path, {
        "lib.py": SPAWNER + b"\nstart()\n",
        "a.py": b"import lib\n",
        "b.py": b"from lib import start\n",
        "c.py": b'"""import lib"""\n',  # only a docstring spells the import
        "d.py": b"import os\n",
    })
    found = discover([tmp_path])
    paths = [c.path for c in found.candidates]
    _, triaged_project = triage_of(paths, found.coverage, tmp_path)
    plain = Project(files=paths, cwd=tmp_path)
    lib = tmp_path / "lib.py"
    assert triaged_project.import_index is not None
    assert triaged_project.importers_of(lib) == plain.importers_of(lib) == ["a.py", "b.py"]


LATE_ONE_STEP = {  # n.f() reaches t through m and k; the walk reaches n (it imports t) first
    "k.py": b"from t import start\n\n\ndef h():\n    start()\n",
    "m.py": b"from k import h\n\n\ndef g():\n    h()\n",
}
LATE_TWO_STEPS = {  # m is three imports from t: found after n's importers were looked at
    "k1.py": b"from t import start\n\n\ndef one():\n    start()\n",
    "k2.py": b"from k1 import one\n\n\ndef two():\n    one()\n",
    "m.py": b"from k2 import two\n\n\ndef g():\n    two()\n",
}


@pytest.mark.parametrize(
    "between, chain",
    [(LATE_ONE_STEP, ["f()", "g()", "h()"]), (LATE_TWO_STEPS, ["f()", "g()", "two()", "one()"])],
    ids=["found-in-time", "found-after-the-first-answer"],
)
def test_a_chain_through_a_module_found_late_in_the_walk_is_found(tmp_path: Path, between: dict, chain: list) -> None:
    """n imports t and calls m.g() in f(); s calls n.f() at the top level.  Breadth first,
    the walk may ask about n.f before it knows that m can start processes: that "no" must
    be forgotten once m is found (the second case needs a second round)."""
    write(tmp_path, {
        "t.py": SPAWNER,
        **between,
        "n.py": b"from t import start\nfrom m import g\n\n\ndef direct():\n    start()\n\n\ndef f():\n    g()\n",
        "s.py": b"from n import f\n\nf()\n",
    })
    results = {r.path.name: r for r in run(tmp_path)}
    assert results["s.py"].status is Status.FIXED
    [finding] = results["s.py"].findings
    assert [step.label for step in finding.chain][: len(chain)] == chain


def test_a_helper_in_a_namespace_package_is_followed(tmp_path: Path) -> None:
    """``ns`` has no ``__init__.py``: no discovered module is called ``ns``, yet
    ``from ns.helpers import start`` imports ns/helpers.py."""
    write(tmp_path, {"ns/helpers.py": SPAWNER, "script.py": b"from ns.helpers import start\n\nstart()\n"})
    results = {r.path.name: r for r in run(tmp_path)}
    assert results["script.py"].status is Status.FIXED
