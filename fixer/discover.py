"""Paths on the command line -> the scripts to process, in a stable sorted order.

Leaves out the built-in folders (version control, virtualenvs, caches, build output), what
``.gitignore`` files ignore, and the configured exclude patterns (gitignore syntax, matched
with ``pathspec``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Optional

if TYPE_CHECKING:
    import pathspec

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
    _spec: Optional[pathspec.PathSpec] = field(default=None, compare=False, repr=False)
    #: .gitignore files and repository roots read during one run (never across runs, so
    #: an edited .gitignore counts the next time).
    _seen: dict = field(default_factory=dict, compare=False, repr=False)

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
        if not self.patterns:
            return None
        if self._spec is None:
            import pathspec  # (loaded only when there are patterns to match)

            object.__setattr__(self, "_spec", pathspec.GitIgnoreSpec.from_lines(self.patterns))
        return self._spec

    def excludes(self, path: Optional[Path], is_dir: bool, top: Optional[str] = None, absolute: Optional[str] = None) -> bool:
        """Whether ``path`` matches a configured pattern or a ``.gitignore`` rule.  Outside a
        repository only the ``.gitignore`` files from ``top`` (the walked folder) down count.
        ``absolute`` is ``path`` made absolute, when the caller already knows it."""
        absolute = absolute or os.path.abspath(path)
        spec = self.spec
        if spec is not None:
            root = str(self.root or Path.cwd())
            rel = os.path.relpath(absolute, root)
            if not rel.startswith(os.pardir) and spec.match_file(_as_match(rel, is_dir)):
                return True
        return self.gitignore and bool(self.ignored_by(absolute, is_dir, top))

    def ignored_by(self, absolute: str, is_dir: bool, top: Optional[str] = None) -> str:
        """The ignore file whose rule leaves ``absolute`` out ("" when none does)."""
        if not self.gitignore:
            return ""
        return _gitignored(absolute, is_dir, os.path.abspath(top or os.path.dirname(absolute)), self._seen)

    def matches_pattern(self, absolute: str, is_dir: bool) -> bool:
        spec = self.spec
        if spec is None:
            return False
        rel = os.path.relpath(absolute, str(self.root or Path.cwd()))
        return not rel.startswith(os.pardir) and bool(spec.match_file(_as_match(rel, is_dir)))

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
        top = _repository_root(str(absolute.parent), self._seen)
        base = Path(top) if top is not None and _is_below(root, Path(top)) else root
        chain = [p for p in reversed(absolute.parents) if _is_below(p, base)] + [absolute]
        for index, step in enumerate(chain):
            if self.excludes(step, is_dir=index < len(chain) - 1, top=str(base)):
                return True
        return False


def _is_below(path: Path, root: Path) -> bool:
    return path != root and root in path.parents


def _as_match(rel: str, is_dir: bool) -> str:
    rel = rel.replace(os.sep, "/")
    return rel + "/" if is_dir else rel


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
    _real_folder.cache_clear()  # folders may have changed since an earlier call
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


def _module_stem(name: str) -> str:
    return name[:-3] if name.endswith(".py") else name


def _walk(root: Path, excludes: Excludes, left_out: set, ignored: Optional[dict] = None) -> list[Candidate]:
    out: list[Candidate] = []
    shown_root = str(root)
    abs_root = os.path.abspath(shown_root)
    abs_top = abs_root
    ignored = ignored if ignored is not None else {}
    if excludes.gitignore and _ignored_from_above(abs_root, excludes):
        # A folder named on the command line is walked even when an ignore file above it
        # ignores it (as ruff does: `guardfix ~/.pyenv/versions/3.12.1/lib` inside pyenv's
        # own checkout, which ignores /versions).  Only ignore files from here down count.
        excludes = replace(excludes, _seen={})
        excludes._seen[("root", abs_root)] = abs_root
    # Walk the absolute folder (no path is made absolute again per file); show each path
    # as the user typed its root.  ``os.scandir`` tells folders, files and symlinks apart
    # without a system call per entry.
    todo = [(abs_root, shown_root)]
    while todo:
        folder, shown = todo.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            continue  # unreadable: skipped, as os.walk does
        real_folder = None
        subfolders = []
        # Whether any pattern or ignore file could rule on this folder's entries (most
        # folders of most trees: none, and then no entry is asked about).
        ruled = excludes.spec is not None or (excludes.gitignore and bool(_ignore_specs(folder, abs_top, excludes._seen)))
        for entry in entries:
            name, absolute = entry.name, entry.path
            try:
                is_dir = entry.is_dir()  # (follows a symlink, as os.walk does)
            except OSError:
                is_dir = False
            if is_dir:
                if (
                    name in excludes.names
                    or entry.is_symlink()
                    or os.path.exists(os.path.join(absolute, "pyvenv.cfg"))
                    or (ruled and excludes.excludes(None, is_dir=True, top=abs_top, absolute=absolute))
                ):
                    left_out.add(os.fsencode(name))  # modules below it are not seen
                    _count_ignored(excludes, absolute, True, abs_top, ignored, name)
                else:
                    subfolders.append((absolute, os.path.join(shown, name)))
                continue
            if not (name.endswith(".py") or ("." not in name and has_python_shebang(Path(absolute)))):
                continue
            if ruled and excludes.excludes(None, is_dir=False, top=abs_top, absolute=absolute):
                left_out.add(os.fsencode(_module_stem(name)))
                _count_ignored(excludes, absolute, False, abs_top, ignored, name)
                continue
            path = Path(os.path.join(shown, name))
            out.append(Candidate(path, _display(path)))
            if entry.is_symlink():
                left_out.add(os.fsencode(_module_stem(name)))  # importable under a name its real path lacks
                _REAL_PATHS[str(path)] = os.path.realpath(absolute)
            else:
                if real_folder is None:
                    real_folder = _real_folder(folder)
                _REAL_PATHS[str(path)] = os.path.join(real_folder, name)
        todo.extend(reversed(subfolders))
    return out


def _count_ignored(excludes: Excludes, absolute: str, is_dir: bool, top: str, ignored: dict, name: str) -> None:
    """Count an entry left out by an ignore file (not by a pattern or a built-in name)."""
    if name in excludes.names and is_dir or excludes.matches_pattern(absolute, is_dir):
        return
    source = excludes.ignored_by(absolute, is_dir, top)
    if source:
        ignored[source] = ignored.get(source, 0) + 1


def _ignored_from_above(folder: str, excludes: Excludes) -> str:
    """The ignore file that ignores ``folder`` itself or one of its parents ("" if none)."""
    repository = _repository_root(folder, excludes._seen)
    if repository is None or folder == repository:
        return ""
    current = folder
    while current != repository and os.path.dirname(current) != current:
        source = _gitignored(current, True, repository, excludes._seen)
        if source:
            return source
        current = os.path.dirname(current)
    return ""


# ----- .gitignore ---------------------------------------------------------------------------
# git reads a .gitignore in every folder of a repository, each relative to its own folder;
# a deeper file overrides a shallower one, and nothing inside an ignored folder can be
# re-included.  Without a repository, the .gitignore files from the walked folder down count.


def _repository_root(folder: str, seen: dict) -> Optional[str]:
    key = ("root", folder)
    if key not in seen:
        parent = os.path.dirname(folder)
        if os.path.exists(os.path.join(folder, ".git")):
            seen[key] = folder
        else:
            seen[key] = None if parent == folder else _repository_root(parent, seen)
    return seen[key]


def _ignore_file(folder: str, seen: dict, name: str = ".gitignore") -> Optional[pathspec.PathSpec]:
    key = ("ignore", folder, name)
    if key not in seen:
        try:
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            lines = []
        if lines:
            import pathspec  # (loaded only when there is an ignore file to read)

            seen[key] = pathspec.GitIgnoreSpec.from_lines(lines)
        else:
            seen[key] = None
    return seen[key]


def _gitignored(absolute: str, is_dir: bool, fallback_top: str, seen: dict) -> str:
    """The ignore file whose rule has the last word on ``absolute`` and ignores it, or ""."""
    verdict, source = None, ""
    for base, spec, path in _ignore_specs(os.path.dirname(absolute), fallback_top, seen):
        result = spec.check_file(_as_match(os.path.relpath(absolute, base), is_dir))
        if result.include is not None:
            verdict, source = result.include, path
    return source if verdict else ""


def _ignore_specs(parent: str, fallback_top: str, seen: dict) -> list:
    """The ignore files that rule on the entries of folder ``parent``, shallowest first, as
    (folder their patterns are relative to, patterns): worked out once per folder."""
    key = ("specs", parent, fallback_top)
    if key not in seen:
        seen[key] = _find_ignore_specs(parent, fallback_top, seen)
    return seen[key]


def _find_ignore_specs(parent: str, fallback_top: str, seen: dict) -> list:
    repository = _repository_root(parent, seen)
    top = repository if repository is not None else fallback_top
    folders = []
    current = parent
    while True:
        folders.append(current)
        if current == top:
            break
        up = os.path.dirname(current)
        if up == current:
            break
        current = up
    if folders[-1] != top:
        folders = folders[:1]  # ``top`` is not above the file: only its own folder counts
    info = os.path.join(top, ".git", "info")
    specs = [(top, _ignore_file(info, seen, "exclude"), os.path.join(info, "exclude"))] if repository else []
    specs += [(folder, _ignore_file(folder, seen), os.path.join(folder, ".gitignore")) for folder in reversed(folders)]
    return [(base, spec, path) for base, spec, path in specs if spec is not None]


def has_python_shebang(path: Path) -> bool:
    """Whether an extensionless file is a python script: its first line is a shebang that
    names python."""
    try:
        with open(path, "rb") as handle:
            first = handle.readline(256)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


def _identity(path: Path) -> str:
    return real_path(path)


def real_path(path: Path) -> str:
    """``os.path.realpath``, cheaply: folders are resolved once each, and a file costs one
    ``lstat`` unless it is itself a symlink (large trees have thousands of files per folder
    chain, and realpath checks every component of every path).  Files found by the last
    ``find_scripts`` are already known."""
    known = _REAL_PATHS.get(str(path))
    return known if known is not None else _real_of_absolute(os.path.abspath(path))


def _real_of_absolute(text: str) -> str:
    if os.path.islink(text):
        return os.path.realpath(text)
    folder, name = os.path.split(text)
    return os.path.join(_real_folder(folder), name)


#: Real paths of the files the last ``find_scripts`` found (the runner asks again).
_REAL_PATHS: dict = {}


@lru_cache(maxsize=4096)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder)


def _display(path: Path) -> str:
    return path.as_posix()
