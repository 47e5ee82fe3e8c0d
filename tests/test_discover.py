"""fixer.discover: which files a run looks at, in which order, each once."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from fixer.discover import Excludes, discover, find_scripts


def make(root: Path, files: dict) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def displays(paths: list[Path]) -> list[str]:
    return [c.display for c in find_scripts(paths)]


@pytest.fixture(autouse=True)
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Relative paths, as a user types them (find_scripts shows paths as given)."""
    monkeypatch.chdir(tmp_path)


WALK = [
    pytest.param({"a.py": b"x = 1\n", "pkg/b.py": b""}, ["proj/a.py", "proj/pkg/b.py"], id="py-files"),
    pytest.param(
        {"run": b"#!/usr/bin/env python3\nprint(1)\n", "tool": b"#!/usr/bin/python\n"},
        ["proj/run", "proj/tool"],
        id="extensionless-python-shebang",
    ),
    pytest.param(
        {"run.sh": b"#!/usr/bin/env python3\n", "deploy": b"#!/bin/sh\necho\n", "README": b"python\n",
         "empty": b""},
        [],
        id="not-python",
    ),
    pytest.param(
        {
            f"{folder}/x.py": b""
            for folder in (".git", "venv", ".venv", "__pycache__", "build", "dist", "node_modules", ".tox")
        },
        [],
        id="excluded-folders",
    ),
    pytest.param(
        {"src/build/x.py": b"", "src/keep.py": b""},
        ["proj/src/keep.py"],
        id="excluded-folder-at-any-depth",
    ),
    pytest.param(
        {"env/pyvenv.cfg": b"home = /usr\n", "env/lib/x.py": b"", "app.py": b""},
        ["proj/app.py"],
        id="folder-with-pyvenv-cfg",
    ),
    pytest.param(
        {"z.py": b"", "b/a.py": b"", "a.py": b"", "B.py": b"", "a_b.py": b""},
        ["proj/B.py", "proj/a.py", "proj/a_b.py", "proj/b/a.py", "proj/z.py"],
        id="sorted-by-displayed-path",
    ),
]


@pytest.mark.parametrize(("files", "expected"), WALK)
def test_walk(tmp_path: Path, files: dict, expected: list) -> None:
    make(tmp_path / "proj", files)
    assert displays([Path("proj")]) == expected


def test_explicit_files_are_always_included(tmp_path: Path) -> None:
    make(tmp_path, {"notes.txt": b"hello\n", "build/gen.py": b"", "venv/bin/tool": b"#!/bin/sh\n"})
    paths = [Path("venv/bin/tool"), Path("notes.txt"), Path("build/gen.py")]
    assert displays(paths) == ["build/gen.py", "notes.txt", "venv/bin/tool"]


def test_missing_explicit_file_is_listed(tmp_path: Path) -> None:
    # Reading it later reports the error; discovery must not drop it silently.
    assert displays([Path("missing.py")]) == ["missing.py"]


def test_file_named_twice_is_listed_once(tmp_path: Path) -> None:
    make(tmp_path, {"proj/a.py": b"", "proj/b.py": b""})
    paths = [Path("proj/a.py"), Path("proj"), Path("proj/a.py"), Path("./proj/a.py")]
    assert displays(paths) == ["proj/a.py", "proj/b.py"]


def test_file_reached_through_symlink_is_listed_once(tmp_path: Path) -> None:
    make(tmp_path, {"proj/a.py": b""})
    (tmp_path / "proj" / "link.py").symlink_to("a.py")
    found = displays([Path("proj")])
    assert len(found) == 1
    assert found[0] in ("proj/a.py", "proj/link.py")


def test_symlinked_folder_is_not_walked_twice(tmp_path: Path) -> None:
    make(tmp_path, {"proj/pkg/a.py": b""})
    (tmp_path / "proj" / "alias").symlink_to("pkg", target_is_directory=True)
    assert displays([Path("proj")]) == ["proj/pkg/a.py"]


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    make(tmp_path, {"proj/sub/a.py": b""})
    (tmp_path / "proj" / "sub" / "loop").symlink_to("..", target_is_directory=True)
    (tmp_path / "proj" / "self").symlink_to(".", target_is_directory=True)
    found: list = []
    walker = threading.Thread(target=lambda: found.append(displays([Path("proj")])), daemon=True)
    walker.start()
    walker.join(timeout=5)
    assert not walker.is_alive(), "find_scripts is still walking a symlink loop after 5 s"
    assert found == [["proj/sub/a.py"]]


def test_dangling_symlink_is_listed(tmp_path: Path) -> None:
    make(tmp_path, {"proj/a.py": b""})
    (tmp_path / "proj" / "gone.py").symlink_to("nowhere.py")
    assert displays([Path("proj")]) == ["proj/a.py", "proj/gone.py"]


def test_candidate_path_points_at_the_file(tmp_path: Path) -> None:
    make(tmp_path, {"proj/a.py": b"x = 1\n"})
    [candidate] = find_scripts([tmp_path / "proj"])
    assert candidate.path.read_bytes() == b"x = 1\n"
    assert candidate.display == (tmp_path / "proj" / "a.py").as_posix()


# ----- issue 5: .gitignore, exclude patterns, --force-exclude -----------------------------
from fixer.discover import Excludes  # noqa: E402


