"""Where imports resolve: declared package roots, sys.path additions, the environment."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fixer.roots import (
    EnvironmentNotFound,
    declared_roots,
    describe_roots,
    find_environment,
    path_additions,
    project_root_of,
    search_settings_for,
)
from fixer.project import clear_caches


@pytest.fixture(autouse=True)
def _fresh_caches():
    clear_caches()
    yield
    clear_caches()


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "files, expected",
    [
        pytest.param({"setup.cfg": "[options.packages.find]\nwhere = py\n"}, ["py", "."], id="setup.cfg-where"),
        pytest.param({"setup.cfg": "[options]\npackage_dir =\n    =lib\n"}, ["lib", "."], id="setup.cfg-package_dir"),
        pytest.param(
            {"setup.cfg": "[options]\npackage_dir =\n    mypkg = code/mypkg\n"}, ["code", "."], id="setup.cfg-named-package_dir"
        ),
        pytest.param(
            {"setup.py": "from setuptools import setup, find_packages\nsetup(packages=find_packages(where='py'), package_dir={'': 'py'})\n"},
            ["py", "."],
            id="setup.py-literals",
        ),
        pytest.param(
            {"setup.py": "import setuptools\nDIRS = {'': 'pysrc'}\nsetuptools.setup(package_dir=DIRS)\n"},
            ["pysrc", "."],
            id="setup.py-variable",
        ),
        pytest.param({"pyproject.toml": "[tool.setuptools]\npackage-dir = {'' = 'lib'}\n"}, ["lib", "."], id="setuptools-package-dir"),
        pytest.param(
            {"pyproject.toml": "[tool.setuptools.packages.find]\nwhere = ['code']\n"}, ["code", "."], id="setuptools-find-where"
        ),
        pytest.param(
            {"pyproject.toml": "[tool.hatch.build.targets.wheel]\npackages = ['python/mypkg']\n"},
            ["python", "."],
            id="hatch-packages",
        ),
        pytest.param(
            {"pyproject.toml": "[tool.poetry]\npackages = [{include = 'mypkg', from = 'lib'}]\n"}, ["lib", "."], id="poetry-from"
        ),
        pytest.param({"pyproject.toml": "[tool.pdm.build]\npackage-dir = 'code'\n"}, ["code", "."], id="pdm-package-dir"),
        pytest.param({"pyproject.toml": "[tool.maturin]\npython-source = 'python'\n"}, ["python", "."], id="maturin"),
        pytest.param({"pyproject.toml": "[project]\nname = 'x'\n", "src/x/__init__.py": ""}, ["src", "."], id="src-convention"),
        pytest.param({"pyproject.toml": "this is [ not toml"}, ["."], id="broken-pyproject-declares-nothing"),
        pytest.param({"setup.py": "setup(package_dir={'': 'missing'})\n"}, ["."], id="missing-folder-left-out"),
    ],
)
def test_declared_roots(tmp_path: Path, files: dict, expected: list) -> None:
    for name, text in files.items():
        write(tmp_path / name, text)
    for folder in expected:
        (tmp_path / folder).mkdir(exist_ok=True)
    roots = declared_roots(str(tmp_path))
    assert [os.path.relpath(r.folder, tmp_path) for r in roots] == expected
    assert all(r.origin for r in roots)


def test_project_root_is_the_nearest_marker(tmp_path: Path) -> None:
    write(tmp_path / "repo" / "setup.cfg", "")
    (tmp_path / "repo" / "bin" / "deep").mkdir(parents=True)
    assert project_root_of(str(tmp_path / "repo" / "bin" / "deep")) == str(tmp_path / "repo")
    (tmp_path / "repo" / "bin" / ".git").mkdir()
    project_root_of.cache_clear()
    assert project_root_of(str(tmp_path / "repo" / "bin" / "deep")) == str(tmp_path / "repo" / "bin")


@pytest.mark.parametrize(
    "source, expected",
    [
        pytest.param("import sys\nsys.path.insert(0, '..')\n", "..", id="relative-literal"),
        pytest.param("import sys, os\nsys.path.append(os.path.join(os.path.dirname(__file__), '..', 'py'))\n", "../py", id="os.path.join"),
        pytest.param(
            "import sys, os\nsys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))\n",
            "..",
            id="dirname-dirname-realpath",
        ),
        pytest.param(
            "import sys\nfrom pathlib import Path\nsys.path.insert(0, str(Path(__file__).parent.parent))\n", "..", id="pathlib-parent"
        ),
        pytest.param(
            "import sys\nimport pathlib\nROOT = pathlib.Path(__file__).resolve().parents[1]\nsys.path.append(str(ROOT / 'src'))\n",
            "../src",
            id="pathlib-parents-variable",
        ),
        pytest.param(
            "import sys\nimport os.path as osp\nhere = osp.abspath(osp.dirname(__file__))\nsys.path.insert(0, osp.join(here, 'lib'))\n",
            "lib",
            id="os.path-alias",
        ),
        pytest.param(
            "import sys\nfrom os.path import join, dirname\nsys.path.extend([join(dirname(__file__), 'a')])\n", "a", id="extend-from-import"
        ),
        pytest.param("import site\nsite.addsitedir('/opt/lib')\n", "/opt/lib", id="addsitedir-absolute"),
        pytest.param(
            "import sys\ntry:\n    import mypkg\nexcept ImportError:\n    sys.path.insert(0, '../lib')\n    import mypkg\n",
            "../lib",
            id="inside-try",
        ),
    ],
)
def test_path_additions(tmp_path: Path, source: str, expected: str) -> None:
    script = tmp_path / "bin" / "tool.py"
    found = path_additions(source, str(script))
    want = expected if os.path.isabs(expected) else os.path.normpath(os.path.join(tmp_path / "bin", expected))
    assert [r.folder for r in found] == [want]
    assert "line" in found[0].origin


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("import sys\nsys.path.insert(0, os.getcwd())\n", id="unknown-call"),
        pytest.param("import sys\nsys.path.insert(0, f'{x}/lib')\n", id="f-string"),
        pytest.param("import sys\ndef f():\n    sys.path.insert(0, '..')\n", id="inside-a-function"),
        pytest.param("import sys\nprint(sys.path)\n", id="only-read"),
        pytest.param("sys.path.insert(0, ", id="syntax-error"),
    ],
)
def test_path_additions_not_evaluated(tmp_path: Path, source: str) -> None:
    assert path_additions(source, str(tmp_path / "tool.py")) == []


def make_venv_dir(root: Path, packages: dict) -> Path:
    """A virtual environment's folder layout (no interpreter needed): pyvenv.cfg and a
    site-packages folder holding ``packages`` (relative path -> text)."""
    venv = root
    site = venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    site.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    for name, text in packages.items():
        write(site / name, text)
    return site


def test_environment_from_a_venv_folder_and_its_pth_and_editable_finders(tmp_path: Path) -> None:
    extra = tmp_path / "elsewhere"
    extra.mkdir()
    (tmp_path / "proj" / "mypkg").mkdir(parents=True)
    site = make_venv_dir(
        tmp_path / "env",
        {
            "extra.pth": f"# a comment\nimport os\n{extra}\n",
            "__editable___mypkg_0_1_finder.py": f"MAPPING = {{'mypkg': {str(tmp_path / 'proj' / 'mypkg')!r}}}\n",
        },
    )
    env = find_environment(str(tmp_path / "env"), [])
    assert env.folders == (str(site), str(extra))
    assert env.mapped == (("mypkg", str(tmp_path / "proj")),)
    assert env.origin == f"--python {tmp_path / 'env'}"
    assert not env.hidden


def test_environment_order_virtual_env_then_dot_venv_then_own(tmp_path: Path) -> None:
    active = make_venv_dir(tmp_path / "active", {})
    local = make_venv_dir(tmp_path / "proj" / ".venv", {})
    assert find_environment(None, [str(tmp_path / "proj")], {"VIRTUAL_ENV": str(tmp_path / "active")}).folders == (str(active),)
    chosen = find_environment(None, [str(tmp_path / "proj")], {})
    assert chosen.folders == (str(local),) and ".venv in" in chosen.origin
    own = find_environment(None, [str(tmp_path)], {})
    assert "running guardfix" in own.origin
    assert {"libcst", "click", "rich", "fixer"} <= own.hidden


def test_environment_of_an_interpreter(tmp_path: Path) -> None:
    env = find_environment(sys.executable, [])
    import sysconfig

    assert sysconfig.get_paths()["purelib"] in env.folders


@pytest.mark.parametrize(
    "python, message",
    [
        pytest.param("/no/such/python", "cannot run it", id="missing"),
        pytest.param(sys.executable + "-not-there", "cannot run it", id="typo"),
    ],
)
def test_bad_python_is_a_named_error(python: str, message: str) -> None:
    with pytest.raises(EnvironmentNotFound, match=message):
        find_environment(python, [])


def test_python_that_is_not_python(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho not python\n")
    fake.chmod(0o755)
    with pytest.raises(EnvironmentNotFound, match="did not answer"):
        find_environment(str(fake), [])
    (tmp_path / "empty").mkdir()
    with pytest.raises(EnvironmentNotFound, match="no site-packages"):
        find_environment(str(tmp_path / "empty"), [])


def test_describe_roots_lists_src_declared_and_environment(tmp_path: Path) -> None:
    write(tmp_path / "setup.cfg", "[options.packages.find]\nwhere = py\n")
    (tmp_path / "py").mkdir()
    (tmp_path / "extra").mkdir()
    make_venv_dir(tmp_path / ".venv", {})
    settings = search_settings_for([tmp_path], src=[tmp_path / "extra"], environ={})
    described = [(os.path.relpath(r.folder, tmp_path), r.origin) for r in describe_roots([tmp_path], settings)]
    assert described[0] == ("extra", "--src / [tool.guardfix] src")
    assert ("py", "setup.cfg [options.packages.find] where") in described
    assert ("the project root") in dict(described)["."]
    assert any(folder.startswith(".venv") and "installed packages" in origin for folder, origin in described)


# ----- a repository checked end to end -----------------------------------------------------
REPO = {
    "setup.cfg": "[metadata]\nname = survey\n\n[options.packages.find]\nwhere = py\n",
    "py/survey/__init__.py": "",
    "py/survey/scripts/__init__.py": "",
    "py/survey/scripts/reduce.py": """\
        import multiprocessing as mp

        def _one(x):
            return x

        def main(argv=None):
            with mp.Pool(2) as pool:
                return pool.map(_one, range(3))
        """,
    "bin/survey_reduce": """\
        #!/usr/bin/env python
        import sys
        from survey.scripts import reduce
        sys.exit(reduce.main())
        """,
    "bin/survey_quiet": """\
        #!/usr/bin/env python
        from survey.scripts import reduce
        print(reduce.__doc__)
        """,
    "src/helpers/__init__.py": "",
    "src/helpers/pools.py": """\
        from concurrent.futures import ProcessPoolExecutor

        def run(fn, items):
            with ProcessPoolExecutor() as ex:
                return list(ex.map(fn, items))
        """,
    "examples/demo.py": """\
        from helpers.pools import run
        print(run(abs, [-1, -2]))
        """,
    "examples/uses_installed.py": """\
        from fitlib.models import Model
        Model().fit([1, 2, 3])
        """,
    "examples/installed_but_threads.py": """\
        from fitlib.models import Model
        Model().predict([1, 2, 3])
        """,
    "examples/starts_in_constructor.py": """\
        import fitlib
        driver = fitlib.Driver()
        """,
}
INSTALLED = {
    "fitlib/__init__.py": "from fitlib.driver import Driver\n",
    "fitlib/models.py": """\
        import multiprocessing
        from multiprocessing.pool import ThreadPool

        class Model:
            def fit(self, data):
                with multiprocessing.Pool(2) as pool:
                    return pool.map(abs, data)

            def predict(self, data):
                with ThreadPool(2) as pool:
                    return pool.map(abs, data)
        """,
    "fitlib/driver.py": """\
        from multiprocessing import Process

        class Driver:
            def __init__(self):
                self.proc = Process(target=print)
                self.proc.start()
        """,
}


def build_repository(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    for name, text in REPO.items():
        write(repo / name, text)
    make_venv_dir(repo / ".venv", INSTALLED)
    return repo


def run_guardfix(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    return subprocess.run(
        [sys.executable, "-m", "fixer", "--check", "--no-cache", *args],
        cwd=repo, capture_output=True, text=True, env=env, timeout=120,
    )


def flagged(stdout: str) -> dict:
    found: dict = {}
    for line in stdout.splitlines():
        path, _, rest = line.partition(":")
        code = rest.split(" ")[1] if " " in rest else ""
        if code.startswith("GF0"):
            found.setdefault(path, []).append(line)
    return found


def test_repository_end_to_end(tmp_path: Path) -> None:
    repo = build_repository(tmp_path)
    done = run_guardfix(repo, ".", "-v")
    assert done.returncode == 1, done.stderr
    found = flagged(done.stdout)
    assert sorted(found) == [
        "bin/survey_reduce",
        "examples/demo.py",
        "examples/starts_in_constructor.py",
        "examples/uses_installed.py",
    ], done.stdout
    assert "fitlib/models.py" in found["examples/uses_installed.py"][0]  # the chain names the installed file
    assert "py/survey/scripts/reduce.py" in found["bin/survey_reduce"][0]
    assert "imports resolve in " + str(repo / "py") + " (setup.cfg [options.packages.find] where)" in done.stderr
    assert ".venv in" in done.stderr


def test_repository_scripts_named_alone(tmp_path: Path) -> None:
    """A script named on its own still sees the project's roots and installed packages."""
    repo = build_repository(tmp_path)
    done = run_guardfix(repo, "bin/survey_reduce", "examples/uses_installed.py", "bin/survey_quiet")
    assert sorted(flagged(done.stdout)) == ["bin/survey_reduce", "examples/uses_installed.py"], done.stdout


