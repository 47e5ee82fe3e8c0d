"""Every command the README shows is run here, so the documentation cannot rot.

The convention (also stated in a comment at the top of README.md):

- Commands live in ```console blocks, one per line after a "$ " prompt.  Each block runs in a
  fresh temporary copy of the repository, its commands in order, with bash and pipefail;
  ``guardfix`` on PATH is the one under test.
- Lines after a command, up to the next "$ " line, are its exact stdout (trailing spaces
  aside).  stderr is never compared.  A command with no lines after it has its stdout
  unchecked, but its exit status is still checked.
- The last command of a block must exit with ``exit=N`` from the info string
  (```console exit=1), 0 without it; every earlier command must exit 0.
- A ```console ci block is the test suite itself.  Running the whole suite inside the suite
  would recurse, so for it this test checks that .ci/run (what CI runs) runs exactly that
  command line.
- ``run: guardfix ...`` steps of ```yaml blocks (the CI recipe) run in a copy of a fixture
  folder with one script to fix: they must exit 1 and print something.  The hook ids of the
  pre-commit snippet must exist in .pre-commit-hooks.yaml.  ```toml blocks with a
  [tool.guardfix] table must load without error.  ```python blocks run and must not raise.
- ```sh, ```bash and ```shell blocks are rejected: commands belong in console blocks.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fixer.config import load_config

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", ".tox", ".nox", "__pycache__", ".pytest_cache", "*.egg-info", "build", "dist", ".ci-venv"
)


@dataclass
class Command:
    line: str
    expected: list = field(default_factory=list)


@dataclass
class Block:
    lineno: int
    language: str
    flags: tuple
    lines: list

    @property
    def exit_code(self) -> int:
        for flag in self.flags:
            if flag.startswith("exit="):
                return int(flag[len("exit="):])
        return 0

    def commands(self) -> list[Command]:
        commands: list[Command] = []
        for line in self.lines:
            if line.startswith("$ "):
                commands.append(Command(line[2:]))
            elif commands:
                commands[-1].expected.append(line)
            elif line.strip():
                raise AssertionError(f"README.md:{self.lineno}: output before the first '$ ' command: {line!r}")
        return commands


FENCE = re.compile(r"^( *)```(\S*)(.*)$")


def read_blocks(text: str) -> list[Block]:
    """Fenced blocks, including ones indented inside list items (the indent is removed)."""
    blocks = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        indent, language, rest = match.groups()
        start = index + 1
        body = []
        index += 1
        while index < len(lines) and lines[index].rstrip() != f"{indent}```":
            line = lines[index]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            index += 1
        blocks.append(Block(lineno=start, language=language, flags=tuple(rest.split()), lines=body))
        index += 1
    return blocks


BLOCKS = read_blocks(README.read_text(encoding="utf-8"))
CONSOLE = [b for b in BLOCKS if b.language == "console" and "ci" not in b.flags]
CI_BLOCKS = [b for b in BLOCKS if b.language == "console" and "ci" in b.flags]


def block_id(block: Block) -> str:
    first = block.commands()[0].line if block.language == "console" else block.language
    return f"line{block.lineno}:{first[:40]}"


def normalise(lines: list[str]) -> list[str]:
    out = [line.rstrip() for line in lines]
    while out and not out[-1]:
        out.pop()
    return out


def environment() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "VIRTUAL_ENV"))}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", NO_COLOR="1", TERM="dumb", COLUMNS="200")
    return env


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A fresh copy of the repository, as a user's checkout (without .git and build output)."""
    return Path(shutil.copytree(ROOT, tmp_path / "guardfix", ignore=COPY_IGNORE))


def run_shell(command: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-c", f"set -o pipefail\n{command}"],
        cwd=cwd,
        env=environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=600,
    )


# ----- the README keeps the convention --------------------------------------------------------
def test_the_readme_states_the_convention_and_has_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "Every command in this README is run by tests/test_readme.py." in text
    assert len(CONSOLE) >= 8, "the README should show its commands in ```console blocks"
    assert len(CI_BLOCKS) == 1


