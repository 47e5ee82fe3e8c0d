"""The scanned codebase: which file holds which module, what other modules' functions do,
and who imports whom.  Gives ``analyze`` its view across files.

Modules are read and analysed lazily, only when a module-level call of a script reaches
into them, and each at most once per run.  Modules of catalogued libraries
(``multiprocessing``, ``joblib``, ...) are never resolved to files: the catalogue speaks
for them.
"""

from __future__ import annotations

import ast
import os
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional, Sequence

from fixer.analyze import ExternalChain, make_analyzer
from fixer.cache import Stamp
from fixer.libstore import LibraryAnswers, is_below, library_folders
from fixer.memo import forget_since, idle as memo_idle, position as memo_position, solve
from fixer.roots import (
    SearchSettings, bytes_add_to_path, clear_caches as clear_root_caches, declared_roots, dynamic_import_packages,
    path_additions, project_root_of,
)
from fixer.source import SourceError, decode_source, read_bytes
from fixer.targets import WORD, attribute_words, import_regions, PREFILTER_TOKENS, is_catalogue_module, mentions_spawner_of, mentions_tokens

#: How deep a chain may go through other modules before the search gives up.
MAX_DEPTH = 12
#: Methods that run when a class is called: a file reaches them through the class's name.
_CONSTRUCTORS = frozenset({"__init__", "__new__", "__post_init__"})
#: How many modules' bytes the project keeps (read again after that).
RECENT_MODULES = 64

_IMPORT_LINE = re.compile(
    rb"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)|import[ \t]+([^\n#;]+))",
    re.M,
)


def module_name_for(path: Path) -> tuple[str, Path]:
    """The dotted module name of a file and the folder its top-level package sits in."""
    return _module_name_for(str(path))


@lru_cache(maxsize=65536)
def _module_name_for(path: str) -> tuple[str, Path]:
    real = _realpath(path)
    folder, name = os.path.split(real)
    stem = name[:-3] if name.endswith(".py") else os.path.splitext(name)[0]
    parts = [] if stem == "__init__" else [stem]
    while os.path.dirname(folder) != folder and (
        "__init__.py" in _entries(folder)
        # a folder without __init__.py inside a regular package is a namespace portion of
        # it: lerobot/datasets/lerobot_dataset.py is lerobot.datasets.lerobot_dataset
        or "__init__.py" in _entries(os.path.dirname(folder))
    ):
        folder, package = os.path.split(folder)
        parts.insert(0, package)
    return ".".join(parts), Path(folder)


#: The dots of a relative import (``from . import base``, ``from ..util import f``).
_RELATIVE_LEVEL = re.compile(rb"\bfrom[ \t]+(\.+)")


@lru_cache(maxsize=65536)
def namespace_package(real: str) -> tuple:
    """For a module of a folder without ``__init__.py`` that imports relatively
    (``from . import base`` in ``model/nerf.py``): the package it must have been imported
    from, since Python refuses a relative import in a top-level module -- its folders'
    names, as deep as its deepest relative import (``("model",)``: ``model.nerf``, as its
    importer's ``import_module("model.nerf")`` names it), and the folder above them, which
    was on ``sys.path`` then.  ``()`` for any other module (or when a folder's name cannot
    be imported)."""
    folder = os.path.dirname(real)
    if "__init__.py" in _entries(folder) or "__init__.py" in _entries(os.path.dirname(folder)):
        return ()  # a package's module, or a namespace portion of one (``_module_name_for``)
    try:
        data = read_bytes(Path(real))
    except OSError:
        return ()
    if b"from" not in data:
        return ()
    depth = max((len(match.group(1)) for match in _RELATIVE_LEVEL.finditer(import_regions(data))), default=0)
    names: list = []
    current = folder
    for _ in range(depth):
        parent, name = os.path.split(current)
        if parent == current or not name.isidentifier():
            return ()
        names.insert(0, name)
        current = parent
    return (tuple(names), current) if names else ()


def find_module_file(dotted: str, search: Sequence) -> Optional[Path]:
    """``a.b`` -> ``DIR/a/b.py`` or ``DIR/a/b/__init__.py`` in the first folder that has it."""
    if type(search) is not tuple:  # (resolvers keep a tuple of strings: no copy then)
        search = tuple(str(folder) for folder in search)
    return _find_module_path(dotted, search)


@lru_cache(maxsize=65536)
def _find_module_path(dotted: str, search: tuple) -> Optional[Path]:
    found = _find_module_file(dotted, search)
    return Path(found) if found is not None else None


@lru_cache(maxsize=65536)
def _realpath(path: str) -> str:
    return os.path.realpath(path)


@lru_cache(maxsize=65536)
def _entries(folder: str) -> frozenset:
    """The names in a folder (one listing per folder per run instead of a stat per guess)."""
    try:
        return frozenset(os.listdir(folder))
    except OSError:
        return frozenset()


#: Folder -> top-level module names never looked up there (guardfix's own dependencies in
#: the environment guardfix runs in): set by ``Project`` from its ``SearchSettings``.
_HIDDEN: dict = {}


@lru_cache(maxsize=65536)
def _find_module_file(dotted: str, search: tuple) -> Optional[str]:
    parts = dotted.split(".")
    if not dotted or not all(part.isidentifier() for part in parts):
        return None
    for folder in search:
        if parts[0] in _HIDDEN.get(folder, ()):
            continue
        base = folder
        for part in parts[:-1]:
            if part not in _entries(base):
                break
            base = os.path.join(base, part)
        else:
            last = parts[-1]
            names = _entries(base)
            if last in names:  # packages win
                init = os.path.join(base, last, "__init__.py")
                if os.path.isfile(init):
                    return init
            if last + ".py" in names:
                candidate = os.path.join(base, last + ".py")
                if os.path.isfile(candidate):
                    return candidate
    return None


def clear_caches() -> None:
    """Forget folder listings and module lookups (between runs in one process, and tests)."""
    for cached in (
        _entries, _find_module_file, _find_module_path, _realpath, _module_name_for, _project_search, _project_roots, _words,
        namespace_package,
    ):
        cached.cache_clear()
    clear_root_caches()


#: ``Project.keep_chars`` by default (6 MB of source: about 200 MB of syntax trees; at 3 MB an
#: 11,300-file site-packages parsed its modules 810 times instead of 238, 30% slower).
KEEP_CHARS = 6_000_000


@dataclass
class _Loaded:
    analyzer: object  # analyze._Analyzer, or None when the module cannot be read or parsed
    display: str
    text: str = ""  # the source it was made from


