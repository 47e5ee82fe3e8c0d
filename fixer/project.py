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
from typing import Optional, Sequence

from fixer.analyze import CYCLE_CUTS, ExternalChain, make_analyzer
from fixer.source import SourceError, decode_source, read_bytes
from fixer.targets import PREFILTER_TOKENS, is_catalogue_module, mentions_spawner_of, mentions_tokens

#: How deep a chain may go through other modules before the search gives up.
MAX_DEPTH = 12

_IMPORT_LINE = re.compile(
    rb"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)|import[ \t]+([^\n#;]+))",
    re.M,
)


@lru_cache(maxsize=65536)
def _realpath(path: Path) -> str:
    # Asked for every import edge a run follows; resolving links costs a stat per component.
    return os.path.realpath(path)


def _mentions_any(data: bytes, names: frozenset) -> bool:
    return any(name.encode() in data for name in names) if names else False


def module_name_for(path: Path) -> tuple[str, Path]:
    """The dotted module name of a file and the folder its top-level package sits in."""
    path = Path(os.path.realpath(path))
    parts = [] if path.stem == "__init__" else [path.stem]
    folder = path.parent
    while (folder / "__init__.py").exists() and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts), folder


def find_module_file(dotted: str, search: Sequence[Path]) -> Optional[Path]:
    """``a.b`` -> ``DIR/a/b.py`` or ``DIR/a/b/__init__.py`` in the first folder that has it."""
    return _find_module_file(dotted, tuple(search))


@lru_cache(maxsize=65536)
def _find_module_file(dotted: str, search: tuple) -> Optional[Path]:
    if not dotted or not all(part.isidentifier() for part in dotted.split(".")):
        return None
    rel = Path(*dotted.split("."))
    for folder in search:
        for candidate in (folder / rel / "__init__.py", folder / rel.with_suffix(".py")):  # packages win
            if candidate.is_file():
                return candidate
    return None


@dataclass
class _Loaded:
    analyzer: object  # analyze._Analyzer, or None when the module cannot be read or parsed
    display: str