def test_src_option_and_python_option(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo / "tools" / "job.py", "import heavy\nheavy.go()\n")
    write(repo / "vendorlibs" / "heavy.py", "import multiprocessing as mp\ndef go():\n    mp.Process(target=print).start()\n")
    assert flagged(run_guardfix(repo, "tools").stdout) == {}
    assert sorted(flagged(run_guardfix(repo, "tools", "--src", "vendorlibs").stdout)) == ["tools/job.py"]
    write(repo / "pyproject.toml", "[tool.guardfix]\nsrc = ['vendorlibs']\n")
    assert sorted(flagged(run_guardfix(repo, "tools").stdout)) == ["tools/job.py"]
    # an installed package of another environment, named with --python (a folder here)
    other = tmp_path / "otherenv"
    make_venv_dir(other, {"elsewhere/__init__.py": "from multiprocessing import Pool\ndef work():\n    Pool(2).map(abs, [1])\n"})
    write(repo / "tools" / "other.py", "import elsewhere\nelsewhere.work()\n")
    assert "tools/other.py" not in flagged(run_guardfix(repo, "tools").stdout)
    assert "tools/other.py" in flagged(run_guardfix(repo, "tools", "--python", str(other)).stdout)
    bad = run_guardfix(repo, "tools", "--python", str(tmp_path / "nothing-here"))
    assert bad.returncode == 2 and "--python" in bad.stderr and "cannot run it" in bad.stderr