@dataclass
class Project:
    """Every file the run discovered, and lazily analysed modules of the codebase."""

    files: Sequence[Path] = ()
    catalogue: Optional[dict] = None
    cwd: Path = field(default_factory=Path.cwd)
    tokens: tuple = PREFILTER_TOKENS
    #: realpath -> the module analysed for questions from other files, least recently used
    #: first; trimmed to ``keep_chars`` of source (``trim``).
    _loaded: "OrderedDict[str, _Loaded]" = field(default_factory=OrderedDict)
    _loaded_chars: int = 0
    #: Source characters of analysed modules kept between questions.  A syntax tree costs
    #: about 35 bytes per character of its source: scipy.stats alone is 2 MB of source.
    keep_chars: Optional[int] = None  # (None: ``KEEP_CHARS``)
    _capability: dict = field(default_factory=dict)
    _exported: dict = field(default_factory=dict)
    _stars: dict = field(default_factory=dict)  # realpath -> modules it star-imports
    _star_closures: dict = field(default_factory=dict)  # realpath -> modules stars reach
    _star_chains: dict = field(default_factory=dict)  # (realpath, rest) -> chain, through stars
    _resolvers: dict = field(default_factory=dict)
    _export_indexes: dict = field(default_factory=dict)
    _import_texts: Optional[dict] = None  # file -> its import lines (for importers_of)
    _parsed_imports: dict = field(default_factory=dict)  # realpath -> parsed_imports()
    #: word -> numbers (in ``files``) of the files whose import lines hold it (from the triage)
    import_index: Optional[dict] = None
    #: realpath -> Stamp of every module the cross-module analysis read.
    modules_read: dict = field(default_factory=dict)
    #: realpath -> whether the module could start processes, decided by the run's triage.
    known: dict = field(default_factory=dict)
    asked_no: dict = field(default_factory=dict)  # key of ``known`` answered "no" -> when, first
    #: realpath -> folders the module was imported from (see ``_find``).
    _import_roots: dict = field(default_factory=dict)
    _noted: set = field(default_factory=set)  # (module file, dotted name) already noted
    #: realpath -> whether the file may add to ``sys.path`` at module level.
    path_adders: dict = field(default_factory=dict)
    #: Whether modules read are stamped for the cache (a run without a cache needs no hashes).
    stamps: bool = True
    _recent: dict = field(default_factory=dict)  # real path -> bytes of the last modules read
    #: Where imports resolve beyond a file's own folders (``--src``, the environment).
    settings: SearchSettings = field(default_factory=SearchSettings)
    _depth: int = 0
    _imports: Optional[dict] = None
    #: Answers about installed modules from earlier runs (``fixer.libstore``), if any.
    library: Optional[LibraryAnswers] = None
    #: The environment's site-packages folders: modules below them are installed packages.
    library_folders: tuple = ()

    def __post_init__(self) -> None:
        clear_caches()  # the file system may have changed since an earlier project
        _HIDDEN.clear()
        self.library_folders = library_folders(self.settings.environment.folders)
        if self.library:
            # Stored answers about installed modules hold as long as those files are
            # unchanged (the store checked); a discovered file is the run's own business.
            discovered = {_realpath(str(path)) for path in self.files}
            self._capability.update((k, v) for k, v in self.library.worth.items() if k not in discovered)
            self._exported.update((k, v) for k, v in self.library.exported.items() if k[0] not in discovered)
        if self.settings.environment.hidden:
            for folder in self.settings.environment.folders:
                _HIDDEN[folder] = self.settings.environment.hidden

    def adds_to_path(self, path: Path) -> bool:
        """Whether the file may add folders to ``sys.path`` at module level (the triage
        answered it for every file it read; other files are read here)."""
        key = _realpath(str(path))
        answer = self.path_adders.get(key)
        if answer is None:
            try:
                answer = bytes_add_to_path(read_bytes(path))
            except OSError:
                answer = False
            self.path_adders[key] = answer
        return answer

    def _find(self, dotted: str, search: Sequence) -> Optional[Path]:
        """``find_module_file``, remembering the folder the module was found from: a module
        of a namespace folder (``exp/main.py`` imported as ``exp.main``) runs with that
        folder on ``sys.path`` too, so its own imports (``from data_provider import ...``,
        a sibling of ``exp/``) resolve there."""
        found = find_module_file(dotted, search)
        if found is not None and (found, dotted) not in self._noted:
            self._noted.add((found, dotted))
            key = _realpath(str(found))
            depth = dotted.count(".") + (1 if found.name == "__init__.py" else 0)
            root = os.path.dirname(key)
            for _ in range(depth):
                root = os.path.dirname(root)
            roots = self._import_roots.setdefault(key, set())
            if root not in roots:
                roots.add(root)
                resolver = self._resolvers.get(str(found))
                if resolver is not None and root not in resolver.search:
                    resolver.search = resolver.search + (root,)
        return found

    def search_roots(self, path: Path) -> list:
        """Every folder imports of the file ``path`` are searched in, after its own folder
        and its package root, with the reason (``roots.Root``): its own ``sys.path``
        additions, ``--src`` folders, its project's declared package roots and root, and the
        environment's installed packages."""
        from fixer.roots import Root

        found = []
        if self.adds_to_path(path):
            try:
                found += path_additions(decode_source(read_bytes(path)).text, str(path))
            except (OSError, SourceError):
                pass
        found += [Root(folder, "--src / [tool.guardfix] src") for folder in self.settings.src]
        folder = os.path.dirname(_realpath(str(path)))
        found += [Root(parent, "the folder above a namespace folder") for parent in _namespace_parent(folder)]
        found += list(_project_roots(folder))
        found += self.settings.environment.roots()
        return found

    def _read_module(self, module_file: Path) -> bytes:
        """Read a module for the cross-module analysis, noting what was read: results of
        other files depend on it (the cache checks it is unchanged before reusing them).
        The last few modules' bytes are kept: the walk reads a module to ask whether it can
        start processes, then again to analyse its exports."""
        key = _realpath(str(module_file))
        data = self._recent.get(key)
        if data is not None:
            return data
        before = Stamp.stat(module_file) if self.stamps and key not in self.modules_read else None
        data = read_bytes(module_file)
        if key not in self.modules_read:
            self.modules_read[key] = Stamp.of(Path(key), data, before) if before else Stamp(-1, -1, "", "")
        if len(self._recent) >= RECENT_MODULES:
            del self._recent[next(iter(self._recent))]
        self._recent[key] = data
        return data

    def resolver_for(self, path: Path) -> "FileResolver":
        key = str(path)
        resolver = self._resolvers.get(key)
        if resolver is None:
            resolver = self._resolvers[key] = FileResolver(self, Path(path))
        return resolver

    def display(self, path: Path) -> str:
        try:
            return Path(os.path.relpath(path, self.cwd)).as_posix()
        except ValueError:  # pragma: no cover - another drive on Windows
            return path.as_posix()

    # ----- chains across modules ------------------------------------------------------
    def chain_for(self, qualname: str, search: Sequence[Path]) -> Optional[ExternalChain]:
        if is_catalogue_module(qualname) or self._depth >= MAX_DEPTH:
            return None
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module_file = self._find(".".join(parts[:cut]), search)
            if module_file is not None and self._worth(module_file):  # (else: no need to parse it)
                found = self._chain_in(module_file, parts[cut:])
                if found is not None:
                    return found
            # ``pkg.models.Model`` may be a submodule *and* the class ``pkg/models/__init__.py``
            # binds under that name (``from .Model import Model``): the package's binding is
            # what ``from pkg.models import Model`` gives, so the shorter prefix is tried too.
        return None

    def _star_sources(self, module_file: Path) -> list:
        """The modules ``module_file`` re-exports everything of (``from .impl import *``),
        as absolute names; catalogued libraries are left out (the analysis expands those)."""
        key = _realpath(str(module_file))
        found = self._stars.get(key)
        if found is not None:
            return found
        found = self._stars[key] = []
        try:
            data = self._read_module(module_file)
        except OSError:
            return found
        if _may_star_import(data):
            # Read off the lines (a star import may sit in a module-level ``try``): the
            # module is parsed only if one of its own names is asked about.
            for base in star_imports(data, self.resolver_for(module_file)):
                if not is_catalogue_module(base) and base not in found:
                    found.append(base)
        return found

    def star_origins(self, qualname: str, search: Sequence[Path]) -> list:
        """Where a name of a module of the codebase comes from when that module re-exports
        it with a star import and does not define it (``pkg.compat.main`` is ``unittest.main``
        after ``from unittest import *`` in ``pkg/compat.py``): one name per star source (or
        the name it is bound to), the rest of ``qualname`` kept; [] when nothing says so."""
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module_file = self._find(".".join(parts[:cut]), search)
            if module_file is None:
                continue
            rest = parts[cut:]
            if rest[0].startswith("_"):
                return []
            defined = self._export_index(module_file).get(rest[0])
            if defined is not None:
                return [".".join([what] + rest[1:]) for kind, what in defined if kind == "bind"]
            return [".".join([base] + rest) for base in self._star_sources(module_file)]
        return []

    def _star_closure(self, module_file: Path) -> list:
        """Every module whose names star imports bring into ``module_file``, directly or
        through other star imports (breadth first, each once: a package of modules that
        star-import each other is a graph, not a tree)."""
        key = _realpath(str(module_file))
        found = self._star_closures.get(key)
        if found is not None:
            return found
        seen, order, todo = {key}, [], [module_file]
        while todo:
            current = todo.pop(0)
            search = self.resolver_for(current).search
            for base in self._star_sources(current):
                source = self._find(base, search)
                if source is None:
                    continue
                real = _realpath(str(source))
                if real not in seen:
                    seen.add(real)
                    order.append(source)
                    todo.append(source)
        self._star_closures[key] = order
        return order

    def _through_stars(self, module_file: Path, rest: list) -> Optional[ExternalChain]:
        """``_chain_in`` for a name a star import brought into the module (public names only)."""
        if rest[0].startswith("_"):
            return None

        def compute() -> Optional[ExternalChain]:
            for source in self._star_closure(module_file):
                if self._worth(source):
                    found = self._chain_in(source, rest, stars=False)
                    if found is not None:
                        return found
            return None

        key = (_realpath(str(module_file)), tuple(rest))
        return solve(self._star_chains, key, compute, None, witness=True)

    def chain_for_call(self, qualname: str, search: Sequence[Path], arguments: tuple) -> Optional[ExternalChain]:
        """``chain_for`` of a call that passes ``arguments`` (``portable_arguments``): a
        DataLoader handed to a function that iterates its parameter.  The module is read even
        if it cannot start processes by itself: what starts them comes in with the call."""
        if is_catalogue_module(qualname) or self._depth >= MAX_DEPTH:
            return None
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module_file = self._find(".".join(parts[:cut]), search)
            if module_file is not None:
                found = self._chain_in(module_file, parts[cut:], arguments)
                if found is not None:
                    return found  # (else the package's binding of the same name may be it)
        return None

    def returns_for(self, qualname: str, search: Sequence[Path]) -> frozenset:
        """What calling the function ``qualname`` of the codebase (or a method of a class,
        ``pkg.Dataset.create``) returns that may start processes in the caller's hands
        (``portable`` values: a DataLoader with workers, a Process, a context, a pool class,
        an instance whose methods start processes), or nothing."""
        if is_catalogue_module(qualname) or self._depth >= MAX_DEPTH:
            return frozenset()
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module_file = self._find(".".join(parts[:cut]), search)
            if module_file is None:
                continue
            rest = parts[cut:]
            if len(rest) > 2 or not self._worth(module_file):
                continue
            analyzer = self._load(module_file).analyzer
            if analyzer is None:
                continue
            callee: Optional[tuple] = None
            if len(rest) == 1 and rest[0] in analyzer.functions:  # type: ignore[attr-defined]
                callee = ("func", rest[0])
            elif len(rest) == 2 and rest[0] in analyzer.classes:  # type: ignore[attr-defined]
                # Dataset.create(...): a classmethod factory (return cls(...)) of another module
                if analyzer.find_method(rest[0], rest[1]) is not None:  # type: ignore[attr-defined]
                    callee = ("method", rest[0], rest[1])
                else:
                    # inherited from a base in another module
                    own_search = self.resolver_for(module_file).search
                    self._depth += 1
                    try:
                        for base in analyzer.external_bases(rest[0]):  # type: ignore[attr-defined]
                            found = self.returns_for(f"{base}.{rest[1]}", own_search)
                            if found:
                                return found
                    finally:
                        self._depth -= 1
                    continue
            else:
                # a re-export (from .datasets import Dataset in __init__.py): follow it
                for source in analyzer.module.bindings.get(rest[0], []):  # type: ignore[attr-defined]
                    if source[0] == "value" and source[1][0] == "name":
                        self._depth += 1
                        try:
                            found = self.returns_for(".".join([source[1][1], *rest[1:]]), self.resolver_for(module_file).search)
                        finally:
                            self._depth -= 1
                        if found:
                            return found
                continue
            if callee is None:
                continue
            self._depth += 1
            try:
                found = analyzer.portable_returns(callee)  # type: ignore[attr-defined]
            finally:
                self._depth -= 1
            if found:
                return found
        return frozenset()

    def is_process_class(self, qualname: str, search: Sequence[Path]) -> bool:
        """Whether ``qualname`` is a class of the codebase that subclasses a process class."""
        if is_catalogue_module(qualname) or self._depth >= MAX_DEPTH:
            return False
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module_file = self._find(".".join(parts[:cut]), search)
            if module_file is None:
                continue
            if not self._worth(module_file):
                continue
            analyzer = self._load(module_file).analyzer
            rest = parts[cut:]
            if analyzer is None or len(rest) != 1:
                continue
            name = rest[0]
            self._depth += 1
            try:
                if name in analyzer.classes:  # type: ignore[attr-defined]
                    return bool(analyzer.is_process_class(name))  # type: ignore[attr-defined]
                for source in analyzer.module.bindings.get(name, []):  # type: ignore[attr-defined]
                    if source[0] == "value" and source[1][0] == "name":
                        if self.is_process_class(source[1][1], self.resolver_for(module_file).search):
                            return True
                if not name.startswith("_"):
                    for source in self._star_closure(module_file):
                        other = self._load(source).analyzer if self._worth(source) else None
                        if other is not None and name in other.classes:  # type: ignore[attr-defined]
                            return bool(other.is_process_class(name))  # type: ignore[attr-defined]
            finally:
                self._depth -= 1
        return False

    def _named_in_module(self, qualname: str, search: Sequence[Path], worth: bool = True) -> Iterator[tuple]:
        """(module file, its analyzer, name) for each way of reading ``qualname`` as a name
        defined in a module of the codebase (``pkg.mod.Name``: ``pkg.mod`` then ``Name``),
        longest module first; with ``worth``, only modules that could start processes."""
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module_file = self._find(".".join(parts[:cut]), search)
            rest = parts[cut:]
            if module_file is None or len(rest) != 1 or (worth and not self._worth(module_file)):
                continue
            analyzer = self._load(module_file).analyzer
            if analyzer is not None:
                yield module_file, analyzer, rest[0]

    def class_bases(self, qualname: str, search: Sequence[Path]) -> tuple:
        """The bases outside the codebase of the class ``qualname`` of the codebase, through
        its bases in the codebase (``unittest.TestCase`` for ``helpers.SuiteCase`` when
        ``helpers.py`` has ``class SuiteCase(unittest.TestCase)``); () when ``qualname`` is no
        class of the codebase.  The module is read even if it cannot start processes: the
        question is what the class is (a test case whose test methods a suite runs)."""
        if is_catalogue_module(qualname) or self._depth >= MAX_DEPTH:
            return ()
        for module_file, analyzer, name in self._named_in_module(qualname, search, worth=False):
            found: list = []
            own_search = self.resolver_for(module_file).search
            self._depth += 1
            try:
                if name in analyzer.classes:  # type: ignore[attr-defined]
                    for base in analyzer.external_bases(name):  # type: ignore[attr-defined]
                        found += self.class_bases(base, own_search) or [base]
                    return tuple(dict.fromkeys(found))
                for source in analyzer.module.bindings.get(name, []):  # type: ignore[attr-defined]
                    if source[0] == "value" and source[1][0] == "name":  # a re-export
                        found += self.class_bases(source[1][1], own_search)
                if found:
                    return tuple(dict.fromkeys(found))
            finally:
                self._depth -= 1
        return ()

    def keeps_literals(self, qualname: str, search: Sequence[Path]) -> bool:
        """Whether ``qualname`` is a class of the codebase whose ``__init__`` keeps literals
        on self that its methods test (``kept_attributes``): its constructor's literal
        arguments are worth handing on with calls of its methods.  Only modules that may
        start processes are read (else there is nothing to rule out)."""
        if is_catalogue_module(qualname) or self._depth >= MAX_DEPTH:
            return False
        for module_file, analyzer, name in self._named_in_module(qualname, search):
            self._depth += 1
            try:
                if name in analyzer.classes:  # type: ignore[attr-defined]
                    return bool(analyzer.kept_attributes(name))  # type: ignore[attr-defined]
                for source in analyzer.module.bindings.get(name, []):  # type: ignore[attr-defined]
                    if source[0] == "value" and source[1][0] == "name":  # a re-export
                        if self.keeps_literals(source[1][1], self.resolver_for(module_file).search):
                            return True
            finally:
                self._depth -= 1
        return False

    def _chain_in(
        self, module_file: Path, rest: list[str], arguments: Optional[tuple] = None, stars: bool = True
    ) -> Optional[ExternalChain]:
        loaded = self._load(module_file)
        analyzer = loaded.analyzer
        if analyzer is None:
            return None
        name = rest[0]
        if name not in analyzer.functions and name not in analyzer.classes:  # type: ignore[attr-defined]
            name = next(iter(_aliased(analyzer, name)), (None, name))[1]  # run_batch = run_iterator
        callee: Optional[tuple] = None
        line = 0
        if name in analyzer.functions and len(rest) == 1:  # type: ignore[attr-defined]
            callee, line = ("func", name), analyzer.functions[name].lineno  # type: ignore[attr-defined]
        elif name in analyzer.classes and len(rest) <= 2:  # type: ignore[attr-defined]
            if len(rest) == 1:
                callee, line = ("init", name), analyzer.classes[name].lineno  # type: ignore[attr-defined]
            else:
                method = analyzer.find_method(name, rest[1])  # type: ignore[attr-defined]
                if method is None:
                    # inherited from a class of another module (class Model(base.Model)):
                    # the base's method, as the analysis does for self.method() calls
                    return self._inherited(module_file, name, rest[1], arguments)
                callee, line = ("method", name, rest[1]), method.lineno
        elif len(rest) == 1 and analyzer.registered_commands(name):  # type: ignore[attr-defined]
            # app = typer.Typer() with @app.command() functions: calling app runs one of them
            callee = ("commands", name)
            line = analyzer.functions[analyzer.registered_commands(name)[0][2][1]].lineno  # type: ignore[attr-defined]
        else:
            # A re-export (`from .core import run` in a package's __init__.py): follow it.
            for source in analyzer.module.bindings.get(name, []):  # type: ignore[attr-defined]
                if source[0] == "value" and source[1][0] == "name":
                    target = ".".join([source[1][1], *rest[1:]])
                    self._depth += 1
                    try:
                        search = self.resolver_for(module_file).search
                        found = (
                            self.chain_for(target, search) if arguments is None
                            else self.chain_for_call(target, search, arguments)
                        )
                    finally:
                        self._depth -= 1
                    if found is not None:
                        return found
            return self._through_stars(module_file, rest) if stars else None
        self._depth += 1
        try:
            if arguments is None:
                steps = analyzer.chain(callee)  # type: ignore[attr-defined]
            else:
                steps = analyzer.chain_called_with(callee, arguments)  # type: ignore[attr-defined]
        finally:
            self._depth -= 1
        if steps is None:
            return None
        return ExternalChain(loaded.display, line, steps)

    def _inherited(
        self, module_file: Path, cls_name: str, method: str, arguments: Optional[tuple]
    ) -> Optional[ExternalChain]:
        """``_chain_in`` of a method that the class ``cls_name`` of ``module_file`` inherits
        from a base in another module: that base's chain, the first base that has one."""
        analyzer = self._load(module_file).analyzer
        if analyzer is None:
            return None
        search = self.resolver_for(module_file).search
        self._depth += 1
        try:
            for base in analyzer.external_bases(cls_name):  # type: ignore[attr-defined]
                target = f"{base}.{method}"
                found = self.chain_for(target, search) if arguments is None else self.chain_for_call(target, search, arguments)
                if found is not None:
                    return found
        finally:
            self._depth -= 1
        return None

    def attribute_values_for(self, qualname: str, attr: str, search: Sequence[Path]) -> frozenset:
        """What ``self.attr`` may hold in a class ``qualname`` of the codebase (set in any
        of its methods, ``self.test_loader = data.setup_loader(opt)``), as another module
        may read it (``portable`` values): a subclass in another module that iterates
        ``self.test_loader`` reads what its base's ``load_dataset`` kept there."""
        if is_catalogue_module(qualname) or self._depth >= MAX_DEPTH:
            return frozenset()
        for _, analyzer, name in self._named_in_module(qualname, search):
            if name not in analyzer.classes:  # type: ignore[attr-defined]
                continue
            self._depth += 1
            try:
                values = analyzer.attribute_values(name, attr)  # type: ignore[attr-defined]
                return frozenset(filter(None, (analyzer.portable(v) for v in values)))  # type: ignore[attr-defined]
            finally:
                self._depth -= 1
        return frozenset()

    def _load(self, module_file: Path) -> _Loaded:
        key = _realpath(str(module_file))
        loaded = self._loaded.get(key)
        if loaded is not None:
            self._loaded.move_to_end(key)
            return loaded
        loaded = _Loaded(None, self.display(module_file))
        self._loaded[key] = loaded  # before analysing: import cycles end here
        try:
            decoded = decode_source(self._read_module(module_file))
            loaded.text = decoded.text
            loaded.analyzer = make_analyzer(
                decoded.text, str(module_file), self.catalogue, self.resolver_for(module_file), loaded.display
            )
        except (OSError, SourceError, SyntaxError, ValueError, RecursionError):
            loaded.analyzer = None
        self._loaded_chars += len(loaded.text)
        return loaded

    def trim(self) -> None:
        """Drop the least recently used analysed modules beyond ``keep_chars`` of source,
        when no question is in flight (``memo.idle``).  What they answered stays in the
        project's tables (by real path and name); a module asked again is parsed again.
        Keeps memory bounded on trees where hundreds of large modules can start processes."""
        keep = KEEP_CHARS if self.keep_chars is None else self.keep_chars
        if self._loaded_chars <= keep or not memo_idle():
            return
        while self._loaded_chars > keep and len(self._loaded) > 1:
            _, loaded = self._loaded.popitem(last=False)
            self._loaded_chars -= len(loaded.text)

    def _loaded_tree(self, key: str, data: bytes) -> Optional[ast.Module]:
        """The syntax tree of the module at real path ``key``, if analysed from ``data``."""
        try:
            text = decode_source(data).text
        except SourceError:
            return None
        analyzer = self._analyzer_from(key, text)
        return analyzer.tree if analyzer is not None else None  # type: ignore[attr-defined]

    def loaded_analyzer(self, path: Path, text: str, display: str) -> Optional[object]:
        """The analyzer this project already made of the file ``path``, if it was made from
        ``text`` and shows ``display`` (a file that other files' chains went through is
        then parsed and indexed once, not twice)."""
        return self._analyzer_from(_realpath(str(path)), text, display)

    def _analyzer_from(self, key: str, text: str, display: Optional[str] = None) -> Optional[object]:
        loaded = self._loaded.get(key)
        if loaded is None or loaded.analyzer is None or loaded.text != text:
            return None
        if display is not None and loaded.display != display:
            return None
        return loaded.analyzer

    # ----- could a module start processes? ------------------------------------------------
    def imports_spawner_module(self, data: bytes, path: Path) -> bool:
        """Whether a file calls into a project module that can start processes: it imports
        such a module and names one of that module's spawners.  Decided from import lines and
        bytes; only modules that use a catalogued library (and what they export) are parsed."""
        resolver = self.resolver_for(path)
        root = resolver.module.split(".", 1)[0]
        if root and is_catalogue_module(root) and mentions_spawner_of(data, root, self.tokens):
            return True  # a module of a catalogued library itself (relative imports)
        return self._reaches_spawner(data, resolver, 0)

    def imports_reaching(self, data: bytes, path: Path, module_file: Path) -> bool:
        """Whether ``data`` (the file ``path``, which imports ``module_file``) names one of
        that module's spawners: ``imports_spawner_module``'s question, asked of one import."""
        if _may_star_import(data):  # a star import of a module that can start processes names them all
            key, resolver = _realpath(str(module_file)), self.resolver_for(path)
            for dotted in star_imports(data, resolver):
                found = find_module_file(dotted, resolver.search)
                if found is not None and _realpath(str(found)) == key and self._worth(module_file):
                    return True
        return self._mentions_export(data, module_file)

    def imported_names(self, data: bytes, path: Path) -> list:
        """The codebase module names a file's import lines may import (no catalogued ones)."""
        return [d for d in dict.fromkeys(scan_imports(data, self.resolver_for(path))) if not is_catalogue_module(d)]

    @staticmethod
    def real_path(path: Path) -> str:
        return _realpath(str(path))

    def module_file(self, dotted: str, path: Path) -> Optional[Path]:
        """The file that ``import dotted`` in the file ``path`` would load, if in the codebase."""
        return self._find(dotted, self.resolver_for(path).search)

    def _reaches_spawner(self, data: bytes, resolver: "FileResolver", depth: int) -> bool:
        if depth >= MAX_DEPTH:
            return False
        if _may_star_import(data):
            # ``from .impl import *`` names nothing, yet brings in every spawner of impl.
            for dotted in star_imports(data, resolver):
                module_file = self._find(dotted, resolver.search)
                if module_file is not None and not is_catalogue_module(dotted) and self._worth(module_file, depth + 1):
                    return True
        for dotted in scan_imports(data, resolver):
            if is_catalogue_module(dotted):
                continue
            module_file = self._find(dotted, resolver.search)
            if module_file is None or not self._worth(module_file, depth + 1):
                continue
            if self._mentions_export(data, module_file):
                return True
        return False

    def library_answers(self) -> tuple:
        """(module realpath -> can it start processes, (realpath, name) -> is that export a
        spawner): every answer of this run, for ``fixer.libstore.collect`` to keep those
        about installed modules."""
        return self._capability, self._exported

    def can_start(self, module_file: Path) -> bool:
        """Whether the module could start processes (``_worth``)."""
        return self._worth(module_file)

    def _worth(self, module_file: Path, depth: int = 0) -> bool:
        """Whether a module could start processes: it uses a catalogued library itself, or it
        imports a module that could and names one of that module's spawners.  For the
        modules in ``known`` (the run's triage answered it for every discovered file) that
        answer holds."""
        key = _realpath(str(module_file))
        if key in self.known:
            if not self.known[key]:
                self.asked_no.setdefault(key, memo_position())
            return self.known[key]
        return solve(self._capability, key, lambda: self._compute_worth(module_file, depth), False)

    def forget_answers_since(self, moment: int) -> None:
        """Drop every remembered answer that may rest on a "no" of ``known`` given at or
        after ``moment`` (``memo.position()``): that module's answer has become "yes"."""
        forget_since(moment)
        for loaded in self._loaded.values():
            if loaded.analyzer is not None:
                loaded.analyzer._process_classes.clear()  # type: ignore[attr-defined]  # (not a memo table)
                loaded.analyzer.forget_values()  # type: ignore[attr-defined]
        self.asked_no = {key: at for key, at in self.asked_no.items() if at < moment}

    def _compute_worth(self, module_file: Path, depth: int) -> bool:
        try:
            data = self._read_module(module_file)
        except OSError:
            return False
        if mentions_tokens(data, self.tokens):
            return True
        self.path_adders.setdefault(_realpath(str(module_file)), bytes_add_to_path(data))  # (its resolver asks)
        return self._reaches_spawner(data, self.resolver_for(module_file), depth)

    def _mentions_export(self, data: bytes, module_file: Path) -> bool:
        """Whether ``data`` names one of the module's spawners: a function or class that
        reaches a process start (a class counts with its methods' names), or a name it
        re-exports from a module that has such names.  Only names that occur in ``data`` (as
        whole words) are ever analysed."""
        if not self._worth(module_file):
            return False
        key = _realpath(str(module_file))
        index = self._export_index(module_file)
        named = _words(data)
        for name, reasons in index.items():
            if name.encode() in named and solve(
                self._exported, (key, name), lambda: self._is_export(module_file, reasons), False
            ):
                return True
        for source in self._star_closure(module_file):
            if not self._worth(source):
                continue
            source_key = _realpath(str(source))
            for name, reasons in self._export_index(source).items():
                if name.encode() in named and not name.startswith("_") and solve(
                    self._exported, (source_key, name), lambda: self._is_export(source, reasons), False
                ):
                    return True
        return False

    def _export_index(self, module_file: Path) -> dict:
        """Name -> what could make it a spawner, read off the module's definitions (cheap)."""
        key = _realpath(str(module_file))
        index = self._export_indexes.get(key)
        if index is not None:
            return index
        index = {}
        analyzer = self._load(module_file).analyzer
        if analyzer is not None:
            for name in analyzer.functions:  # type: ignore[attr-defined]
                index.setdefault(name, []).append(("func", name))
            for name, cls in analyzer.classes.items():  # type: ignore[attr-defined]
                index.setdefault(name, []).append(("class", name))
                for stmt in cls.body:
                    # (a constructor is reached by naming the class, or what returns or
                    # binds it, never by its own name: a file that writes ``__init__`` for
                    # its own classes asks nothing about these)
                    if hasattr(stmt, "args") and stmt.name not in _CONSTRUCTORS:
                        index.setdefault(stmt.name, []).append(("class", name))
            for name in analyzer.command_groups():  # type: ignore[attr-defined]
                index.setdefault(name, []).append(("commands", name))  # app() of a Typer app
            for name, sources in analyzer.module.bindings.items():  # type: ignore[attr-defined]
                for source in sources:
                    if source[0] == "value" and source[1][0] == "name" and not is_catalogue_module(source[1][1]):
                        index.setdefault(name, []).append(("bind", source[1][1]))
                aliases = [] if name in index else _aliased(analyzer, name)
                if aliases:
                    index[name] = aliases
        self._export_indexes[key] = index
        return index

    def _is_export(self, module_file: Path, reasons: list) -> bool:
        analyzer = self._load(module_file).analyzer
        if analyzer is None:
            return False
        self._depth += 1
        try:
            for kind, what in reasons:
                if kind == "func" and (
                    analyzer.chain(("func", what)) is not None  # type: ignore[attr-defined]
                    or analyzer.returns_starter(("func", what))  # type: ignore[attr-defined]
                ):
                    return True  # it starts processes, or returns what starts them in the caller
                if kind == "class" and solve(
                    self._exported, (_realpath(str(module_file)), "class", what),
                    lambda: self._is_spawner_class(analyzer, what), False,
                ):
                    return True
                if kind == "class" and any(
                    # class Model(base.Model) whose inherited methods start processes
                    self._bound_export(base, self.resolver_for(module_file).search)
                    for base in analyzer.external_bases(what)  # type: ignore[attr-defined]
                ):
                    return True
                if kind == "bind" and self._bound_export(what, self.resolver_for(module_file).search):
                    return True
                if kind == "commands" and analyzer.chain(("commands", what)) is not None:  # type: ignore[attr-defined]
                    return True
        finally:
            self._depth -= 1
        return False

    def _bound_export(self, qualname: str, search: Sequence[Path]) -> bool:
        """Whether a re-exported name (``from .solver import Solver`` in ``__init__.py``) is
        a spawner where it is defined: a function reaching a process start, or a class whose
        constructor or any method does (``pkg.Solver(...).solve()``)."""
        if is_catalogue_module(qualname):
            return False
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module_file = self._find(".".join(parts[:cut]), search)
            if module_file is None:
                continue
            rest = parts[cut:]
            if len(rest) != 1:
                return self.chain_for(qualname, search) is not None
            if not self._worth(module_file):
                continue
            reasons = self._export_index(module_file).get(rest[0])
            if reasons and solve(
                self._exported, (_realpath(str(module_file)), rest[0]), lambda: self._is_export(module_file, reasons), False
            ):
                return True
        return False

    @staticmethod
    def _is_spawner_class(analyzer: object, name: str) -> bool:
        cls = analyzer.classes[name]  # type: ignore[attr-defined]
        methods = [stmt.name for stmt in cls.body if hasattr(stmt, "args")]
        return bool(
            analyzer.is_process_class(name)  # type: ignore[attr-defined]
            or analyzer.chain(("init", name)) is not None  # type: ignore[attr-defined]
            or any(analyzer.chain(("method", name, m)) is not None for m in methods)  # type: ignore[attr-defined]
            # Dataset(...).setup_loader(opt) hands back a DataLoader with workers: the
            # importer starts them when it iterates it (as a function's return counts)
            or any(analyzer.returns_starter(("method", name, m)) for m in methods)  # type: ignore[attr-defined]
            # self.worker = Process(...) in a method: a subclass in another module may start it
            or any(
                analyzer.portable(value) is not None  # type: ignore[attr-defined]
                for attr in analyzer.attribute_sources(name)  # type: ignore[attr-defined]
                for value in analyzer.attribute_values(name, attr)  # type: ignore[attr-defined]
            )
        )

    # ----- who imports whom -----------------------------------------------------------
    def importers_of(self, path: Path) -> list[str]:
        """Display paths of the other discovered files that import the module at ``path``."""
        target = _realpath(str(path))
        name, _ = module_name_for(path)
        if not name:
            return []
        token = name.rsplit(".", 1)[-1].encode()
        if self.import_index is not None:  # the triage indexed every file's import words
            others = [self.files[number] for number in self.import_index.get(token, ())]
        else:
            others = self._files_importing_word(token)
        found = []
        for other in others:
            if _realpath(str(other)) == target:
                continue
            try:
                data = read_bytes(other)
            except OSError:
                continue
            resolver = self.resolver_for(other)
            if not self._may_import(data, resolver, token.decode(), target):
                continue
            key = _realpath(str(other))
            imported = self._parsed_imports.get(key)
            if imported is None:
                imported = self._parsed_imports[key] = parsed_imports(data, resolver, self._loaded_tree(key, data))
            for dotted in imported:
                module_file = find_module_file(dotted, resolver.search)
                if module_file is not None and _realpath(str(module_file)) == target:
                    found.append(self.display(other))
                    break
        return sorted(found)

    def _files_importing_word(self, token: bytes) -> list:
        """The discovered files whose import lines hold ``token``."""
        if self._import_texts is None:
            # Every import statement spells the imported module's name on its lines: keep
            # just those lines of every file, read once per run however many files ask.
            self._import_texts = {}
            for other in self.files:
                try:
                    self._import_texts[str(other)] = import_regions(read_bytes(other))
                except OSError:
                    continue
        return [other for other in self.files if token in self._import_texts.get(str(other), b"")]

    @staticmethod
    def _may_import(data: bytes, resolver: "FileResolver", leaf: str, target: str) -> bool:
        """Whether the import lines of ``data`` may import the module at ``target`` (whose
        name ends in ``leaf``): a cheap superset of what the syntax tree says.  Lines the
        line scan can misread (continued with a backslash, or a statement after a
        semicolon) always count."""
        regions = import_regions(data)
        if b"\\\n" in regions or b"\\\r" in regions or b";" in regions:
            return True
        for dotted in scan_imports(data, resolver):
            if dotted.rpartition(".")[2] == leaf:
                found = find_module_file(dotted, resolver.search)
                if found is not None and _realpath(str(found)) == target:
                    return True
        return False


