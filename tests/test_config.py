"""fixer.config: finding pyproject.toml, reading [tool.guardfix], naming the key at fault."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fixer.config import KEYS, ConfigError, find_config, load_config


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


FULL = """\
    [project]
    name = "demo"

    [tool.guardfix]
    exclude = ["generated/"]
    extend-exclude = ["legacy/*.py"]
    style = "inline"
    main-name = "run"
    unsafe-fixes = true
    select = ["gf0", "GF101"]
    ignore = ["GF104"]
    extra-spawners = ["mypkg.parallel.run_all"]
    jobs = 4
    cache-dir = ".cache/guardfix"
"""


def test_every_key_is_read_and_keyed_by_its_parameter(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "pyproject.toml", FULL))
    assert config.path == tmp_path / "pyproject.toml"
    assert config.root == tmp_path
    assert config.values == {
        "exclude": ["generated/"],
        "extend_exclude": ["legacy/*.py"],
        "style": "inline",
        "main_name": "run",
        "unsafe_fixes": True,
        "select": ["GF0", "GF101"],
        "ignore": ["GF104"],
        "extra_spawner": ["mypkg.parallel.run_all"],
        "jobs": 4,
        "cache_dir": str(tmp_path / ".cache" / "guardfix"),
    }


def test_the_key_table_covers_the_documented_keys() -> None:
    assert sorted(KEYS) == sorted(
        ["exclude", "extend-exclude", "respect-gitignore", "style", "main-name", "unsafe-fixes", "select",
         "ignore", "extra-spawners", "jobs", "cache-dir", "src", "python"]
    )


def test_src_folders_and_python_are_read_relative_to_the_file(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path / "pyproject.toml", '[tool.guardfix]\nsrc = ["lib", "/opt/shared"]\npython = ".venv/bin/python"\n')
    )
    assert config.values == {
        "src": [str(tmp_path / "lib"), "/opt/shared"],
        "python": str(tmp_path / ".venv" / "bin" / "python"),
    }
    assert load_config(write(tmp_path / "pyproject.toml", '[tool.guardfix]\npython = "python3.12"\n')).values == {
        "python": "python3.12"  # a command name is looked up on PATH, as on the command line
    }


def test_an_absolute_cache_dir_is_kept(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "pyproject.toml", '[tool.guardfix]\ncache-dir = "/var/cache/gf"\n'))
    assert config.values == {"cache_dir": "/var/cache/gf"}


def test_an_empty_table_sets_nothing(tmp_path: Path) -> None:
    assert load_config(write(tmp_path / "pyproject.toml", "[tool.guardfix]\n")).values == {}


BAD = [
    pytest.param('src = "lib"', "src", "must be a list of strings, not a string ('lib')", id="src-not-a-list"),
    pytest.param('src = [""]', "src", "holds an empty folder name", id="src-empty"),
    pytest.param('python = 3', "python", "must be a path to an interpreter or an environment, not a number (3)", id="python-number"),
    pytest.param('unsafe_fixes = true', "unsafe_fixes", "unknown key (did you mean 'unsafe-fixes'?)", id="unknown-key-suggests"),
    pytest.param('colour = "red"', "colour", "unknown key; known keys: exclude, extend-exclude", id="unknown-key"),
    pytest.param('style = "fancy"', "style", 'must be "main" or "inline", not a string (\'fancy\')', id="bad-style"),
    pytest.param('style = 1', "style", 'must be "main" or "inline", not a number (1)', id="style-number"),
    pytest.param('main-name = "class"', "main-name", "must be a valid Python function name", id="keyword-main-name"),
    pytest.param('main-name = "1abc"', "main-name", "must be a valid Python function name", id="bad-main-name"),
    pytest.param('unsafe-fixes = "yes"', "unsafe-fixes", "must be true or false, not a string ('yes')", id="flag-string"),
    pytest.param('select = "GF001"', "select", "must be a list of strings, not a string ('GF001')", id="select-string"),
    pytest.param('ignore = ["GF001", 2]', "ignore", "must be a list of strings, not a list", id="ignore-mixed"),
    pytest.param('select = ["E501"]', "select", "'E501' is not a finding code or code prefix", id="select-foreign-code"),
    pytest.param('extra-spawners = ["run"]', "extra-spawners", "'run' is not a dotted name", id="spawner-not-dotted"),
    pytest.param('exclude = "build"', "exclude", "must be a list of strings", id="exclude-string"),
    pytest.param('extend-exclude = [""]', "extend-exclude", "holds an empty pattern", id="empty-pattern"),
    pytest.param('jobs = 0', "jobs", "must be a whole number of at least 1, not a number (0)", id="jobs-zero"),
    pytest.param('jobs = true', "jobs", "must be a whole number of at least 1, not a boolean (True)", id="jobs-bool"),
    pytest.param('jobs = 2.5', "jobs", "must be a whole number of at least 1, not a number (2.5)", id="jobs-float"),
    pytest.param('cache-dir = 3', "cache-dir", "must be a folder path as a string", id="cache-dir-number"),
]


@pytest.mark.parametrize(("line", "key", "message"), BAD)
def test_bad_values_name_the_file_and_the_key(tmp_path: Path, line: str, key: str, message: str) -> None:
    path = write(tmp_path / "pyproject.toml", f"[tool.guardfix]\n{line}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == key
    assert caught.value.path == path
    assert str(caught.value).startswith(f"{path}: [tool.guardfix] {key}: {message}")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("[tool.guardfix\n", "invalid TOML: ", id="invalid-toml"),
        pytest.param("[tool.black]\nline-length = 99\n", "no [tool.guardfix] table", id="no-table"),
        pytest.param("[tool]\nguardfix = 3\n", "tool.guardfix must be a table, not a number (3)", id="not-a-table"),
    ],
)
def test_unusable_files_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "pyproject.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key is None
    assert str(caught.value).startswith(f"{path}: {message}")


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"missing\.toml: cannot read: "):
        load_config(tmp_path / "missing.toml")


# ----- finding the file -------------------------------------------------------------------
def test_found_by_walking_up_from_the_paths(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", "[tool.guardfix]\n")
    write(tmp_path / "src" / "app" / "a.py", "")
    write(tmp_path / "src" / "b.py", "")
    assert find_config([tmp_path / "src" / "app" / "a.py", tmp_path / "src" / "b.py"]) == config
    assert find_config([tmp_path / "src" / "app"]) == config


def test_a_pyproject_without_the_table_is_passed_over(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", '[tool.guardfix]\nstyle = "inline"\n')
    write(tmp_path / "sub" / "pyproject.toml", "[project]\nname = 'sub'\n")
    write(tmp_path / "sub" / "x.py", "")
    assert find_config([tmp_path / "sub" / "x.py"]) == config


def test_the_nearest_table_wins(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.guardfix]\n")
    inner = write(tmp_path / "sub" / "pyproject.toml", "[tool.guardfix]\njobs = 2\n")
    assert find_config([tmp_path / "sub"]) == inner


def test_the_common_folder_of_all_paths_is_the_start(tmp_path: Path) -> None:
    outer = write(tmp_path / "pyproject.toml", "[tool.guardfix]\n")
    write(tmp_path / "a" / "pyproject.toml", "[tool.guardfix]\njobs = 2\n")
    write(tmp_path / "a" / "x.py", "")
    write(tmp_path / "b" / "y.py", "")
    assert find_config([tmp_path / "a" / "x.py", tmp_path / "b" / "y.py"]) == outer


def test_the_walk_stops_at_a_repository_root(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.guardfix]\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    write(tmp_path / "repo" / "x.py", "")
    assert find_config([tmp_path / "repo" / "x.py"]) is None
    inside = write(tmp_path / "repo" / "pyproject.toml", "[tool.guardfix]\n")
    assert find_config([tmp_path / "repo" / "x.py"]) == inside


def test_without_paths_the_start_folder_is_used(tmp_path: Path) -> None:
    config = write(tmp_path / "pyproject.toml", "[tool.guardfix]\n")
    (tmp_path / "deep").mkdir()
    assert find_config([], start=tmp_path / "deep") == config


def test_a_broken_pyproject_on_the_way_is_reported(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.guardfix\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        find_config([tmp_path])


# ----- through the command line -----------------------------------------------------------
from click.testing import CliRunner  # noqa: E402

from fixer.cli import cli  # noqa: E402
from test_cli import POOL_FIXED, POOL_SCRIPT, UNSAFE_SCRIPT  # noqa: E402


def invoke(args: list[str]):
    return CliRunner().invoke(cli, args)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "job.py").write_text(POOL_SCRIPT)
    monkeypatch.chdir(tmp_path / "src")
    return tmp_path


def test_config_values_are_used(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.guardfix]\nstyle = "inline"\n')
    result = invoke(["--write", "job.py"])
    assert result.exit_code == 0, result.output
    assert (project / "src" / "job.py").read_text().endswith(
        'if __name__ == "__main__":\n    with Pool(2) as pool:\n        print(pool.map(square, range(4)))\n'
    )


def test_command_line_overrides_config(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.guardfix]\nstyle = "inline"\nmain-name = "run"\n')
    result = invoke(["--write", "--style", "main", "--main-name", "main", "job.py"])
    assert result.exit_code == 0, result.output
    assert (project / "src" / "job.py").read_text() == POOL_FIXED


def test_unsafe_fixes_from_config_and_turned_off_again(project: Path) -> None:
    (project / "src" / "job.py").write_text(UNSAFE_SCRIPT)
    write(project / "pyproject.toml", "[tool.guardfix]\nunsafe-fixes = true\n")
    off = invoke(["--write", "--no-unsafe-fixes", "job.py"])
    assert off.exit_code == 1
    assert (project / "src" / "job.py").read_text() == UNSAFE_SCRIPT
    on = invoke(["--write", "job.py"])
    assert on.exit_code == 0
    assert "def main():" in (project / "src" / "job.py").read_text()


def test_select_and_extra_spawners_from_config(project: Path) -> None:
    (project / "src" / "job.py").write_text("from mylib import run\n\nrun()\n")
    write(project / "pyproject.toml", '[tool.guardfix]\nextra-spawners = ["mylib.run"]\n')
    result = invoke(["--check", "job.py"])
    assert result.exit_code == 1
    assert result.stdout.startswith("job.py:3:1: GF001 run() starts processes")
    write(project / "pyproject.toml", '[tool.guardfix]\nextra-spawners = ["mylib.run"]\nignore = ["GF0"]\n')
    assert invoke(["--check", "job.py"]).exit_code == 0


def test_excludes_from_config_are_relative_to_its_folder(project: Path) -> None:
    (project / "src" / "gen").mkdir()
    (project / "src" / "gen" / "made.py").write_text(POOL_SCRIPT)
    write(project / "pyproject.toml", '[tool.guardfix]\nextend-exclude = ["/src/gen/"]\n')
    result = invoke(["--check", "."])
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["job.py"]
    # A named file is still processed, unless --force-exclude.
    assert invoke(["--check", "gen/made.py"]).exit_code == 1
    forced = invoke(["--check", "--force-exclude", "gen/made.py"])
    assert (forced.exit_code, forced.stdout) == (0, "")


def test_gitignore_is_honoured_on_the_command_line(project: Path) -> None:
    (project / "src" / "scratch.py").write_text(POOL_SCRIPT)
    (project / ".gitignore").write_text("scratch.py\n")
    result = invoke(["--check", "."])
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["job.py"]


def test_explicit_config_file(project: Path) -> None:
    write(project / "ci" / "guardfix.toml", '[tool.guardfix]\nstyle = "inline"\n')
    write(project / "pyproject.toml", '[tool.guardfix]\nmain-name = "run"\n')
    result = invoke(["--diff", "--config", str(project / "ci" / "guardfix.toml"), "job.py"])
    assert result.exit_code == 1
    assert '+if __name__ == "__main__":\n+    with Pool(2) as pool:' in result.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("[tool.guardfix]\nlinelength = 3\n", "[tool.guardfix] linelength: unknown key", id="unknown"),
        pytest.param('[tool.guardfix]\nselect = "GF1"\n', "[tool.guardfix] select: must be a list of strings", id="type"),
        pytest.param("[tool.guardfix\n", "invalid TOML", id="toml"),
    ],
)
def test_config_errors_exit_2_naming_file_and_key(project: Path, text: str, message: str) -> None:
    write(project / "pyproject.toml", text)
    result = invoke(["--check", "job.py"])
    assert result.exit_code == 2
    assert f"Error: {project / 'pyproject.toml'}: " in result.stderr
    assert message in result.stderr
    assert result.stdout == ""


def test_config_next_to_the_paths_not_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "other" / "pyproject.toml", "[tool.guardfix]\nbogus = 1\n")
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / ".git").mkdir()
    (tmp_path / "proj" / "job.py").write_text(POOL_SCRIPT)
    monkeypatch.chdir(tmp_path / "other")
    result = invoke(["--check", str(tmp_path / "proj" / "job.py")])
    assert result.exit_code == 1  # the broken file in the current folder is not read


# ----- every key reaches its command-line parameter ------------------------------------------
CONFIG_VALUES = {
    "exclude": ('["gen/"]', ("gen/",)),
    "extend-exclude": ('["old/"]', ("old/",)),
    "respect-gitignore": ("false", False),
    "style": ('"inline"', "inline"),
    "main-name": ('"run"', "run"),
    "unsafe-fixes": ("true", True),
    "select": ('["GF0"]', ("GF0",)),
    "ignore": ('["GF104"]', ("GF104",)),
    "extra-spawners": ('["mylib.run"]', ("mylib.run",)),
    "jobs": ("3", 3),
}


@pytest.mark.parametrize("key", sorted(KEYS))
def test_each_key_sets_its_parameter(project: Path, key: str) -> None:
    param = KEYS[key][0]
    assert param in {p.name for p in cli.params}, f"{key} maps to {param}, which guardfix does not have"
    relative = {  # keys whose values are read relative to the file's folder
        "cache-dir": ('"cache"', str(project / "cache")),
        "src": ('["lib"]', (project / "lib",)),
        "python": ('"env/bin/python"', str(project / "env" / "bin" / "python")),
    }
    toml, expected = CONFIG_VALUES.get(key) or relative[key]
    (project / "lib").mkdir(exist_ok=True)
    write(project / "pyproject.toml", f"[tool.guardfix]\n{key} = {toml}\n")
    with cli.make_context("guardfix", ["--check", "job.py"]) as ctx:
        value = ctx.params[param]
    assert (tuple(value) if isinstance(value, (list, tuple)) else str(value) if key == "cache-dir" else value) == expected


def test_command_line_jobs_and_cache_dir_override_the_file(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.guardfix]\njobs = 3\ncache-dir = "cache"\n')
    with cli.make_context("guardfix", ["--check", "--jobs", "1", "--cache-dir", "/tmp/elsewhere", "job.py"]) as ctx:
        assert (ctx.params["jobs"], ctx.params["cache_dir"]) == (1, Path("/tmp/elsewhere"))
    with cli.make_context("guardfix", ["--check", "job.py"]) as ctx:
        assert (ctx.params["jobs"], ctx.params["cache_dir"]) == (3, project / "cache")