def test_own_dependencies_are_not_followed(tmp_path: Path) -> None:
    """With no project environment, the interpreter running guardfix is searched, minus
    guardfix's own dependencies: a script's ``import click`` is not resolved to click's
    files (they belong to guardfix, not to the project)."""
    from fixer.project import Project
    from fixer.roots import SearchSettings

    write(tmp_path / "s.py", "import click\n")
    env = find_environment(None, [str(tmp_path)], {})
    project = Project(files=[tmp_path / "s.py"], cwd=tmp_path, settings=SearchSettings((), env))
    assert project.module_file("click", tmp_path / "s.py") is None
    assert project.module_file("pytest", tmp_path / "s.py") is not None  # a test dependency, not guardfix's


def test_a_module_of_an_installed_package_does_not_search_its_own_folder(tmp_path: Path) -> None:
    """``import helper`` in site-packages/libpkg/core.py is an absolute import: Python 3
    looks in sys.path (site-packages), never in libpkg/ (no implicit relative imports).
    A top-level installed module's folder is site-packages itself, which is searched."""
    from fixer.project import Project
    from fixer.roots import SearchSettings

    site = make_venv_dir(
        tmp_path / "env",
        {"libpkg/__init__.py": "", "libpkg/core.py": "import helper\n", "libpkg/helper.py": "", "single.py": "import other\n", "other.py": ""},
    )
    write(tmp_path / "proj" / "s.py", "import libpkg.core\n")
    env = find_environment(str(tmp_path / "env"), [])
    project = Project(files=[tmp_path / "proj" / "s.py"], cwd=tmp_path / "proj", settings=SearchSettings((), env))
    assert project.module_file("helper", site / "libpkg" / "core.py") is None
    assert project.module_file("libpkg.helper", site / "libpkg" / "core.py") == site / "libpkg" / "helper.py"
    assert project.module_file("other", site / "single.py") == site / "other.py"
    assert str(site / "libpkg") not in project.resolver_for(site / "libpkg" / "core.py").search