@dataclass
class Project:
    """Every file the run discovered, and lazily analysed modules of the codebase."""

    files: Sequence[Path] = ()
    catalogue: Optional[dict] = None
    cwd: Path = field(default_factory=Path.cwd)
    tokens: tuple = PREFILTER_TOKENS
    _loaded: dict = field(default_factory=dict)
    _capability: dict = field(default_factory=dict)
    _provisional: dict = field(default_factory=dict)  # "no" answers that assume a cycle's "no"
    _assumed: set = field(default_factory=set)  # modules whose "no" such answers assumed
    _own_cuts: int = 0  # how many of CYCLE_CUTS were import cycles cut by _worth
    _edges: dict = field(default_factory=dict)  # module -> True (uses a library) or its imports
    _exported: dict = field(default_factory=dict)
    _pending: set = field(default_factory=set)
    _pending_exports: set = field(default_factory=set)
    _depth: int = 0
    _imports: Optional[dict] = None

    def resolver_for(self, path: Path) -> "FileResolver":
        return FileResolver(self, Path(path))

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

    def _chain_in(self, module_file: Path, rest: list[str]) -> Optional[ExternalChain]:
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
                        found = self.chain_for(target, self.resolver_for(module_file).search)
                    finally:
                        self._depth -= 1
                    if found is not None:
                        return found
            return None
        self._depth += 1
        try:
            steps = analyzer.chain(callee)  # type: ignore[attr-defined]
        finally:
            self._depth -= 1
        if steps is None:
            return None
        return ExternalChain(loaded.display, line, steps)

    def _load(self, module_file: Path) -> _Loaded:
        key = os.path.realpath(module_file)
        if key in self._loaded:
            return self._loaded[key]
        loaded = _Loaded(None, self.display(module_file))
        self._loaded[key] = loaded  # before analysing: import cycles end here
        try:
            decoded = decode_source(read_bytes(module_file))
            loaded.analyzer = make_analyzer(
                decoded.text, str(module_file), self.catalogue, self.resolver_for(module_file), loaded.display
            )
        except (OSError, SourceError, SyntaxError, ValueError, RecursionError):
            loaded.analyzer = None
        return loaded

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

    def _reaches_spawner(self, data: bytes, resolver: "FileResolver", depth: int) -> bool:
        if depth >= MAX_DEPTH:
            return False
        for module_file in import_edges(data, resolver):
            if not self._worth(module_file, depth + 1):
                continue
            if _mentions_any(data, self._exports(module_file)):
                return True
        return False

    def _worth(self, module_file: Path, depth: int = 0) -> bool:
        """Whether a module could start processes: it uses a catalogued library itself, or it
        imports a module that could and names one of that module's spawners."""
        key = _realpath(module_file)
        if key in self._capability:
            return self._capability[key]
        if key in self._pending or key in self._provisional:
            CYCLE_CUTS[0] += 1  # an answer that rests on an assumption: not remembered above
            self._own_cuts += 1
            self._assumed.add(key)
            return self._provisional.get(key, False)  # an import cycle: "no" for now
        if self._pending:
            return self._worth_once(key, module_file, depth)
        # The outermost question.  Inside it, a module on an import cycle is assumed unable to
        # start processes, and answers that rest only on that are kept for the rest of the
        # question, so that each module is explored once: otherwise a large tree full of
        # cycles (the standard library) is explored again from every path that reaches it.
        # At the end they become final if every assumption held; when an assumed "no" turned
        # out "yes", ask again: each round settles at least that module as "yes", so this ends.
        while True:
            result = self._worth_once(key, module_file, depth)
            wrong = any(self._capability.get(k) for k in self._assumed)
            if not wrong:
                self._capability.update(self._provisional)
            self._provisional.clear()
            self._assumed.clear()
            if not wrong:
                return result

    def _worth_once(self, key: str, module_file: Path, depth: int) -> bool:
        edges = self._edges.get(key)
        if edges is None:
            try:
                data = read_bytes(module_file)
            except OSError:
                return False
            if mentions_tokens(data, self.tokens):
                edges = self._edges[key] = True
            else:
                resolver = self.resolver_for(module_file)
                edges = self._edges[key] = tuple(import_edges(data, resolver))
        if edges is True:
            self._capability[key] = True
            return True
        self._pending.add(key)
        cuts_before, own_before = CYCLE_CUTS[0], self._own_cuts
        try:
            result = self._reaches_through(module_file, edges, depth)
        finally:
            self._pending.discard(key)
        if result or CYCLE_CUTS[0] == cuts_before:
            self._capability[key] = result
        elif CYCLE_CUTS[0] - cuts_before == self._own_cuts - own_before:
            self._provisional[key] = result  # rests only on import cycles' "no"
        # else it rests on a cycle of calls or exports as well: not remembered at all
        return result

    def _reaches_through(self, module_file: Path, edges: tuple, depth: int) -> bool:
        """``_reaches_spawner`` over a module's import edges, read once per run."""
        if depth >= MAX_DEPTH:
            return False
        data = None
        for imported in edges:
            if not self._worth(imported, depth + 1):
                continue
            if data is None:
                try:
                    data = read_bytes(module_file)
                except OSError:
                    return False
            if _mentions_any(data, self._exports(imported)):
                return True
        return False

    def _exports(self, module_file: Path) -> frozenset:
        """Names of the module's functions and classes that reach a process start, and of the
        names it re-exports from modules that have such exports."""
        key = os.path.realpath(module_file)
        if key in self._exported:
            return self._exported[key]
        if key in self._pending_exports:
            CYCLE_CUTS[0] += 1
            return frozenset()
        if not self._worth(module_file):
            return frozenset()
        analyzer = self._load(module_file).analyzer
        names: set[str] = set()
        cuts_before = CYCLE_CUTS[0]
        if analyzer is not None:
            self._depth += 1
            self._pending_exports.add(key)
            try:
                for name in analyzer.functions:  # type: ignore[attr-defined]
                    if analyzer.chain(("func", name)) is not None:  # type: ignore[attr-defined]
                        names.add(name)
                for name, cls in analyzer.classes.items():  # type: ignore[attr-defined]
                    methods = [stmt.name for stmt in cls.body if hasattr(stmt, "args")]
                    if analyzer.is_process_class(name) or analyzer.chain(("init", name)) is not None or any(  # type: ignore[attr-defined]
                        analyzer.chain(("method", name, m)) is not None for m in methods  # type: ignore[attr-defined]
                    ):
                        names.add(name)
                        names.update(methods)
                for name, sources in analyzer.module.bindings.items():  # type: ignore[attr-defined]
                    for source in sources:
                        if source[0] == "value" and source[1][0] == "name" and not is_catalogue_module(source[1][1]):
                            if self.chain_for(source[1][1], self.resolver_for(module_file).search) is not None:
                                names.add(name)
            finally:
                self._depth -= 1
                self._pending_exports.discard(key)
        result = frozenset(names)
        if CYCLE_CUTS[0] == cuts_before:
            self._exported[key] = result
        return result

    # ----- who imports whom -----------------------------------------------------------
    def importers_of(self, path: Path) -> list[str]:
        """Display paths of the other discovered files that import the module at ``path``."""
        target = os.path.realpath(path)
        name, _ = module_name_for(path)
        if not name:
            return []
        token = name.rsplit(".", 1)[-1].encode()
        found = []
        for other in self.files:
            if os.path.realpath(other) == target:
                continue
            try:
                data = read_bytes(other)
            except OSError:
                continue
            if token not in data:
                continue
            resolver = self.resolver_for(other)
            for dotted in parsed_imports(data, resolver):
                module_file = find_module_file(dotted, resolver.search)
                if module_file is not None and os.path.realpath(module_file) == target:
                    found.append(self.display(other))
                    break
        return sorted(found)