@dataclass
class FileResolver:
    """The project as seen from one file: its package, and where its imports are found."""

    project: Project
    path: Path
    module: str = ""
    search: tuple = ()

    def __post_init__(self) -> None:
        self.module, root = module_name_for(self.path)
        folder = os.path.dirname(_realpath(str(self.path)))
        # A script's own folder is on sys.path when it runs; so is its package root.  Then
        # what the script adds itself, what the user names, the project's package roots and
        # the installed packages (``roots``).
        own = [folder, str(root)]
        settings = self.project.settings
        installed = self.project.library_folders
        if installed and is_below(_realpath(str(self.path)), installed):
            # An installed module imports from the environment, never from the project
            # that uses it (its answers then hold for every project: ``fixer.libstore``).
            # A module of an installed package is imported, never run as a script: its own
            # folder is not on ``sys.path`` (Python 3 has no implicit relative imports), and
            # every module of the environment then shares one search (and its lookups).
            if "." in self.module:
                own = [str(root)]
            self.search = tuple(dict.fromkeys(own + list(installed)))
        elif self.project.adds_to_path(self.path):
            self.search = tuple(dict.fromkeys(own + [r.folder for r in self.project.search_roots(self.path)]))
        else:
            self.search = tuple(dict.fromkeys(own + list(_project_search(folder, settings))))
        imported_from = self.project._import_roots.get(_realpath(str(self.path)))
        if imported_from:
            self.search = tuple(dict.fromkeys(self.search + tuple(sorted(imported_from))))
        self.namespace: tuple = ()  # the package names of a namespace module (``namespace_package``)
        if "." not in self.module and self.path.name != "__init__.py":
            found = namespace_package(_realpath(str(self.path)))
            if found:
                self.namespace = found[0]
                self.search = tuple(dict.fromkeys(self.search + (found[1],)))

    def absolute(self, level: int, module: Optional[str]) -> Optional[str]:
        """The absolute name of a relative import (``from ..x import y`` -> ``pkg.x``)."""
        package = self.module.split(".") if self.path.name == "__init__.py" else self.module.split(".")[:-1]
        package = [p for p in package if p]
        if level > len(package) and self.namespace:
            # ``from . import base`` in model/nerf.py, a folder without __init__.py: it runs
            # only as model.nerf, a module of the namespace package model
            package = list(self.namespace)
        if level > len(package):
            return None  # beyond the top-level package: Python raises ImportError
        base = package[: len(package) - (level - 1)]
        parts = base + ([module] if module else [])
        return ".".join(p for p in parts if p) or None

    def chain_for(self, qualname: str) -> Optional[ExternalChain]:
        return self.project.chain_for(qualname, self.search)

    def chain_for_any(self, package: str, attr: str) -> Optional[ExternalChain]:
        """How ``attr`` of *some* module directly inside ``package`` reaches a process start
        (``importlib.import_module("pkg." + name).attr()``): the shortest such chain, the
        first module in name order among equals; None when no module's ``attr`` does."""
        best: Optional[ExternalChain] = None
        for dotted in package_modules(package, self.search):
            found = self.project.chain_for(f"{dotted}.{attr}", self.search)
            if found is not None and (best is None or len(found.steps) < len(best.steps)):
                best = found
        return best

    def chain_for_call(self, qualname: str, arguments: tuple) -> Optional[ExternalChain]:
        return self.project.chain_for_call(qualname, self.search, arguments)

    def attribute_values_for(self, qualname: str, attr: str) -> frozenset:
        return self.project.attribute_values_for(qualname, attr, self.search)

    def returns_for_any(self, package: str, attr: str) -> frozenset:
        """What calling ``attr`` of *some* module directly inside ``package`` may return
        (``importlib.import_module("data." + name).Dataset(opt).setup_loader(opt)``): the
        values of every module that has it."""
        found: set = set()
        for dotted in package_modules(package, self.search):
            found |= self.project.returns_for(f"{dotted}.{attr}", self.search)
        return frozenset(found)

    def may_take_arguments(self, qualname: str) -> bool:
        """Whether ``chain_for_call(qualname, ...)`` can find anything: some module prefix of
        the name is a file of the codebase or the environment.  (A call of the standard
        library or of a module that is not there needs no argument evaluated.)"""
        project = self.project
        if is_catalogue_module(qualname) or project._depth >= MAX_DEPTH:
            return False
        parts = qualname.split(".")
        return any(find_module_file(".".join(parts[:cut]), self.search) is not None for cut in range(len(parts) - 1, 0, -1))

    def returns_for(self, qualname: str) -> frozenset:
        return self.project.returns_for(qualname, self.search)

    def star_origins(self, qualname: str) -> list:
        return self.project.star_origins(qualname, self.search)

    def is_process_class(self, qualname: str) -> bool:
        return self.project.is_process_class(qualname, self.search)

    def keeps_literals(self, qualname: str) -> bool:
        return self.project.keeps_literals(qualname, self.search)

    def class_bases(self, qualname: str) -> tuple:
        return self.project.class_bases(qualname, self.search)


