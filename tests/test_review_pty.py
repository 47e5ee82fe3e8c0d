"""Review mode as a person uses it: on a real pseudo-terminal, answering at the prompt."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect", reason="pexpect is part of the test extras")

from test_cli import POOL_FIXED, POOL_SCRIPT, UNSAFE_SCRIPT  # noqa: E402


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


# ----- issue 5: every answer, with what was written, what was printed and the exit code ----
ANSWERS = [
    # answers, files written, exit code, summary, prompts shown, diffs shown
    pytest.param(["y", "n", "y"], {"a.py", "c.py"}, 1, "2 files fixed, 1 file not fixed", 3, 3, id="yes-no-yes"),
    pytest.param(["n", "a"], {"b.py", "c.py"}, 1, "2 files fixed, 1 file not fixed", 2, 3, id="no-then-all"),
    pytest.param(["a"], {"a.py", "b.py", "c.py"}, 0, "3 files fixed", 1, 3, id="all"),
    pytest.param(["y", "q"], {"a.py"}, 1, "1 file fixed, 2 files not fixed", 2, 2, id="yes-then-quit"),
    pytest.param(["q"], set(), 1, "3 files not fixed", 1, 1, id="quit"),
    pytest.param(["x", "Y", "n", "n"], {"a.py"}, 1, "1 file fixed, 2 files not fixed", 4, 3, id="invalid-then-upper-yes"),
]


@pytest.mark.parametrize(("answers", "written", "exit_code", "summary", "prompts", "diffs"), ANSWERS)
def test_each_answer_on_a_terminal(
    tmp_path: Path, answers: list, written: set, exit_code: int, summary: str, prompts: int, diffs: int
) -> None:
    names = ("a.py", "b.py", "c.py")
    for name in names:
        (tmp_path / name).write_text(POOL_SCRIPT)
    child = spawn(tmp_path)
    child.logfile_read = transcript = io.StringIO()
    for answer in answers:
        child.expect_exact("Apply? [y]es / [n]o / [a]ll remaining / [q]uit")
        child.sendline(answer)
    child.expect(pexpect.EOF)
    child.close()
    printed = re.sub(r"\x1b\[[0-9;]*m", "", transcript.getvalue())
    assert child.exitstatus == exit_code, printed
    assert {n for n in names if (tmp_path / n).read_text() == POOL_FIXED} == written
    assert {n for n in names if (tmp_path / n).read_text() == POOL_SCRIPT} == set(names) - written
    for name in names:
        assert (f"{tmp_path / name}: fixed" in printed) is (name in written), name
    assert f"{summary}, 0 files without findings." in printed
    # One prompt per answer: none after quit or all; after all, the remaining diffs still show.
    assert printed.count("Apply? [y]es / [n]o / [a]ll remaining / [q]uit") == prompts
    assert printed.count("+def main():") == diffs
    assert ("Please answer y, n, a or q." in printed) is ("x" in answers)


def test_all_still_asks_for_an_unsafe_fix_on_a_terminal(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    (tmp_path / "b.py").write_text(UNSAFE_SCRIPT)
    child = spawn(tmp_path)
    child.expect_exact("Apply?")
    child.sendline("a")
    child.expect_exact("unsafe: function work() reads 'pool'")
    child.expect_exact("Apply?")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert (tmp_path / "a.py").read_text() == POOL_FIXED
    assert (tmp_path / "b.py").read_text() == UNSAFE_SCRIPT


def test_end_of_input_at_the_prompt_quits(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(POOL_SCRIPT)
    child = spawn(tmp_path)
    child.expect_exact("Apply?")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert (tmp_path / "a.py").read_text() == POOL_SCRIPT