def test_gitignore_in_a_repository_is_honoured(tmp_path: Path) -> None:
    make(tmp_path, {
        "repo/.gitignore": b"generated/\n*_pb2.py\n!keep_pb2.py\n",
        "repo/src/.gitignore": b"/local.py\n",
        "repo/.git/info/exclude": b"scratch.py\n",
        "repo/app.py": b"", "repo/generated/x.py": b"", "repo/src/api_pb2.py": b"",
        "repo/src/keep_pb2.py": b"", "repo/src/local.py": b"", "repo/src/sub/local.py": b"",
        "repo/scratch.py": b"",
    })
    (tmp_path / "repo" / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    assert displays([Path("repo")]) == ["repo/app.py", "repo/src/keep_pb2.py", "repo/src/sub/local.py"]
    # Walking a subfolder still applies the repository root's .gitignore.
    assert displays([Path("repo/src")]) == ["repo/src/keep_pb2.py", "repo/src/sub/local.py"]


def test_gitignore_without_a_repository_counts_from_the_walked_folder(tmp_path: Path) -> None:
    make(tmp_path, {"proj/.gitignore": b"out/\n", "proj/out/a.py": b"", "proj/b.py": b""})
    assert displays([Path("proj")]) == ["proj/b.py"]


def test_gitignore_can_be_turned_off(tmp_path: Path) -> None:
    make(tmp_path, {"proj/.gitignore": b"*.py\n", "proj/a.py": b""})
    assert displays([Path("proj")]) == []
    assert [c.display for c in find_scripts([Path("proj")], Excludes(gitignore=False))] == ["proj/a.py"]


def test_exclude_patterns_are_relative_to_their_root(tmp_path: Path) -> None:
    make(tmp_path, {"proj/legacy/old.py": b"", "proj/src/legacy/new.py": b"", "proj/app.py": b"",
                    "proj/build/gen.py": b""})
    excludes = Excludes.from_settings(extend_exclude=("/legacy/",), root=tmp_path / "proj")
    found = [c.display for c in find_scripts([Path("proj")], excludes)]
    assert found == ["proj/app.py", "proj/src/legacy/new.py"]


def test_exclude_replaces_the_built_in_folder_names(tmp_path: Path) -> None:
    make(tmp_path, {"proj/build/gen.py": b"", "proj/tests/t.py": b"", "proj/env/pyvenv.cfg": b"",
                    "proj/env/x.py": b""})
    excludes = Excludes.from_settings(exclude=["tests/"], root=tmp_path / "proj")
    # build/ is walked now; virtualenvs are still pruned.
    assert [c.display for c in find_scripts([Path("proj")], excludes)] == ["proj/build/gen.py"]


def test_named_files_are_excluded_only_with_force(tmp_path: Path) -> None:
    make(tmp_path, {"proj/.gitignore": b"ignored.py\n", "proj/ignored.py": b"", "proj/gen/x.py": b"",
                    "proj/build/y.py": b"", "proj/ok.py": b""})
    named = [Path("proj/ignored.py"), Path("proj/gen/x.py"), Path("proj/build/y.py"), Path("proj/ok.py")]
    loose = Excludes.from_settings(extend_exclude=("gen/",), root=tmp_path / "proj")
    assert [c.display for c in find_scripts(named, loose)] == [
        "proj/build/y.py", "proj/gen/x.py", "proj/ignored.py", "proj/ok.py"
    ]
    forced = Excludes.from_settings(extend_exclude=("gen/",), root=tmp_path / "proj", force=True)
    assert [c.display for c in find_scripts(named, forced)] == ["proj/ok.py"]


def test_an_edited_gitignore_counts_in_the_next_run(tmp_path: Path) -> None:
    make(tmp_path, {"proj/.gitignore": b"a.py\n", "proj/a.py": b"", "proj/b.py": b""})
    assert displays([Path("proj")]) == ["proj/b.py"]
    (tmp_path / "proj" / ".gitignore").write_text("b.py\n")
    assert displays([Path("proj")]) == ["proj/a.py"]


def _ignored_tree(tmp_path: Path) -> Path:
    import subprocess

    root = tmp_path / "pyenv"
    (root / "versions" / "lib").mkdir(parents=True)
    (root / "other").mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".gitignore").write_text("/versions\nother/skip_*.py\n")
    for name in ("versions/lib/a.py", "other/skip_me.py", "other/keep.py"):
        (root / name).write_text("print(1)\n")
    return root


def test_a_named_folder_is_walked_even_when_an_ignore_file_above_ignores_it(tmp_path: Path) -> None:
    # pyenv's checkout ignores /versions, where the interpreters' standard libraries live.
    root = _ignored_tree(tmp_path)
    found = discover([root / "versions" / "lib"], Excludes())
    assert [c.path.name for c in found.candidates] == ["a.py"]
    assert found.gitignored == 0


def test_what_ignore_files_leave_out_is_counted_with_the_file(tmp_path: Path) -> None:
    root = _ignored_tree(tmp_path)
    found = discover([root], Excludes())
    assert [c.path.name for c in found.candidates] == ["keep.py"]
    assert (found.gitignored, found.ignore_files) == (2, (str(root / ".gitignore"),))
    everything = discover([root], Excludes(gitignore=False))
    assert sorted(c.path.name for c in everything.candidates) == ["a.py", "keep.py", "skip_me.py"]
    assert everything.gitignored == 0
