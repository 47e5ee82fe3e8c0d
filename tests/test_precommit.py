"""The pre-commit hooks of .pre-commit-hooks.yaml, run by pre-commit itself.

``pre-commit try-repo`` builds the hook environment from this repository at its current
commit (``--ref HEAD``'s hash: uncommitted changes are not used, so commit before running
this locally) and runs a hook against a temporary git repository.  PRE_COMMIT_HOME lives in
a temporary folder, so nothing outside it is read or written.  Building the environment
installs guardfix's dependencies from PyPI, as pre-commit does for every user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_cli import CLEAN_SCRIPT, POOL_FIXED, POOL_SCRIPT

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "legacy").mkdir(parents=True)
    (repo / "job.py").write_text(POOL_SCRIPT)
    (repo / "clean.py").write_text(CLEAN_SCRIPT)
    (repo / "legacy" / "old.py").write_text(POOL_SCRIPT)
    (repo / "pyproject.toml").write_text('[tool.guardfix]\nextend-exclude = ["legacy/"]\n')
    git("init", "-q", cwd=repo)
    git("add", "-A", cwd=repo)
    return repo


def try_repo(hook: str, repo: Path, home: Path) -> subprocess.CompletedProcess:
    head = git("rev-parse", "HEAD", cwd=ROOT).strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", PIP_DISABLE_PIP_VERSION_CHECK="1")
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), hook, "--ref", head, "--all-files"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_hook_ids_are_the_documented_ones() -> None:
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    ids = [line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("- id:")]
    assert ids == ["guardfix", "guardfix-check"]
    assert "entry: guardfix --write --force-exclude" in text
    assert "entry: guardfix --check --force-exclude" in text


def test_check_hook_reports_and_changes_nothing(repo: Path, pre_commit_home: Path) -> None:
    proc = try_repo("guardfix-check", repo, pre_commit_home)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert 'job.py:8:6: GF001 Pool(...) starts processes at module level' in proc.stdout
    assert "legacy/old.py" not in proc.stdout  # excluded by the config, even when named
    assert (repo / "job.py").read_text() == POOL_SCRIPT


def test_fixing_hook_writes_the_fix_then_check_passes(repo: Path, pre_commit_home: Path) -> None:
    proc = try_repo("guardfix", repo, pre_commit_home)
    # pre-commit fails a hook that modified files, so the user can review and stage them.
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "files were modified by this hook" in proc.stdout
    assert (repo / "job.py").read_text() == POOL_FIXED
    assert (repo / "clean.py").read_text() == CLEAN_SCRIPT
    assert (repo / "legacy" / "old.py").read_text() == POOL_SCRIPT
    again = try_repo("guardfix-check", repo, pre_commit_home)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Passed" in again.stdout


def readme_snippet() -> list[str]:
    """The .pre-commit-config.yaml the README tells users to write."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("In your `.pre-commit-config.yaml`:\n\n```yaml\n", 1)[1].split("\n```", 1)[0]
    return block.splitlines()


def test_the_readme_snippet_works(repo: Path, pre_commit_home: Path) -> None:
    head = git("rev-parse", "HEAD", cwd=ROOT).strip()
    lines = []
    for line in readme_snippet():
        key = line.strip().lstrip("- ").split(":", 1)[0]
        if key == "repo":  # the placeholder URL becomes this repository ...
            line = line.split("repo:", 1)[0] + f"repo: {ROOT}"
        elif key == "rev":  # ... at its current commit
            line = line.split("rev:", 1)[0] + f"rev: {head}"
        lines.append(line)
    assert any("id: guardfix" in line for line in lines)
    (repo / ".pre-commit-config.yaml").write_text("\n".join(lines) + "\n")
    git("add", ".pre-commit-config.yaml", cwd=repo)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    env.update(PRE_COMMIT_HOME=str(pre_commit_home), PRE_COMMIT_COLOR="never", PIP_DISABLE_PIP_VERSION_CHECK="1")
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=900,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "files were modified by this hook" in proc.stdout
    assert (repo / "job.py").read_text() == POOL_FIXED
    assert (repo / "legacy" / "old.py").read_text() == POOL_SCRIPT
