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
question (``Project.reaches_through``) only there.  What it finds is followed backwards in
turn.  A file that no walk reaches cannot produce a finding and is never parsed.

Modules the run did not discover are the exception: what they do is unknown here.  A file
whose import lines name something discovery left out (``discover.Coverage``), or anything
importable from a folder outside the walked ones, is analysed with the exact question.

The answer is a superset of the files that the file-by-file question would pick (they are
all analysed, and the analysis itself still asks the exact question), so results are the
same; ``tests/test_triage.py`` checks that on the fixtures and the standard library.
"""

from __future__ import annotations

import os
import re
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set

from fixer.cache import Stamp
from fixer.discover import Coverage
from fixer.memo import journal
from fixer.source import read_bytes
from fixer.targets import import_regions, is_catalogue_module, mentions_spawner_of, mentions_tokens

#: A word of an import line (bytes: non-ASCII letters of module names stay in the word).
_WORD = re.compile(rb"[\w\x80-\xff]+")
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
        """(error, stamp, kind, words): ``kind`` is NAMES_API, LIKELY_FIX, IN_LIBRARY or 0;
        ``words``: the module names its import lines spell."""
        path, real = self.paths[number], self.reals[number]
        before = Stamp.stat(path) if self.stamps else None
        try:
            data = read_bytes(path)
        except OSError as exc:
            return f"cannot read: {exc.strerror or exc}", None, 0, frozenset()
        stamp = Stamp.of(path, data, before) if self.stamps and before else None
        folder, name = os.path.split(real)
        chain, _ = self.package_of(folder)
        top = os.fsdecode(chain[-1]) if chain else (name[:-3] if name.endswith(".py") else name)
        kind = 0
        if mentions_tokens(data, self.tokens):
            kind = LIKELY_FIX if _top_level_use(self.tokens).search(data) else NAMES_API
        elif is_catalogue_module(top) and mentions_spawner_of(data, top, self.tokens):
            kind = IN_LIBRARY  # inside a catalogued library: relative imports name no library
        regions = import_regions(data)
        words = self.universe.intersection(_WORD.findall(regions))
        if _RELATIVE.search(regions):
            words.update(chain)
        return None, stamp, kind, frozenset(words)


NAMES_API, LIKELY_FIX, IN_LIBRARY = 1, 2, 3
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
    worth: Set[int] = set()  # files that could start processes
    scan = _Scan(paths, reals, tokens, stamps)
    package_of = scan.package_of

    leaves = [_leaves(path, real) for path, real in zip(paths, reals)]
    unknown = set(coverage.left_out) | _outside_names(reals, coverage, package_of)
    scan.universe = unknown.union(*leaves)

    if parallel is None:
        facts: Iterable = map(scan.read, range(len(paths)))
    else:
        _SCAN[:] = [scan]
        try:
            step = max(1, len(paths) // 16)
            chunks = [range(start, min(start + step, len(paths))) for start in range(0, len(paths), step)]
            facts = [fact for chunk in parallel(read_chunk, chunks) for fact in chunk]
        finally:
            _SCAN.clear()

    index: Dict[bytes, List[int]] = {}
    spelled: Dict[int, frozenset] = {}  # file -> the module names its import lines hold
    exact: List[int] = []
    for number, (error, stamp, kind, words) in enumerate(facts):
        if error is not None:
            result.errors[number] = error
            continue
        result.stamps[number] = stamp
        if kind in (NAMES_API, LIKELY_FIX):
            worth.add(number)
            if kind == LIKELY_FIX:
                result.likely_fixes.add(number)
        elif kind == IN_LIBRARY:
            result.send.add(number)
        for word in words:
            index.setdefault(word, []).append(number)
        if words:
            spelled[number] = words
        if not unknown.isdisjoint(words):
            exact.append(number)  # it may import a module this run did not see

    # The modules that could start processes, and backwards from them.  While the walk runs,
    # a discovered module not found yet counts as unable to start processes; if an answer
    # given meanwhile rested on a module found later, the walk runs again from everything
    # found so far (answers only grow, so this ends).
    imported: Dict[int, list] = {}  # file -> the module names it imports

    def reaches(number: int, module: int) -> bool:
        """Whether file ``number`` imports file ``module`` (-1: a module the run did not
        see) and names one of its spawners."""
        data: Optional[bytes] = None
        names = imported.get(number)
        if names is None:
            try:
                data = read_bytes(paths[number])  # (read again when needed: bytes are never kept)
            except OSError:
                return False
            names = imported[number] = project.imported_names(data, paths[number])  # type: ignore[attr-defined]
        if module >= 0:  # an import spells the module's name last
            names = [d for d in names if os.fsencode(d.rpartition(".")[2]) in leaves[module]]
        for dotted in names:
            found = project.module_file(dotted, paths[number])  # type: ignore[attr-defined]
            if found is None:
                continue
            real = project.real_path(found)  # type: ignore[attr-defined]
            if real == reals[module] if module >= 0 else real not in known:
                if data is None:
                    try:
                        data = read_bytes(paths[number])
                    except OSError:
                        return False
                if project.imports_reaching(data, paths[number], found):  # type: ignore[attr-defined]
                    return True
        return False

    def could_name(number: int, module: int) -> bool:
        """Whether file ``number`` spells every part of a name under which it could import
        file ``module`` (from its own folder, or from its package root): a cheap test
        before the import scan."""
        words = spelled.get(number, frozenset())
        folder = os.path.dirname(reals[number])
        target = reals[module]
        if target != os.path.abspath(paths[module]) or reals[number] != os.path.abspath(paths[number]):
            return True  # a symlink on the way: the names an import spells may differ
        for base in (folder, package_of(folder)[1]):
            if target.startswith(base.rstrip(os.sep) + os.sep):
                parts = target[len(base.rstrip(os.sep)) + 1:].split(os.sep)
                if parts[-1] == "__init__.py":
                    parts.pop()
                elif parts[-1].endswith(".py"):
                    parts[-1] = parts[-1][:-3]
                if parts and all(os.fsencode(part) in words for part in parts):
                    return True
        return False

    known = project.known  # type: ignore[attr-defined]
    for number, real in enumerate(reals):
        if number not in result.errors:
            known[real] = number in worth
    journal(True)  # what the walk remembers is listed, to forget what a late answer undoes
    try:
        while True:
            # Breadth first: a module's exports are analysed after every module nearer to a
            # process start is known, which makes a second round rare.
            frontier = deque(sorted(worth))
            for number in exact:
                if number not in worth and reaches(number, -1):
                    worth.add(number)
                    known[reals[number]] = True
                    frontier.append(number)
            while frontier:
                module = frontier.popleft()
                for name in leaves[module]:
                    for number in index.get(name, ()):
                        if number not in worth and could_name(number, module) and reaches(number, module):
                            worth.add(number)
                            result.reached.add(number)
                            known[reals[number]] = True
                            frontier.append(number)
            asked = project.asked_no  # type: ignore[attr-defined]
            undone = [at for real, at in asked.items() if known[real]]
            if not undone:
                break
            # Answers given since the first "no" that is now a "yes" may be wrong: forget
            # them (earlier ones were finished before it was asked) and walk again.
            project.forget_answers_since(min(undone))  # type: ignore[attr-defined]
    finally:
        journal(False)
    result.send |= worth
    project.import_index = index  # type: ignore[attr-defined]  # who may import whom, for GF004
    for number, names in enumerate(leaves):
        if any(other != number for name in names for other in index.get(name, ())):
            result.named.add(number)
    return result


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


def _outside_names(reals: Sequence[str], coverage: Coverage, package_of) -> Set[bytes]:
    """Everything importable from a search folder (a file's own folder, its package root)
    that lies outside the walked folders: such modules were not discovered."""
    walked = tuple(coverage.folders)
    searched = set()
    for real in reals:
        folder = os.path.dirname(real)
        searched.add(folder)
        searched.add(package_of(folder)[1])
    names: Set[bytes] = set()
    from fixer.project import _entries

    for folder in searched:
        if any(folder == top or folder.startswith(top.rstrip(os.sep) + os.sep) for top in walked):
            continue
        for entry in _entries(folder):
            if os.path.join(folder, entry) in walked:
                continue  # walked itself: what is below it is covered
            names.add(os.fsencode(entry[:-3] if entry.endswith(".py") else entry))
    return names


__all__ = ["Triage", "triage_files"]
