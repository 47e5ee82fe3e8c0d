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
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional, Sequence

from fixer.analyze import ExternalChain, make_analyzer
from fixer.cache import Stamp
from fixer.memo import forget_since, position as memo_position, solve
from fixer.source import SourceError, decode_source, read_bytes
from fixer.targets import WORD, import_regions, PREFILTER_TOKENS, is_catalogue_module, mentions_spawner_of, mentions_tokens

#: How deep a chain may go through other modules before the search gives up.
MAX_DEPTH = 12

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
    while "__init__.py" in _entries(folder) and os.path.dirname(folder) != folder:
        folder, package = os.path.split(folder)
        parts.insert(0, package)
    return ".".join(parts), Path(folder)


def find_module_file(dotted: str, search: Sequence) -> Optional[Path]:
    """``a.b`` -> ``DIR/a/b.py`` or ``DIR/a/b/__init__.py`` in the first folder that has it."""
    return _find_module_path(dotted, tuple(str(folder) for folder in search))


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


@lru_cache(maxsize=65536)
def _find_module_file(dotted: str, search: tuple) -> Optional[str]:
    parts = dotted.split(".")
    if not dotted or not all(part.isidentifier() for part in parts):
        return None
    for folder in search:
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
    for cached in (_entries, _find_module_file, _find_module_path, _realpath, _module_name_for):
        cached.cache_clear()


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
    _loaded: dict = field(default_factory=dict)
    _capability: dict = field(default_factory=dict)
    _exported: dict = field(default_factory=dict)
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
    _depth: int = 0
    _imports: Optional[dict] = None

    def __post_init__(self) -> None:
        clear_caches()  # the file system may have changed since an earlier project

    def _read_module(self, module_file: Path) -> bytes:
        """Read a module for the cross-module analysis, noting what was read: results of
        other files depend on it (the cache checks it is unchanged before reusing them)."""
        before = Stamp.stat(module_file)
        data = read_bytes(module_file)
        key = _realpath(str(module_file))
        if key not in self.modules_read:
            self.modules_read[key] = Stamp.of(Path(key), data, before) if before else Stamp(-1, -1, "", "")
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
            module_file = find_module_file(".".join(parts[:cut]), search)
            if module_file is not None:
                if not self._worth(module_file):
                    return None  # it cannot start processes: no need to parse it
                return self._chain_in(module_file, parts[cut:])
        return None

    def chain_for_call(self, qualname: str, search: Sequence[Path], arguments: tuple) -> Optional[ExternalChain]:
        """``chain_for`` of a call that passes ``arguments`` (``portable_arguments``): a
        DataLoader handed to a function that iterates its parameter.  The module is read even
        if it cannot start processes by itself: what starts them comes in with the call."""
        if is_catalogue_module(qualname) or self._depth >= MAX_DEPTH:
            return None
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module_file = find_module_file(".".join(parts[:cut]), search)
            if module_file is not None:
                return self._chain_in(module_file, parts[cut:], arguments)
        return None

    def returns_for(self, qualname: str, search: Sequence[Path]) -> frozenset:
        """What calling the function ``qualname`` of the codebase returns that may start
        processes in the caller's hands (``portable`` values: a DataLoader with workers, a
        Process, a context, a pool class), or nothing."""
        if is_catalogue_module(qualname) or self._depth >= MAX_DEPTH:
            return frozenset()
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module_file = find_module_file(".".join(parts[:cut]), search)
            if module_file is None:
                continue
            if len(parts) - cut != 1 or not self._worth(module_file):
                return frozenset()
            analyzer = self._load(module_file).analyzer
            if analyzer is None or parts[-1] not in analyzer.functions:  # type: ignore[attr-defined]
                return frozenset()
            self._depth += 1
            try:
                return analyzer.portable_returns(("func", parts[-1]))  # type: ignore[attr-defined]
            finally:
                self._depth -= 1
        return frozenset()

    def is_process_class(self, qualname: str, search: Sequence[Path]) -> bool:
        """Whether ``qualname`` is a class of the codebase that subclasses a process class."""
        if is_catalogue_module(qualname) or self._depth >= MAX_DEPTH:
            return False
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module_file = find_module_file(".".join(parts[:cut]), search)
            if module_file is None:
                continue
            if not self._worth(module_file):
                return False
            analyzer = self._load(module_file).analyzer
            rest = parts[cut:]
            if analyzer is None or len(rest) != 1:
                return False
            name = rest[0]
            self._depth += 1
            try:
                if name in analyzer.classes:  # type: ignore[attr-defined]
                    return bool(analyzer.is_process_class(name))  # type: ignore[attr-defined]
                for source in analyzer.module.bindings.get(name, []):  # type: ignore[attr-defined]
                    if source[0] == "value" and source[1][0] == "name":
                        if self.is_process_class(source[1][1], self.resolver_for(module_file).search):
                            return True
            finally:
                self._depth -= 1
            return False
        return False

    def _chain_in(self, module_file: Path, rest: list[str], arguments: Optional[tuple] = None) -> Optional[ExternalChain]:
        loaded = self._load(module_file)
        analyzer = loaded.analyzer
        if analyzer is None:
            return None
        name = rest[0]
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
                    return None
                callee, line = ("method", name, rest[1]), method.lineno
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
            return None
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

    def _load(self, module_file: Path) -> _Loaded:
        key = _realpath(str(module_file))
        if key in self._loaded:
            return self._loaded[key]
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
        return loaded

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
        return self._mentions_export(data, module_file)

    def imported_names(self, data: bytes, path: Path) -> list:
        """The codebase module names a file's import lines may import (no catalogued ones)."""
        return [d for d in scan_imports(data, self.resolver_for(path)) if not is_catalogue_module(d)]

    @staticmethod
    def real_path(path: Path) -> str:
        return _realpath(str(path))

    def module_file(self, dotted: str, path: Path) -> Optional[Path]:
        """The file that ``import dotted`` in the file ``path`` would load, if in the codebase."""
        return find_module_file(dotted, self.resolver_for(path).search)

    def _reaches_spawner(self, data: bytes, resolver: "FileResolver", depth: int) -> bool:
        if depth >= MAX_DEPTH:
            return False
        for dotted in scan_imports(data, resolver):
            if is_catalogue_module(dotted):
                continue
            module_file = find_module_file(dotted, resolver.search)
            if module_file is None or not self._worth(module_file, depth + 1):
                continue
            if self._mentions_export(data, module_file):
                return True
        return False

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
        self.asked_no = {key: at for key, at in self.asked_no.items() if at < moment}

    def _compute_worth(self, module_file: Path, depth: int) -> bool:
        try:
            data = self._read_module(module_file)
        except OSError:
            return False
        return mentions_tokens(data, self.tokens) or self._reaches_spawner(data, self.resolver_for(module_file), depth)

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
                    if hasattr(stmt, "args"):
                        index.setdefault(stmt.name, []).append(("class", name))
            for name, sources in analyzer.module.bindings.items():  # type: ignore[attr-defined]
                for source in sources:
                    if source[0] == "value" and source[1][0] == "name" and not is_catalogue_module(source[1][1]):
                        index.setdefault(name, []).append(("bind", source[1][1]))
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
                if kind == "bind" and self.chain_for(what, self.resolver_for(module_file).search) is not None:
                    return True
        finally:
            self._depth -= 1
        return False

    @staticmethod
    def _is_spawner_class(analyzer: object, name: str) -> bool:
        cls = analyzer.classes[name]  # type: ignore[attr-defined]
        methods = [stmt.name for stmt in cls.body if hasattr(stmt, "args")]
        return bool(
            analyzer.is_process_class(name)  # type: ignore[attr-defined]
            or analyzer.chain(("init", name)) is not None  # type: ignore[attr-defined]
            or any(analyzer.chain(("method", name, m)) is not None for m in methods)  # type: ignore[attr-defined]
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
        # A script's own folder is on sys.path when it runs; so is its package root.
        self.search = tuple(dict.fromkeys([folder, str(root)]))

    def absolute(self, level: int, module: Optional[str]) -> Optional[str]:
        """The absolute name of a relative import (``from ..x import y`` -> ``pkg.x``)."""
        package = self.module.split(".") if self.path.name == "__init__.py" else self.module.split(".")[:-1]
        package = [p for p in package if p]
        if level > len(package):
            return None  # beyond the top-level package: Python raises ImportError
        base = package[: len(package) - (level - 1)]
        parts = base + ([module] if module else [])
        return ".".join(p for p in parts if p) or None

    def chain_for(self, qualname: str) -> Optional[ExternalChain]:
        return self.project.chain_for(qualname, self.search)

    def chain_for_call(self, qualname: str, arguments: tuple) -> Optional[ExternalChain]:
        return self.project.chain_for_call(qualname, self.search, arguments)

    def returns_for(self, qualname: str) -> frozenset:
        return self.project.returns_for(qualname, self.search)

    def is_process_class(self, qualname: str) -> bool:
        return self.project.is_process_class(qualname, self.search)


@lru_cache(maxsize=4)  # asked of the same file for each module it imports
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


def scan_imports(data: bytes, resolver: FileResolver) -> list[str]:
    """Module names a file may import, read off its import lines without parsing (cheap).

    ``from pkg import mod`` yields both ``pkg`` and ``pkg.mod`` (mod may be a submodule).
    """
    names: list[str] = []
    for match in _IMPORT_LINE.finditer(import_regions(data)):
        source, imported, plain = match.groups()
        if plain is not None:
            for item in plain.decode("utf-8", "replace").split(","):
                item = item.strip().split(" as ")[0].strip()
                if item:
                    names.append(item)
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