@pytest.mark.parametrize(
    "source, expected",
    [
        pytest.param("import sys\nsys.path.insert(0, 'x')\n", True, id="module-level"),
        pytest.param("import sys\nif True:\n    try:\n        sys.path.append('x')\n    except OSError:\n        pass\n", True, id="in-blocks"),
        pytest.param("import sys\ndef f():\n    if x:\n        sys.path.insert(0, 'x')\n", False, id="in-a-function"),
        pytest.param("import sys\nclass C:\n    sys.path.append('x')\n", False, id="in-a-class"),
        pytest.param("import sys\nprint(sys.path)\n", False, id="read-only"),
        pytest.param("def f():\n    pass\n\n  # odd comment\nsys.path.append('x')\n", True, id="after-a-function"),
    ],
)
def test_may_add_to_path_is_a_superset_gate(source: str, expected: bool) -> None:
    from fixer.roots import may_add_to_path

    assert may_add_to_path(source) is expected
    if not expected:
        assert path_additions(source, "/x/tool.py") == []


def test_the_list_of_guardfixs_own_dependencies_matches_the_installed_metadata() -> None:
    from fixer.roots import OWN_DEPENDENCIES, own_dependencies_from_metadata

    missing = own_dependencies_from_metadata() - OWN_DEPENDENCIES
    assert not missing, f"add these to roots.OWN_DEPENDENCIES: {sorted(missing)}"


VEC_ENV_SCRIPT = """\
from stable_baselines3.common.vec_env import SubprocVecEnv
import gymnasium as gym


def make():
    return gym.make("CartPole-v1")


envs = SubprocVecEnv([make, make])
print(envs.reset())
"""


