"""Review mode as a person uses it: on a real pseudo-terminal, answering at the prompt."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect", reason="pexpect is part of the test extras")

from test_cli import POOL_FIXED, POOL_SCRIPT  # noqa: E402


def spawn(folder: Path) -> "pexpect.spawn":
    return pexpect.spawn(
        sys.executable,
        ["-m", "fixer", str(folder)],
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 200),
        env={"PATH": "/usr/bin:/bin", "TERM": "xterm", "NO_COLOR": "1"},
    )


def test_review_on_a_terminal_asks_and_writes_only_what_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    (tmp_path / "b.py").write_text(POOL_SCRIPT)
    child = spawn(tmp_path)
    child.expect("GF001")
    child.expect(r"\+def main\(\):")
    child.expect_exact("Apply? [y]es / [n]o / [a]ll remaining / [q]uit")
    child.sendline("y")
    child.expect("fixed")
    child.expect_exact("Apply?")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert (tmp_path / "a.py").read_text() == POOL_FIXED
    assert (tmp_path / "b.py").read_text() == POOL_SCRIPT


def test_review_quit_on_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    child = spawn(tmp_path)
    child.expect_exact("Apply?")
    child.sendline("q")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert (tmp_path / "a.py").read_text() == POOL_SCRIPT


def test_review_all_on_a_terminal(tmp_path: Path) -> None:
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text(POOL_SCRIPT)
    child = spawn(tmp_path)
    child.expect_exact("Apply?")
    child.sendline("a")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert all((tmp_path / n).read_text() == POOL_FIXED for n in ("a.py", "b.py", "c.py"))