@lru_cache(maxsize=4096)
def _project_roots(folder: str) -> tuple:
    """The declared package roots and root of the project the folder belongs to."""
    root = project_root_of(folder)
    return declared_roots(root) if root is not None else ()


@lru_cache(maxsize=4096)
def _project_search(folder: str, settings: SearchSettings) -> tuple:
    """The search folders shared by every file of ``folder`` that adds nothing to sys.path."""
    return tuple(
        [*settings.src, *_namespace_parent(folder), *(r.folder for r in _project_roots(folder)),
         *(r.folder for r in settings.environment.roots())]
    )


def _namespace_parent(folder: str) -> list:
    """The folder above a folder without ``__init__.py`` whose name can be imported, when
    both lie in a project (a folder with pyproject.toml, setup.py, setup.cfg or .git): its
    modules are usually imported as ``exp.main`` from there (a namespace folder), and then
    run with it on ``sys.path``, so their imports of its other folders resolve."""
    name = os.path.basename(folder)
    if name.isidentifier() and "__init__.py" not in _entries(folder):
        parent = os.path.dirname(folder)
        root = project_root_of(folder)
        # only inside a project: the folder above a project's own top folder is not part of it
        if parent != folder and root is not None and (parent == root or parent.startswith(root.rstrip(os.sep) + os.sep)):
            return [parent]
    return []


