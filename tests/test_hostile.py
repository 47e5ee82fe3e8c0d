"""Hostile and odd input, in one place: each case has a named error (or a correct fix), the
documented exit code, and nothing lost.

Unit-level pieces live next to their modules (decoding in test_source.py, walking in
test_discover.py); here every case goes through the command as a user runs it.  Tests run
as root on CI, and root ignores permission bits, so the permission cases run guardfix as an
unprivileged user (``setpriv``), which makes the operating system really refuse.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import fixer.pipeline
from fixer.cli import cli

POOL = b"from multiprocessing import Pool\n\nwith Pool(2) as pool:\n    print(pool.map(abs, [-1, 2]))\n"
POOL_FIXED = (
    b"from multiprocessing import Pool\n\n\ndef main():\n    global pool\n    with Pool(2) as pool:\n"
    b"        print(pool.map(abs, [-1, 2]))\n\n\nif __name__ == \"__main__\":\n    main()\n"
)
NOBODY = 65534


def run(*args: str):
    return CliRunner().invoke(cli, ["--no-cache", *args])


def tree_bytes(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def compiles(data: bytes) -> bool:
    compile(data, "<rewrite>", "exec", dont_inherit=True)
    return True


# ----- input that cannot be parsed: exit 123, named, untouched -------------------------------
UNPARSABLE = [
    pytest.param(POOL + b'print "python 2"\n', "cannot parse: line 5", id="python2"),
    pytest.param(POOL + b"def broken(:\n    pass\n", "cannot parse: line 5", id="syntax-error"),
    pytest.param(POOL.replace(b"[-1, 2]", b"[-1, 2]  # caf\xe9"), "line 4: bytes are not valid utf-8", id="latin1-without-cookie"),
    pytest.param(POOL + b"\x00\x01\x02\xff\xfe", "line 5: bytes are not valid utf-8", id="binary-mentioning-pool"),
    pytest.param(POOL + b"\x00\x01\x02", "the file contains NUL bytes", id="nul-bytes-mentioning-pool"),
]


@pytest.mark.parametrize(("data", "message"), UNPARSABLE)
def test_unparsable_input_is_named_and_untouched(tmp_path: Path, data: bytes, message: str) -> None:
    (tmp_path / "bad.py").write_bytes(data)
    (tmp_path / "good.py").write_bytes(POOL)
    result = run("--write", str(tmp_path))
    assert result.exit_code == 123
    assert f"error: {(tmp_path / 'bad.py').as_posix()}: {message}" in result.stderr
    assert "internal error" not in result.stderr
    assert (tmp_path / "bad.py").read_bytes() == data
    assert (tmp_path / "good.py").read_bytes() == POOL_FIXED  # the batch goes on


def test_binary_file_without_process_api_is_skipped(tmp_path: Path) -> None:
    data = bytes(range(256)) * 4
    (tmp_path / "blob.py").write_bytes(data)
    result = run("--write", str(tmp_path))
    assert result.exit_code == 0
    assert (tmp_path / "blob.py").read_bytes() == data


def test_empty_file_is_clean_and_stays_empty(tmp_path: Path) -> None:
    (tmp_path / "empty.py").write_bytes(b"")
    result = run("--write", "-v", str(tmp_path))
    assert result.exit_code == 0
    assert "empty.py" in result.stderr
    assert (tmp_path / "empty.py").read_bytes() == b""


# ----- odd but valid bytes: fixed, and every byte outside the moved code kept ---------------
def variant(newline: bytes = b"\n", indent: bytes = b"    ", head: bytes = b"", extra: bytes = b"") -> bytes:
    body = POOL.replace(b"    ", indent) + extra
    return head + body.replace(b"\n", newline)


ODD = [
    pytest.param(b"# -*- coding: latin-1 -*-\n" + POOL.replace(b"[-1, 2]", b"['\xe9']"), "latin-1", id="latin1-cookie"),
    pytest.param(b"\xef\xbb\xbf" + POOL, "bom", id="utf8-bom"),
    pytest.param(variant(b"\r\n"), "crlf", id="crlf"),
    pytest.param(variant(b"\r"), "cr", id="cr"),
    pytest.param(POOL.replace(b"\n", b"\r\n", 2), "mixed", id="mixed-lf-crlf"),
    pytest.param(variant(indent=b"\t"), "tabs", id="tabs"),
    pytest.param(
        POOL.replace(b"Pool\n", b"Pool\n\x0c\nimport os\n", 1).replace(b"\n\nwith", b"\n\x0c\nwith")
        + b"\x0c\nprint('end')\n",
        "form-feed",
        id="form-feeds",
    ),
]


@pytest.mark.parametrize(("data", "kind"), ODD)
def test_odd_bytes_are_fixed_and_kept(tmp_path: Path, data: bytes, kind: str) -> None:
    target = tmp_path / "odd.py"
    target.write_bytes(data)
    result = run("--write", str(target))
    assert result.exit_code == 0, result.stderr
    new = target.read_bytes()
    assert new != data and compiles(new)
    assert b"def main():" in new and b"__main__" in new
    if kind == "latin-1":
        assert new.startswith(b"# -*- coding: latin-1 -*-\n") and b"['\xe9']" in new
    elif kind == "bom":
        assert new.startswith(b"\xef\xbb\xbf") and new.count(b"\xef\xbb\xbf") == 1
    elif kind == "crlf":
        assert new.count(b"\n") == new.count(b"\r\n")
    elif kind == "cr":
        assert b"\n" not in new and new.endswith(b"\r")
    elif kind == "mixed":
        assert new.startswith(b"from multiprocessing import Pool\r\n\r\n") and b"\r\r" not in new
    elif kind == "tabs":
        assert b"\n\twith Pool(2) as pool:\n\t\tprint(" in new and b"    " not in new
    elif kind == "form-feed":
        assert new.count(b"\x0c") == 3  # between kept lines, above the work, inside the work
    # a second run changes nothing
    again = run("--write", str(target))
    assert again.exit_code == 0 and target.read_bytes() == new


def test_mixed_lone_cr_and_lf_is_declined_with_a_reason(tmp_path: Path) -> None:
    data = POOL.replace(b"Pool\n\n", b"Pool\r\r", 1)
    (tmp_path / "mixed.py").write_bytes(data)
    result = run("--write", str(tmp_path))
    assert result.exit_code == 1
    assert "mixes lone CR line endings" in result.stderr
    assert (tmp_path / "mixed.py").read_bytes() == data


def test_fifty_thousand_lines_are_fixed(tmp_path: Path) -> None:
    filler = b"".join(b"VALUE_%d = %d\n" % (i, i) for i in range(50_000))
    data = b"from multiprocessing import Pool\n" + filler + b"with Pool(2) as pool:\n    pool.map(abs, [1])\n"
    target = tmp_path / "big.py"
    target.write_bytes(data)
    result = run("--write", str(target))
    assert result.exit_code == 0, result.stderr
    new = target.read_bytes()
    assert new.startswith(b"from multiprocessing import Pool\n" + filler)
    assert new.endswith(b'def main():\n    global pool\n    with Pool(2) as pool:\n        pool.map(abs, [1])\n\n\nif __name__ == "__main__":\n    main()\n')
    assert compiles(new)


# ----- links and paths ---------------------------------------------------------------------
def test_symlink_loop_inside_a_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.py").write_bytes(POOL)
    (tmp_path / "sub" / "loop").symlink_to("..", target_is_directory=True)
    (tmp_path / "self").symlink_to(".", target_is_directory=True)
    done = subprocess.run(
        [sys.executable, "-m", "fixer", "--no-cache", "--write", str(tmp_path)], capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "sub" / "a.py").read_bytes() == POOL_FIXED
    assert done.stderr.decode().count(": fixed") == 1


def test_dangling_symlink_is_named_and_the_rest_is_fixed(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(POOL)
    (tmp_path / "gone.py").symlink_to(tmp_path / "nowhere.py")
    result = run("--write", str(tmp_path))
    assert result.exit_code == 123
    assert f"error: {(tmp_path / 'gone.py').as_posix()}: cannot read: No such file or directory" in result.stderr
    assert (tmp_path / "a.py").read_bytes() == POOL_FIXED
    assert (tmp_path / "gone.py").is_symlink() and not (tmp_path / "nowhere.py").exists()


@pytest.mark.parametrize("named", [["folder"], ["folder", "link"], ["link"]])
def test_symlink_to_a_file_fixes_the_target_once_and_stays_a_link(tmp_path: Path, named: list) -> None:
    folder = tmp_path / "proj"
    folder.mkdir()
    real = folder / "real.py"
    real.write_bytes(POOL)
    link = folder / "link.py"
    link.symlink_to("real.py")
    paths = {"folder": str(folder), "link": str(link)}
    result = run("--write", *[paths[n] for n in named])
    assert result.exit_code == 0, result.stderr
    assert real.read_bytes() == POOL_FIXED
    assert link.is_symlink() and os.readlink(link) == "real.py"
    assert result.stderr.count(": fixed") == 1
    assert sorted(p.name for p in folder.iterdir()) == ["link.py", "real.py"]


def test_path_that_does_not_exist_exits_2(tmp_path: Path) -> None:
    result = run("--write", str(tmp_path / "missing.py"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_folder_without_python_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_bytes(b"multiprocessing.Pool\n")
    result = run("--write", str(tmp_path))
    assert result.exit_code == 0
    assert "no Python scripts found" in result.stderr
    assert tree_bytes(tmp_path) == {"notes.txt": b"multiprocessing.Pool\n"}


# ----- a file that changes between read and write ----------------------------------------------
def test_file_changed_between_read_and_write_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.py"
    target.write_bytes(POOL)
    other = tmp_path / "b.py"
    other.write_bytes(POOL)
    edited = POOL + b"# edited by someone else meanwhile\n"
    real_process = fixer.pipeline.process_source

    def process_then_edit(data: bytes, filename: str, *args: object, **kwargs: object):
        result = real_process(data, filename, *args, **kwargs)
        if filename == "a.py":
            target.write_bytes(edited)  # the user saves in an editor while guardfix works
        return result

    monkeypatch.setattr(fixer.pipeline, "process_source", process_then_edit)
    result = run("--write", "--jobs", "1", str(tmp_path))
    assert result.exit_code == 123
    assert f"error: {target.as_posix()}: not written: the file changed since it was read" in result.stderr
    assert target.read_bytes() == edited
    assert other.read_bytes() == POOL_FIXED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py", "b.py"]


# ----- permissions, made real by dropping root's privileges -------------------------------------
#: Root passes every permission check through these capabilities; without them the owner's
#: permission bits apply to root as to anyone (files made by the tests are owned by root).
DAC_CAPABILITIES = "-dac_override,-dac_read_search,-fowner"


def _cannot_limit() -> str:
    if os.geteuid() != 0:
        return ""  # an ordinary user: permission bits apply anyway
    if shutil.which("setpriv") is None:
        return "setpriv is not installed, so root's permission override cannot be dropped"
    return ""


needs_user = pytest.mark.skipif(bool(_cannot_limit()), reason=_cannot_limit() or "-")


def as_user(*args: str) -> subprocess.CompletedProcess:
    """guardfix as a process that permission bits apply to: root without the capabilities
    that override them, or ourselves when we are not root."""
    command = [sys.executable, "-m", "fixer", "--no-cache", *args]
    if os.geteuid() == 0:
        command = ["setpriv", f"--bounding-set={DAC_CAPABILITIES}", *command]
    return subprocess.run(command, capture_output=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})


def test_dropping_capabilities_makes_permissions_real(tmp_path: Path) -> None:
    """The premise of the tests below: a file with mode 000 cannot be read."""
    if _cannot_limit():
        pytest.skip(_cannot_limit())
    secret = tmp_path / "secret.txt"
    secret.write_bytes(b"x")
    secret.chmod(0o000)
    probe = [sys.executable, "-c", f"open({str(secret)!r}).read()"]
    if os.geteuid() == 0:
        assert subprocess.run(probe, capture_output=True).returncode == 0  # root reads it...
        probe = ["setpriv", f"--bounding-set={DAC_CAPABILITIES}", *probe]
    denied = subprocess.run(probe, capture_output=True)
    assert denied.returncode == 1 and b"PermissionError" in denied.stderr  # ...but not without them


@needs_user
def test_unreadable_file(tmp_path: Path) -> None:
    target = tmp_path / "secret.py"
    target.write_bytes(POOL)
    target.chmod(0o000)
    (tmp_path / "ok.py").write_bytes(POOL)
    done = as_user("--write", str(tmp_path))
    assert done.returncode == 123, done.stderr
    assert f"error: {target.as_posix()}: cannot read: Permission denied" in done.stderr.decode()
    assert target.read_bytes() == POOL
    assert (tmp_path / "ok.py").read_bytes() == POOL_FIXED


@needs_user
def test_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "locked.py"
    target.write_bytes(POOL)
    target.chmod(0o444)  # the folder itself stays writable: a rename would succeed
    done = as_user("--write", str(target))
    assert done.returncode == 123, done.stderr
    assert f"error: {target.as_posix()}: not written: the file is read-only" in done.stderr.decode()
    assert target.read_bytes() == POOL
    assert (target.stat().st_mode & 0o777) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["locked.py"]


@needs_user
def test_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    target = folder / "a.py"
    target.write_bytes(POOL)
    folder.chmod(0o555)
    done = as_user("--write", str(folder))
    assert done.returncode == 123, done.stderr
    assert f"error: {target.as_posix()}: not written: cannot write: Permission denied" in done.stderr.decode()
    assert target.read_bytes() == POOL
    assert sorted(p.name for p in folder.iterdir()) == ["a.py"]  # no temporary file left


# ----- Ctrl-C in the middle of a batch ---------------------------------------------------------
def test_ctrl_c_mid_batch_leaves_every_file_whole(tmp_path: Path) -> None:
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "pool_in_with_block"
    old, new = (fixture / "input.py").read_bytes(), (fixture / "expected.py").read_bytes()
    count = 400
    for i in range(count):
        (tmp_path / f"s{i:04}.py").write_bytes(old)
    proc = subprocess.Popen(
        [sys.executable, "-m", "fixer", "--no-cache", "--jobs", "1", "--write", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.stderr is not None
    seen = b""
    deadline = time.monotonic() + 60
    while b": fixed" not in seen and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        seen += line
    assert b": fixed" in seen, seen
    proc.send_signal(signal.SIGINT)
    _, rest = proc.communicate(timeout=60)
    stderr = (seen + rest).decode()
    assert proc.returncode == 130, stderr
    contents = [(tmp_path / f"s{i:04}.py").read_bytes() for i in range(count)]
    assert set(contents) <= {old, new}  # each file entirely old or entirely new
    written = contents.count(new)
    assert 1 <= written < count, "the interrupt came too late to test anything"
    summary = [line for line in stderr.splitlines() if line.startswith("interrupted:")]
    assert summary and f"{written} file(s) written" in summary[0], stderr
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
