"""Answers about installed packages kept between runs and projects (``fixer.libstore``)."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

import fixer.project
from fixer.cache import Stamp
from fixer.cli import cli
from fixer.libstore import FOLDER, LibraryAnswers, collect, library_folders
from fixer.project import clear_caches

LIBRARIES = {
    # a library whose entry point reaches a Pool two modules down
    "deeplib/__init__.py": "from .api import run_all\n",
    "deeplib/api.py": "from .engine import start\n\ndef run_all():\n    return start()\n\ndef describe():\n    return 'deep'\n",
    "deeplib/engine.py": "import multiprocessing\n\ndef start():\n    with multiprocessing.Pool(2) as pool:\n        return pool.map(abs, [1])\n",
    # a library that imports it but whose helper starts nothing
    "quietlib/__init__.py": "from .tools import helper\n",
    "quietlib/tools.py": "from deeplib.api import describe\n\ndef helper():\n    return describe().upper()\n",
}


@pytest.fixture(autouse=True)
def _fresh_caches():
    clear_caches()
    yield
    clear_caches()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def make_env(root: Path) -> Path:
    site = root / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    site.mkdir(parents=True)
    (root / "pyvenv.cfg").write_text("home = /usr/bin\n")
    for name, text in LIBRARIES.items():
        write(site / name, text)
    return site


class Parses:
    """Counts the installed modules the cross-module analysis parses."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, site: Path) -> None:
        self.site = str(site.resolve())
        self.files: list = []
        real = fixer.project.make_analyzer

        def counting(text, filename, *args, **kwargs):
            if str(Path(filename).resolve()).startswith(self.site):
                self.files.append(Path(filename).name)
            return real(text, filename, *args, **kwargs)

        monkeypatch.setattr(fixer.project, "make_analyzer", counting)


def check(project: Path, env: Path, cache: Path | None, *extra: str):
    args = ["--check", "--jobs", "1", "--python", str(env), *extra, str(project)]
    args += ["--no-cache"] if cache is None else ["--cache-dir", str(cache)]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    clear_caches()
    return result


def project_with(root: Path, name: str, text: str) -> Path:
    write(root / name, text)
    return root


QUIET = "from quietlib import helper\nprint(helper())\n"
LOUD = "import deeplib\nprint(deeplib.run_all())\n"


def test_a_second_project_asks_no_installed_module_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / "env"
    site = make_env(env)
    cache = tmp_path / "cache"
    parses = Parses(monkeypatch, site)
    first = check(project_with(tmp_path / "one", "quiet.py", QUIET), env, cache)
    assert first.exit_code == 0, first.output
    assert parses.files, "the first run must look into the installed packages"
    assert list((cache / FOLDER).glob("lib-*.json")), "the answers are stored"
    parses.files.clear()
    second = check(project_with(tmp_path / "two", "other_quiet.py", QUIET), env, cache)
    assert second.exit_code == 0, second.output
    assert parses.files == [], "answered from the store"
    assert second.stdout.replace("other_quiet", "quiet") == first.stdout


def test_results_are_the_same_with_and_without_the_store(tmp_path: Path) -> None:
    env = tmp_path / "env"
    make_env(env)
    cache = tmp_path / "cache"
    check(project_with(tmp_path / "warmup", "quiet.py", QUIET + LOUD), env, cache)  # fills the store
    project = tmp_path / "proj"
    write(project / "loud.py", LOUD)
    write(project / "quiet.py", QUIET)
    stored = check(project, env, cache)
    cold = check(project, env, None)
    assert stored.exit_code == cold.exit_code == 1
    assert stored.stdout == cold.stdout
    assert "loud.py" in stored.stdout and "quiet.py:" not in stored.stdout


def test_an_edited_installed_module_is_asked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / "env"
    site = make_env(env)
    cache = tmp_path / "cache"
    assert check(project_with(tmp_path / "one", "quiet.py", QUIET), env, cache).exit_code == 0
    # the quiet helper now calls the spawning entry point: the stored "no" must not stand
    write(site / "quietlib/tools.py", "from deeplib.api import run_all\n\ndef helper():\n    return run_all()\n")
    parses = Parses(monkeypatch, site)
    result = check(project_with(tmp_path / "two", "quiet.py", QUIET), env, cache)
    assert result.exit_code == 1, result.output
    assert "quiet.py" in result.stdout and "helper" in result.stdout
    assert "tools.py" in parses.files