def test_absent_spawners_are_those_of_libraries_no_folder_holds(tmp_path: Path) -> None:
    from fixer.sites import SPAWNERS_WHEN_ABSENT, absent_spawners, presence_folders

    every = tuple(sorted(q for names in SPAWNERS_WHEN_ABSENT.values() for q in names))
    assert absent_spawners([str(tmp_path)]) == every
    (tmp_path / "site" / "stable_baselines3").mkdir(parents=True)
    write(tmp_path / "root" / "src" / "gymnasium.py", "")  # a project's own module counts as present
    folders = presence_folders([str(tmp_path / "site")], [], [str(tmp_path / "root")])
    left = absent_spawners(folders)
    assert not any(q.startswith(("stable_baselines3.", "gymnasium.")) for q in left)
    assert left == tuple(q for q in every if not q.startswith(("stable_baselines3.", "gymnasium.")))
    assert any(q.startswith("gym.") for q in left)  # gym is not gymnasium
    assert {q.split(".")[0] for q in left} >= {
        "stable_baselines", "pymc", "scipy", "datasets", "gym", "lightning", "pytorch_lightning", "transformers",
    }


def test_a_spawner_of_an_absent_library_is_known_by_name_and_read_when_installed(tmp_path: Path) -> None:
    """Checked without its dependencies, a script that builds stable-baselines3's
    SubprocVecEnv at module level is flagged from the catalogue; with the library installed
    in the project's environment, guardfix reads it instead, and an installed SubprocVecEnv
    that starts nothing is no finding."""
    repo = tmp_path / "repo"
    write(repo / "pyproject.toml", "[project]\nname = 'rl'\n")
    write(repo / "train.py", VEC_ENV_SCRIPT)
    absent = run_guardfix(repo, "train.py", "-v")
    assert flagged(absent.stdout) == {"train.py": [
        'train.py:9:8: GF001 SubprocVecEnv(...) starts processes at module level, outside an '
        '`if __name__ == "__main__":` guard'
    ]}
    assert "not installed, so known by name: stable_baselines3.common.vec_env.SubprocVecEnv" in absent.stderr
    make_venv_dir(repo / ".venv", {
        "stable_baselines3/__init__.py": "",
        "stable_baselines3/common/__init__.py": "",
        "stable_baselines3/common/vec_env/__init__.py": "from .subproc_vec_env import SubprocVecEnv\n",
        "stable_baselines3/common/vec_env/subproc_vec_env.py": "class SubprocVecEnv:\n    def __init__(self, fns):\n        self.envs = [f() for f in fns]\n\n    def reset(self):\n        return None\n",
    })
    assert flagged(run_guardfix(repo, "train.py").stdout) == {}
    starting = repo / ".venv" / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    write(starting / "stable_baselines3/common/vec_env/subproc_vec_env.py",
          "import multiprocessing as mp\n\n\nclass SubprocVecEnv:\n    def __init__(self, fns):\n"
          "        self.ps = [mp.Process(target=f) for f in fns]\n        for p in self.ps:\n            p.start()\n")
    installed = flagged(run_guardfix(repo, "train.py").stdout)
    assert list(installed) == ["train.py"] and " GF002 calls SubprocVecEnv(...) (" in installed["train.py"][0]


def test_pymc_sample_known_by_name_unless_one_core_or_one_chain(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo / "pyproject.toml", "[project]\nname = 'bayes'\n")
    model = "import pymc as pm\n\nwith pm.Model():\n    pm.Normal('mu', 0, 1)\n"
    write(repo / "several.py", model + "    trace = pm.sample(draws=100)\n")
    write(repo / "one_core.py", model + "    trace = pm.sample(draws=100, cores=1)\n")
    write(repo / "one_chain.py", model + "    trace = pm.sample(draws=100, chains=1)\n")
    assert flagged(run_guardfix(repo, ".").stdout) == {"several.py": [
        'several.py:5:13: GF001 pm.sample(...) starts processes at module level, outside an '
        '`if __name__ == "__main__":` guard'
    ]}


def finding(path: str, line: int, col: int, label: str) -> str:
    return (f'{path}:{line}:{col}: GF001 {label}(...) starts processes at module level, outside an '
            '`if __name__ == "__main__":` guard')


def test_old_gym_vector_known_by_name_unless_asynchronous_is_false(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo / "pyproject.toml", "[project]\nname = 'agents'\n")
    write(repo / "made.py", "import gym\n\nenvs = gym.vector.make('CartPole-v1', num_envs=4)\n")
    write(repo / "asynchronous.py", "import gym\n\nenvs = gym.vector.make('CartPole-v1', 4, True)\n")
    write(repo / "direct.py", "from gym.vector import AsyncVectorEnv\n\nenvs = AsyncVectorEnv([make] * 2)\n")
    write(repo / "sync_kw.py", "import gym\n\nenvs = gym.vector.make('CartPole-v1', num_envs=4, asynchronous=False)\n")
    write(repo / "sync_pos.py", "import gym\n\nenvs = gym.vector.make('CartPole-v1', 4, False)\n")
    write(repo / "sync_env.py", "import gym\n\nenvs = gym.vector.SyncVectorEnv([make] * 2)\n")
    assert flagged(run_guardfix(repo, ".").stdout) == {
        "asynchronous.py": [finding("asynchronous.py", 3, 8, "gym.vector.make")],
        "direct.py": [finding("direct.py", 3, 8, "AsyncVectorEnv")],
        "made.py": [finding("made.py", 3, 8, "gym.vector.make")],
    }