@dataclass
class FileResolver:
    """The project as seen from one file: its package, and where its imports are found."""

    project: Project
    path: Path
    module: str = ""
    search: list = field(default_factory=list)

    def __post_init__(self) -> None:
        self.module, root = module_name_for(self.path)
        folder = Path(os.path.realpath(self.path)).parent
        # A script's own folder is on sys.path when it runs; so is its package root.
        self.search = list(dict.fromkeys([folder, root]))

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

    def is_process_class(self, qualname: str) -> bool:
        return self.project.is_process_class(qualname, self.search)


def parsed_imports(data: bytes, resolver: FileResolver) -> list[str]:
    """Module names a file imports, from its syntax tree (exact: no docstring or comment
    text counts).  Used where a wrong answer would change a verdict (GF004)."""
    try:
        tree = ast.parse(decode_source(data).text)
    except (SourceError, SyntaxError, ValueError, RecursionError):
        return []
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module if node.level == 0 else resolver.absolute(node.level, node.module)
            if base:
                names.append(base)
                names += [f"{base}.{alias.name}" for alias in node.names if alias.name != "*"]
    return names


def import_edges(data: bytes, resolver: FileResolver) -> list[Path]:
    """The project files a file may import (``scan_imports`` resolved; catalogued libraries
    are left out), in import order."""
    edges: list[Path] = []
    for dotted in scan_imports(data, resolver):
        if is_catalogue_module(dotted):
            continue
        module_file = find_module_file(dotted, resolver.search)
        if module_file is not None:
            edges.append(module_file)
    return edges


def scan_imports(data: bytes, resolver: FileResolver) -> list[str]:
    """Module names a file may import, read off its import lines without parsing (cheap).

    ``from pkg import mod`` yields both ``pkg`` and ``pkg.mod`` (mod may be a submodule).
    """
    names: list[str] = []
    for match in _IMPORT_LINE.finditer(data):
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
