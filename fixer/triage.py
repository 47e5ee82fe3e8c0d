"""Which files of a run need the analysis at all: the prefilter, asked of the whole tree at once.

A file needs analysing when its bytes name a process API (``targets.mentions_tokens``), or
when it imports a module of the codebase that can start processes and names one of that
module's spawners (``Project.imports_spawner_module``).  Asked file by file, the second
question resolves every import of every file -- most of a cold run over a large tree, where
almost no file can start processes.

Triage asks it from the other end.  The files that name a process API are few; a file can
only reach one of them by importing it, and an import spells the imported module's name on
an import line.  So triage reads every file once (keeping only the words of its import lines
that are names of modules), then walks *backwards* from the files that name a process API,
through an index of those words, to the files that may import them, and asks the exact
question (``Project.imports_reaching``) only there.  What it finds is followed backwards in
turn.  A file that no walk reaches cannot produce a finding and is never parsed.

Modules the run did not discover are the exception: what they do is unknown here.  A file
whose import lines name something discovery left out (``discover.Coverage``), or anything
importable from a folder outside the walked ones, is asked the exact question about those
imports.

The walk's answers become the run's: ``Project.known`` says, for every discovered module,
whether it can start processes, and later questions (the analysis of each file, in this
process or in workers) take that answer instead of searching again.  While the walk runs, a
module not found yet counts as unable; an answer that rested on such a "no" is forgotten if
the module is found later (``memo.journal``), and the walk goes round again.

What triage picks includes every file the file-by-file question picks (the analysis of each
still asks it), so results are the same; ``tests/test_triage.py`` checks that on the
fixtures and the standard library.
"""

from __future__ import annotations

import os
import re
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set

from fixer.cache import Stamp, imports_hash
from fixer.discover import Coverage
from fixer.memo import journal
from fixer.roots import bytes_add_to_path, dynamic_import_packages
from fixer.source import read_bytes
from fixer.targets import WORD, attribute_words, import_regions, mentions_tokens, names_process_api

#: A relative import: ``from . import x`` names its package nowhere on the line.
_RELATIVE = re.compile(rb"\bfrom[ \t]+\.")


@dataclass
class Triage:
    """What triage decided for the files of one run (indices into its path list)."""

    send: Set[int] = field(default_factory=set)  # to analyse
    stamps: List[Optional[Stamp]] = field(default_factory=list)  # None: not read
    errors: Dict[int, str] = field(default_factory=dict)  # index -> why it cannot be read
    #: Files whose module name other files' import lines spell: results may depend on them.
    named: Set[int] = field(default_factory=set)
    #: Files that name a spawner on an unindented line: likely flagged and rewritten (the
    #: rewrite loads libcst, the slowest step for a small file: start those first).
    likely_fixes: Set[int] = field(default_factory=set)
    #: Files found by the walk: they call into the codebase's spawners (often at the top
    #: level: worth starting early too).
    reached: Set[int] = field(default_factory=set)
    #: Files left out on their bytes alone: they name no process API, and the walk never
    #: asked about them (nothing they import can start processes, by the names their import
    #: lines spell).  An edit that keeps those facts (``fixer.cache.imports_hash``) and
    #: names no process API changes no result but the file's own, which stays "skipped".
    inert: Set[int] = field(default_factory=set)