def _aliased(analyzer: object, name: str) -> list:
    """The module's own functions and classes that a module-level alias ``name = other``
    stands for (``run_batch = run_iterator``: ``[("func", "run_iterator")]``), or ``[]``.
    Only plain names and attributes count: a call's result is not the function."""
    found = []
    for source in analyzer.module.bindings.get(name, ()):  # type: ignore[attr-defined]
        if source[0] == "expr" and isinstance(source[1], (ast.Name, ast.Attribute)):
            for value in analyzer.eval(source[1], analyzer.module):  # type: ignore[attr-defined]
                if value[0] in ("func", "class") and value[1] != name and (value[0], value[1]) not in found:
                    found.append((value[0], value[1]))
    return found


# Asked of the same file for each module it imports, and the triage's walk visits a file
# once per module it imports that can start processes, with other files in between: a
# handful of entries made a file that imports 30 such modules be read for words 30 times.
@lru_cache(maxsize=256)
def _words(data: bytes) -> frozenset:
    """Every identifier-like word of ``data`` (a name is referred to only as a whole word)."""
    return frozenset(WORD.findall(data))


#: The fields of a statement that hold statements (an expression never holds one).
_BODIES = ("body", "orelse", "finalbody", "handlers", "cases")


def _statements(body: list) -> Iterator[ast.AST]:
    """Every statement in ``body``, nested ones included, without entering expressions."""
    todo = list(reversed(body))
    while todo:
        node = todo.pop()
        yield node
        for name in _BODIES:
            inner = getattr(node, name, None)
            if inner:
                todo.extend(reversed(inner))


