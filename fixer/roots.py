"""Where a file's imports resolve: its own folders, the project's declared package roots,
folders a script adds to ``sys.path`` itself, ``--src`` folders and an installed environment.

Everything here is read statically: configuration files are parsed, ``setup.py`` and the
scripts' ``sys.path`` lines are evaluated over their syntax trees, never run.  The one
exception is ``--python PATH`` naming an interpreter, which is asked for its
``site-packages`` folders once per run (as mypy's ``--python-executable`` does).

Each folder comes with the reason it is searched (``Root.origin``), which ``-v`` prints.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Iterator, Optional, Sequence

if TYPE_CHECKING:
    from fixer.model import Options

from fixer.facts import _matches_at, bytes_add_to_path, may_add_to_path  # noqa: F401 -- (imported from here too)
from fixer.sites import (
    OWN_DEPENDENCIES, absent_spawners, has_project_marker, own_site_packages, presence_folders, project_venv,
    pth_folders, venv_site_packages, with_absent,
)
from fixer.sites import PROJECT_MARKERS  # noqa: F401 -- (named here by the tests)

#: Files or folders that mark the root of a project (the folder ``python -m`` and test
#: runners put on ``sys.path``, and whose package declarations say where packages live).


class EnvironmentNotFound(Exception):
    """``--python`` names something that is no usable interpreter or environment."""


@dataclass(frozen=True)
class Root:
    """A folder imports are searched in, and why."""

    folder: str
    origin: str


@dataclass(frozen=True)
class Environment:
    """The installed packages that imports may reach (read-only)."""

    folders: tuple = ()  # site-packages folders (and folders that .pth files add)
    origin: str = ""  # how it was chosen, for -v
    #: Top-level module names not followed there (guardfix's own dependencies when the
    #: environment is the one guardfix runs in, not the project's).
    hidden: frozenset = frozenset()
    #: Packages an editable-install finder maps to a folder: name -> folder that holds it.
    mapped: tuple = ()

    def roots(self) -> list:
        found = [Root(folder, f"installed packages: {self.origin}") for folder in self.folders]
        found += [Root(folder, f"editable install of {name}: {self.origin}") for name, folder in self.mapped]
        return found


@dataclass(frozen=True)
class SearchSettings:
    """What the user said about import roots (``--src``, ``[tool.guardfix] src``) and the
    environment found for the run."""

    src: tuple = ()  # absolute folders
    environment: Environment = field(default_factory=Environment)
    #: Spawners of libraries present nowhere imports resolve (``sites.absent_spawners``):
    #: the run catalogues them by name (``Options.extra_spawners``).
    absent: tuple = ()


# ----- the project root and its declared package roots -----------------------------------
@lru_cache(maxsize=4096)
def project_root_of(folder: str) -> Optional[str]:
    """The nearest folder at or above ``folder`` holding a project marker, or None (each
    folder is looked at once per run, whichever file asks)."""
    if has_project_marker(folder):
        return folder
    parent = os.path.dirname(folder)
    return None if parent == folder else project_root_of(parent)


@lru_cache(maxsize=256)
def declared_roots(project_root: str) -> tuple:
    """The package roots a project declares (pyproject.toml, setup.cfg, setup.py), the
    ``src/`` convention, and the project root itself, in that order, without duplicates.
    Folders that do not exist are left out.  Reads files; never raises."""
    found: list[Root] = []
    found += _pyproject_roots(project_root)
    found += _setup_cfg_roots(project_root)
    found += _setup_py_roots(project_root)
    src = os.path.join(project_root, "src")
    if os.path.isdir(src):
        found.append(Root(src, "the src/ layout"))
    found.append(Root(project_root, "the project root"))
    unique: dict[str, Root] = {}
    for root in found:
        folder = os.path.normpath(root.folder)
        if folder not in unique and os.path.isdir(folder):
            unique[folder] = Root(folder, root.origin)
    return tuple(unique.values())


def _under(project_root: str, relative: object) -> Optional[str]:
    if not isinstance(relative, str):
        return None
    relative = relative.strip()
    if not relative or relative == ".":
        return project_root
    return os.path.normpath(os.path.join(project_root, relative))


def _pyproject_roots(project_root: str) -> list[Root]:
    path = os.path.join(project_root, "pyproject.toml")
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return []
    from fixer.config import _toml

    try:
        document = _toml().loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return []  # (tomllib.TOMLDecodeError is a ValueError) a broken file declares nothing
    tool = document.get("tool") if isinstance(document.get("tool"), dict) else {}
    found: list[Root] = []

    def add(relative: object, origin: str) -> None:
        folder = _under(project_root, relative)
        if folder is not None:
            found.append(Root(folder, f"pyproject.toml {origin}"))

    setuptools = _table(tool, "setuptools")
    package_dir = setuptools.get("package-dir")
    if isinstance(package_dir, dict):
        for name, folder in package_dir.items():
            _package_dir_entry(name, folder, add, "[tool.setuptools] package-dir")
    find = _table(setuptools, "packages", "find")
    where = find.get("where")
    for folder in where if isinstance(where, list) else [where] if where is not None else []:
        add(folder, "[tool.setuptools.packages.find] where")
    hatch_wheel = _table(tool, "hatch", "build", "targets", "wheel")
    hatch_build = _table(tool, "hatch", "build")
    for table, origin in ((hatch_wheel, "[tool.hatch.build.targets.wheel]"), (hatch_build, "[tool.hatch.build]")):
        packages = table.get("packages")
        for package in packages if isinstance(packages, list) else []:
            if isinstance(package, str):
                add(os.path.dirname(package.rstrip("/")) or ".", f"{origin} packages")
        sources = table.get("sources")
        if isinstance(sources, list):
            for folder in sources:
                add(folder, f"{origin} sources")
        elif isinstance(sources, dict):
            for folder, prefix in sources.items():
                if prefix == "":
                    add(folder, f"{origin} sources")
    poetry = _table(tool, "poetry")
    packages = poetry.get("packages")
    for package in packages if isinstance(packages, list) else []:
        if isinstance(package, dict) and isinstance(package.get("include"), str):
            add(package.get("from", "."), "[tool.poetry] packages")
    pdm = _table(tool, "pdm", "build")
    if isinstance(pdm.get("package-dir"), str):
        add(pdm["package-dir"], "[tool.pdm.build] package-dir")
    maturin = _table(tool, "maturin")
    if isinstance(maturin.get("python-source"), str):
        add(maturin["python-source"], "[tool.maturin] python-source")
    return found


def _table(document: object, *keys: str) -> dict:
    for key in keys:
        document = document.get(key) if isinstance(document, dict) else None
    return document if isinstance(document, dict) else {}


def _package_dir_entry(name: object, folder: object, add, origin: str) -> None:
    """One ``package_dir`` mapping: ``"" -> "py"`` puts every package in py/; ``"pkg" ->
    "lib/pkg"`` puts pkg in lib/ (a mapping to a folder of another name cannot be a search
    folder and is left out)."""
    if not isinstance(name, str) or not isinstance(folder, str):
        return
    if name == "":
        add(folder, origin)
    elif "." not in name and os.path.basename(os.path.normpath(folder)) == name:
        add(os.path.dirname(os.path.normpath(folder)) or ".", origin)


def _setup_cfg_roots(project_root: str) -> list[Root]:
    path = os.path.join(project_root, "setup.cfg")
    if not os.path.isfile(path):
        return []
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        return []
    found: list[Root] = []

    def add(relative: object, origin: str) -> None:
        folder = _under(project_root, relative)
        if folder is not None:
            found.append(Root(folder, f"setup.cfg {origin}"))

    if parser.has_option("options", "package_dir"):
        for line in parser.get("options", "package_dir").splitlines():
            name, sep, folder = line.partition("=")
            if sep:
                _package_dir_entry(name.strip(), folder.strip(), add, "[options] package_dir")
    if parser.has_option("options.packages.find", "where"):
        for folder in parser.get("options.packages.find", "where").split():
            add(folder, "[options.packages.find] where")
    return found


_FIND_PACKAGES = {"find_packages", "find_namespace_packages"}


def _setup_py_roots(project_root: str) -> list[Root]:
    """``package_dir=`` and ``find_packages(where=...)`` literals of ``setup.py`` (read, never
    run; a value held in a module-level variable is followed once)."""
    path = os.path.join(project_root, "setup.py")
    try:
        with open(path, "rb") as handle:
            tree = ast.parse(handle.read())
    except (OSError, SyntaxError, ValueError):
        return []
    values: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            values[stmt.targets[0].id] = stmt.value
    found: list[Root] = []

    def add(relative: object, origin: str) -> None:
        folder = _under(project_root, relative)
        if folder is not None:
            found.append(Root(folder, f"setup.py {origin}"))

    def literal(node: Optional[ast.expr]) -> object:
        if isinstance(node, ast.Name) and node.id in values:
            node = values[node.id]
        try:
            return ast.literal_eval(node) if node is not None else None
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            return None

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in _FIND_PACKAGES:
            where = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "where"), None)
            if where is not None:
                add(literal(where), f"{name}(where=...)")
        for keyword in node.keywords:
            if keyword.arg == "package_dir":
                mapping = literal(keyword.value)
                if isinstance(mapping, dict):
                    for package, folder in mapping.items():
                        _package_dir_entry(package, folder, add, "package_dir=")
    return found


# ----- folders a script adds to sys.path itself -------------------------------------------
_PATH_FUNCTIONS = {
    "os.path.dirname": os.path.dirname,
    "os.path.abspath": os.path.abspath,
    "os.path.realpath": os.path.realpath,
    "os.path.normpath": os.path.normpath,
    "os.path.expanduser": os.path.expanduser,
    "posixpath.dirname": os.path.dirname,
    "posixpath.abspath": os.path.abspath,
    "posixpath.realpath": os.path.realpath,
    "posixpath.normpath": os.path.normpath,
}
_PATH_METHODS = {"resolve", "absolute", "expanduser"}


def path_additions(text: str, path: str) -> list[Root]:
    """The folders the module ``text`` (the file ``path``) adds to ``sys.path`` with literal
    forms: ``sys.path.insert(0, X)``, ``sys.path.append(X)``, ``sys.path.extend([X])``,
    ``site.addsitedir(X)``, where X is built from ``__file__``, string literals,
    ``os.path.*`` functions, ``pathlib.Path`` and module-level names bound to such values.
    A relative string counts from the script's folder (where such scripts are run from).
    Pure apart from ``os.path`` arithmetic; never raises."""
    if not may_add_to_path(text):
        return []
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    evaluator = _PathEvaluator(os.path.abspath(path))
    found: list[Root] = []
    display = os.path.basename(path)
    for stmt in _module_statements(tree.body):
        evaluator.learn(stmt)
        if isinstance(stmt, _NOT_WALKED) or type(stmt).__name__ == "TryStar":
            continue  # definitions run nothing now; blocks' statements come one by one
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            callee = evaluator.qualname(node.func)
            args: list[ast.expr] = []
            if callee in ("sys.path.insert",) and len(node.args) == 2:
                args = [node.args[1]]
            elif callee in ("sys.path.append", "site.addsitedir") and len(node.args) == 1:
                args = [node.args[0]]
            elif callee == "sys.path.extend" and len(node.args) == 1 and isinstance(node.args[0], (ast.List, ast.Tuple)):
                args = list(node.args[0].elts)
            for arg in args:
                folder = evaluator.eval(arg)
                if isinstance(folder, str):
                    found.append(Root(os.path.normpath(folder), f"sys.path addition in {display} line {node.lineno}"))
    return found


_NOT_WALKED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.Try, ast.With)


def _module_statements(body: list) -> Iterator[ast.stmt]:
    """Module-level statements, including those inside top-level if / try / with blocks."""
    for stmt in body:
        yield stmt
        if isinstance(stmt, (ast.If, ast.Try, ast.With)) or type(stmt).__name__ == "TryStar":
            for name in ("body", "orelse", "finalbody"):
                yield from _module_statements(getattr(stmt, name, []) or [])
            for handler in getattr(stmt, "handlers", []) or []:
                yield from _module_statements(handler.body)


class _PathEvaluator:
    """Evaluates the path expressions of one module, knowing its imports and the names it
    binds to path values (in statement order)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.folder = os.path.dirname(path)
        self.aliases: dict[str, str] = {}
        self.values: dict[str, object] = {"__file__": path}

    def learn(self, stmt: ast.stmt) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    self.aliases[alias.asname] = alias.name
                else:
                    top = alias.name.split(".", 1)[0]
                    self.aliases[top] = top
        elif isinstance(stmt, ast.ImportFrom) and stmt.level == 0 and stmt.module:
            for alias in stmt.names:
                self.aliases[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
        elif isinstance(stmt, ast.Assign):
            value = self.eval(stmt.value)
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    if value is None:
                        self.values.pop(target.id, None)
                    else:
                        self.values[target.id] = value

    def qualname(self, node: ast.expr) -> str:
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return ""
        base = self.aliases.get(node.id, node.id)
        return ".".join([base, *reversed(parts)])

    def eval(self, node: ast.expr) -> object:
        """A path as a string, a ``_P`` (a pathlib path) or None (unknown)."""
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value if os.path.isabs(node.value) else os.path.join(self.folder, node.value)
        if isinstance(node, ast.Name):
            return self.values.get(node.id)
        if isinstance(node, ast.JoinedStr):
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left, right = self.eval(node.left), self._part(node.right)
            if isinstance(left, _P) and right is not None:
                return _P(os.path.join(left.path, right))
            return None
        if isinstance(node, ast.Attribute):
            base = self.eval(node.value)
            if isinstance(base, _P) and node.attr == "parent":
                return _P(os.path.dirname(base.path))
            return None
        if isinstance(node, ast.Subscript):
            base = self.eval(node.value.value) if isinstance(node.value, ast.Attribute) and node.value.attr == "parents" else None
            index = node.slice.value if isinstance(node.slice, ast.Constant) else None  # type: ignore[attr-defined]
            if isinstance(base, _P) and isinstance(index, int) and 0 <= index < 32:
                path = base.path
                for _ in range(index + 1):
                    path = os.path.dirname(path)
                return _P(path)
            return None
        if isinstance(node, ast.Call):
            return self._eval_call(node)
        return None

    def _part(self, node: ast.expr) -> Optional[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        value = self.eval(node)
        return value.path if isinstance(value, _P) else value if isinstance(value, str) else None

    def _eval_call(self, node: ast.Call) -> object:
        if node.keywords:
            return None
        callee = self.qualname(node.func)
        if callee in _PATH_FUNCTIONS and len(node.args) == 1:
            value = self.eval(node.args[0])
            text = value.path if isinstance(value, _P) else value
            return _PATH_FUNCTIONS[callee](text) if isinstance(text, str) else None
        if callee in ("os.path.join", "posixpath.join") and node.args:
            parts = [self._part(arg) if i else self.eval(arg) for i, arg in enumerate(node.args)]
            first = parts[0].path if isinstance(parts[0], _P) else parts[0]
            if isinstance(first, str) and all(isinstance(p, str) for p in parts[1:]):
                return os.path.join(first, *parts[1:])  # type: ignore[arg-type]
            return None
        if callee in ("pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath") and len(node.args) == 1:
            value = self.eval(node.args[0])
            text = value.path if isinstance(value, _P) else value
            return _P(text) if isinstance(text, str) else None
        if callee in ("str", "os.fspath") and len(node.args) == 1:
            value = self.eval(node.args[0])
            return value.path if isinstance(value, _P) else value if isinstance(value, str) else None
        if isinstance(node.func, ast.Attribute) and node.func.attr in _PATH_METHODS and not node.args:
            value = self.eval(node.func.value)
            if isinstance(value, _P):
                return _P(os.path.abspath(value.path) if node.func.attr != "expanduser" else os.path.expanduser(value.path))
        return None


@dataclass(frozen=True)
class _P:
    """A ``pathlib`` path value while evaluating."""

    path: str


#: ``importlib.import_module("pkg." + name)`` / ``import_module(f"pkg.{name}")`` /
#: ``__import__("pkg.%s" % name)``: a literal package prefix, then a computed name.
_DYNAMIC_IMPORT = re.compile(
    rb"""(?:import_module|__import__)\(\s*f?(['"])([A-Za-z_][\w.]*)\.(?:\{|%s\1\s*%|\1\s*\+)"""
)


def dynamic_import_packages(data: bytes) -> list[str]:
    """Packages of which ``data`` imports a module chosen at run time (any may be it)."""
    if b"import_module(" not in data and b"__import__(" not in data:
        return []
    found = _matches_at(data, (b"import_module(", b"__import__("), _DYNAMIC_IMPORT)
    return list(dict.fromkeys(m.group(2).decode("ascii", "replace") for m in found))


# ----- the environment: installed packages ----------------------------------------------
#: The distributions guardfix needs itself: hidden when the environment is guardfix's own.
_OWN = ("guardfix",)
_PROBE = (
    "import json, site, sys, sysconfig\n"
    "paths = [sysconfig.get_paths().get(k) for k in ('purelib', 'platlib')]\n"
    "try:\n    paths += site.getsitepackages()\nexcept AttributeError:\n    pass\n"
    "if getattr(site, 'ENABLE_USER_SITE', False):\n    paths.append(site.getusersitepackages())\n"
    "print(json.dumps([p for p in dict.fromkeys(paths) if p]))\n"
)


def find_environment(python: Optional[str], project_roots: Sequence[str], environ: Optional[dict] = None) -> Environment:
    """The environment whose installed packages imports may reach: ``python`` (an
    interpreter, or a virtual environment's folder), else ``$VIRTUAL_ENV``, else ``.venv`` or
    ``venv`` in a project root, else the interpreter running guardfix, without guardfix's
    own dependencies.  Raises ``EnvironmentNotFound`` for a ``python`` that cannot be used."""
    environ = os.environ if environ is None else environ
    if python:
        if os.path.isdir(python):
            folders = venv_site_packages(python)
            if not folders:
                raise EnvironmentNotFound(f"--python {python}: no site-packages folder found in this folder")
            return _with_pth(folders, f"--python {python}")
        return _with_pth(_ask_interpreter(python), f"--python {python}")
    chosen = project_venv(project_roots, environ)
    if chosen is not None:
        return _with_pth(*chosen)
    folders = own_site_packages()
    env = _with_pth(folders, f"the interpreter running guardfix ({sys.executable})")
    hidden = _own_dependencies()
    mapped = tuple((name, folder) for name, folder in env.mapped if name not in hidden)
    return Environment(env.folders, env.origin, hidden, mapped)


def _ask_interpreter(python: str) -> list[str]:
    import subprocess

    try:
        done = subprocess.run(
            [python, "-c", _PROBE], capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise EnvironmentNotFound(f"--python {python}: cannot run it ({exc})") from None
    if done.returncode != 0:
        raise EnvironmentNotFound(f"--python {python}: exited with {done.returncode}: {done.stderr.strip()[-300:]}")
    try:
        folders = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        raise EnvironmentNotFound(f"--python {python}: did not answer with its site-packages folders") from None
    return [f for f in folders if isinstance(f, str) and os.path.isdir(f)]


def _with_pth(folders: Iterable[str], origin: str) -> Environment:
    """The environment of these site-packages folders, with the folders their ``.pth``
    files add and the packages their editable-install finders map."""
    found: list[str] = []
    mapped: list[tuple] = []
    for folder in folders:
        found.append(folder)
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            continue
        for name in names:
            full = os.path.join(folder, name)
            if name.endswith(".pth"):
                found += pth_folders(full, folder)
            elif name.startswith("__editable__") and name.endswith("_finder.py"):
                mapped += _finder_mapping(full)
    return Environment(tuple(dict.fromkeys(found)), origin, frozenset(), tuple(dict.fromkeys(mapped)))


def _finder_mapping(path: str) -> list[tuple]:
    """``MAPPING = {"pkg": "/src/pkg"}`` of a setuptools editable finder: (pkg, folder above)."""
    try:
        with open(path, "rb") as handle:
            tree = ast.parse(handle.read())
    except (OSError, SyntaxError, ValueError):
        return []
    for stmt in tree.body:
        target = stmt.target if isinstance(stmt, ast.AnnAssign) else stmt.targets[0] if isinstance(stmt, ast.Assign) else None
        if isinstance(target, ast.Name) and target.id == "MAPPING" and stmt.value is not None:  # type: ignore[union-attr]
            try:
                mapping = ast.literal_eval(stmt.value)  # type: ignore[union-attr]
            except (ValueError, SyntaxError, TypeError):
                return []
            if isinstance(mapping, dict):
                return [
                    (name, os.path.dirname(folder))
                    for name, folder in mapping.items()
                    if isinstance(name, str) and isinstance(folder, str) and os.path.basename(folder) == name
                ]
    return []


#: Top-level modules of guardfix and of everything it requires, recursively (reading them
#: off the installed metadata costs a tenth of a second, on every run; the test suite checks
#: this list against that metadata).


def _own_dependencies() -> frozenset:
    return OWN_DEPENDENCIES


def own_dependencies_from_metadata() -> frozenset:
    """Top-level module names of guardfix and everything it requires (recursively), read
    from the installed distributions' metadata."""
    try:
        from importlib import metadata
    except ImportError:  # pragma: no cover
        return frozenset()
    names: set[str] = {"fixer"}
    todo, seen = list(_OWN), set()
    while todo:
        dist_name = todo.pop()
        key = dist_name.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            continue
        top = dist.read_text("top_level.txt")
        if top:
            names.update(line.strip() for line in top.splitlines() if line.strip())
        else:
            for file in dist.files or ():
                part = str(file).split("/", 1)[0]
                if part.endswith(".py"):
                    names.add(part[:-3])
                elif "." not in part and not part.startswith("__"):
                    names.add(part)
        for requirement in dist.requires or ():
            if "extra ==" in requirement:
                continue
            name = requirement.split(";")[0].strip()
            for stop in "<>=!~[ (":
                name = name.split(stop)[0]
            if name:
                todo.append(name)
    return frozenset(names)


def search_settings_for(paths: Sequence, src: Sequence = (), python: Optional[str] = None,
                        environ: Optional[dict] = None) -> SearchSettings:
    """The search settings of a run on ``paths``: ``src`` folders (made absolute) and the
    environment ``find_environment`` picks for the projects the paths belong to.  Raises
    ``EnvironmentNotFound`` for a ``python`` that cannot be used."""
    project_roots = []
    for path in paths:
        absolute = os.path.abspath(str(path))
        folder = absolute if os.path.isdir(absolute) else os.path.dirname(absolute)
        root = project_root_of(folder)
        project_roots.append(root if root is not None else folder)
    folders = tuple(dict.fromkeys(os.path.normpath(os.path.abspath(str(f))) for f in src))
    roots = list(dict.fromkeys(project_roots))
    environment = find_environment(python, roots, environ)
    absent = absent_spawners(presence_folders(environment.folders, folders, roots))
    return SearchSettings(folders, environment, absent)


def with_search(options: "Options", settings: SearchSettings) -> "Options":
    """``options`` with the search ``settings``, and the spawners of the libraries they
    find absent catalogued by name (after the user's own ``extra-spawners``)."""
    from dataclasses import replace

    return replace(options, search=settings, extra_spawners=with_absent(options.extra_spawners, settings.absent))


def describe_roots(paths: Sequence, settings: SearchSettings) -> list:
    """Every folder imports may resolve in for a run on ``paths`` (for ``-v``), with its
    origin: ``--src`` folders, each project's declared roots, the environment.  Folders a
    script adds to ``sys.path`` itself are not listed (they belong to that script)."""
    found: list[Root] = [Root(folder, "--src / [tool.guardfix] src") for folder in settings.src]
    for path in paths:
        absolute = os.path.abspath(str(path))
        root = project_root_of(absolute if os.path.isdir(absolute) else os.path.dirname(absolute))
        if root is not None:
            found += declared_roots(root)
    found += settings.environment.roots()
    unique: dict[str, Root] = {}
    for root_ in found:
        unique.setdefault(root_.folder, root_)
    return list(unique.values())


def clear_caches() -> None:
    project_root_of.cache_clear()
    declared_roots.cache_clear()


__all__ = [
    "Environment",
    "EnvironmentNotFound",
    "Root",
    "SearchSettings",
    "declared_roots",
    "describe_roots",
    "dynamic_import_packages",
    "search_settings_for",
    "find_environment",
    "bytes_add_to_path",
    "may_add_to_path",
    "path_additions",
    "project_root_of",
]
