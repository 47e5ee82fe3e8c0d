"""Paths on the command line -> the scripts to process, in a stable sorted order."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Folder names never walked into: version control, virtualenvs, caches, build output.
DEFAULT_EXCLUDES = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", ".tox", ".nox", ".venv", "venv", ".direnv", ".eggs",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", "__pycache__",
        "__pypackages__", "_build", "buck-out", "build", "dist", "node_modules", "site-packages",
    }
)


@dataclass(frozen=True)
class Candidate:
    path: Path
    display: str  # the path as the user will recognise it (relative to what they typed)


def find_scripts(paths: list[Path]) -> list[Candidate]:
    """Expand files and folders into candidate scripts, sorted by displayed path.

    Files named explicitly are always candidates.  Folders are walked (symlinked folders are
    not followed, so link loops cannot trap the walk) for ``*.py`` files and extensionless
    files whose first line is a python shebang; excluded folders and virtualenvs (any folder
    holding ``pyvenv.cfg``) are pruned.  A file reached twice (through a symlink, or named
    twice) is processed once.
    """
    found: dict[str, Candidate] = {}
    for root in paths:
        if root.is_dir():
            for candidate in _walk(root):
                found.setdefault(_identity(candidate.path), candidate)
        else:
            found.setdefault(_identity(root), Candidate(root, _display(root)))
    return sorted(found.values(), key=lambda c: c.display)


def _walk(root: Path) -> list[Candidate]:
    out: list[Candidate] = []
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in DEFAULT_EXCLUDES
            and not os.path.exists(os.path.join(folder, d, "pyvenv.cfg"))
            and not os.path.islink(os.path.join(folder, d))
        )
        for name in sorted(filenames):
            path = Path(folder) / name
            if name.endswith(".py") or ("." not in name and _has_python_shebang(path)):
                out.append(Candidate(path, _display(path)))
    return out


def _has_python_shebang(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            first = handle.readline(256)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


def _identity(path: Path) -> str:
    return os.path.realpath(path)


def _display(path: Path) -> str:
    return path.as_posix()