def parsed_imports(data: bytes, resolver: FileResolver, tree: Optional[ast.Module] = None) -> list[str]:
    """Module names a file imports, from its syntax tree (exact: no docstring or comment
    text counts).  Used where a wrong answer would change a verdict (GF004).  ``tree``:
    ``data`` already parsed."""
    if tree is None:
        try:
            tree = ast.parse(decode_source(data).text)
        except (SourceError, SyntaxError, ValueError, RecursionError):
            return []
    names: list[str] = []
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module if node.level == 0 else resolver.absolute(node.level, node.module)
            if base:
                names.append(base)
                names += [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]
    return names


def package_modules(package: str, search: Sequence) -> list[str]:
    """The modules directly inside a package (``pkg.a``, ``pkg.b``), sorted; none when the
    package is not found (a namespace folder counts)."""
    init = find_module_file(package, search)
    folders = [os.path.dirname(str(init))] if init is not None and init.name == "__init__.py" else []
    if not folders:  # a namespace package: a folder of that name in a search folder
        parts = package.split(".")
        folders = [os.path.join(str(f), *parts) for f in search if os.path.isdir(os.path.join(str(f), *parts))][:1]
    found = []
    for folder in folders:
        for entry in sorted(_entries(folder)):
            if entry.endswith(".py") and entry != "__init__.py" and entry[:-3].isidentifier():
                found.append(f"{package}.{entry[:-3]}")
            elif entry.isidentifier() and "__init__.py" in _entries(os.path.join(folder, entry)):
                found.append(f"{package}.{entry}")
    return found