def test_torch_ac_parallel_env_and_algorithms_known_by_name(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo / "pyproject.toml", "[project]\nname = 'agents'\n")
    write(repo / "evaluate.py", "from torch_ac.utils.penv import ParallelEnv\n\nenv = ParallelEnv(envs)\n")
    write(repo / "train.py", "import torch_ac\n\nalgo = torch_ac.PPOAlgo(envs, model)\n")
    write(repo / "guarded.py", "import torch_ac\n\nif __name__ == '__main__':\n    algo = torch_ac.A2CAlgo(envs, model)\n")
    write(repo / "lists.py", "from torch_ac import DictList\n\nexps = DictList()\n")
    assert flagged(run_guardfix(repo, ".").stdout) == {
        "evaluate.py": [finding("evaluate.py", 3, 7, "ParallelEnv")],
        "train.py": [finding("train.py", 3, 8, "torch_ac.PPOAlgo")],
    }


def test_pybkt_model_methods_known_by_name_unless_parallel_is_false(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo / "pyproject.toml", "[project]\nname = 'tracing'\n")
    model = "from pyBKT.models import Model\n\nmodel = Model(seed=0{})\n"
    write(repo / "fits.py", model.format(", num_fits=5") + "model.fit(data_path='train.csv')\n")
    write(repo / "folds.py", model.format("") + "print(model.crossvalidate(data_path='all.csv'))\n")
    write(repo / "scores.py", model.format("") + "model.fit(data_path='a.csv', parallel=False)\nprint(model.evaluate(data_path='b.csv'))\n")
    write(repo / "serial.py", model.format(", parallel=False") + "model.fit(data_path='a.csv')\nprint(model.evaluate(data_path='b.csv'))\n")
    write(repo / "serial_call.py", model.format("") + "model.fit(data_path='a.csv', parallel=False)\n")
    write(repo / "overridden.py", model.format(", parallel=False") + "model.fit(data_path='a.csv', parallel=True)\n")
    assert flagged(run_guardfix(repo, ".").stdout) == {
        "fits.py": [finding("fits.py", 4, 1, "model.fit")],
        "folds.py": [finding("folds.py", 4, 7, "model.crossvalidate")],
        "overridden.py": [finding("overridden.py", 4, 1, "model.fit")],
        "scores.py": [finding("scores.py", 5, 7, "model.evaluate")],
    }


def test_coffea_runs_known_by_name_with_the_futures_executor_only(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo / "pyproject.toml", "[project]\nname = 'analysis'\n")
    head = "from coffea import processor\n\n"
    write(repo / "futures.py", head + "out = processor.run_uproot_job(files, treename='Events', processor_instance=p, executor=processor.futures_executor)\n")
    write(repo / "pre.py", head + "out = processor.run_uproot_job(files, 'Events', p, processor.iterative_executor, {}, processor.futures_executor)\n")
    write(repo / "iterative.py", head + "out = processor.run_uproot_job(files, 'Events', p, processor.iterative_executor)\n")
    write(repo / "runner.py", head + "ex = processor.FuturesExecutor(workers=4)\nrun = processor.Runner(executor=ex)\nout = run(files, 'Events', processor_instance=p)\n")
    write(repo / "runner_iterative.py", head + "run = processor.Runner(processor.IterativeExecutor())\nout = run(files, 'Events', processor_instance=p)\n")
    write(repo / "runner_made.py", head + "run = processor.Runner(executor=processor.FuturesExecutor())\n\nif __name__ == '__main__':\n    run(files, 'Events', processor_instance=p)\n")
    assert flagged(run_guardfix(repo, ".").stdout) == {
        "futures.py": [finding("futures.py", 3, 7, "processor.run_uproot_job")],
        "pre.py": [finding("pre.py", 3, 7, "processor.run_uproot_job")],
        "runner.py": [finding("runner.py", 5, 7, "run")],
    }
# --- scipy (absentH) ---
SCIPY_HEAD = """\
from scipy import integrate, optimize
from scipy.optimize import differential_evolution


def cost(x):
    return (x[0] - 1) ** 2


def fit(jobs):
    return differential_evolution(cost, [(-5, 5)], workers=jobs)


"""


