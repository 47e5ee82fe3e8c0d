"""Paths on the command line -> the scripts to process, in a stable sorted order.

Leaves out the built-in folders (version control, virtualenvs, caches, build output), what
``.gitignore`` files ignore, and the configured exclude patterns (gitignore syntax, matched
with ``pathspec``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from fixer.walk import DEFAULT_EXCLUDES, Rules, forget_real_folders, has_python_shebang as _has_shebang
from fixer.walk import module_stem as _module_stem
from fixer.walk import real_of_absolute as _real_of_absolute
from fixer.walk import repository_root, walk_folder

if TYPE_CHECKING:
    import pathspec


@dataclass(frozen=True)
class Candidate:
    path: Path
    display: str  # the path as the user will recognise it (relative to what they typed)


@dataclass(frozen=True)
class Coverage:
    """Where discovery looked, for the runner's triage (``fixer.triage``).

    Every module file (``name.py``, ``name/__init__.py``) below ``folders`` was either found
    or left out, and ``left_out`` holds the names of what was left out there: pruned folders,
    excluded or symlinked ``.py`` files (their stems), files found twice.  So an import that
    spells none of these names and no found module's name cannot reach a module that the run
    did not see."""

    folders: tuple = ()  # real paths of the walked folders
    left_out: frozenset = frozenset()  # bytes: folder names and module stems


@dataclass(frozen=True)
class Discovery:
    candidates: list
    coverage: Coverage
    #: Scripts and folders left out by ``.gitignore`` rules (not by configured excludes or the
    #: built-in folder names), and the ignore files that left them out: the summary says so,
    #: because an ignored tree otherwise looks like a tree without scripts.
    gitignored: int = 0
    ignore_files: tuple = ()


@dataclass(frozen=True)
class Excludes:
    """What discovery leaves out, besides files that are not Python scripts.

    ``names``: folder names pruned at any depth (the built-in list, unless the ``exclude``
    setting replaces it).  ``patterns``: gitignore-style patterns relative to ``root`` (the
    configuration file's folder, else the current folder).  ``gitignore``: honour
    ``.gitignore`` files and ``.git/info/exclude``.  ``force``: apply all of this to files
    named explicitly too (as pre-commit needs); otherwise a named file is always processed.
    Virtualenvs (folders holding ``pyvenv.cfg``) are always pruned.
    """

    names: frozenset = DEFAULT_EXCLUDES
    patterns: tuple = ()
    root: Optional[Path] = None
    gitignore: bool = True
    force: bool = False
    #: The same settings for the walk (``fixer.walk``), with the .gitignore files and
    #: repository roots read during one run (never across runs, so an edited .gitignore
    #: counts the next time).
    _rules: Optional[Rules] = field(default=None, init=False, compare=False, repr=False)

    @property
    def rules(self) -> Rules:
        if self._rules is None:
            root = None if self.root is None else str(self.root)
            object.__setattr__(self, "_rules", Rules(self.names, self.patterns, root, self.gitignore))
        assert self._rules is not None
        return self._rules

    @property
    def _seen(self) -> dict:
        return self.rules.seen

    @classmethod
    def from_settings(
        cls,
        exclude: Optional[list] = None,
        extend_exclude: tuple = (),
        root: Optional[Path] = None,
        force: bool = False,
        gitignore: bool = True,
    ) -> "Excludes":
        """``exclude`` (when given, even empty) replaces the built-in folder names;
        ``extend_exclude`` adds to whichever list is in force."""
        patterns = tuple(exclude or ()) + tuple(extend_exclude)
        names = DEFAULT_EXCLUDES if exclude is None else frozenset()
        absolute = Path(os.path.abspath(root if root is not None else Path.cwd()))
        return cls(names=names, patterns=patterns, root=absolute, force=force, gitignore=gitignore)

    @property
    def spec(self) -> Optional[pathspec.PathSpec]:
        return self.rules.spec

    def excludes(self, path: Optional[Path], is_dir: bool, top: Optional[str] = None, absolute: Optional[str] = None) -> bool:
        """Whether ``path`` matches a configured pattern or a ``.gitignore`` rule.  Outside a
        repository only the ``.gitignore`` files from ``top`` (the walked folder) down count.
        ``absolute`` is ``path`` made absolute, when the caller already knows it."""
        return self.rules.excludes(absolute or os.path.abspath(path), is_dir, top)  # type: ignore[arg-type]

    def ignored_by(self, absolute: str, is_dir: bool, top: Optional[str] = None) -> str:
        """The ignore file whose rule leaves ``absolute`` out ("" when none does)."""
        return self.rules.ignored_by(absolute, is_dir, top)

    def matches_pattern(self, absolute: str, is_dir: bool) -> bool:
        return self.rules.matches_pattern(absolute, is_dir)

    def excludes_named_file(self, path: Path) -> bool:
        """With ``force``: whether a file named explicitly falls under the excludes, through
        its own name or one of its folders."""
        if not self.force:
            return False
        absolute = Path(os.path.abspath(path))
        root = Path(os.path.abspath(self.root or Path.cwd()))
        try:
            folders = absolute.parent.relative_to(root).parts
        except ValueError:
            folders = Path(path).parent.parts
        if any(part in self.names for part in folders):
            return True
        # Each folder between the root (or the repository) and the file, then the file: an
        # ignored folder ignores everything in it.
        top = repository_root(str(absolute.parent), self._seen)
        base = Path(top) if top is not None and _is_below(root, Path(top)) else root
        chain = [p for p in reversed(absolute.parents) if _is_below(p, base)] + [absolute]
        for index, step in enumerate(chain):
            if self.excludes(step, is_dir=index < len(chain) - 1, top=str(base)):
                return True
        return False


def _is_below(path: Path, root: Path) -> bool:
    return path != root and root in path.parents


def find_scripts(paths: list[Path], excludes: Optional[Excludes] = None) -> list[Candidate]:
    """Expand files and folders into candidate scripts, sorted by displayed path.

    Files named explicitly are always candidates, unless ``excludes.force`` is set and they
    fall under the excludes.  Folders are walked (symlinked folders are not followed, so link
    loops cannot trap the walk) for ``*.py`` files and extensionless files whose first line is
    a python shebang; excluded folders, ignored files and virtualenvs (any folder holding
    ``pyvenv.cfg``) are pruned.  A file reached twice (through a symlink, or named twice) is
    processed once.
    """
    return discover(paths, excludes).candidates


def discover(paths: list[Path], excludes: Optional[Excludes] = None) -> Discovery:
    """``find_scripts``, and the ``Coverage`` of the walk."""
    excludes = excludes if excludes is not None else Excludes()
    forget_real_folders()  # folders may have changed since an earlier call
    _REAL_PATHS.clear()
    found: dict[str, Candidate] = {}
    folders: list[str] = []
    left_out: set[bytes] = set()
    ignored: dict[str, int] = {}  # ignore file -> scripts and folders it left out
    for root in paths:
        if root.is_dir():
            folders.append(os.path.realpath(root))
            for candidate in _walk(root, excludes, left_out, ignored):
                if found.setdefault(_identity(candidate.path), candidate) is not candidate:
                    left_out.add(os.fsencode(_module_stem(candidate.path.name)))
        elif not excludes.excludes_named_file(root):
            found.setdefault(_identity(root), Candidate(root, _display(root)))
    return Discovery(
        sorted(found.values(), key=lambda c: c.display),
        Coverage(tuple(folders), frozenset(left_out)),
        gitignored=sum(ignored.values()),
        ignore_files=tuple(sorted(ignored)),
    )


def _walk(root: Path, excludes: Excludes, left_out: set, ignored: Optional[dict] = None) -> list[Candidate]:
    out: list[Candidate] = []
    for joined, real in walk_folder(str(root), excludes.rules, left_out, {} if ignored is None else ignored):
        path = Path(joined)
        out.append(Candidate(path, _display(path)))
        _REAL_PATHS[str(path)] = real
    return out


def has_python_shebang(path: Path) -> bool:
    """Whether an extensionless file is a python script: its first line is a shebang that
    names python."""
    return _has_shebang(str(path))


def _identity(path: Path) -> str:
    return real_path(path)


def real_path(path: Path) -> str:
    """``os.path.realpath``, cheaply: folders are resolved once each, and a file costs one
    ``lstat`` unless it is itself a symlink (large trees have thousands of files per folder
    chain, and realpath checks every component of every path).  Files found by the last
    ``find_scripts`` are already known."""
    known = _REAL_PATHS.get(str(path))
    return known if known is not None else _real_of_absolute(os.path.abspath(path))


#: Real paths of the files the last ``find_scripts`` found (the runner asks again).
_REAL_PATHS: dict = {}


def _display(path: Path) -> str:
    return path.as_posix()