def attribute_submodules(data: bytes, package: str, resolver: FileResolver) -> list[str]:
    """``import caiman as cm`` then ``cm.cluster.setup_cluster(...)``: the submodules of a
    plainly imported package of the codebase that ``data`` may name as attributes (``.cluster``
    occurs in it), for a package whose ``__init__.py`` may import them.  Read off bytes
    (cheap, and it may say too much, never too little)."""
    if is_catalogue_module(package):
        return []
    init = find_module_file(package, resolver.search)
    if init is None or init.name != "__init__.py":
        return []
    return [dotted for dotted in package_modules(package, resolver.search) if b"." + dotted.rsplit(".", 1)[1].encode() in data]


_STAR_IMPORT = re.compile(rb"^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]*\*", re.M)


def _may_star_import(data: bytes) -> bool:
    return b"import *" in data or b"import*" in data or b"import\t*" in data


def star_imports(data: bytes, resolver: FileResolver) -> list[str]:
    """Absolute names of the modules ``data`` star-imports (read off its lines, cheap)."""
    names = []
    for match in _STAR_IMPORT.finditer(data):
        text = match.group(1).decode("utf-8", "replace")
        level = len(text) - len(text.lstrip("."))
        base = text[level:] or None if level else text
        if level:
            base = resolver.absolute(level, text[level:] or None)
        if base:
            names.append(base)
    return names


def scan_imports(data: bytes, resolver: FileResolver) -> list[str]:
    """Module names a file may import, read off its import lines without parsing (cheap).

    ``from pkg import mod`` yields both ``pkg`` and ``pkg.mod`` (mod may be a submodule).
    """
    names: list[str] = []
    for package in dynamic_import_packages(data):
        names.append(package)
        names += package_modules(package, resolver.search)
    for match in _IMPORT_LINE.finditer(import_regions(data)):
        source, imported, plain = match.groups()
        if plain is not None:
            for item in plain.decode("utf-8", "replace").split(","):
                item = item.strip().split(" as ")[0].strip()
                if item:
                    names.append(item)
                    names += attribute_submodules(data, item, resolver)
            continue
        text = source.decode("utf-8", "replace")
        level = len(text) - len(text.lstrip("."))
        module = text[level:] or None
        base = module if level == 0 else resolver.absolute(level, module)
        if not base:
            continue
        names.append(base)
        listed = re.sub(r"#[^\n]*", "", imported.decode("utf-8", "replace"))
        for item in listed.strip("() \t\r\n\\").split(","):
            item = item.strip().split(" as ")[0].strip()
            if item and item != "*":
                names.append(f"{base}.{item}")
    return names
