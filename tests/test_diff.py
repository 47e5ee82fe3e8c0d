"""fixer.diff: unified diffs in the file's own bytes that git apply and patch -p1 accept."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from textwrap import dedent

import pytest

from fixer.diff import make_diff, split_lines
from fixer.pipeline import process_source

DIFFS = [
    pytest.param(
        b"a\nb\nc\n",
        b"a\nB\nc\n",
        b"--- a/p.py\n+++ b/p.py\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n",
        id="one-line-changed",
    ),
    pytest.param(
        b"a\nb\n",
        b"a\nc",
        b"--- a/p.py\n+++ b/p.py\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n",
        id="new-lacks-final-newline",
    ),
    pytest.param(
        b"a",
        b"b",
        b"--- a/p.py\n+++ b/p.py\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n",
        id="both-lack-final-newline",
    ),
    pytest.param(
        b"a\r\nb\r\n",
        b"a\r\nc\r\n",
        b"--- a/p.py\n+++ b/p.py\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n",
        id="crlf-lines-preserved",
    ),
    pytest.param(
        b"a\x0cb\nc\n",
        b"a\x0cb\nd\n",
        b"--- a/p.py\n+++ b/p.py\n@@ -1,2 +1,2 @@\n a\x0cb\n-c\n+d\n",
        id="form-feed-does-not-split",
    ),
    pytest.param(
        b"x = '\xe9'\n",
        b"x = '\xe9'\ny = 1\n",
        b"--- a/p.py\n+++ b/p.py\n@@ -1 +1,2 @@\n x = '\xe9'\n+y = 1\n",
        id="bytes-of-another-encoding-survive",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), DIFFS)
def test_make_diff(old: bytes, new: bytes, expected: bytes) -> None:
    assert make_diff(old, new, "p.py") == expected


def test_make_diff_headers_use_the_path() -> None:
    diff = make_diff(b"a\n", b"b\n", "sub/dir/script.py")
    assert diff.splitlines()[:2] == [b"--- a/sub/dir/script.py", b"+++ b/sub/dir/script.py"]


@pytest.mark.parametrize("data", [b"", b"a\n", b"a\r\nb", b"\x0c\n"])
def test_make_diff_is_empty_when_equal(data: bytes) -> None:
    assert make_diff(data, data, "p.py") == b""


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        pytest.param("a\nb", ["a\n", "b"], id="lf"),
        pytest.param("a\r\nb\r\n", ["a\r\n", "b\r\n"], id="crlf"),
        pytest.param("a\rb\r", ["a\r", "b\r"], id="cr"),
        pytest.param("a\x0cb\x0bc\x1cd\u2028e\n", ["a\x0cb\x0bc\x1cd\u2028e\n"], id="only-real-newlines-split"),
        pytest.param("", [], id="empty"),
    ],
)
def test_split_lines(text: str, lines: list) -> None:
    assert split_lines(text) == lines


# ----- the diff applies -------------------------------------------------------------------------

SCRIPT = dedent(
    """\
    from multiprocessing import Pool


    def square(x):
        return x * x


    with Pool(2) as pool:
        print(pool.map(square, range(4)))
    """
).encode()

APPLY_CASES = [
    pytest.param(b"a\nb\nc\n", b"a\nB\nc\n", id="plain"),
    pytest.param(b"a\nb\n", b"a\nc", id="no-final-newline"),
    pytest.param(b"a\r\nb\r\nc\r\n", b"a\r\nB\r\nc\r\n", id="crlf"),
    pytest.param(b"a\x0cb\nc\n", b"a\x0cb\nd\n", id="form-feed"),
    pytest.param(SCRIPT, None, id="guardfix-rewrite"),
    pytest.param(SCRIPT.replace(b"\n", b"\r\n"), None, id="guardfix-rewrite-crlf"),
]


def _new_for(old: bytes, new: bytes | None) -> bytes:
    if new is not None:
        return new
    result = process_source(old, "script.py")
    assert result.new_source is not None, result.reason
    return result.new_source


def _clean_env(tmp_path: Path) -> dict:
    env = dict(os.environ)
    env.update(HOME=str(tmp_path), GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C")
    return env


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
@pytest.mark.parametrize(("old", "new"), APPLY_CASES)
def test_git_apply_accepts_the_diff(tmp_path: Path, old: bytes, new: bytes | None) -> None:
    new = _new_for(old, new)
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    env = _clean_env(tmp_path)
    subprocess.run(["git", "init", "-q", str(repo)], check=True, env=env)
    target = repo / "src" / "script.py"
    target.write_bytes(old)
    diff = make_diff(old, new, "src/script.py")
    proc = subprocess.run(
        ["git", "-c", "core.autocrlf=false", "apply", "-"],
        cwd=repo, input=diff, capture_output=True, env=env,
    )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")
    assert target.read_bytes() == new


@pytest.mark.skipif(shutil.which("patch") is None, reason="patch is not installed")
@pytest.mark.parametrize(("old", "new"), APPLY_CASES)
def test_patch_p1_accepts_the_diff(tmp_path: Path, old: bytes, new: bytes | None) -> None:
    new = _new_for(old, new)
    (tmp_path / "src").mkdir()
    target = tmp_path / "src" / "script.py"
    target.write_bytes(old)
    diff = make_diff(old, new, "src/script.py")
    proc = subprocess.run(
        ["patch", "-p1", "--batch", "--no-backup-if-mismatch"],
        cwd=tmp_path, input=diff, capture_output=True, env=_clean_env(tmp_path),
    )
    assert proc.returncode == 0, (proc.stdout + proc.stderr).decode(errors="replace")
    assert target.read_bytes() == new
    assert sorted(p.name for p in target.parent.iterdir()) == ["script.py"]
