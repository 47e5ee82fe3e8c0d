"""The file-system half of discovery: walking folders, .gitignore rules, real paths.

``fixer.discover`` turns command-line paths into candidates with these functions, and so
does the warm path (``fixer.warm``), which must find exactly the same files before click,
rich, dataclasses or pathlib are loaded: this module imports nothing but ``os``.  Paths are
strings here; ``pathspec`` is loaded only when there are patterns or ignore files to match.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # (typing's own costs a warm rerun several milliseconds)
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Set, Tuple

    import pathspec

#: Folder names never walked into: version control, virtualenvs, caches, build output.
DEFAULT_EXCLUDES = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", ".tox", ".nox", ".venv", "venv", ".direnv", ".eggs",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".ipynb_checkpoints", "__pycache__",
        "__pypackages__", "_build", "buck-out", "build", "dist", "node_modules", "site-packages",
    }
)


class Rules:
    """What a walk leaves out: folder ``names`` pruned at any depth, gitignore-style
    ``patterns`` relative to ``root`` (an absolute folder), and, with ``gitignore``, what
    ``.gitignore`` files and ``.git/info/exclude`` ignore.  ``seen`` remembers the ignore
    files and repository roots read during one run (never across runs, so an edited
    .gitignore counts the next time)."""

    __slots__ = ("names", "patterns", "root", "gitignore", "_spec", "seen")

    def __init__(
        self,
        names: frozenset = DEFAULT_EXCLUDES,
        patterns: tuple = (),
        root: Optional[str] = None,
        gitignore: bool = True,
        seen: Optional[dict] = None,
    ) -> None:
        self.names = names
        self.patterns = patterns
        self.root = root
        self.gitignore = gitignore
        self._spec: Optional[pathspec.PathSpec] = None
        self.seen: dict = {} if seen is None else seen

    def with_fresh_memory(self) -> "Rules":
        """The same rules, forgetting what was read (for a walk with another top)."""
        fresh = Rules(self.names, self.patterns, self.root, self.gitignore)
        fresh._spec = self._spec
        return fresh

    @property
    def spec(self) -> Optional[pathspec.PathSpec]:
        if not self.patterns:
            return None
        if self._spec is None:
            import pathspec  # (loaded only when there are patterns to match)

            self._spec = pathspec.GitIgnoreSpec.from_lines(self.patterns)
        return self._spec

    def excludes(self, absolute: str, is_dir: bool, top: Optional[str] = None) -> bool:
        """Whether the absolute path ``absolute`` matches a configured pattern or a
        ``.gitignore`` rule.  Outside a repository only the ``.gitignore`` files from
        ``top`` (the walked folder) down count."""
        spec = self.spec
        if spec is not None:
            rel = os.path.relpath(absolute, self.root or os.getcwd())
            if not rel.startswith(os.pardir) and spec.match_file(as_match(rel, is_dir)):
                return True
        return self.gitignore and bool(self.ignored_by(absolute, is_dir, top))

    def ignored_by(self, absolute: str, is_dir: bool, top: Optional[str] = None) -> str:
        """The ignore file whose rule leaves ``absolute`` out ("" when none does)."""
        if not self.gitignore:
            return ""
        return _gitignored(absolute, is_dir, os.path.abspath(top or os.path.dirname(absolute)), self.seen)

    def matches_pattern(self, absolute: str, is_dir: bool) -> bool:
        spec = self.spec
        if spec is None:
            return False
        rel = os.path.relpath(absolute, self.root or os.getcwd())
        return not rel.startswith(os.pardir) and bool(spec.match_file(as_match(rel, is_dir)))


def as_match(rel: str, is_dir: bool) -> str:
    rel = rel.replace(os.sep, "/")
    return rel + "/" if is_dir else rel


def module_stem(name: str) -> str:
    return name[:-3] if name.endswith(".py") else name


def walk_folder(shown_root: str, rules: Rules, left_out: Set[bytes], ignored: Dict[str, int]) -> List[Tuple[str, str]]:
    """The scripts below the folder ``shown_root`` (as the user typed it), in walk order:
    ``(path as shown_root joined with the names below it, real path)``.

    Each folder's entries are visited in name order, subfolders after the files of their
    folder, depth first.  Pruned: folders named in ``rules.names``, symlinked folders (link
    loops cannot trap the walk), virtualenvs (a folder holding ``pyvenv.cfg``), and what a
    pattern or ignore file excludes; ``left_out`` gets the names of what was left out (the
    triage's coverage) and ``ignored`` counts, per ignore file, what it left out.  Scripts
    are ``*.py`` files and extensionless files whose first line is a python shebang.
    """
    out: List[Tuple[str, str]] = []
    abs_root = os.path.abspath(shown_root)
    abs_top = abs_root
    if rules.gitignore and _ignored_from_above(abs_root, rules):
        # A folder named on the command line is walked even when an ignore file above it
        # ignores it (as ruff does: `guardfix ~/.pyenv/versions/3.12.1/lib` inside pyenv's
        # own checkout, which ignores /versions).  Only ignore files from here down count.
        rules = rules.with_fresh_memory()
        rules.seen[("root", abs_root)] = abs_root
    # Walk the absolute folder (no path is made absolute again per file); show each path
    # as the user typed its root.  ``os.scandir`` tells folders, files and symlinks apart
    # without a system call per entry.  A subfolder's real path is its parent's and its
    # name: symlinked folders are never entered, so only the root is resolved.  What a
    # folder holds (.gitignore, .git, pyvenv.cfg) is read off its own listing, not asked
    # of the file system once more per folder.
    seen = rules.seen
    todo: List[Tuple[str, str, Optional[str], bool]] = [(abs_root, shown_root, None, False)]
    while todo:
        folder, shown, real_folder, below = todo.pop()
        try:
            with os.scandir(folder) as listing:
                by_name = {entry.name: entry for entry in listing}
        except OSError:
            if below and os.path.exists(_join(folder, "pyvenv.cfg")):
                _prune_virtualenv(folder, rules, abs_top, left_out, ignored)
            continue  # unreadable: skipped, as os.walk does
        if below:
            if "pyvenv.cfg" in by_name and os.path.exists(_join(folder, "pyvenv.cfg")):
                _prune_virtualenv(folder, rules, abs_top, left_out, ignored)  # a virtualenv
                continue
            if ".git" not in by_name:  # (else repository_root looks)
                seen.setdefault(("root", folder), repository_root(os.path.dirname(folder), seen))
        if ".gitignore" not in by_name:
            seen.setdefault(("ignore", folder, ".gitignore"), None)
        shown_prefix = _prefix(shown)
        real_prefix = None if real_folder is None else _prefix(real_folder)
        subfolders = []
        # Whether any pattern or ignore file could rule on this folder's entries (most
        # folders of most trees: none, and then no entry is asked about).
        ruled = rules.spec is not None or (rules.gitignore and bool(_ignore_specs(folder, abs_top, seen)))
        for name in sorted(by_name):
            entry = by_name[name]
            absolute = entry.path
            try:
                is_dir = entry.is_dir()  # (follows a symlink, as os.walk does)
            except OSError:
                is_dir = False
            if is_dir:
                # (a virtualenv -- a folder holding pyvenv.cfg -- is pruned once listed)
                if name in rules.names or entry.is_symlink() or (ruled and rules.excludes(absolute, True, abs_top)):
                    left_out.add(os.fsencode(name))  # modules below it are not seen
                    _count_ignored(rules, absolute, True, abs_top, ignored, name)
                else:
                    if real_prefix is None:
                        real_folder = real_folder_of(folder)
                        real_prefix = _prefix(real_folder)
                    subfolders.append((absolute, shown_prefix + name, real_prefix + name, True))
                continue
            if not (name.endswith(".py") or ("." not in name and has_python_shebang(absolute))):
                continue
            if ruled and rules.excludes(absolute, False, abs_top):
                left_out.add(os.fsencode(module_stem(name)))
                _count_ignored(rules, absolute, False, abs_top, ignored, name)
                continue
            if entry.is_symlink():
                left_out.add(os.fsencode(module_stem(name)))  # importable under a name its real path lacks
                real = os.path.realpath(absolute)
            else:
                if real_prefix is None:
                    real_folder = real_folder_of(folder)
                    real_prefix = _prefix(real_folder)
                real = real_prefix + name
            out.append((shown_prefix + name, real))
        todo.extend(reversed(subfolders))
    return out


def _prune_virtualenv(folder: str, rules: Rules, top: str, left_out: Set[bytes], ignored: Dict[str, int]) -> None:
    name = os.path.basename(folder)
    left_out.add(os.fsencode(name))
    _count_ignored(rules, folder, True, top, ignored, name)


if os.sep == "/" and not os.altsep:

    def _prefix(folder: str) -> str:
        """``folder`` ready for a name to be appended: ``os.path.join(folder, name)`` is
        ``_prefix(folder) + name`` (names from a listing hold no separator)."""
        return folder if folder.endswith("/") else folder + "/"

    def _join(folder: str, name: str) -> str:
        return folder + name if folder.endswith("/") else folder + "/" + name

else:  # pragma: no cover - Windows: drives and two separators, leave it to ntpath

    def _prefix(folder: str) -> str:
        return os.path.join(folder, "")

    _join = os.path.join


def _count_ignored(rules: Rules, absolute: str, is_dir: bool, top: str, ignored: Dict[str, int], name: str) -> None:
    """Count an entry left out by an ignore file (not by a pattern or a built-in name)."""
    if name in rules.names and is_dir or rules.matches_pattern(absolute, is_dir):
        return
    source = rules.ignored_by(absolute, is_dir, top)
    if source:
        ignored[source] = ignored.get(source, 0) + 1


def _ignored_from_above(folder: str, rules: Rules) -> str:
    """The ignore file that ignores ``folder`` itself or one of its parents ("" if none)."""
    repository = repository_root(folder, rules.seen)
    if repository is None or folder == repository:
        return ""
    current = folder
    while current != repository and os.path.dirname(current) != current:
        source = _gitignored(current, True, repository, rules.seen)
        if source:
            return source
        current = os.path.dirname(current)
    return ""


# ----- .gitignore ---------------------------------------------------------------------------
# git reads a .gitignore in every folder of a repository, each relative to its own folder;
# a deeper file overrides a shallower one, and nothing inside an ignored folder can be
# re-included.  Without a repository, the .gitignore files from the walked folder down count.


def repository_root(folder: str, seen: dict) -> Optional[str]:
    key = ("root", folder)
    if key not in seen:
        parent = os.path.dirname(folder)
        if os.path.exists(os.path.join(folder, ".git")):
            seen[key] = folder
        else:
            seen[key] = None if parent == folder else repository_root(parent, seen)
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
        result = spec.check_file(as_match(os.path.relpath(absolute, base), is_dir))
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
    # The ignore files of the repository (or of ``fallback_top``) down to ``parent``: the
    # parent folder's list and ``parent``'s own .gitignore (each folder's list is kept, so a
    # walk reads every .gitignore once and never climbs the tree again).
    repository = repository_root(parent, seen)
    top = repository if repository is not None else fallback_top
    up = os.path.dirname(parent)
    own = _ignore_file(parent, seen)
    if parent != top and up != parent and _is_within(up, top):
        specs = list(_ignore_specs(up, fallback_top, seen))
    else:
        # ``parent`` is the top, or ``top`` is not above it: only its own folder counts
        info = _join(_join(top, ".git"), "info")
        exclude = _ignore_file(info, seen, "exclude") if repository else None
        specs = [] if exclude is None else [(top, exclude, _join(info, "exclude"))]
    if own is not None:
        specs.append((parent, own, _join(parent, ".gitignore")))
    return specs


def _is_within(folder: str, top: str) -> bool:
    """Whether ``top`` is ``folder`` or one of its ancestors (by name, as the climb sees it)."""
    while True:
        if folder == top:
            return True
        up = os.path.dirname(folder)
        if up == folder:
            return False
        folder = up


def has_python_shebang(path: str) -> bool:
    """Whether an extensionless file is a python script: its first line is a shebang that
    names python."""
    try:
        with open(path, "rb") as handle:
            first = handle.readline(256)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first


# ----- real paths ---------------------------------------------------------------------------
def real_of_absolute(text: str) -> str:
    """``os.path.realpath`` of an absolute path, cheaply: folders are resolved once each,
    and a file costs one ``lstat`` unless it is itself a symlink."""
    if os.path.islink(text):
        return os.path.realpath(text)
    folder, name = os.path.split(text)
    return os.path.join(real_folder_of(folder), name)


_REAL_FOLDERS: Dict[str, str] = {}


def real_folder_of(folder: str) -> str:
    known = _REAL_FOLDERS.get(folder)
    if known is None:
        if len(_REAL_FOLDERS) >= 4096:
            _REAL_FOLDERS.clear()
        known = _REAL_FOLDERS[folder] = os.path.realpath(folder)
    return known


def forget_real_folders() -> None:
    """Folders may have changed since an earlier walk."""
    _REAL_FOLDERS.clear()


__all__ = [
    "DEFAULT_EXCLUDES",
    "Rules",
    "forget_real_folders",
    "has_python_shebang",
    "real_folder_of",
    "real_of_absolute",
    "repository_root",
    "walk_folder",
]
