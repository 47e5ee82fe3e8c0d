"""``guardfix -``: a script on stdin, the result on stdout, every message on stderr."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from fixer.cli import cli
from test_cli import CLEAN_SCRIPT, POOL_FIXED, POOL_SCRIPT, UNSAFE_SCRIPT

DECLINED_SCRIPT = (
    "from multiprocessing import Pool\n\nif __name__ == '__main__':\n    print(1)\n\n"
    "with Pool(2) as p:\n    print(p.map(abs, [-1]))\n\nif __name__ == '__main__':\n    print(2)\n"
)


def run(args: list[str], stdin: bytes, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """A real process: stdin and stdout are bytes, as an editor sees them."""
    return subprocess.run(
        [sys.executable, "-m", "fixer", *args], input=stdin, capture_output=True, cwd=cwd, timeout=120
    )


def test_fixed_script_goes_to_stdout_and_messages_to_stderr(tmp_path: Path) -> None:
    proc = run(["-"], POOL_SCRIPT.encode(), tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == POOL_FIXED.encode()
    assert b"GF001" not in proc.stdout
    assert b"-: fixed" in proc.stderr


def test_write_mode_is_the_same(tmp_path: Path) -> None:
    proc = run(["--write", "-"], POOL_SCRIPT.encode(), tmp_path)
    assert (proc.returncode, proc.stdout) == (0, POOL_FIXED.encode())


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(CLEAN_SCRIPT.encode(), id="clean"),
        pytest.param(b"print('no processes')\r\n\r\n", id="crlf-no-api"),
        pytest.param(b"", id="empty"),
        pytest.param(b"\xef\xbb\xbfimport os\n", id="bom"),
    ],
)
def test_nothing_to_fix_echoes_the_input_byte_for_byte(tmp_path: Path, data: bytes) -> None:
    proc = run(["-"], data, tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == data


def test_crlf_input_keeps_its_newlines_when_fixed(tmp_path: Path) -> None:
    proc = run(["-"], POOL_SCRIPT.replace("\n", "\r\n").encode(), tmp_path)
    assert proc.returncode == 0
    assert proc.stdout == POOL_FIXED.replace("\n", "\r\n").encode()


def test_unsafe_fix_echoes_the_input_and_exits_1(tmp_path: Path) -> None:
    proc = run(["-"], UNSAFE_SCRIPT.encode(), tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == UNSAFE_SCRIPT.encode()
    assert b"unsafe fix not applied" in proc.stderr
    forced = run(["--unsafe-fixes", "-"], UNSAFE_SCRIPT.encode(), tmp_path)
    assert forced.returncode == 0
    assert b"def main():" in forced.stdout


def test_declined_fix_echoes_the_input_and_exits_1(tmp_path: Path) -> None:
    proc = run(["-"], DECLINED_SCRIPT.encode(), tmp_path)
    assert proc.returncode == 1
    assert proc.stdout == DECLINED_SCRIPT.encode()
    assert b"cannot be fixed automatically" in proc.stderr


def test_parse_error_echoes_the_input_and_exits_123(tmp_path: Path) -> None:
    data = b"from multiprocessing import Pool\nprint 'x'\n"
    proc = run(["-"], data, tmp_path)
    assert proc.returncode == 123
    assert proc.stdout == data
    assert b"-: cannot parse: line 2" in proc.stderr


def test_check_prints_findings_named_by_stdin_filename(tmp_path: Path) -> None:
    proc = run(["--check", "--stdin-filename", "app/job.py", "-"], POOL_SCRIPT.encode(), tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.decode().splitlines() == [
        'app/job.py:8:6: GF001 Pool(...) starts processes at module level, outside an `if __name__ == "__main__":` guard'
    ]


def test_check_json_from_stdin(tmp_path: Path) -> None:
    import json

    proc = run(["--check", "--output-format", "json", "-"], POOL_SCRIPT.encode(), tmp_path)
    assert proc.returncode == 1
    [finding] = json.loads(proc.stdout)["findings"]
    assert (finding["path"], finding["code"], finding["line"]) == ("-", "GF001", 8)


def test_diff_from_stdin(tmp_path: Path) -> None:
    proc = run(["--diff", "--stdin-filename", "job.py", "-"], POOL_SCRIPT.encode(), tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.startswith(b"--- a/job.py\n+++ b/job.py\n@@ ")


def test_stdin_filename_selects_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "pyproject.toml").write_text('[tool.guardfix]\nstyle = "inline"\n')
    proc = run(["--stdin-filename", "proj/job.py", "-"], POOL_SCRIPT.encode(), tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.decode().endswith(
        'if __name__ == "__main__":\n    with Pool(2) as pool:\n        print(pool.map(square, range(4)))\n'
    )
    # Without the file name there is no configuration to find from tmp_path.
    plain = run(["-"], POOL_SCRIPT.encode(), tmp_path)
    assert plain.stdout == POOL_FIXED.encode()


def test_force_exclude_echoes_an_excluded_stdin_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.guardfix]\nextend-exclude = ["legacy/"]\n')
    args = ["--stdin-filename", "legacy/old.py", "-"]
    loose = run(args, POOL_SCRIPT.encode(), tmp_path)
    assert loose.stdout == POOL_FIXED.encode()
    forced = run(["--force-exclude", *args], POOL_SCRIPT.encode(), tmp_path)
    assert forced.returncode == 0
    assert forced.stdout == POOL_SCRIPT.encode()
    checked = run(["--check", "--force-exclude", *args], POOL_SCRIPT.encode(), tmp_path)
    assert (checked.returncode, checked.stdout) == (0, b"")


def test_stdin_filename_lets_sibling_modules_be_followed(tmp_path: Path) -> None:
    (tmp_path / "helpers.py").write_text(
        "from multiprocessing import Pool\n\n\ndef run():\n    with Pool(2) as pool:\n        return pool.map(abs, [1])\n"
    )
    proc = run(["--check", "--stdin-filename", "script.py", "-"], b"from helpers import run\n\nrun()\n", tmp_path)
    assert proc.returncode == 1
    assert proc.stdout.decode() == "script.py:3:1: GF002 calls run() (helpers.py:4) → Pool(...) (helpers.py:5)\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["-", "x.py"], "cannot be combined with other paths", id="dash-and-file"),
        pytest.param(["--stdin-filename", "a.py", "x.py"], "--stdin-filename needs - as the path", id="filename-without-dash"),
        pytest.param(["--output-format", "json", "-"], "--output-format json needs --check", id="json-without-check"),
    ],
)
def test_stdin_usage_errors_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list, message: str) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.py").write_text(POOL_SCRIPT)
    result = CliRunner().invoke(cli, args, input=POOL_SCRIPT)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