@pytest.mark.parametrize(
    "call, found",
    [
        pytest.param("differential_evolution(cost, [(-5, 5)], workers=4)", "GF001 differential_evolution(...)", id="int"),
        pytest.param("optimize.brute(cost, ((-3, 3),), workers=-1)", "GF001 optimize.brute(...)", id="every-cpu"),
        pytest.param("optimize.shgo(cost, [(-5, 5)], workers=options.jobs)", "GF001 optimize.shgo(...)", id="not-literal"),
        pytest.param("integrate.quad_vec(abs, 0, 1, workers=2)", "GF001 integrate.quad_vec(...)", id="quad_vec"),
        pytest.param("fit(3)", "GF002 calls fit(...) → differential_evolution(...) at line 10", id="through-a-call"),
        pytest.param("differential_evolution(cost, [(-5, 5)])", None, id="default"),
        pytest.param("differential_evolution(cost, [(-5, 5)], workers=1)", None, id="one"),
        pytest.param("optimize.least_squares(cost, [0.0], workers=None)", None, id="none"),
        pytest.param("optimize.brute(cost, ((-3, 3),), workers=map)", None, id="builtin-map"),
        pytest.param("optimize.shgo(cost, [(-5, 5)], workers=executor.map)", None, id="pool-elsewhere"),
        pytest.param("fit(1)", None, id="through-a-call-one"),
    ],
)
def test_scipy_workers_known_by_name_unless_in_process(tmp_path: Path, call: str, found: str | None) -> None:
    """scipy not installed: a function that maps over a Pool when given an int workers=
    other than 1 is flagged by name; the default, 1, None, ``map`` and a map-like callable
    of a pool made elsewhere run in this process."""
    repo = tmp_path / "repo"
    write(repo / "pyproject.toml", "[project]\nname = 'fits'\n")
    write(repo / "fit.py", SCIPY_HEAD + f"result = {call}\n")
    done = run_guardfix(repo, "fit.py")
    line = SCIPY_HEAD.count("\n") + 1
    if found is None:
        assert flagged(done.stdout) == {}, done.stdout
    else:
        assert [f.split(": ", 1)[1] for f in flagged(done.stdout)["fit.py"]] == [f"{found}" + (
            " starts processes at module level, outside an `if __name__ == \"__main__\":` guard" if "GF001" in found else ""
        )]
        assert flagged(done.stdout)["fit.py"][0].startswith(f"fit.py:{line}:10: ")
# --- end scipy ---


# --- datasets (absentH) ---
DATASETS_HEAD = """\
import datasets
from datasets import Dataset, load_dataset


def double(example):
    return {"y": example["x"] * 2}


raw = load_dataset("json", data_files="train.jsonl")
table = Dataset.from_dict({"x": [1, 2, 3]})


"""


@pytest.mark.parametrize(
    "call, found",
    [
        pytest.param("raw.map(double, num_proc=4)", "raw.map(...)", id="loaded"),
        pytest.param("table.filter(bool, num_proc=options.workers)", "table.filter(...)", id="not-literal"),
        pytest.param("table.map(double, num_proc=1)", "table.map(...)", id="one-is-a-pool-since-5"),
        pytest.param(
            'datasets.load_from_disk("cache").map(double, num_proc=2)',
            "datasets.load_from_disk('cache').map(...)", id="chained",
        ),
        pytest.param("raw.map(double)", None, id="default"),
        pytest.param("raw.map(double, num_proc=None)", None, id="none"),
        pytest.param("table.filter(bool, num_proc=0)", None, id="zero"),
        pytest.param("sorted(table, key=len)", None, id="other-use"),
    ],
)
def test_datasets_map_known_by_name_with_num_proc(tmp_path: Path, call: str, found: str | None) -> None:
    """datasets not installed: ``.map`` / ``.filter`` with ``num_proc=`` of what
    ``load_dataset``, ``load_from_disk`` or ``Dataset.from_dict`` returns is flagged by name;
    without ``num_proc`` (or with None or 0) they run in this process."""
    repo = tmp_path / "repo"
    write(repo / "pyproject.toml", "[project]\nname = 'prep'\n")
    write(repo / "prep.py", DATASETS_HEAD + f"result = {call}\n")
    done = run_guardfix(repo, "prep.py")
    line = DATASETS_HEAD.count("\n") + 1
    if found is None:
        assert flagged(done.stdout) == {}, done.stdout
    else:
        assert flagged(done.stdout) == {"prep.py": [(
            f"prep.py:{line}:10: GF001 {found} starts processes at module level, outside an "
            '`if __name__ == "__main__":` guard'
        )]}


def test_datasets_known_by_name_only_when_not_installed(tmp_path: Path) -> None:
    """A project of its own named ``datasets`` (a common folder name) is present: its
    ``load_dataset(...).map(num_proc=...)`` is read, not taken by name."""
    repo = tmp_path / "repo"
    write(repo / "pyproject.toml", "[project]\nname = 'prep'\n")
    write(repo / "datasets" / "__init__.py", "def load_dataset(name):\n    return [name]\n")
    write(repo / "prep.py", "from datasets import load_dataset\n\nrows = load_dataset('x').map(len, num_proc=4)\n")
    assert flagged(run_guardfix(repo, "prep.py").stdout) == {}