def test_no_commands_outside_console_blocks() -> None:
    offenders = [f"README.md:{b.lineno}: ```{b.language}" for b in BLOCKS if b.language in ("sh", "bash", "shell", "zsh")]
    assert offenders == [], "show commands in ```console blocks with '$ ' prompts, so that tests/test_readme.py runs them"
    for block in BLOCKS:
        if block.language == "console":
            assert block.commands(), f"README.md:{block.lineno}: a console block without a '$ ' command"


# ----- console blocks ------------------------------------------------------------------------
@pytest.mark.parametrize("block", CONSOLE, ids=[block_id(b) for b in CONSOLE])
def test_console_block(block: Block, checkout: Path) -> None:
    commands = block.commands()
    for number, command in enumerate(commands):
        proc = run_shell(command.line, checkout)
        last = number == len(commands) - 1
        expected_code = block.exit_code if last else 0
        assert proc.returncode == expected_code, (
            f"README.md:{block.lineno}: `{command.line}` exited {proc.returncode}, the README says "
            f"{expected_code}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
        if command.expected:
            assert normalise(proc.stdout.splitlines()) == normalise(command.expected), (
                f"README.md:{block.lineno}: `{command.line}` printed something else"
            )


def test_the_ci_script_runs_the_readme_test_command() -> None:
    """The suite cannot run itself; CI runs .ci/run, which must run the README's command."""
    [block] = CI_BLOCKS
    [command] = block.commands()
    steps = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert command.line in steps, f".ci/run does not run the README's test command {command.line!r}"


# ----- yaml, toml and python blocks ----------------------------------------------------------
def yaml_blocks() -> list[Block]:
    return [b for b in BLOCKS if b.language == "yaml"]


RUN_STEP = re.compile(r"^\s*(?:-\s*)?run:\s*(guardfix\b.*)$")
WORKFLOW_STEPS = [m.group(1) for b in yaml_blocks() for m in map(RUN_STEP.match, b.lines) if m]


def test_the_ci_recipe_has_a_guardfix_step() -> None:
    assert "guardfix --check --output-format github ." in WORKFLOW_STEPS


@pytest.mark.parametrize("command", WORKFLOW_STEPS)
def test_workflow_steps_run(command: str, tmp_path: Path) -> None:
    project = Path(shutil.copytree(ROOT / "fixtures" / "transitive_call", tmp_path / "project"))
    (project / "expected.py").unlink()  # keep only the script that needs a fix
    proc = run_shell(command, project)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.startswith("::error file=input.py,line=19,col=1,")


def test_the_pre_commit_snippet_names_real_hooks() -> None:
    [snippet] = [b for b in yaml_blocks() if any(line.startswith("repos:") for line in b.lines)]
    used = [m.group(1) for m in (re.search(r"-\s*id:\s*([\w-]+)", line) for line in snippet.lines) if m]
    defined = re.findall(r"^- id:\s*([\w-]+)", (ROOT / ".pre-commit-hooks.yaml").read_text(), re.M)
    assert used and set(used) <= set(defined)
    mentioned = re.findall(r"\| `(guardfix[\w-]*)` \| `guardfix --", README.read_text(encoding="utf-8"))
    assert sorted(mentioned) == sorted(defined)


TOML = [b for b in BLOCKS if b.language == "toml" and "[tool.guardfix]" in b.lines]


@pytest.mark.parametrize("block", TOML, ids=[block_id(b) for b in TOML])
def test_configuration_examples_are_valid(block: Block, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("\n".join(block.lines) + "\n")
    assert load_config(tmp_path / "pyproject.toml").values


PYTHON = [b for b in BLOCKS if b.language == "python"]


@pytest.mark.parametrize("block", PYTHON, ids=[block_id(b) for b in PYTHON])
def test_python_examples_run(block: Block, checkout: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-"], input="\n".join(block.lines), cwd=checkout, env=environment(),
        capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    for line in block.lines:  # a "# [...]" comment after a print() is its expected output
        match = re.match(r"print\(.*\)\s+# (\[.*\])$", line)
        if match:
            assert match.group(1) in proc.stdout.splitlines()


def test_the_readme_lists_every_config_key() -> None:
    from fixer.config import KEYS

    text = README.read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    assert sorted(re.findall(r"^\| `([a-z-]+)` \|", section, re.M)) == sorted(KEYS)