class _Scan:
    """Reading one file for the triage: what a worker needs to do it (inherited when forked)."""

    def __init__(self, paths: Sequence[Path], reals: Sequence[str], tokens: tuple, stamps: bool) -> None:
        self.paths, self.reals, self.tokens, self.stamps = paths, reals, tokens, stamps
        self.packages: Dict[str, tuple] = {}
        self.universe: Set[bytes] = set()

    def package_of(self, folder: str) -> tuple:
        """(package names from ``folder`` up, as bytes; the folder above the top package)."""
        from fixer.project import _entries  # the folder listings the module lookup uses too

        answer = self.packages.get(folder)
        if answer is None:
            names, current = [], folder
            while "__init__.py" in _entries(current) and os.path.dirname(current) != current:
                current, name = os.path.split(current)
                names.append(os.fsencode(name))
            answer = self.packages[folder] = (tuple(names), current)
        return answer

    def read(self, number: int) -> tuple:
        """(error, stamp, kind, words, adds_path): ``kind`` is NAMES_API, LIKELY_FIX,
        IN_LIBRARY, DYNAMIC (imports a module whose name is computed) or 0; ``words``: the module names its import lines spell; ``adds_path``:
        it may add folders to ``sys.path``."""
        path, real = self.paths[number], self.reals[number]
        before = Stamp.stat(path) if self.stamps else None
        try:
            data = read_bytes(path)
        except OSError as exc:
            return f"cannot read: {exc.strerror or exc}", None, 0, frozenset(), False
        folder, name = os.path.split(real)
        chain, _ = self.package_of(folder)
        top = os.fsdecode(chain[-1]) if chain else (name[:-3] if name.endswith(".py") else name)
        kind = 0
        if names_process_api(data, top, self.tokens):
            if not mentions_tokens(data, self.tokens):
                kind = IN_LIBRARY  # inside a catalogued library: relative imports name no library
            elif _top_level_use(self.tokens).search(data):
                kind = LIKELY_FIX
            else:
                kind = NAMES_API
        if not kind and dynamic_import_packages(data):
            kind = DYNAMIC  # any module of a package may be imported: the walk asks it later
        regions = import_regions(data)
        attributes = attribute_words(data, regions)
        words = self.universe.intersection(WORD.findall(regions))
        words.update(self.universe.intersection(attributes))
        if _RELATIVE.search(regions):
            words.update(chain)
            if not chain:
                # model/nerf.py's ``from . import base`` runs as model.nerf (see
                # ``fixer.project.namespace_package``): its import names model.base
                from fixer.project import namespace_package

                found = namespace_package(real)
                words.update(os.fsencode(part) for part in (found[0] if found else ()))
        # A file that adds folders to sys.path itself may import from anywhere they lead.
        adds_path = bytes_add_to_path(data)
        stamp = None
        if self.stamps and before:
            stamp = Stamp.of(path, data, before, imports_hash(data, attributes, adds_path))
        return None, stamp, kind, frozenset(words), adds_path


NAMES_API, LIKELY_FIX, IN_LIBRARY, DYNAMIC = 1, 2, 3, 4
_SCAN: List[_Scan] = []  # the scan in progress, for forked workers


def read_chunk(numbers: range) -> list:
    """``_Scan.read`` for a range of files (in a worker forked during ``triage_files``)."""
    return [_SCAN[0].read(number) for number in numbers]


def triage_files(
    paths: Sequence[Path],
    reals: Sequence[str],
    coverage: Coverage,
    project: object,
    tokens: tuple,
    stamps: bool = True,
    parallel: Optional[Callable[[Callable, list], Iterable]] = None,
) -> Triage:
    """Read every file once and decide which need the analysis.  ``project`` is the run's
    ``fixer.project.Project``: the exact questions go to it (and what it reads is recorded
    there, for the cache).  ``parallel(function, chunks)``, when given, maps ``function``
    over ``chunks`` in forked workers (the files are then read in parallel).  Reads files;
    never raises on an unreadable one."""
    result = Triage(stamps=[None] * len(paths))
    scan = _Scan(paths, reals, tokens, stamps)
    leaves = [_leaves(path, real) for path, real in zip(paths, reals)]
    unknown = set(coverage.left_out) | _outside_names(reals, coverage, scan.package_of, project.settings)  # type: ignore[attr-defined]
    scan.universe = unknown.union(*leaves) | _folder_names(paths, reals)

    walk = _Walk(paths, reals, leaves, project, scan.package_of)
    walk.unknown = unknown
    plain: List[int] = []  # read, and naming no process API
    for number, (error, stamp, kind, words, adds_path) in enumerate(_read_all(scan, parallel)):
        if error is not None:
            result.errors[number] = error
            continue
        result.stamps[number] = stamp
        project.path_adders[reals[number]] = adds_path  # type: ignore[attr-defined]
        if not kind:
            plain.append(number)
        if kind in (NAMES_API, LIKELY_FIX):
            walk.worth.add(number)
            if kind == LIKELY_FIX:
                result.likely_fixes.add(number)
        elif kind == IN_LIBRARY:
            result.send.add(number)
        elif kind == DYNAMIC:
            walk.dynamic.append(number)
        walk.add_words(number, words)
        if adds_path or not unknown.isdisjoint(words):
            walk.unseen.append(number)  # it may import a module this run did not see

    walk.run({real for number, real in enumerate(reals) if number not in result.errors})
    result.send |= walk.worth
    result.reached = walk.reached
    result.inert = {number for number in plain if number not in walk.asked and number not in result.send}
    project.import_index = walk.index  # type: ignore[attr-defined]  # who may import whom, for GF004
    for number, names in enumerate(leaves):
        if any(other != number for name in names for other in walk.index.get(name, ())):
            result.named.add(number)
    return result