# --- end datasets ---
# --- PyTorch Lightning (a block of its own) -----------------------------------------------------
LIGHTNING_SCRIPT = """\
from lightning.pytorch import LightningModule, Trainer
from torch.utils.data import DataLoader


class Model(LightningModule):
    def val_dataloader(self):
        return DataLoader(range(8), batch_size=2, num_workers={val})


trainer = Trainer(max_epochs=1)
trainer.fit(Model(), DataLoader(range(8), batch_size=2, num_workers={train}))
"""


def test_lightning_trainer_known_by_name_only_when_a_loader_with_workers_reaches_it(tmp_path: Path) -> None:
    """Checked without Lightning installed, Trainer.fit is known to iterate the loaders it
    is given (the model's val_dataloader() too): a loader with workers makes the module-level
    fit a GF002 finding, loaders without workers none.  With a Lightning installed in the
    project's environment, guardfix reads its Trainer instead: one whose fit iterates nothing
    is no finding."""
    repo = tmp_path / "repo"
    write(repo / "pyproject.toml", "[project]\nname = 'fit'\n")
    write(repo / "train.py", LIGHTNING_SCRIPT.format(val=0, train=2))
    write(repo / "validate.py", LIGHTNING_SCRIPT.format(val=3, train=0))
    write(repo / "serial.py", LIGHTNING_SCRIPT.format(val=0, train=0))
    absent = run_guardfix(repo, ".", "-v")
    assert flagged(absent.stdout) == {
        "train.py": ["train.py:11:1: GF002 calls trainer.fit(...) → iterating DataLoader(range(8), batch_size=2, "
                     "num_workers=2) at line 11"],
        "validate.py": ["validate.py:11:1: GF002 calls trainer.fit(...) → iterating Model().val_dataloader() at line 6"],
    }
    assert "not installed, so known by name: lightning.pytorch.Trainer.fit" in absent.stderr
    make_venv_dir(repo / ".venv", {
        "lightning/__init__.py": "",
        "lightning/pytorch/__init__.py": "from lightning.pytorch.trainer import Trainer\n\n\nclass LightningModule:\n    pass\n",
        "lightning/pytorch/trainer.py": "class Trainer:\n    def __init__(self, **options):\n        self.options = options\n\n"
                                        "    def fit(self, model, loader=None):\n        return model\n",
    })
    installed = run_guardfix(repo, ".", "-v")
    assert flagged(installed.stdout) == {}
    assert "known by name: lightning." not in installed.stderr
    site = repo / ".venv" / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"
    write(site / "lightning/pytorch/trainer.py",
          "class Trainer:\n    def fit(self, model, loader=None):\n        for batch in loader:\n            pass\n")
    iterating = flagged(run_guardfix(repo, ".").stdout)
    assert list(iterating) == ["train.py"] and iterating["train.py"][0].endswith("lightning/pytorch/trainer.py:3)")
# --- end of PyTorch Lightning ---------------------------------------------------------------------


# --- Hugging Face transformers (a block of its own) ---------------------------------------------
HF_SCRIPT = """\
from transformers import Trainer, TrainingArguments

args = TrainingArguments(output_dir="out", {workers})
trainer = Trainer(model=None, args=args)
trainer.train()
"""


def test_transformers_trainer_known_by_name_only_with_dataloader_workers(tmp_path: Path) -> None:
    """Checked without transformers installed, ``trainer.train()`` is a finding only when
    the Trainer's TrainingArguments ask for loader workers (positive, or only known at run
    time); 0, the default, or a fork context is none."""
    repo = tmp_path / "repo"
    write(repo / "pyproject.toml", "[project]\nname = 'tune'\n")
    write(repo / "workers.py", HF_SCRIPT.format(workers="dataloader_num_workers=4"))
    write(repo / "counted.py", "import os\n" + HF_SCRIPT.format(workers="dataloader_num_workers=os.cpu_count()"))
    write(repo / "serial.py", HF_SCRIPT.format(workers="dataloader_num_workers=0"))
    write(repo / "default.py", HF_SCRIPT.format(workers="max_steps=2"))
    write(repo / "forked.py", HF_SCRIPT.format(workers="dataloader_num_workers=4, dataloader_multiprocessing_context='fork'"))
    absent = run_guardfix(repo, ".", "-v")
    assert flagged(absent.stdout) == {
        "counted.py": ['counted.py:6:1: GF001 trainer.train() starts processes at module level, outside an '
                       '`if __name__ == "__main__":` guard'],
        "workers.py": ['workers.py:5:1: GF001 trainer.train() starts processes at module level, outside an '
                       '`if __name__ == "__main__":` guard'],
    }
    assert "not installed, so known by name: transformers.Trainer.train" in absent.stderr
# --- end of Hugging Face transformers -------------------------------------------------------------