def test_a_package_installed_later_is_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = tmp_path / "env"
    site = make_env(env)
    cache = tmp_path / "cache"
    script = "try:\n    import fastpool\nexcept ImportError:\n    fastpool = None\nif fastpool:\n    fastpool.go()\n"
    assert check(project_with(tmp_path / "one", "uses.py", script), env, cache).exit_code == 0
    write(site / "fastpool.py", "from multiprocessing import Pool\n\ndef go():\n    Pool(2).map(abs, [1])\n")
    result = check(project_with(tmp_path / "two", "uses.py", script), env, cache)
    assert result.exit_code == 1 and "uses.py" in result.stdout, result.output


def test_a_corrupt_store_is_ignored(tmp_path: Path) -> None:
    env = tmp_path / "env"
    make_env(env)
    cache = tmp_path / "cache"
    baseline = check(project_with(tmp_path / "one", "loud.py", LOUD), env, cache)
    assert baseline.exit_code == 1
    for record in (cache / FOLDER).glob("lib-*.json"):
        record.write_bytes(b'{"format": 1, "listings": {}, "stamps": ')  # cut off mid-write
    again = check(project_with(tmp_path / "two", "loud.py", LOUD), env, cache)
    assert (again.exit_code, again.stdout) == (baseline.exit_code, baseline.stdout.replace("/one/", "/two/"))
    records = list((cache / FOLDER).glob("lib-*.json"))
    assert records and all(json.loads(r.read_bytes())["format"] == 1 for r in records), "rewritten whole"


def test_no_cache_stores_nothing(tmp_path: Path) -> None:
    env = tmp_path / "env"
    make_env(env)
    cache_env = tmp_path / "cache-home"
    result = CliRunner().invoke(
        cli, ["--check", "--no-cache", "--python", str(env), str(project_with(tmp_path / "p", "q.py", QUIET))],
        env={"GUARDFIX_CACHE_DIR": str(cache_env)}, catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert not cache_env.exists()


def test_installed_modules_resolve_only_in_the_environment(tmp_path: Path) -> None:
    """An installed module's ``import helpers`` never finds the project's helpers.py: the
    answers about installed modules must not depend on the project using them."""
    project = tmp_path / "proj"
    write(project / "pyproject.toml", "[project]\nname = 'proj'\n")
    env = project / ".venv"  # inside the project: the project root lies above site-packages
    site = make_env(env)
    write(site / "plainlib.py", "import helpers\n\ndef run():\n    return helpers.go()\n")
    write(project / "helpers.py", "from multiprocessing import Pool\n\ndef go():\n    return Pool(2).map(abs, [1])\n")
    write(project / "script.py", "import plainlib\nplainlib.run()\n")
    result = check(project, env, None)
    assert "script.py" not in result.stdout, result.output


def test_collect_keeps_only_installed_modules_with_stamps(tmp_path: Path) -> None:
    site = str(tmp_path / "lib" / "site-packages")
    folders = library_folders([site, str(tmp_path / "src")])
    assert folders == (str(Path(site).resolve()),)
    inside, outside = folders[0] + "/pkg/a.py", str(tmp_path / "src" / "b.py")
    good = Stamp(10, 5, "sha", "imports")
    answers = collect(LibraryAnswers(), {inside: True, outside: True}, {(inside, "f"): False, (outside, "g"): True},
                      {inside: good, outside: good}, folders)
    assert answers is not None
    assert answers.worth == {inside: True} and answers.exported == {(inside, "f"): False}
    assert answers.stamps == {inside: good}
    # a module read without a usable stamp (it changed while read): nothing is stored
    assert collect(LibraryAnswers(), {}, {}, {inside: Stamp(-1, -1, "", "")}, folders) is None
    # the run's own files are its business, even inside site-packages
    assert collect(LibraryAnswers(), {inside: True}, {}, {}, folders, discovered=[inside]).worth == {}