def _read_all(scan: _Scan, parallel: Optional[Callable[[Callable, list], Iterable]]) -> Iterable[tuple]:
    """``scan.read`` of every file, in order: here, or through ``parallel``."""
    count = len(scan.paths)
    if parallel is None:
        return map(scan.read, range(count))
    _SCAN[:] = [scan]
    try:
        step = max(1, count // 16)
        chunks = [range(start, min(start + step, count)) for start in range(0, count, step)]
        return [fact for chunk in parallel(read_chunk, chunks) for fact in chunk]
    finally:
        _SCAN.clear()


class _Walk:
    """The walk backwards from the files that can start processes to the files that call
    into them (by number, in the run's list of files)."""

    def __init__(self, paths: Sequence[Path], reals: Sequence[str], leaves: list, project: object, package_of: Callable) -> None:
        self.paths, self.reals, self.leaves = paths, reals, leaves
        self.project: Any = project
        self.package_of = package_of
        self.worth: Set[int] = set()  # files that can start processes
        self.reached: Set[int] = set()  # ... found by the walk (not by their own bytes)
        #: Files whose bodies the walk read for an answer (whether they name a spawner of a
        #: module that can start processes), not only their import facts.
        self.asked: Set[int] = set()
        self.unseen: List[int] = []  # files that may import a module the run did not see
        self.dynamic: List[int] = []  # files that import a module whose name is computed
        self.index: Dict[bytes, List[int]] = {}  # module name -> files whose imports spell it
        self.spelled: Dict[int, frozenset] = {}  # file -> the module names its imports spell
        self._imported: Dict[int, list] = {}  # file -> the module names it imports (scanned)
        #: Names of what the run did not see (left out, or outside the walked folders).
        self.unknown: Optional[Set[bytes]] = None
        self._unknown_spelled: Dict[str, bool] = {}

    def _adds_path(self, number: int) -> bool:
        """Whether the file adds folders to sys.path itself: any import may lead there."""
        return bool(self.project.path_adders.get(self.reals[number]))

    def add_words(self, number: int, words: frozenset) -> None:
        for word in words:
            self.index.setdefault(word, []).append(number)
        if words:
            self.spelled[number] = words

    def run(self, discovered: Set[str]) -> None:
        """Find every file that can start processes; record the answers in the project's
        ``known`` for every file in ``discovered`` (real paths)."""
        known = self.project.known
        for number, real in enumerate(self.reals):
            if real in discovered:
                known[real] = number in self.worth
        journal(True)  # what the walk remembers is listed, to forget what a late answer undoes
        try:
            while True:
                self._round(known)
                undone = [at for real, at in self.project.asked_no.items() if known[real]]
                if not undone:
                    return
                # Answers given since the first "no" that is now a "yes" may be wrong: forget
                # them (earlier ones were finished before it was asked) and walk again.
                self.project.forget_answers_since(min(undone))
        finally:
            journal(False)

    def _round(self, known: dict) -> None:
        # Breadth first: a module's exports are analysed after every module nearer to a
        # process start is known, which makes a second round rare.
        frontier = deque(sorted(self.worth))
        for number in self.unseen:
            if number not in self.worth and self._reaches(number, -1, known):
                self._found(number, known, frontier)
        while True:
            while frontier:
                module = frontier.popleft()
                self.project.trim()  # between questions: analysed modules within a budget
                for name in self.leaves[module]:
                    for number in self.index.get(name, ()):
                        if number not in self.worth and self._could_name(number, module) and self._reaches(number, module, known):
                            self.reached.add(number)
                            self._found(number, known, frontier)
            # ``import_module("pkg." + name)`` spells no module of pkg on its import lines:
            # such files are asked the exact question once the walk has settled, and what
            # they reach is walked in turn.
            for number in self.dynamic:
                if number not in self.worth and self._imports_dynamically(number):
                    self.reached.add(number)
                    self._found(number, known, frontier)
            if not frontier:
                return

    def _search(self, number: int) -> tuple:
        """Where file ``number``'s imports resolve (its resolver's folders, without making a
        resolver for the many files that add nothing to ``sys.path`` themselves)."""
        if self._adds_path(number):
            return self.project.resolver_for(self.paths[number]).search
        from fixer.project import _project_search

        from fixer.project import namespace_package

        folder = os.path.dirname(self.reals[number])
        found = namespace_package(self.reals[number])
        above = (found[1],) if found else ()  # as FileResolver: the folder above its namespace package
        return (folder, self.package_of(folder)[1], *_project_search(folder, self.project.settings), *above)

    def _imports_dynamically(self, number: int) -> bool:
        self.asked.add(number)
        try:
            data = read_bytes(self.paths[number])
        except OSError:
            return False
        return bool(self.project.imports_spawner_module(data, self.paths[number]))

    def _found(self, number: int, known: dict, frontier: deque) -> None:
        self.worth.add(number)
        known[self.reals[number]] = True
        frontier.append(number)

    def _reaches(self, number: int, module: int, known: dict) -> bool:
        """Whether file ``number`` imports file ``module`` (-1: a module the run did not
        see) and names one of its spawners."""
        path = self.paths[number]
        data: Optional[bytes] = None
        names = self._imported.get(number)
        if names is None:
            try:
                data = read_bytes(path)  # (read again when needed: bytes are never kept)
            except OSError:
                return False
            names = self._imported[number] = self.project.imported_names(data, path)
        if module >= 0:  # an import spells the module's name last
            names = [d for d in names if os.fsencode(d.rpartition(".")[2]) in self.leaves[module]]
        elif self.unknown is not None:  # a module the run did not see is spelled by a name it left out
            names = [d for d in names if self._spells_unknown(d)] if not self._adds_path(number) else names
        for dotted in names:
            found = self.project.module_file(dotted, path)
            if found is None:
                continue
            real = self.project.real_path(found)
            if real == self.reals[module] if module >= 0 else real not in known:
                if data is None:
                    try:
                        data = read_bytes(path)
                    except OSError:
                        return False
                if module >= 0 or self.project.can_start(found):
                    self.asked.add(number)  # its body decides: whether it names a spawner
                if self.project.imports_reaching(data, path, found):
                    return True
        return False

    def _spells_unknown(self, dotted: str) -> bool:
        """Whether a part of the module name ``dotted`` is a name the run did not see (the
        same names recur in file after file: each is decided once)."""
        answer = self._unknown_spelled.get(dotted)
        if answer is None:
            unknown = self.unknown or ()
            answer = self._unknown_spelled[dotted] = any(os.fsencode(part) in unknown for part in dotted.split("."))
        return answer

    def _could_name(self, number: int, module: int) -> bool:
        """Whether file ``number`` spells every part of a name under which it could import
        file ``module`` (from its own folder, or from its package root): a cheap test
        before the import scan."""
        words = self.spelled.get(number, frozenset())
        real, target = self.reals[number], self.reals[module]
        if target != os.path.abspath(self.paths[module]) or real != os.path.abspath(self.paths[number]):
            return True  # a symlink on the way: the names an import spells may differ
        for base in self._search(number):
            base = base.rstrip(os.sep)
            if target.startswith(base + os.sep):
                parts = target[len(base) + 1:].split(os.sep)
                if parts[-1] == "__init__.py":
                    parts.pop()
                elif parts[-1].endswith(".py"):
                    parts[-1] = parts[-1][:-3]
                if parts and all(os.fsencode(part) in words for part in parts):
                    return True
        return False


@lru_cache(maxsize=8)
def _top_level_use(tokens: tuple) -> "re.Pattern[bytes]":
    """A line that starts in column 0 with neither a definition nor an import and names a
    spawner (``pool = Pool(4)``, ``with ProcessPoolExecutor() as ex:``)."""
    leaves = sorted({leaf for _, group in tokens for leaf in group})
    names = b"|".join(re.escape(leaf) for leaf in leaves)
    return re.compile(rb"^(?!def |class |async |import |from )(?=[A-Za-z_])[^\n]*?\b(?:" + names + rb")\b", re.M)


def _leaves(path: Path, real: str) -> frozenset:
    """The names an import of this file spells last: its stem, or its package's folder name
    for ``__init__.py`` (through the path as found and the real path)."""
    names = set()
    for text in (str(path), real):
        folder, name = os.path.split(text)
        if name == "__init__.py":
            name = os.path.basename(folder)
        elif name.endswith(".py"):
            name = name[:-3]
        names.add(os.fsencode(name))
    return frozenset(names)


def _folder_names(paths: Sequence[Path], reals: Sequence[str]) -> Set[bytes]:
    """The names of the folders the files sit in, and of those folders' folders: a dotted
    import spells them (``ns.helpers`` for ns/helpers.py, even without ns/__init__.py)."""
    names: Set[bytes] = set()
    seen: Set[str] = set()
    for path, real in zip(paths, reals):
        for folder in (os.path.dirname(real), os.path.dirname(os.path.abspath(path))):
            while folder not in seen:
                seen.add(folder)
                parent, name = os.path.split(folder)
                if not name:
                    break
                names.add(os.fsencode(name))
                folder = parent
    return names


def _outside_names(reals: Sequence[str], coverage: Coverage, package_of, settings: Any) -> Set[bytes]:
    """Everything importable from a search folder (a file's own folder, its package root,
    its project's package roots, ``--src`` folders, installed packages) that lies outside
    the walked folders: such modules were not discovered.  (Folders a file adds to
    ``sys.path`` itself are handled by the file: it is asked about every import.)"""
    from fixer.project import _entries, _project_search

    walked = tuple(coverage.folders)
    searched = set()
    for real in reals:
        folder = os.path.dirname(real)
        if folder not in searched:
            searched.update(_project_search(folder, settings))
        searched.add(folder)
        searched.add(package_of(folder)[1])
    names: Set[bytes] = set()

    def covered(folder: str) -> bool:
        """Walked by discovery: below a walked folder, and not below a folder it pruned
        (a project's own ``.venv`` holds installed packages discovery never lists)."""
        for top in walked:
            top = top.rstrip(os.sep)
            if folder == top or folder.startswith(top + os.sep):
                parts = folder[len(top):].strip(os.sep).split(os.sep)
                return not any(os.fsencode(part) in coverage.left_out for part in parts if part)
        return False

    for folder in searched:
        if covered(folder):
            continue
        for entry in _entries(folder):
            if os.path.join(folder, entry) in walked:
                continue  # walked itself: what is below it is covered
            names.add(os.fsencode(entry[:-3] if entry.endswith(".py") else entry))
    return names


__all__ = ["Triage", "triage_files"]
