"""Syntax tree -> findings with call chains, and the per-statement facts the planner needs.

Analysis runs on the standard library's ``ast`` (fast, exact positions); only files that
need a rewrite are ever parsed by libcst.  Names are resolved through the file's imports and
assignments with a small abstract interpretation, never matched as text: a thread pool
imported as ``Pool`` or a project's own ``Manager`` class is not a process start.

Values flow, not only names: what a call returns, what ``self.attr`` holds in any method,
what a dict, list or tuple holds, and what arguments carry into the function they are passed
to (that function is analysed again with its parameters bound: a "specialised" callee).
When several call chains reach a start, the shortest is reported, in an order that does not
depend on the interpreter's hash seed.
"""

from __future__ import annotations

import ast
import builtins
import sys
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable, Optional, Protocol, Tuple

from fixer.model import ChainStep, Code, Finding
from fixer.memo import solve
from fixer.names import child_nodes, iter_runtime_nodes, walk
from fixer.targets import (
    BY_QUALNAME,
    COFFEA_FUTURES_EXECUTORS,
    CALLABLE_WRAPPERS,
    ITERABLE_WRAPPERS,
    ITERATING_BUILTINS,
    NON_REIMPORTING_METHODS,
    NUM_WORKERS_POSITION,
    RUNS_ARGUMENT,
    SUITE_BUILDERS,
    TEMPLATE_METHODS,
    TEST_CASE,
    TEST_CASE_BASES,
    TEST_PROGRAMS,
    THREAD_POOL_METHODS,
    THREAD_POOLS,
    TRAINER_LOADER_HOOKS,
    Condition,
    Kind,
    Target,
    is_catalogue_module,
    star_names,
)

_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)
_TEMPLATE_LEAVES = frozenset(name.rpartition(".")[2] for name in TEMPLATE_METHODS)
#: Decorators that register a function as a command of a click group or a Typer app.
_COMMAND_DECORATORS = frozenset({"command", "group", "callback", "result_callback"})
_FUNCS_AND_LAMBDA = _FUNCS + (ast.Lambda,)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
#: Nodes that ``_collect_bindings`` looks at; it only walks through the others.
_BINDING_NODES = _FUNCS_AND_LAMBDA + _COMPREHENSIONS + (
    ast.ClassDef, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr, ast.For, ast.AsyncFor,
    ast.withitem, ast.Import, ast.ImportFrom, ast.Global, ast.Call,
)

# Abstract values.  Plain tuples keep them hashable and cheap:
#   ("name", qualname)        a module or an attribute reached through imports
#   ("context", module)       a context object mirroring ``module``'s API
#   ("opaque", qualname)      the result of calling something outside the file (not a process)
#   ("loader", has_workers)   a torch DataLoader (starts workers when iterated)
#   ("pool", qualname)        what a process-starting call returns (a pool, an executor, a manager)
#   ("func", name)            a module-level function of this file
#   ("class", name)           a module-level class of this file
#   ("method", cls, name)     a method of a module-level class
#   ("method", cls, name, binds) the same, bound to an instance made with ``binds``
#   ("instance", cls)         an instance of a module-level class
#   ("instance", cls, binds)  one whose constructor was given what ``binds`` says (a loader
#                             kept by ``__init__`` as ``self.loader``: see ``instance_binds``)
#   ("process", label)        something that starts a process on .start()
#   ("start", label)          the bound .start of such a thing
#   ("list", frozenset)       a container of values (a list, a set, a dict's values)
#   ("tuple", (frozenset,...)) a tuple whose items are known position by position (unpacking)
#   ("super", cls)            super() inside a method of module-level class ``cls``
#   ("modules", prefix)       importlib.import_module(prefix + ...): any module under ``prefix``
#   ("modules", prefix, attr) an attribute of such a module
#   ("extinstance", qualname, arguments) an instance of another module's class, made with
#                             arguments that may start processes there (``portable_arguments``)
#   ("extmethod", qualname, arguments) a method of such an instance
#   ("spawner", ExternalChain) a function of another module, passed in as an argument, that
#                             reaches a process start when called
#   ("const", value)          a literal argument, bound to a parameter a function tests to
#                             return early (only there: see ``_deciding_params``)
#   ("tests", ExternalChain)  a TestCase class of another module, passed in as an argument,
#                             whose tests reach a process start when a suite of it is run
Value = Tuple

#: Values worth carrying into a callee's parameters: what it may call, start or iterate.
_FLOWING = frozenset(
    {"func", "class", "method", "instance", "process", "start", "context", "super", "name", "spawner",
     "extinstance", "extmethod", "tests"}
)
#: A specialised callee is analysed again with its parameters bound; past this many
#: specialisations per module the analysis stops specialising (it never loops, but a
#: recursive function fed ever-deeper lists would keep making new ones).
_MAX_SPECIALISATIONS = 400

_NO_VALUES: frozenset = frozenset()
#: Nodes whose body may run more than once in one call of the function around them.
_REPEATING = (
    ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
    ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
)
#: What a Process subclass of this module is, handed to another module (see ``portable``).
_PROCESS_CLASS = "multiprocessing.Process"
#: Built-ins whose result ``fold`` computes from literal arguments (``n = int(processes)``).
_FOLDED_BUILTINS: dict = {"int": int, "float": float, "str": str, "bool": bool, "abs": abs, "max": max, "min": min}
_PASS_THROUGH = ITERABLE_WRAPPERS | CALLABLE_WRAPPERS
#: Built-ins whose result holds the items of their arguments (see ``_eval_builtin_call``).
_CONTAINER_BUILTINS = frozenset(
    {"zip", "enumerate", "next", "iter", "reversed", "sorted", "list", "tuple", "set", "frozenset", "filter"}
)



def is_main_guard_test(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` in either operand order (any quote style: same AST)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    left, right = test.left, test.comparators[0]

    def is_name(node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id == "__name__"

    def is_main(node: ast.expr) -> bool:
        return isinstance(node, ast.Constant) and node.value == "__main__"

    return (is_name(left) and is_main(right)) or (is_main(left) and is_name(right))


def _is_main_process_test(test: ast.expr) -> bool:
    """The other spellings of "this is the parent", which a spawn or forkserver child
    answers "no" to while it imports the script: ``__name__ in ("__main__",)``,
    ``current_process().name == "MainProcess"`` (a child has its own name, ``SpawnPoolWorker-1``...,
    before it imports the script: checked here).  Not ``parent_process() is None``: a spawn
    child learns its parent only after the import, so the test passes there too."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    op, left, right = test.ops[0], test.left, test.comparators[0]
    if isinstance(op, ast.In) and isinstance(left, ast.Name) and left.id == "__name__":
        return isinstance(right, (ast.Tuple, ast.List, ast.Set)) and bool(right.elts) and all(
            isinstance(e, ast.Constant) and e.value == "__main__" for e in right.elts
        )

    def called(node: ast.expr, name: str) -> bool:
        if not (isinstance(node, ast.Call) and not node.args and not node.keywords):
            return False
        func = node.func
        return (isinstance(func, ast.Name) and func.id == name) or (isinstance(func, ast.Attribute) and func.attr == name)

    if isinstance(op, ast.Eq):
        for one, other in ((left, right), (right, left)):
            if (
                isinstance(one, ast.Attribute) and one.attr == "name" and called(one.value, "current_process")
                and isinstance(other, ast.Constant) and other.value == "MainProcess"
            ):
                return True
    return False


def _guards_body(test: ast.expr) -> bool:
    """True when the body of ``if test:`` only ever runs in the main process."""
    if is_main_guard_test(test) or _is_main_process_test(test):
        return True
    return isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) and any(
        _guards_body(value) for value in test.values
    )


@dataclass(frozen=True)
class Event:
    """A call that starts processes, sets up the start method, or reaches one of those."""

    kind: str  # "direct" | "setup" | "via"
    line: int
    col: int  # 0-based, in characters of the line
    label: str
    callee: Optional[Tuple] = None  # for "via": ("func", name) / ("init", cls) / ("method", cls, name)
    end_line: int = 0  # where the expression ends (0 = unknown)
    end_col: int = 0  # 0-based, exclusive, in characters of the end line


@dataclass(frozen=True)
class ExternalChain:
    """How a callable defined in another scanned module reaches a process start."""

    path: str  # display path of the module defining the callee
    line: int  # the callee's definition line
    steps: tuple  # ChainStep... inside that module (and beyond)


class Resolver(Protocol):
    """Looks into other modules of the project (see ``project.py``)."""

    def chain_for(self, qualname: str) -> Optional[ExternalChain]: ...

    def chain_for_call(self, qualname: str, arguments: tuple) -> Optional[ExternalChain]: ...

    def returns_for(self, qualname: str) -> frozenset: ...

    def is_process_class(self, qualname: str) -> bool: ...

    module: str  # the dotted name of the module analysed

    def absolute(self, level: int, module: Optional[str]) -> Optional[str]: ...


#: Names that mean a built-in when nothing in the module binds them.
_BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass
class _Scope:
    kind: str  # "module" | "function"
    bindings: dict = field(default_factory=dict)  # name -> list of sources
    parent: Optional["_Scope"] = None
    globals_declared: set = field(default_factory=set)
    makes_process: Optional[bool] = None
    region: list = field(default_factory=list)  # nodes whose calls belong to this scope
    owner: Optional[str] = None  # the module-level class of a method (for super())
    constants: bool = False  # some parameter is bound to a literal (early returns are decided)
    func: Optional[ast.AST] = None  # the function this is the scope of (None: the module)
    stars: list = field(default_factory=list)  # modules of the codebase star-imported here


@dataclass
class StatementFacts:
    """What the analysis knows about one top-level statement."""

    index: int
    starts: bool = False  # runs a process start (directly or through calls) when it runs
    setup: bool = False  # runs set_start_method & co.
    unsafe_position: str = ""  # the start sits in a decorator, default or class body
    guard: bool = False  # a top-level `if __name__ == "__main__":`
    guard_else_starts: bool = False


@dataclass
class ModuleAnalysis:
    findings: list
    statements: list  # StatementFacts per top-level statement
    functions: dict  # name -> FunctionDef (module level)
    classes: dict  # name -> ClassDef (module level)
    analyzer: Optional["_Analyzer"] = None  # for further questions (other modules, hazards)



def _kept_candidates(init: ast.AST) -> list:
    """Attribute names ``self.attr = ...`` statements of an ``__init__`` body assign (the
    only statements ``kept_attributes`` keeps a literal from)."""
    positional = init.args.posonlyargs + init.args.args  # type: ignore[attr-defined]
    if not positional:
        return []
    me = positional[0].arg
    found = []
    for stmt in init.body:  # type: ignore[attr-defined]
        target = stmt.targets[0] if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 else (
            stmt.target if isinstance(stmt, ast.AnnAssign) and stmt.value is not None else None
        )
        if target is not None and _is_self_attribute(target, me):
            found.append(target.attr)  # type: ignore[attr-defined]
    return found

class _Analyzer:
    def __init__(
        self,
        tree: ast.Module,
        lines: list[str],
        catalogue: Optional[dict] = None,
        resolver: Optional[Resolver] = None,
        path: str = "",
    ) -> None:
        self.tree = tree
        self.lines = lines
        self.catalogue: dict[str, Target] = catalogue if catalogue is not None else BY_QUALNAME
        self.resolver = resolver
        self.path = path
        self._backend_calls: Optional[set] = None
        self.functions: dict[str, ast.AST] = {}
        self.classes: dict[str, ast.ClassDef] = {}
        self.module = _Scope("module")
        self._chains: dict[Tuple, Optional[tuple]] = {}
        self._eval_stack: set = set()
        # What names and attributes evaluate to, remembered: a class whose attributes are
        # built from each other is a graph, and walking it afresh from every use took
        # minutes on a 3,000-line module.  An answer computed while a cycle was cut short
        # (``_cuts`` grew) may lack what the cut hid: it is kept only until the outermost
        # evaluation ends (``_values_now``); the others for the run (``_values``).
        self._values: dict = {}
        self._values_now: dict = {}
        self._cuts = 0
        self._process_classes: dict[str, bool] = {}
        self._function_scopes: dict[int, _Scope] = {}
        self._module_nodes: Optional[list] = None
        # Walks remembered for the life of the analyzer (the tree lives as long), keyed by node:
        # scopes, chains, module events and hazards all look at the same statements.
        self._statement_nodes: dict[ast.AST, list] = {}
        self._top_level_nodes: dict[ast.AST, list] = {}
        self._owners: Optional[dict[ast.AST, str]] = None  # class body statement -> class name
        self._attribute_sources: dict[str, dict] = {}  # class -> attr -> [(source, method)]
        self._returns: dict[Tuple, frozenset] = {}  # callee -> what calling it returns
        self._outside: dict[tuple, object] = {}  # answers of the resolver about other modules
        self._early_exits: dict[int, frozenset] = {}  # id(function) -> parameters it returns on
        self._reads_by_key_of: dict[int, bool] = {}  # id(function) -> see ``reads_by_key``
        self._folding: set = set()  # (id(scope), name) being folded (see ``_constant``)
        self._augmented: set = set()  # ids of the values of augmented assignments (``n += 1``)
        self._getattr_nodes: dict = {}  # id(getattr call) -> (call, the attribute it reads)
        self._specialised_scopes: dict[tuple, _Scope] = {}  # (id(function), owner, binds) -> scope
        self._kept: dict[str, dict] = {}  # class -> attr -> how __init__ keeps a literal (see ``kept_attributes``)
        self._attribute_stores: Optional[tuple] = None  # see ``attribute_stores``
        self._decided_attributes: Optional[frozenset] = None  # see ``decided_attributes``
        self._nodes_by_type: Optional[dict] = None  # see ``nodes_of``
        self._commands: Optional[dict] = None  # group name -> functions registered on it
        self._spelled: dict[str, bool] = {}  # see ``spells``
        self._parser_defaults: Optional[dict] = None  # see ``parser_defaults``

    # ----- collection -------------------------------------------------------------------
    def collect_module(self) -> None:
        for stmt in self.tree.body:
            self.module.region.append(stmt)
            self._collect_bindings(stmt, self.module, top=True)

    def _collect_bindings(self, stmt: ast.AST, scope: _Scope, top: bool) -> None:
        """Record what names the statements of ``scope`` bind, and to which expressions.

        Names bound under an ``if __name__ == "__main__":`` guard are module names too.
        """
        stack = [stmt]
        while stack:
            node = stack.pop()
            if not isinstance(node, _BINDING_NODES):  # most nodes: one test instead of a dozen
                stack.extend(child_nodes(node))
                continue
            if isinstance(node, _FUNCS):
                self._bind(scope, node.name, ("value", ("func", node.name)) if top else ("unknown",))
                if top:
                    self.functions.setdefault(node.name, node)
                continue
            if isinstance(node, ast.ClassDef):
                self._bind(scope, node.name, ("value", ("class", node.name)) if top else ("unknown",))
                if top:
                    self.classes.setdefault(node.name, node)
                continue
            if isinstance(node, ast.Lambda):
                continue
            if isinstance(node, ast.Assign):
                lam = _module_lambda(node) if top else None
                if lam is not None:
                    # ``go = lambda xs: run_all(xs)`` then ``go(items)``: the name is a module
                    # function whose body returns the lambda's expression (a def wins)
                    self._bind(scope, lam.name, ("value", ("func", lam.name)))
                    self.functions.setdefault(lam.name, lam)
                    continue
                for target in node.targets:
                    self._bind_target(scope, target, ("expr", node.value))
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                if isinstance(node, ast.AugAssign):
                    # ``n += 1``: the value is not what n becomes (see ``_constant``)
                    self._augmented.add(id(node.value))
                self._bind_target(scope, node.target, ("expr", node.value))
            elif isinstance(node, ast.NamedExpr):
                self._bind_target(scope, node.target, ("expr", node.value))
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                self._bind_target(scope, node.target, ("iter", node.iter))
            elif isinstance(node, _COMPREHENSIONS):
                for gen in node.generators:
                    self._bind_target(scope, gen.target, ("iter", gen.iter))
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                self._bind_target(scope, node.optional_vars, ("expr", node.context_expr))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self._bind(scope, alias.asname, ("value", ("name", alias.name)))
                    else:
                        head = alias.name.split(".", 1)[0]
                        self._bind(scope, head, ("value", ("name", head)))
            elif isinstance(node, ast.ImportFrom):
                base = node.module if node.level == 0 else (
                    self.resolver.absolute(node.level, node.module) if self.resolver else None
                )
                for alias in node.names:
                    if alias.name == "*":
                        if base:
                            for local, qual in star_names(base, self.catalogue).items():
                                self._bind(scope, local, ("value", ("name", qual)))
                            if not is_catalogue_module(base) and base not in scope.stars:
                                # which names a module of the codebase exports is only
                                # known there: a name bound nowhere here is asked of it
                                scope.stars.append(base)
                    elif base:
                        self._bind(scope, alias.asname or alias.name, ("value", ("name", f"{base}.{alias.name}")))
                    else:
                        self._bind(scope, alias.asname or alias.name, ("unknown",))
            elif isinstance(node, ast.Global):
                scope.globals_declared.update(node.names)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                # procs.append(Process(...)) makes procs a container of processes
                if (
                    node.func.attr in ("append", "add", "insert", "extend", "appendleft", "addTest", "addTests")
                    and isinstance(node.func.value, ast.Name)
                    and node.args
                ):
                    # (suite.addTest(case) / suite.addTests(cases) fill a test suite alike)
                    arg = node.args[-1]
                    source = ("iter", arg) if node.func.attr in ("extend", "addTests") else ("expr", arg)
                    self._bind(scope, node.func.value.id, ("contains", source))
                elif node.func.attr == "update" and isinstance(node.func.value, ast.Name):
                    # kwargs.update(num_workers=4): the dict holds what update gives it
                    self._bind(scope, node.func.value.id, ("update", node))
            stack.extend(child_nodes(node))

    def _bind_target(self, scope: _Scope, target: ast.AST, source: tuple) -> None:
        if isinstance(target, ast.Name):
            self._bind(scope, target.id, source)
        elif isinstance(target, (ast.Tuple, ast.List)):
            # data_set, loader = provider(): each name gets its position of the value
            for _, elt, part in _parts(target, source):
                self._bind_target(scope, elt, part)
        elif isinstance(target, ast.Starred):
            self._bind_target(scope, target.value, source)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            # funcs["mpi"] = run_mpi / kwargs["num_workers"] = 4: the container holds it
            self._bind(scope, target.value.id, ("item", target.slice, source))

    @staticmethod
    def _bind(scope: _Scope, name: str, source: tuple) -> None:
        scope.bindings.setdefault(name, []).append(source)

    def function_scope(self, func: ast.AST, owner: Optional[str] = None) -> _Scope:
        """The scope of a module-level function or method (nested functions folded in)."""
        key = id(func)
        if key in self._function_scopes:
            return self._function_scopes[key]
        scope = _Scope("function", parent=self.module, owner=owner, func=func)
        args = func.args  # type: ignore[attr-defined]
        params = [a for a in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg] if a]
        for index, arg in enumerate(params):
            source: tuple = ("unknown",)
            if owner is not None and index == 0 and arg in (args.posonlyargs + args.args):
                decorators = {
                    d.id for d in func.decorator_list if isinstance(d, ast.Name)  # type: ignore[attr-defined]
                }
                if "staticmethod" in decorators:
                    source = ("unknown",)
                elif "classmethod" in decorators:
                    source = ("value", ("class", owner))
                else:
                    source = ("value", ("instance", owner))
            self._bind(scope, arg.arg, source)
        for stmt in func.body:  # type: ignore[attr-defined]
            scope.region.append(stmt)
            self._collect_bindings_nested(stmt, scope)
        self._function_scopes[key] = scope
        return scope

    def _collect_bindings_nested(self, stmt: ast.AST, scope: _Scope) -> None:
        # Nested defs and lambdas are folded into the enclosing function (conservative: a
        # function that builds a process-starting closure almost always calls it).
        nested = [node for node in self.statement_nodes(stmt) if isinstance(node, _FUNCS_AND_LAMBDA)]
        for node in nested:
            args = node.args
            for arg in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
                if arg is not None:
                    self._bind(scope, arg.arg, ("unknown",))
        saved_functions, saved_classes = self.functions, self.classes
        self.functions, self.classes = {}, {}
        try:
            self._collect_bindings(stmt, scope, top=False)
            for node in nested:
                if node is not stmt and isinstance(node, _FUNCS):
                    for inner in node.body:
                        self._collect_bindings(inner, scope, top=False)
        finally:
            self.functions, self.classes = saved_functions, saved_classes

    def statement_nodes(self, stmt: ast.AST) -> list[ast.AST]:
        """Every node of ``stmt`` (contexts and operators aside) in ``ast.walk`` order, walked once."""
        nodes = self._statement_nodes.get(stmt)
        if nodes is None:
            nodes = self._statement_nodes[stmt] = list(walk(stmt))
        return nodes

    def spells(self, word: str) -> bool:
        """Whether the module's text holds ``word`` (a cheap test before a walk of the
        whole module for the calls that name it)."""
        found = self._spelled.get(word)
        if found is None:
            found = self._spelled[word] = any(word in line for line in self.lines)
        return found

    def spells_twice(self, word: str) -> bool:
        """Whether the module's text holds ``word`` at least twice (a name stored once and
        read elsewhere is spelled at both places)."""
        count = 0
        for line in self.lines:
            if word in line:
                count += line.count(word)
                if count >= 2:
                    return True
        return False

    def nodes_of(self, *kinds: type) -> list[ast.AST]:
        """Every node of the module of these classes (exact types), from one pass over the
        statements' remembered walks: the module-wide questions (``attribute_stores``,
        ``decided_attributes``, ``backend_calls``) look at a few kinds of node each and
        would otherwise walk the whole tree once apiece."""
        if self._nodes_by_type is None:
            index: dict = {}
            for stmt in self.tree.body:
                for node in self.statement_nodes(stmt):
                    index.setdefault(type(node), []).append(node)
            self._nodes_by_type = index
        if len(kinds) == 1:
            return self._nodes_by_type.get(kinds[0], [])
        return [node for kind in kinds for node in self._nodes_by_type.get(kind, ())]

    def body_nodes(self, func: ast.AST) -> list[ast.AST]:
        """Every node of a function's body, statement by statement (see ``statement_nodes``)."""
        return [node for stmt in func.body for node in self.statement_nodes(stmt)]  # type: ignore[attr-defined]

    # ----- evaluation -------------------------------------------------------------------
    def lookup(self, name: str, scope: _Scope) -> frozenset:
        if scope.kind == "function" and name in scope.globals_declared:
            scope = self.module
        while scope is not None:
            if name in scope.bindings:
                return self._evaluate_once((id(scope), name), scope, lambda s=scope: self._lookup_in(name, s))
            scope = scope.parent  # type: ignore[assignment]
        return self._star_values(name)

    def _star_values(self, name: str) -> frozenset:
        """What a name bound nowhere in the module may be: the same name of a module of the
        codebase that the module star-imports (``from pkg.run import *`` then ``train()``).
        Private names and built-ins are left alone (a star import skips the first, and
        shadowing the second is too rare to pay a question per ``print``)."""
        if not self.module.stars or self.resolver is None or name.startswith("_") or name in _BUILTIN_NAMES:
            return _NO_VALUES
        return frozenset(("name", f"{base}.{name}") for base in self.module.stars)

    def _lookup_in(self, name: str, scope: _Scope) -> frozenset:
        values: set = set()
        for source in scope.bindings[name]:
            values |= self._eval_source(source, scope)
        if scope.parent is not None and _only_mutations(scope.bindings[name]):
            # RUNNERS["mpi"] = run_mpi in a function fills the module's dict
            values |= self.lookup(name, scope.parent)
        return frozenset(values)

    def _evaluate_once(self, key: tuple, owner: object, compute: Callable[[], frozenset]) -> frozenset:
        """``compute()``, remembered under ``key`` (see ``_values``), and cut short with no
        values when it is met again inside itself.  ``owner`` is kept alive with the answer,
        so an ``id()`` in ``key`` cannot be reused by another object meanwhile."""
        known = self._values.get(key) or self._values_now.get(key)
        if known is not None and known[0] is owner:
            return known[1]
        if key in self._eval_stack:
            self._cuts += 1
            return _NO_VALUES
        cuts = self._cuts
        self._eval_stack.add(key)
        try:
            result = compute()
        finally:
            self._eval_stack.discard(key)
        (self._values if self._cuts == cuts else self._values_now)[key] = (owner, result)
        if not self._eval_stack:
            self._values_now.clear()
        return result

    def forget_values(self) -> None:
        """Forget remembered evaluations (the project's answers they used have changed)."""
        self._values.clear()
        self._values_now.clear()
        self._parser_defaults = None  # (built from evaluations)

    def _eval_source(self, source: tuple, scope: _Scope) -> frozenset:
        tag = source[0]
        if tag == "value":
            return frozenset([source[1]])
        if tag == "expr":
            return self.eval(source[1], scope)
        if tag == "iter":
            return self.element_values(self.eval(source[1], scope))
        if tag == "contains":
            return frozenset([("list", self._eval_source(source[1], scope))])
        if tag == "item":
            return frozenset([("list", self._eval_source(source[2], scope))])
        if tag == "part":
            return _part_values(self._eval_source(source[1], scope), *source[2:])
        if tag == "update":
            call = source[1]
            inner: set = set()
            for arg in call.args:
                inner |= self.element_values(self.eval(arg, scope))
            for kw in call.keywords:
                inner |= self.eval(kw.value, scope)
            return frozenset([("list", frozenset(inner))])
        return _NO_VALUES

    def sources_of(self, name: str, scope: _Scope) -> Optional[list]:
        """The binding sources of ``name`` in the nearest scope that binds it (and in the
        enclosing one, when that scope only fills a container bound there), or None."""
        if scope.kind == "function" and name in scope.globals_declared:
            scope = self.module
        while scope is not None:
            if name in scope.bindings:
                sources = scope.bindings[name]
                if scope.parent is not None and _only_mutations(sources):
                    sources = sources + (self.sources_of(name, scope.parent) or [])
                return sources
            scope = scope.parent  # type: ignore[assignment]
        return None

    # ----- DataLoader workers -----------------------------------------------------------
    def has_workers(self, call: ast.Call, scope: _Scope) -> bool:
        """DataLoader(num_workers=...): 0 or absent means no worker processes; anything else
        (a positive literal, ``1 if cuda else 0``, a value only known at run time) may start
        them.  The value may come positionally or from a ``**kwargs`` dict with literal keys."""
        values: list = []
        if len(call.args) > NUM_WORKERS_POSITION and not any(
            isinstance(arg, ast.Starred) for arg in call.args[: NUM_WORKERS_POSITION + 1]
        ):
            values.append(call.args[NUM_WORKERS_POSITION])
        for kw in call.keywords:
            if kw.arg == "num_workers":
                values.append(kw.value)
            elif kw.arg is None:
                values += self.dict_entries(kw.value, "num_workers", scope)
        return any(self.may_be_nonzero(value, scope) for value in values)

    def dict_entries(self, node: ast.expr, key: str, scope: _Scope, depth: int = 0) -> list:
        """The expressions a dict built from literal keys may hold under ``key`` (a dict
        whose making is not seen gives nothing: its keys are unknown)."""
        if depth > 6:
            return []
        out: list = []
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values):
                if k is None:
                    out += self.dict_entries(v, key, scope, depth + 1)
                elif isinstance(k, ast.Constant) and k.value == key:
                    out.append(v)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "dict"
            and not self.is_bound("dict", scope)
        ):
            out += self._call_entries(node, key, scope, depth)
        elif isinstance(node, ast.IfExp):
            out += self.dict_entries(node.body, key, scope, depth + 1)
            out += self.dict_entries(node.orelse, key, scope, depth + 1)
        elif isinstance(node, ast.Name):
            for source in self.sources_of(node.id, scope) or ():
                if source[0] == "expr":
                    out += self.dict_entries(source[1], key, scope, depth + 1)
                elif source[0] == "item" and isinstance(source[1], ast.Constant) and source[1].value == key:
                    if source[2][0] == "expr":
                        out.append(source[2][1])
                elif source[0] == "update":
                    out += self._call_entries(source[1], key, scope, depth)
        return out

    def _call_entries(self, call: ast.Call, key: str, scope: _Scope, depth: int) -> list:
        """``dict(base, key=value, **more)`` and ``d.update(...)``: what they put under ``key``."""
        out: list = []
        for arg in call.args[:1]:
            out += self.dict_entries(arg, key, scope, depth + 1)
        for kw in call.keywords:
            if kw.arg == key:
                out.append(kw.value)
            elif kw.arg is None:
                out += self.dict_entries(kw.value, key, scope, depth + 1)
        return out

    def may_be_nonzero(self, node: ast.expr, scope: _Scope, depth: int = 0) -> bool:
        """False only when every value ``node`` may have is a literal 0 (or False/None)."""
        if depth > 6:
            return True
        if isinstance(node, ast.Constant):
            return bool(node.value)
        if isinstance(node, ast.IfExp):
            return self.may_be_nonzero(node.body, scope, depth + 1) or self.may_be_nonzero(node.orelse, scope, depth + 1)
        if isinstance(node, ast.Name):
            sources = self.sources_of(node.id, scope)
            if not sources or any(source[0] != "expr" for source in sources):
                return True  # a parameter, a loop variable, an import: only known at run time
            return any(self.may_be_nonzero(source[1], scope, depth + 1) for source in sources)
        return True

    @staticmethod
    def element_values(values: frozenset) -> frozenset:
        """What iterating (or indexing) any of ``values`` may give."""
        out: set = set()
        for value in values:
            if value[0] == "list":
                out |= value[1]
            elif value[0] == "tuple":
                for item in value[1]:
                    out |= item
        return frozenset(out)

    def eval(self, node: ast.AST, scope: _Scope) -> frozenset:
        if isinstance(node, ast.Name):
            return self.lookup(node.id, scope)
        if isinstance(node, ast.Attribute):
            return self._eval_attribute(node, scope)
        if isinstance(node, ast.Call):
            named = self._getattr_attribute(node, scope)
            if named is not None:
                # getattr(helpers, "run_all") / getattr(self, "compute"): the attribute
                # itself, or the default a third argument gives
                found = self._eval_attribute(named, scope)
                return found | self.eval(node.args[2], scope) if len(node.args) == 3 else found
            return self._eval_call(node, scope)
        if isinstance(node, ast.Tuple) and not any(isinstance(elt, ast.Starred) for elt in node.elts):
            return frozenset([("tuple", tuple(self.eval(elt, scope) for elt in node.elts))])
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            inner: set = set()
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    inner |= self.element_values(self.eval(elt.value, scope))
                else:
                    inner |= self.eval(elt, scope)
            return frozenset([("list", frozenset(inner))])
        if isinstance(node, ast.Dict):
            # {"local": run_local, "mpi": run_mpi}: any value may be the one looked up
            inner = set()
            for key, item in zip(node.keys, node.values):
                inner |= self.eval(item, scope) if key is not None else self.element_values(self.eval(item, scope))
            return frozenset([("list", frozenset(inner))])
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return frozenset([("list", self.eval(node.elt, scope))])
        if isinstance(node, ast.DictComp):
            return frozenset([("list", self.eval(node.value, scope))])
        if isinstance(node, ast.Subscript):
            container = self.eval(node.value, scope)
            index = node.slice
            if isinstance(index, ast.Constant) and isinstance(index.value, int) and not isinstance(index.value, bool):
                # handlers[1]: of a tuple known position by position, that item only
                return _item_values(container, index.value)
            if isinstance(index, ast.Slice):
                return frozenset([("list", self.element_values(container))])
            return self.element_values(container)
        if isinstance(node, ast.NamedExpr):
            return self.eval(node.value, scope)
        if isinstance(node, ast.IfExp):
            return self.eval(node.body, scope) | self.eval(node.orelse, scope)
        if isinstance(node, ast.BoolOp):
            out: set = set()
            for value in node.values:
                out |= self.eval(value, scope)
            return frozenset(out)
        return _NO_VALUES

    def _getattr_attribute(self, call: ast.Call, scope: _Scope) -> Optional[ast.Attribute]:
        """``getattr(obj, "name")`` (or with a default) of the built-in ``getattr``, with a
        literal name, as the attribute ``obj.name`` it reads; else None."""
        func = call.func
        if (
            not isinstance(func, ast.Name) or func.id != "getattr" or call.keywords
            or len(call.args) not in (2, 3) or any(isinstance(arg, ast.Starred) for arg in call.args)
            or not (isinstance(call.args[1], ast.Constant) and isinstance(call.args[1].value, str))
            or not call.args[1].value.isidentifier() or self.is_bound("getattr", scope)
        ):
            return None
        known = self._getattr_nodes.get(id(call))
        if known is None or known[0] is not call:
            node = ast.copy_location(ast.Attribute(value=call.args[0], attr=call.args[1].value, ctx=ast.Load()), call)
            known = self._getattr_nodes[id(call)] = (call, node)  # the call kept alive with its id
        return known[1]

    def _eval_attribute(self, node: ast.Attribute, scope: _Scope) -> frozenset:
        out: set = set()
        for base in self.eval(node.value, scope):
            tag = base[0]
            if tag in ("name", "opaque"):
                out.add(("name", f"{base[1]}.{node.attr}"))
            elif tag == "context":
                out.add(("name", f"{base[1]}.{node.attr}"))
            elif tag == "process" and node.attr == "start":
                out.add(("start", base[1]))
            elif tag in ("instance", "class"):
                carried = base[2] if len(base) > 2 else ()
                out.add(("method", base[1], node.attr, carried) if carried else ("method", base[1], node.attr))
                # self.process = Process(...) in __init__, self.process.start() in run()
                out |= self.attribute_values(base[1], node.attr, carried=carried)
            elif tag == "super":
                out |= self._super_attribute(base[1], node.attr)
            elif tag == "modules":
                # importlib.import_module("pkg." + name).Model(opt).train: the attribute
                # path below the unknown module is kept whole
                out.add(("modules", base[1], f"{base[2]}.{node.attr}" if len(base) > 2 else node.attr))
            elif tag == "extinstance":
                out.add(("extmethod", f"{base[1]}.{node.attr}", base[2]))
        return frozenset(out)

    def _super_attribute(self, cls_name: str, attr: str) -> frozenset:
        """``super().attr`` inside a method of ``cls_name``: the attribute of its bases."""
        out: set = set()
        cls = self.classes.get(cls_name)
        if cls is None:
            return _NO_VALUES
        for base in cls.bases:
            for value in self.eval(base, self.module):
                if value[0] == "class" and value[1] != cls_name:
                    out.add(("method", value[1], attr))
                    out |= self.attribute_values(value[1], attr)
                elif value[0] == "name":
                    out.add(("name", f"{value[1]}.{attr}"))
        return frozenset(out)

    def attribute_values(
        self, cls_name: str, attr: str, seen: Optional[set] = None, carried: tuple = (), init: object = None
    ) -> frozenset:
        """What ``instance.attr`` may hold: every ``self.attr = ...`` (or ``self.attr.append``)
        in the methods of the class and its module-level bases, and class-body assignments.
        ``carried``: what the instance's constructor was given (its ``__init__`` parameters
        are bound to it there: ``self.loader = loader``)."""
        seen = seen if seen is not None else set()
        if cls_name in seen or cls_name not in self.classes:
            return _NO_VALUES
        seen.add(cls_name)
        if carried and init is None:
            init = self.find_method(cls_name, "__init__")
        key = ("attr", cls_name, attr, carried, id(init), frozenset(seen))

        def compute() -> frozenset:
            out: set = set()
            for source, func in self.attribute_sources(cls_name).get(attr, ()):
                if func is None:
                    scope = self.module
                else:
                    scope = self.scope_for(func, cls_name, carried if func is init else ())
                out |= self._eval_source(source, scope)
            for base in self.classes[cls_name].bases:
                for value in self.eval(base, self.module):
                    if value[0] == "class":
                        out |= self.attribute_values(value[1], attr, seen, carried, init)
                    elif value[0] == "name" and value[1] not in self.catalogue and self.resolver is not None:
                        # class Model(base.Model): what the base's methods keep on self
                        # (self.test_loader = ... in its load_dataset)
                        values_for = getattr(self.resolver, "attribute_values_for", None)
                        if values_for is not None:
                            out |= values_for(value[1], attr)
            return frozenset(out)

        return self._evaluate_once(key, init, compute)

    def instance_binds(self, cls_name: str, call: ast.Call, scope: _Scope) -> tuple:
        """What a constructor call carries into ``__init__`` that an instance keeps and a
        method may use later (a loader, a process, a spawning function): ``binds`` of
        ``specialise``, without instances (they would nest without end) or literals."""
        callee = self.specialise(("init", cls_name), call, scope)
        literal = self.kept_params(cls_name)
        kept = []
        for name, values in callee[2] if callee[0] == "with" else ():
            values = frozenset(v for v in values if _carried(v) or (v[0] == "const" and name in literal))
            if values:
                kept.append((name, values))
        if self.kept_attributes(cls_name):
            # literals kept on self are known in the methods of this instance (no other
            # module rebinds them: it was made here)
            kept.append((_BUILT, frozenset([("const", frozenset())])))
        return tuple(sorted(kept, key=lambda item: item[0]))

    def with_self(self, callee: Tuple, method: Tuple) -> Tuple:
        """``callee`` (a method, maybe specialised) with its ``self`` bound to the instance
        that ``method`` (``("method", cls, name, carried)``) was looked up on."""
        func = self.function_of(("method", method[1], method[2]))
        if func is None or len(method) < 4:
            return callee
        args = func.args  # type: ignore[attr-defined]
        positional = args.posonlyargs + args.args
        decorators = {d.id for d in func.decorator_list if isinstance(d, ast.Name)}  # type: ignore[attr-defined]
        if not positional or decorators & {"staticmethod", "classmethod"}:
            return callee
        me = (positional[0].arg, frozenset([("instance", method[1], method[3])]))
        base, binds = (callee[1], callee[2]) if callee[0] == "with" else (callee, ())
        merged = dict(binds)
        merged[me[0]] = me[1]
        return ("with", base, tuple(sorted(merged.items(), key=lambda item: item[0])))

    def attribute_sources(self, cls_name: str) -> dict:
        """attr -> [(source, method or None for the class body)] of a module-level class."""
        table = self._attribute_sources.get(cls_name)
        if table is not None:
            return table
        table = self._attribute_sources[cls_name] = {}
        for stmt in self.classes[cls_name].body:
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
                for target in stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]:
                    if isinstance(target, ast.Name):
                        table.setdefault(target.id, []).append((("expr", stmt.value), None))
            if not isinstance(stmt, _FUNCS):
                continue
            positional = stmt.args.posonlyargs + stmt.args.args
            decorators = {d.id for d in stmt.decorator_list if isinstance(d, ast.Name)}
            if not positional or decorators & {"staticmethod", "classmethod"}:
                continue
            me = positional[0].arg
            for node in self.body_nodes(stmt):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        _attribute_targets(target, ("expr", node.value), me, stmt, table)
                elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                    _attribute_targets(node.target, ("expr", node.value), me, stmt, table)
                elif (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("append", "add", "insert", "extend", "appendleft")
                    and node.args
                    and _is_self_attribute(node.func.value, me)
                ):
                    arg = node.args[-1]
                    item = ("iter", arg) if node.func.attr == "extend" else ("expr", arg)
                    table.setdefault(node.func.value.attr, []).append((("contains", item), stmt))  # type: ignore[attr-defined]
        return table

    def _eval_call(self, node: ast.Call, scope: _Scope) -> frozenset:
        out: set = set(self._eval_builtin_call(node, scope))
        if isinstance(node.func, ast.Attribute) and node.args and node.func.attr == "__new__":
            # obj = cls.__new__(cls) / object.__new__(cls): an instance, __init__ not run
            for value in self.eval(node.args[0], scope):
                if value[0] == "class":
                    out.add(("instance", value[1]))
                    if self.is_process_class(value[1]):
                        out.add(("process", value[1]))
        for func in self.eval(node.func, scope):
            tag = func[0]
            if tag == "name":
                target = self.catalogue.get(func[1])
                if target is None and node.args and func[1] in _PASS_THROUGH:
                    # tqdm(loader) iterates the loader when it is iterated; partial(run, 4)()
                    # calls run
                    out |= self.eval(node.args[0], scope)
                    continue
                if target is None and func[1] == "importlib.import_module" and node.args:
                    out |= _imported_module(node.args[0])
                    continue
                if target is None and func[1] in SUITE_BUILDERS:
                    # TestLoader().loadTestsFromTestCase(Case): a suite of Case's tests
                    out.add(("list", self.suite_tests(node, scope, SUITE_BUILDERS[func[1]])))
                    continue
                if target is None:
                    # A known outside object (threading.Thread(...), a helper's class): not a
                    # process, and not "unknown" either, so the .start() fallback stays quiet.
                    out.add(("opaque", func[1]))
                    if self.resolver is not None:
                        # train_loader, val_loader = data.get_loaders(): what a helper returns
                        out |= self.outside_returns(func[1])
                        if self.outside_process_class(func[1]):
                            out.add(("process", func[1].rsplit(".", 1)[-1]))
                        # Trainer(model, train_loader) of another module: its methods may use
                        # what the constructor kept.  Only CapWords names are asked (classes,
                        # by convention): the arguments of every outside call cost too much.
                        leaf = func[1].rsplit(".", 1)[-1]
                        if leaf[:1].isupper() and self.outside_keeps_literals(func[1]):
                            # Runner(num_processes=0) of another module whose methods test
                            # what __init__ keeps on self: its literals and defaults count
                            # there, unless this module assigns those attributes itself
                            arguments = self.literal_arguments(node, scope) + (self.stored_attributes(),)
                            out.add(("extinstance", func[1], arguments))
                        elif leaf[:1].isupper() and (node.args or node.keywords):
                            arguments = self.portable_arguments(node, scope)
                            if arguments is not None:
                                out.add(("extinstance", func[1], arguments))
                    continue
                if target.kind is Kind.CONTEXT:
                    method = _literal_arg(node, 0, "method")
                    if method not in NON_REIMPORTING_METHODS:
                        out.add(("context", target.context_module))
                elif target.kind is Kind.STARTS_ON_START:
                    out.add(("process", target.label))
                elif target.kind is Kind.STARTS_ON_ITER:
                    out.add(("loader", self.has_workers(node, scope)))
                elif target.kind is Kind.STARTS_ON_CALL:
                    out.add(("pool", target.qualname))
            elif tag == "class":
                carried = self.instance_binds(func[1], node, scope) if func[1] in self.classes else ()
                out.add(("instance", func[1], carried) if carried else ("instance", func[1]))
                if self.is_process_class(func[1]):
                    out.add(("process", func[1]))
            elif tag == "func":
                # factories: return Process(...), return data_set, loader
                out |= self.returns(func)
            elif tag == "method":
                # return cls(...), return self.loader
                out |= self.returns(self.with_self(func[:3], func))
            elif tag == "modules" and len(func) == 3 and self.resolver is not None:
                leaf = func[2].rsplit(".", 1)[-1]
                if leaf[:1].isupper() and "." not in func[2]:
                    # data.Dataset(opt) of a module chosen at run time: its methods are
                    # looked up under the same name (``Dataset.setup_loader``)
                    out.add(func)
                else:
                    # what that name returns in any module of the package that has it
                    returns_for_any = getattr(self.resolver, "returns_for_any", None)
                    if returns_for_any is not None:
                        out |= returns_for_any(func[1], func[2])
        return frozenset(out)

    def _eval_builtin_call(self, node: ast.Call, scope: _Scope) -> frozenset:
        """What built-ins and container methods hand back: ``super()``, ``zip``/``enumerate``
        (tuples of the items), ``iter``/``sorted``/..., ``d.get(k)``, ``d.values()``, ``d.items()``."""
        func = node.func
        if isinstance(func, ast.Name) and not self.is_bound(func.id, scope):
            name = func.id
            if name == "super":
                if node.args:
                    return frozenset(("super", v[1]) for v in self.eval(node.args[0], scope) if v[0] == "class")
                return frozenset([("super", scope.owner)]) if scope.owner else _NO_VALUES
            if name not in _CONTAINER_BUILTINS:
                return _NO_VALUES
            items = [self.element_values(self.eval(arg, scope)) for arg in node.args if not isinstance(arg, ast.Starred)]
            if not items:
                return _NO_VALUES
            if name == "zip":
                return frozenset([("list", frozenset([("tuple", tuple(items))]))])
            if name == "enumerate":
                return frozenset([("list", frozenset([("tuple", (_NO_VALUES, items[0]))]))])
            if name == "next":
                return items[0]
            if name in ("iter", "reversed", "sorted", "list", "tuple", "set", "frozenset"):
                return frozenset([("list", items[0])])
            if name == "filter" and len(items) > 1:
                return frozenset([("list", items[1])])
            return _NO_VALUES
        if isinstance(func, ast.Attribute) and func.attr in ("get", "pop", "setdefault", "values", "items", "copy"):
            containers = frozenset(v for v in self.eval(func.value, scope) if v[0] == "list")
            if not containers:
                if func.attr in ("get", "pop", "setdefault") and len(node.args) > 1:
                    # kwargs.pop("pool", ProcessPoolExecutor): of a mapping whose contents are
                    # not known, the default is what comes back when the key is absent
                    return self.eval(node.args[1], scope)
                return _NO_VALUES
            items = self.element_values(containers)
            if func.attr in ("get", "pop", "setdefault"):
                # funcs.get(kind, run_local): the default may be the one handed back
                return items | (self.eval(node.args[1], scope) if len(node.args) > 1 else _NO_VALUES)
            if func.attr == "items":
                return frozenset([("list", frozenset([("tuple", (_NO_VALUES, items))]))])
            return frozenset([("list", items)])
        return _NO_VALUES

    def is_bound(self, name: str, scope: _Scope) -> bool:
        """Whether ``name`` is bound in ``scope`` or an enclosing one (else it is a built-in)."""
        if scope.kind == "function" and name in scope.globals_declared:
            scope = self.module
        while scope is not None:
            if name in scope.bindings:
                return True
            scope = scope.parent  # type: ignore[assignment]
        return False

    def returns(self, callee: Tuple) -> frozenset:
        """What calling a module-level function or a method of a module-level class returns
        (recursion is answered to a fixpoint: see ``memo.solve``)."""
        return solve(self._returns, callee, lambda: self._compute_returns(callee), _NO_VALUES)

    def _compute_returns(self, callee: Tuple) -> frozenset:
        binds: tuple = ()
        if callee[0] == "with":
            callee, binds = callee[1], callee[2]
        func = self.function_of(callee)
        out: set = set()
        if func is not None:
            scope = self.scope_for(func, self.owner_of(func) if callee[0] == "method" else None, binds)
            for node in _returned(func):
                out |= self.eval(node, scope)
        return frozenset(out)

    def outside_returns(self, qualname: str) -> frozenset:
        """``resolver.returns_for(qualname)``, asked once per name."""
        return solve(
            self._outside, ("returns", qualname),
            lambda: self.resolver.returns_for(qualname),  # type: ignore[union-attr]
            _NO_VALUES,
        )

    def outside_keeps_literals(self, qualname: str) -> bool:
        """Whether ``qualname`` is a class of another module whose ``__init__`` keeps
        literals on self that its methods test (``kept_attributes``), asked once per name."""
        keeps = getattr(self.resolver, "keeps_literals", None)
        if keeps is None:
            return False
        return solve(self._outside, ("keeps", qualname), lambda: bool(keeps(qualname)), False)

    def outside_process_class(self, qualname: str) -> bool:
        """``resolver.is_process_class(qualname)``, asked once per name."""
        return solve(
            self._outside, ("process", qualname),
            lambda: self.resolver.is_process_class(qualname),  # type: ignore[union-attr]
            False,
        )

    def portable_returns(self, callee: Tuple) -> frozenset:
        """``returns(callee)`` as another module may read it (see ``portable``)."""
        return frozenset(filter(None, (self.portable(v) for v in self.returns(callee))))

    def returns_starter(self, callee: Tuple) -> bool:
        """Whether calling ``callee`` hands the caller something that may start processes:
        a loader with workers, a process, a context, a spawning function, an instance of a
        class whose methods start processes (the prefilter's question about a module)."""
        return any(self._may_start(value) for value in self.returns(callee))

    def _may_start(self, value: Tuple, depth: int = 0) -> bool:
        tag = value[0]
        if tag == "instance":
            cls = self.classes.get(value[1])
            return cls is not None and (
                self.is_process_class(value[1])
                or any(self.chain(("method", value[1], f.name)) is not None for f in cls.body if isinstance(f, _FUNCS))
            )
        if tag == "list":
            return depth < 2 and any(self._may_start(v, depth + 1) for v in value[1])
        if tag == "tuple":
            return depth < 2 and any(self._may_start(v, depth + 1) for item in value[1] for v in item)
        return self.portable(value) is not None

    def function_of(self, callee: Tuple) -> Optional[ast.AST]:
        """The definition a callee runs (for "init": its ``__init__``), or None."""
        if callee[0] == "func":
            return self.functions.get(callee[1])
        if callee[0] == "method":
            return self.find_method(callee[1], callee[2])
        if callee[0] == "init":
            return self.find_method(callee[1], "__init__")
        return None

    def is_process_class(self, name: str) -> bool:
        if name in self._process_classes:
            return self._process_classes[name]
        self._process_classes[name] = False  # cycle guard
        result = False
        cls = self.classes.get(name)
        if cls is not None:
            for base in cls.bases:
                for value in self.eval(base, self.module):
                    if value[0] == "name":
                        target = self.catalogue.get(value[1])
                        if target is not None and target.kind is Kind.STARTS_ON_START:
                            result = True
                        elif target is None and self.resolver is not None and self.outside_process_class(value[1]):
                            result = True
                    elif value[0] == "class" and value[1] != name and self.is_process_class(value[1]):
                        result = True
        self._process_classes[name] = result
        return result

    def find_method(self, cls_name: str, method: str, seen: Optional[set] = None) -> Optional[ast.AST]:
        seen = seen if seen is not None else set()
        if cls_name in seen:
            return None
        seen.add(cls_name)
        cls = self.classes.get(cls_name)
        if cls is None:
            return None
        for stmt in cls.body:
            if isinstance(stmt, _FUNCS) and stmt.name == method:
                return stmt
        for base in cls.bases:
            for value in self.eval(base, self.module):
                if value[0] == "class":
                    found = self.find_method(value[1], method, seen)
                    if found is not None:
                        return found
        return None

    def external_bases(self, cls_name: str, seen: Optional[set] = None) -> list[str]:
        """Qualified names of the bases of a local class (and of its local bases) that live
        outside this file, in the order Python would search them."""
        seen = seen if seen is not None else set()
        if cls_name in seen or cls_name not in self.classes:
            return []
        seen.add(cls_name)
        out: list[str] = []
        for base in self.classes[cls_name].bases:
            for value in self.eval(base, self.module):
                if value[0] == "class":
                    out += self.external_bases(value[1], seen)
                elif value[0] == "name" and value[1] not in self.catalogue:
                    out.append(value[1])
        return out

    def template_hooks(
        self, cls_name: str, qualname: str, call: Optional[ast.Call] = None, scope: Optional[_Scope] = None
    ) -> list:
        """What the standard-library template method ``qualname`` (``TEMPLATE_METHODS``) runs
        of this file when it is called on an instance of ``cls_name`` (with ``call``'s
        arguments, where it calls one): ``("hook", label, callee)`` for each override or
        function of this file it reaches."""
        out: list = []
        specs = [spec for name in self.template_names(qualname) for spec in TEMPLATE_METHODS[name]]
        for spec in dict.fromkeys(specs):
            if spec.isdigit():
                index = int(spec)
                if call is None or scope is None or index >= len(call.args) or isinstance(call.args[index], ast.Starred):
                    continue
                out += self.called_hooks(self.eval(call.args[index], scope))
                continue
            if cls_name is None:
                continue  # (a method of self: the call is not on an instance of this file)
            attr, _, name = spec.rpartition(".")
            if not attr and name.endswith("*"):
                # every test method of a test case
                for method in self.method_names(cls_name):
                    if method.startswith(name[:-1]):
                        out.append(("hook", f"{cls_name}.{method}()", ("method", cls_name, method)))
                continue
            if not attr:
                if self.find_method(cls_name, name) is not None:
                    out.append(("hook", f"{name}()", ("method", cls_name, name)))
                continue
            for value in self.attribute_values(cls_name, attr):
                if value[0] in ("instance", "class") and self.find_method(value[1], name) is not None:
                    out.append(("hook", f"{attr}.{name}()", ("method", value[1], name)))
        return out

    def called_hooks(self, values: frozenset, depth: int = 0) -> list:
        """What calling one of ``values`` runs, for a template method that calls what it is
        given: a function or method of this file, a test case instance (its tests), each
        test of a suite, or a test case class of another module (``("tests", chain)``)."""
        out: list = []
        for value in values:
            tag = value[0]
            if tag == "func" and value[1] in self.functions:
                out.append(("hook", f"{value[1]}()", ("func", value[1])))
            elif tag == "method" and self.find_method(value[1], value[2]) is not None:
                out.append(("hook", f"{value[2]}()", ("method", value[1], value[2])))
            elif tag == "instance" and value[1] in self.classes:
                if self.find_method(value[1], "__call__") is not None:
                    out.append(("hook", f"{value[1]}.__call__()", ("method", value[1], "__call__")))
                else:
                    out += self.test_hooks(value[1])
            elif tag == "class" and value[1] in self.classes:
                # fire.Fire(Runner): the constructor, then the method the command line names
                out.append(("hook", f"{value[1]}()", ("init", value[1])))
                out += [
                    ("hook", f"{value[1]}.{name}()", ("method", value[1], name))
                    for name in self.method_names(value[1]) if not name.startswith("_")
                ]
            elif tag == "tests":
                out.append(("ext", f"{value[1].path}:{value[1].line}", value[1]))
            elif tag == "spawner":  # a function of another module, passed in as an argument
                out.append(("ext", f"{value[1].path}:{value[1].line}", value[1]))
            elif tag == "name" and self.resolver is not None and self.catalogue.get(value[1]) is None:
                # fire.Fire(train) with train imported from another module of the codebase
                external = self.resolver.chain_for(value[1])
                if external is not None:
                    out.append(("ext", value[1], external))
            elif tag == "list" and depth < 2:
                out += self.called_hooks(value[1], depth + 1)  # a suite calls each of its tests
        return out

    def suite_tests(self, call: ast.Call, scope: _Scope, kind: str) -> frozenset:
        """The tests of the suite a ``SUITE_BUILDERS`` call builds: instances of the test
        case classes of this file, test case classes of other modules (``("tests", ...)``)."""
        if not call.args or isinstance(call.args[0], ast.Starred):
            return _NO_VALUES
        values = self.eval(call.args[0], scope)
        if kind == "tests":
            values = self.element_values(values)
        out: set = set()
        for value in values:
            if value[0] == "class" and kind == "case":
                out.add(("instance", value[1]))
            elif value[0] in ("instance", "tests") or (value[0] == "list" and kind == "tests"):
                out.add(value)
        return frozenset(out)

    def method_names(self, cls_name: str) -> list:
        """The names of the methods of a module-level class and of its module-level bases."""
        names: list = []
        seen: set = set()
        todo = [cls_name]
        while todo:
            name = todo.pop(0)
            cls = self.classes.get(name)
            if cls is None or name in seen:
                continue
            seen.add(name)
            names += [stmt.name for stmt in cls.body if isinstance(stmt, _FUNCS)]
            todo += [v[1] for base in cls.bases for v in self.eval(base, self.module) if v[0] == "class"]
        return list(dict.fromkeys(names))

    def is_test_case(self, cls_name: str) -> bool:
        """Whether a module-level class derives from ``unittest.TestCase``: directly, through
        a name that a star import re-exports, or through a class of another module
        (``resolver.class_bases``)."""
        origins = getattr(self.resolver, "star_origins", None)
        bases_of = getattr(self.resolver, "class_bases", None)
        for base in self.external_bases(cls_name):
            if base in TEST_CASE_BASES:
                return True
            names = list(origins(base)) if origins is not None else []
            names += list(bases_of(base)) if bases_of is not None else []
            if any(name in TEST_CASE_BASES for name in names):
                return True
        return False

    def test_hooks(self, cls_name: str) -> list:
        """What running the tests of the module-level class ``cls_name`` runs of this file
        (its fixtures and test methods), or [] when it is no test case."""
        if not any(name.startswith("test") for name in self.method_names(cls_name)) or not self.is_test_case(cls_name):
            return []
        return self.template_hooks(cls_name, f"{TEST_CASE}.run")

    def module_test_hooks(self) -> list:
        """What ``unittest.main()`` runs of the module it loads the tests of, when that is this
        file: the tests of every module-level test case class.  (Called in a function of
        another module that a script reaches, it would load the script's tests, not that
        module's; the analysis of that module cannot tell, and counts its own.)"""
        return [hook for name in self.classes for hook in self.test_hooks(name)]

    def test_chain(self, cls_name: str) -> Optional[tuple]:
        """The call chain from running the tests of ``cls_name`` to a process start, or None."""
        best = self.shortest(self.test_hooks(cls_name))
        return None if best is None else self.chain(best)

    def template_names(self, qualname: str) -> list:
        """The names of ``TEMPLATE_METHODS`` that ``qualname`` is: itself, or what a star
        import of another module re-exports under it (``from unittest import *``)."""
        if qualname.rpartition(".")[2] not in _TEMPLATE_LEAVES:
            return []
        names = [qualname]
        ask = getattr(self.resolver, "star_origins", None)
        if qualname not in TEMPLATE_METHODS and ask is not None:
            names += ask(qualname)
        return [name for name in names if name in TEMPLATE_METHODS]

    def owner_of(self, func: ast.AST) -> Optional[str]:
        """The module-level class whose body defines ``func``, or None."""
        if self._owners is None:
            self._owners = {}
            for name, cls in self.classes.items():
                for stmt in cls.body:
                    self._owners.setdefault(stmt, name)
        return self._owners.get(func)

    # ----- events -----------------------------------------------------------------------
    def scope_makes_process(self, scope: _Scope, nodes: Iterable[ast.AST]) -> bool:
        if scope.makes_process is None:
            scope.makes_process = any(
                isinstance(node, ast.Call)
                and any(value[0] == "process" for value in self._eval_call(node, scope))
                for node in nodes
            )
        return scope.makes_process

    def classify_call(self, call: ast.Call, scope: _Scope, region: list) -> Optional[Event]:
        """The most telling event a call produces, or None, spanning the whole call."""
        event = self._classify_call(call, scope, region)
        return None if event is None else self.with_end(event, call)

    def with_end(self, event: Event, node: ast.AST) -> Event:
        end_line = getattr(node, "end_lineno", None) or event.line
        end_col = self.char_col(end_line, getattr(node, "end_col_offset", None) or 0)
        return replace(event, end_line=end_line, end_col=end_col)

    def _classify_call(self, call: ast.Call, scope: _Scope, region: list) -> Optional[Event]:
        line, col = call.lineno, self.char_col(call.lineno, call.col_offset)
        label = _call_label(call)
        candidates: list[Tuple] = []  # callees that may reach a start; the shortest chain wins
        setup: Optional[Event] = None
        values = self.eval(call.func, scope)
        # methods of another module's instance made with literals (``_eval_call``): asked
        # with those, and not again without them
        decided = {v[1] for v in values if v[0] == "extmethod" and len(v[2]) > 4}
        for value in values:
            tag = value[0]
            if tag == "name":
                target = self.catalogue.get(value[1])
                if target is None:
                    if value[1] in decided:
                        continue
                    if scope.owner is not None and _calls_super(call) and self.template_names(value[1]):
                        # super().runTests() in a unittest.TestProgram subclass runs
                        # self.testRunner.run; super().run(self.inner) of a TextTestRunner
                        # subclass calls self.inner
                        candidates += self.template_hooks(scope.owner, value[1], call, scope)
                    elif self.template_names(value[1]):
                        # unittest.TextTestRunner().run(suite) runs the tests of the suite
                        candidates += self.template_hooks(None, value[1], call, scope)
                    if value[1] in TEST_PROGRAMS and _loads_main_module(call):
                        # unittest.main() runs the TestCase classes of the module "__main__"
                        candidates += self.module_test_hooks()
                    if self.resolver is not None:
                        external = self.resolver.chain_for(value[1])
                        if external is not None and (_complete(call) or scope.constants or any(_is_literal(a) for a in _arguments(call))):
                            # download(path, single_thread=True) of another module: the
                            # literals (and the defaults the call leaves) may rule its
                            # process start out
                            external = self.resolver.chain_for_call(value[1], self.literal_arguments(call, scope))
                        if external is None and _may_take_arguments(self.resolver, value[1]):
                            # train_one_epoch(model, loader) of another module iterates the
                            # loader it is given
                            arguments = self.portable_arguments(call, scope)
                            if arguments is not None:
                                external = self.resolver.chain_for_call(value[1], arguments)
                        if external is not None:
                            candidates.append(("ext", value[1], external))
                    continue
                if target.kind is Kind.ITERATES_GIVEN:
                    # trainer.fit(model, train_loader) of a Trainer known by name: it starts
                    # nothing itself, but iterates the loaders it is given
                    given = self.given_loader_chain(target, call, scope)
                    if given is not None:
                        candidates.append(("ext", value[1], given))
                    continue
                if target.kind is Kind.STARTS_ON_CALL and self._condition_holds(target, call, scope):
                    return Event("direct", line, col, label)
                if target.kind is Kind.SETUP:
                    setup = Event("setup", line, col, label)
            elif tag == "opaque" and f"{value[1]}.__call__" in self.catalogue:
                # run(fileset, ...) where run = processor.Runner(...): calling the instance
                # starts processes, making it does not
                target = self.catalogue[f"{value[1]}.__call__"]
                if target.kind is Kind.STARTS_ON_CALL and self._condition_holds(target, call, scope):
                    return Event("direct", line, col, label)
            elif tag == "start":
                return Event("direct", line, col, label)
            elif tag == "func" and value[1] in self.functions:
                candidates.append(self.specialise(("func", value[1]), call, scope))
            elif tag == "class" and value[1] in self.classes:
                candidates.append(self.specialise(("init", value[1]), call, scope))
            elif tag == "method":
                callee = self.specialise(("method", value[1], value[2]), call, scope)
                candidates.append(self.with_self(callee, value))
            elif tag == "extmethod" and self.resolver is not None:
                # trainer.fit() where trainer = other_module.Trainer(model, train_loader)
                if len(value[2]) > 4:
                    # runner.run() where runner = other_module.Runner(num_processes=0): only
                    # a method that may start processes is asked again with the literals
                    if self.resolver.chain_for(value[1]) is None:
                        continue
                    values_at, keywords, _, passed = self.literal_arguments(call, scope)
                    external = self.resolver.chain_for_call(value[1], (values_at, keywords, value[2], passed))
                else:
                    values_at, keywords = self.portable_arguments(call, scope) or ((), ())
                    external = self.resolver.chain_for_call(value[1], (values_at, keywords, value[2]))
                if external is not None:
                    candidates.append(("ext", value[1], external))
            elif tag == "spawner":
                # a function of another module, passed in as an argument, that reaches a start
                external = value[1]
                candidates.append(("ext", f"{external.path}:{external.line}", external))
            elif tag == "modules" and len(value) == 3 and self.resolver is not None:
                # importlib.import_module("pkg." + name).main(): any module of pkg may be it
                chain_for_any = getattr(self.resolver, "chain_for_any", None)
                external = chain_for_any(value[1], value[2]) if chain_for_any is not None else None
                if external is not None:
                    candidates.append(("ext", f"{value[1]}.*.{value[2]}", external))
        if (
            not values
            and isinstance(call.func, ast.Attribute)
            and call.func.attr == "start"
            and not call.args
            and not any(v[0] == "opaque" for v in self.eval(call.func.value, scope))
            and self.scope_makes_process(scope, region)
        ):
            # The receiver's type is lost (a dict of processes, a helper's return value), but
            # this scope builds Process objects and calls .start() on something: a start.
            return Event("direct", line, col, label)
        if (
            isinstance(call.func, ast.Attribute)
            and call.func.attr in ("compute", "persist")
            and self._process_scheduler(call)
            and self._imports_root("dask")
        ):
            return Event("direct", line, col, label)
        if isinstance(call.func, ast.Name):
            # cli() of a click group, app() of a Typer app: the commands registered on it
            candidates += self.registered_commands(call.func.id)
        elif isinstance(call.func, ast.Attribute) and call.func.attr in self.parser_defaults():
            # args.func(args) after parser.set_defaults(func=train): any default may be it
            candidates += self.parser_defaults()[call.func.attr]
        candidates += self.argument_runs(call, values, scope)
        if self._names_a_global(call.func, scope):
            # globals()[args.command](args): any module-level function may be the one named
            candidates += [("hook", f"{name}()", ("func", name)) for name in self.functions]
        callee = self.shortest(candidates)
        if callee is not None:
            return Event("via", line, col, label, callee)
        return setup

    # --- PyTorch Lightning (a block of its own) ------------------------------------------------
    def given_loader_chain(self, target: Target, call: ast.Call, scope: _Scope) -> Optional[ExternalChain]:
        """How a call of ``Kind.ITERATES_GIVEN`` (``trainer.fit(model, train_loader)``)
        starts worker processes: the first argument that brings a DataLoader with workers,
        itself (also in a list or dict of loaders) or as what a ``*_dataloader()`` method of
        a module-level class's instance returns (the model's, a datamodule's; which methods
        each Trainer method runs: ``TRAINER_LOADER_HOOKS``).  None when none does."""
        hooks = TRAINER_LOADER_HOOKS.get(target.label, ())
        for arg in _arguments(call):
            expr = arg.value if isinstance(arg, ast.Starred) else arg
            found = self._loader_source(self.eval(expr, scope), hooks)
            if found is None:
                continue
            hook, line = found
            text = _unparse(expr)
            step = ChainStep(f"iterating {text}.{hook}()", line, self.path) if hook else (
                ChainStep(f"iterating {text}", expr.lineno, self.path)
            )
            return ExternalChain(self.path, 0, (step,))  # (no definition to show)
        return None

    def _loader_source(self, values: frozenset, hooks: tuple, depth: int = 0) -> Optional[tuple]:
        """("", 0) when ``values`` hold a DataLoader with workers (or a container of one);
        (hook, line of its definition) when they hold an instance of a module-level class
        whose ``hook`` method returns one; else None."""
        if depth > 3:
            return None
        for value in values:
            tag = value[0]
            if tag == "loader" and value[1]:
                return ("", 0)
            items = [value[1]] if tag == "list" else list(value[1]) if tag == "tuple" else []
            for item in items:
                if self._loader_source(item, (), depth + 1) is not None:
                    return ("", 0)
            if tag == "instance" and value[1] in self.classes:
                for hook in hooks:
                    func = self.find_method(value[1], hook)
                    if func is None:
                        continue
                    method = ("method", value[1], hook) + ((value[2],) if len(value) > 2 else ())
                    returned = self.returns(self.with_self(method[:3], method))
                    if self._loader_source(returned, (), depth + 1) is not None:
                        return (hook, func.lineno)  # type: ignore[attr-defined]
        return None
    # --- end of PyTorch Lightning ---------------------------------------------------------------

    # --- Hugging Face transformers (a block of its own) --------------------------------------
    def trainer_args_workers(self, call: ast.Call, scope: _Scope) -> bool:
        """``trainer.train()`` where ``trainer = Trainer(model, args=TrainingArguments(...,
        dataloader_num_workers=N))``, traced through the names that hold them: whether N may be
        > 0 (and ``dataloader_multiprocessing_context`` is not ``"fork"``).  Arguments not
        seen being made (parsed from the command line, a parameter) count as the default, 0."""
        if not isinstance(call.func, ast.Attribute):
            return False
        for trainer in self._made_by(call.func.value, scope):
            given = _argument(trainer, 1, "args")
            for made in self._made_by(given, scope) if given is not None else ():
                if _literal_kw(made, "dataloader_multiprocessing_context") == "fork":
                    continue
                values = [kw.value for kw in made.keywords if kw.arg == "dataloader_num_workers"]
                for kw in made.keywords:
                    if kw.arg is None:
                        values += self.dict_entries(kw.value, "dataloader_num_workers", scope)
                if any(self.may_be_nonzero(value, scope) for value in values):
                    return True
        return False

    def _made_by(self, expr: ast.expr, scope: _Scope, depth: int = 0) -> list:
        """The calls whose result ``expr`` may be: itself, or what the names it reads were
        assigned from (only plain assignments are followed)."""
        if isinstance(expr, ast.Call):
            return [expr]
        if isinstance(expr, ast.Name) and depth < 6:
            out: list = []
            for source in self.sources_of(expr.id, scope) or ():
                if source[0] == "expr":
                    out += self._made_by(source[1], scope, depth + 1)
            return out
        return []
    # --- end of Hugging Face transformers ------------------------------------------------------

    def argument_runs(self, call: ast.Call, values: frozenset, scope: _Scope) -> list:
        """Hooks for the function a call runs in this process (``RUNS_ARGUMENT``: a thread's
        target, ``map(run, items)``; a method of a thread pool, ``THREAD_POOLS``)."""
        given: Optional[ast.expr] = None
        names = [v[1] for v in values if v[0] == "name"]
        if isinstance(call.func, ast.Name) and call.func.id in ("map", "filter") and not self.is_bound(call.func.id, scope):
            names.append(call.func.id)  # (built-ins evaluate to nothing)
        for name in names:
            spec = RUNS_ARGUMENT.get(name)
            if spec is not None:
                given = _argument(call, *spec)
                break
        if (
            given is None and isinstance(call.func, ast.Attribute) and call.func.attr in THREAD_POOL_METHODS
            and any(v[0] == "opaque" and v[1] in THREAD_POOLS for v in self.eval(call.func.value, scope))
        ):
            given = _argument(call, 0, "fn") or _argument(call, 0, "func")
        if given is None:
            return []
        return self.called_hooks(self.eval(given, scope))

    def _names_a_global(self, func: ast.expr, scope: _Scope) -> bool:
        """Whether ``func`` looks a module-level name up by a value: ``globals()[name]``,
        ``globals().get(name)``, ``vars()[name]`` at module level."""
        if isinstance(func, ast.Call) and isinstance(func.func, ast.Attribute) and func.func.attr == "get":
            table = func.func.value
        elif isinstance(func, ast.Subscript):
            table = func.value
        else:
            return False
        if not (isinstance(table, ast.Call) and isinstance(table.func, ast.Name) and not table.args and not table.keywords):
            return False
        name = table.func.id
        if name == "globals" or (name in ("vars", "locals") and scope.kind == "module"):
            return not self.is_bound(name, scope)
        return False

    def registered_commands(self, name: str) -> list:
        """What calling the module-level ``name`` may run when it is a command group: the
        module-level functions registered on it (``@name.command()``, ``@name.group()``,
        ``@name.callback()``, ``name.add_command(train)``), and what is registered on those
        groups in turn, as hooks.  click groups and Typer apps dispatch to the command that
        the command line names, so any of them may run."""
        table = self._command_table()
        out: list = []
        todo, seen = [name], set()
        while todo:
            group = todo.pop()
            if group in seen:
                continue
            seen.add(group)
            for func_name in table.get(group, ()):
                out.append(("hook", f"{func_name}()", ("func", func_name)))
                todo.append(func_name)  # a group registered on a group
        return out

    def command_groups(self) -> list:
        """Module-level names that commands are registered on (see ``registered_commands``)."""
        return sorted(self._command_table())

    def _command_table(self) -> dict:
        if self._commands is None:
            self._commands = {}
            for func_name, func in self.functions.items():
                for decorator in getattr(func, "decorator_list", ()):
                    target = decorator.func if isinstance(decorator, ast.Call) else decorator
                    if (
                        isinstance(target, ast.Attribute) and target.attr in _COMMAND_DECORATORS
                        and isinstance(target.value, ast.Name)
                    ):
                        self._commands.setdefault(target.value.id, []).append(func_name)
            for node in self.nodes_of(ast.Call) if self.spells("add_command") else ():
                func = node.func  # type: ignore[attr-defined]
                if (
                    isinstance(func, ast.Attribute) and func.attr == "add_command" and isinstance(func.value, ast.Name)
                    and node.args and isinstance(node.args[0], ast.Name)  # type: ignore[attr-defined]
                    and node.args[0].id in self.functions  # type: ignore[attr-defined]
                ):
                    self._commands.setdefault(func.value.id, []).append(node.args[0].id)  # type: ignore[attr-defined]
        return self._commands

    def parser_defaults(self) -> dict:
        """attribute -> hooks for the functions an argparse ``set_defaults(attr=function)``
        call of this module names (``args.func(args)`` then calls one of them)."""
        if self._parser_defaults is None:
            self._parser_defaults = {}
            for node in self.nodes_of(ast.Call) if self.spells("set_defaults") else ():
                func = node.func  # type: ignore[attr-defined]
                if not (isinstance(func, ast.Attribute) and func.attr == "set_defaults"):
                    continue
                for kw in node.keywords:  # type: ignore[attr-defined]
                    if kw.arg is None:
                        continue
                    hooks = self.called_hooks(self.eval(kw.value, self.module))
                    if hooks:
                        self._parser_defaults.setdefault(kw.arg, []).extend(hooks)
        return self._parser_defaults

    def shortest(self, candidates: list) -> Optional[Tuple]:
        """The callee with the shortest chain to a start (ties: by name), or None."""
        best: Optional[tuple] = None
        for callee in candidates:
            found = self.chain(callee)
            if found is None and callee[0] == "with" and not _binds_constants(callee[2]):
                # carrying the arguments in lost nothing a plain look at the callee sees
                callee = callee[1]
                found = self.chain(callee)
            if found is None:
                continue
            rank = (len(found), _callee_key(callee))
            if best is None or rank < best[0]:
                best = (rank, callee)
        return None if best is None else best[1]

    def specialise(self, callee: Tuple, call: ast.Call, scope: _Scope) -> Tuple:
        """``callee`` with what the call's arguments carry into its parameters (a loader it
        iterates, a function it calls, ``self`` whose methods it calls, a literal it returns
        early on): ``("with", callee, ((param, values), ...))``, or ``callee`` itself."""
        func = self.function_of(callee)
        if func is None:
            return callee
        early = self.deciding_params(func)
        positional, named = self.parameter_names(callee, func)
        values_at = [
            self._flowing_values(arg, scope, index < len(positional) and positional[index] in early)
            for index, arg in enumerate(_leading_positional(call))
        ]
        values_of = {
            kw.arg: self._flowing_values(kw.value, scope, kw.arg in early) for kw in call.keywords if kw.arg in named
        }
        if _complete(call):
            self.bind_defaults(func, positional, len(values_at), values_of)
        collected = {
            kw.arg: self._literal_value(kw.value, scope) for kw in call.keywords if kw.arg is not None and kw.arg not in named
        }
        self.bind_collected(func, collected, _complete(call), values_of)
        return self.with_arguments(callee, positional, values_at, values_of)

    def bind_collected(self, func: ast.AST, collected: dict, complete: bool, values_of: dict) -> dict:
        """Bind the ``**kwargs`` parameter of ``func`` to the keywords a call gives it
        (``collected``: keyword -> its literal, or ``_UNKNOWN``; ``complete``: the call
        passes no ``**mapping``, so a key it leaves out is absent), when ``func`` only reads
        that dict by literal keys and an ``if`` may test what it reads
        (``n = opts.get("processes", 1)`` then ``if n > 1:``)."""
        kwarg = func.args.kwarg  # type: ignore[attr-defined]
        if kwarg is None or kwarg.arg not in self.deciding_params(func) or not self.reads_by_key(func):
            return values_of
        items = tuple(sorted(
            (key, ("const", value) if value is not _UNKNOWN else ("unknown",)) for key, value in collected.items()
        ))
        if complete or any(item[0] == "const" for _, item in items):
            values_of[kwarg.arg] = frozenset([("kwargs", items, complete)])
        return values_of

    def reads_by_key(self, func: ast.AST) -> bool:
        """Whether the body of ``func`` uses its ``**kwargs`` dict only to read it by literal
        keys (``opts.get("k", d)``, ``opts["k"]``, ``"k" in opts``, a key popped once with
        ``opts.pop("k", d)``) or to pass it on as ``**opts``, and never rebinds it: then
        what it reads is what the call gave (anything else -- a store, ``update``,
        ``setdefault``, passing the dict itself -- and the keys are unknown)."""
        key = id(func)
        found = self._reads_by_key_of.get(key)
        if found is None:
            found = self._reads_by_key_of[key] = self._reads_by_key(func)
        return found

    def _reads_by_key(self, func: ast.AST) -> bool:
        name = func.args.kwarg.arg  # type: ignore[attr-defined]
        sources = self.function_scope(func, self.owner_of(func)).bindings.get(name, [])
        if len(sources) != 1:
            return False  # opts = {...}, opts["k"] = v, opts.update(...): it is rebuilt
        allowed: set = set()
        reads: dict = {}
        popped: set = set()

        def is_dict(node: object) -> bool:
            return isinstance(node, ast.Name) and node.id == name

        for node in self.body_nodes(func):
            if isinstance(node, ast.Call):
                callee = node.func
                if (
                    isinstance(callee, ast.Attribute) and is_dict(callee.value) and callee.attr in ("get", "pop")
                    and 1 <= len(node.args) <= 2 and not node.keywords and _is_literal(node.args[0])
                    and isinstance(node.args[0].value, str)  # type: ignore[attr-defined]
                ):
                    allowed.add(id(callee.value))
                    reads[node.args[0].value] = reads.get(node.args[0].value, 0) + 1  # type: ignore[attr-defined]
                    if callee.attr == "pop":
                        popped.add(node.args[0].value)  # type: ignore[attr-defined]
                allowed.update(id(kw.value) for kw in node.keywords if kw.arg is None and is_dict(kw.value))
            elif isinstance(node, ast.Subscript) and is_dict(node.value):
                if not isinstance(node.ctx, ast.Load) or not _is_literal(node.slice):
                    return False
                allowed.add(id(node.value))
                reads[node.slice.value] = reads.get(node.slice.value, 0) + 1  # type: ignore[attr-defined]
            elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
                if is_dict(node.comparators[0]) and _is_literal(node.left):
                    allowed.add(id(node.comparators[0]))
                    reads[node.left.value] = reads.get(node.left.value, 0) + 1  # type: ignore[attr-defined]
        if any(reads[key] > 1 for key in popped):
            return False  # after the pop the key is gone: a second read sees the default
        if popped:
            repeated = {
                id(inner) for node in self.body_nodes(func) if isinstance(node, _REPEATING)
                for inner in walk(node) if inner is not node
            }
            if any(
                isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "pop"
                and is_dict(node.func.value) and id(node) in repeated
                for node in self.body_nodes(func)
            ):
                return False  # popped in a loop (or a nested function): later rounds see the default
        return all(id(node) in allowed for node in self.body_nodes(func) if is_dict(node))

    def bind_defaults(self, func: ast.AST, positional: list, given: int, values_of: dict) -> dict:
        """Bind the literal defaults of the tested parameters a call leaves out (it passes
        ``given`` positional arguments and the keywords in ``values_of``, and no ``*args``
        or ``**kwargs``): ``findfile(name)`` runs ``if download:`` with ``download=False``."""
        for name, value in self.literal_defaults(func).items():
            if name not in values_of and name not in positional[:given]:
                values_of[name] = frozenset([("const", value)])
        return values_of

    def parameter_names(self, callee: Tuple, func: ast.AST) -> tuple[list, set]:
        """(names a call's positional arguments fill, in order; every name a keyword may fill)."""
        args = func.args  # type: ignore[attr-defined]
        positional = [a.arg for a in args.posonlyargs + args.args]
        decorators = {d.id for d in func.decorator_list if isinstance(d, ast.Name)}  # type: ignore[attr-defined]
        if callee[0] == "init" or (callee[0] == "method" and "staticmethod" not in decorators):
            positional = positional[1:]  # self / cls is bound by the call
        return positional, set(positional) | {a.arg for a in args.kwonlyargs}

    @staticmethod
    def with_arguments(callee: Tuple, positional: list, values_at: list, values_of: dict) -> Tuple:
        binds = {name: values for name, values in zip(positional, values_at) if values}
        binds.update((name, values) for name, values in values_of.items() if values)
        if not binds:
            return callee
        return ("with", callee, tuple(sorted(binds.items(), key=lambda item: item[0])))

    def chain_called_with(self, callee: Tuple, arguments: tuple) -> Optional[tuple]:
        """``chain(callee)`` for a call from another module passing ``arguments``
        (``portable_arguments`` of that call): a loader it iterates, a catalogued class."""
        func = self.function_of(callee)
        if func is None:
            return self.chain(callee)
        positional, named = self.parameter_names(callee, func)
        values_at, keywords = arguments[0], arguments[1]
        tested = self.deciding_params(func)
        values_of = {
            name: values for name, values in keywords
            if name in named and (name in tested or not all(v[0] == "const" for v in values))
        }
        values_at = [
            values if index < len(positional) and (positional[index] in tested or not all(v[0] == "const" for v in values))
            else frozenset(v for v in values if v[0] != "const")
            for index, values in enumerate(values_at)
        ]
        complete = len(arguments) > 3 and arguments[3] is not None  # no *args / **kwargs
        if complete:
            passed = {name: frozenset() for name in arguments[3]}  # keywords it passes, known or not
            merged = self.bind_defaults(func, positional, len(values_at), {**passed, **values_of})
            values_of = {name: values for name, values in merged.items() if values}
        if func.args.kwarg is not None:  # type: ignore[attr-defined]
            given = dict(keywords)
            collected = {
                name: _single_const(given.get(name, frozenset()))
                for name in (arguments[3] if complete else given) if name not in named
            }
            self.bind_collected(func, collected, complete, values_of)
        specialised = self.with_arguments(callee, positional, list(values_at), values_of)
        if len(arguments) > 2 and arguments[2] and callee[0] == "method":
            # a method of an instance whose constructor was given arguments[2]
            carried = self.carried_by(callee[1], arguments[2])
            if carried:
                specialised = self.with_self(specialised, ("method", callee[1], callee[2], carried))
        return self.chain(specialised)

    def carried_by(self, cls_name: str, arguments: tuple) -> tuple:
        """What an instance of ``cls_name`` keeps of constructor ``arguments`` (from another
        module: ``portable_arguments``), as ``instance_binds`` says."""
        init = self.find_method(cls_name, "__init__")
        if init is None:
            return ()
        positional, named = self.parameter_names(("init", cls_name), init)
        values_at, keywords = arguments[0], arguments[1]
        binds = dict(zip(positional, values_at))
        binds.update((name, values) for name, values in keywords if name in named)
        # literal_arguments of the constructor call, with the attributes that the calling
        # module assigns itself (``_eval_call``): literals kept on self count there too
        stored = arguments[4] if len(arguments) > 4 else None
        literal = self.kept_params(cls_name) if stored is not None else frozenset()
        if literal and arguments[3] is not None:  # a complete call: the rest take their defaults
            passed = {name: frozenset() for name in arguments[3]}
            binds.update(
                (name, values) for name, values in
                self.bind_defaults(init, positional, len(values_at), {**passed, **binds}).items() if values
            )
        kept = []
        for name in sorted(binds):
            values = frozenset(v for v in binds[name] if _carried(v) or (v[0] == "const" and name in literal))
            if values:
                kept.append((name, values))
        if stored is not None and self.kept_attributes(cls_name):
            kept.append((_BUILT, frozenset([("const", stored)])))
        return tuple(sorted(kept, key=lambda item: item[0]))

    def portable_arguments(self, call: ast.Call, scope: _Scope) -> Optional[tuple]:
        """What a call's arguments carry that means the same in any module (a DataLoader with
        workers, a catalogued class, a process, a context), or None when they carry nothing:
        ``((values of each leading positional argument), ((keyword, values), ...))``."""
        values_at = tuple(self._portable_values(arg, scope) for arg in _leading_positional(call))
        keywords = tuple((kw.arg, self._portable_values(kw.value, scope)) for kw in call.keywords if kw.arg is not None)
        if not any(values_at) and not any(values for _, values in keywords):
            return None
        return values_at, tuple((name, values) for name, values in keywords if values)

    def literal_arguments(self, call: ast.Call, scope: _Scope) -> tuple:
        """``portable_arguments`` with literals too (``single_thread=True``), and, when the
        call is complete (no ``*args`` / ``**kwargs``), the names of every keyword it passes:
        ``(values_at, keywords, (), passed or None)``.
        Another module's function may test those parameters in an ``if``."""
        def values(arg: ast.expr) -> frozenset:
            known = self._literal_value(arg, scope)
            return frozenset([("const", known)]) if known is not _UNKNOWN else self._portable_values(arg, scope)

        values_at = tuple(values(arg) for arg in _leading_positional(call))
        keywords = tuple((kw.arg, values(kw.value)) for kw in call.keywords if kw.arg is not None)
        passed = frozenset(kw.arg for kw in call.keywords) if _complete(call) else None
        return values_at, tuple((name, values) for name, values in keywords if values), (), passed

    def _portable_values(self, arg: ast.expr, scope: _Scope) -> frozenset:
        return frozenset(filter(None, (self.portable(v) for v in self.eval(arg, scope))))

    def portable(self, value: Tuple, depth: int = 0) -> Optional[Tuple]:
        """``value`` as another module may read it, or None: the same for catalogued names,
        loaders with workers, processes and contexts; a function of this module that reaches
        a start becomes ``("spawner", external chain)`` (calling it there starts processes)."""
        tag = value[0]
        if tag == "loader":
            return value if value[1] else None
        if tag in ("process", "start", "context", "spawner", "tests") or (tag == "name" and value[1] in self.catalogue):
            return value
        if tag == "class" and value[1] in self.classes:
            # a test case class whose tests start processes: another module may run a suite
            # of it (run_case(CubeInChild) -> TestLoader().loadTestsFromTestCase(case))
            steps = self.test_chain(value[1])
            if steps is not None:
                return ("tests", ExternalChain(self.path, self.classes[value[1]].lineno, steps))
            # make_fleet(2, worker_cls=Worker) of another module, which calls worker_cls(i):
            # a class whose __init__ starts processes starts them there
            steps = self.chain(("init", value[1]))
            if steps is not None:
                return ("spawner", ExternalChain(self.path, self.classes[value[1]].lineno, steps))
            if self.is_process_class(value[1]):
                # a Process subclass: what it makes there starts on .start(), like a Process
                return ("name", _PROCESS_CLASS)
            return None
        if tag == "func" and value[1] in self.functions:
            steps = self.chain(value)
            if steps is None:
                return None
            definition = self.functions[value[1]]
            return ("spawner", ExternalChain(self.path, definition.lineno, steps))
        if tag == "instance" and value[1] in self.classes and self._may_start(value, depth):
            # an instance of this module's class whose methods start processes: there, its
            # methods are found by name
            module = getattr(self.resolver, "module", "")
            return ("opaque", f"{module}.{value[1]}") if module else None
        if tag == "name" and "." in value[1] and self.resolver is not None and not is_catalogue_module(value[1]):
            # executor=processor.futures_executor: another module's function that reaches a
            # start, handed to a third module that calls it
            external = self.resolver.chain_for(value[1])
            if external is not None:
                return ("spawner", external)
            # start_all(2, proc_cls=Worker) with Worker another module's Process subclass:
            # the third module reads the same name (proc_cls(i).start() starts it)
            return value if value[1][:1] != "_" and self.outside_process_class(value[1]) else None
        if tag == "list" and depth < 2:
            inner = frozenset(filter(None, (self.portable(v, depth + 1) for v in value[1])))
            return ("list", inner) if inner else None
        if tag == "tuple" and depth < 2:
            items = tuple(frozenset(filter(None, (self.portable(v, depth + 1) for v in item))) for item in value[1])
            return ("tuple", items) if any(items) else None
        return None

    def _flowing_values(self, arg: ast.expr, scope: _Scope, literal: bool) -> frozenset:
        if literal:
            known = self._literal_value(arg, scope)
            if known is not _UNKNOWN:
                # a literal for a parameter an ``if`` tests: it decides the branch
                return frozenset([("const", known)])
        return frozenset(v for v in self.eval(arg, scope) if self._flows(v))

    def _flows(self, value: Tuple, depth: int = 0) -> bool:
        """Whether a value is worth carrying into a callee (it may start something there)."""
        tag = value[0]
        if tag == "name":
            return value[1] in self.catalogue
        if tag == "loader":
            return bool(value[1])
        if tag == "list":
            return depth < 2 and any(self._flows(v, depth + 1) for v in value[1])
        if tag == "tuple":
            return depth < 2 and any(self._flows(v, depth + 1) for item in value[1] for v in item)
        return tag in _FLOWING

    def deciding_params(self, func: ast.AST) -> frozenset:
        """Parameters that an ``if`` of ``func`` tests (``if single_thread:``, ``if nprocs <=
        1:``, ``if download:``) or that it hands on to another call: a literal argument for
        them, or their literal default when the call leaves them out, may decide which
        branch runs (here, or in the callee)."""
        key = id(func)
        found = self._early_exits.get(key)
        if found is None:
            args = func.args  # type: ignore[attr-defined]
            params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
            if args.kwarg is not None:
                params.add(args.kwarg.arg)  # opts.get("processes", 1) may be tested
            names: set = set()
            derived: dict = {}  # local name -> names its assignments read
            for node in self.body_nodes(func):
                if isinstance(node, ast.If):
                    names |= {n.id for n in walk(node.test) if isinstance(n, ast.Name)}
                elif isinstance(node, ast.Call):  # handed on: the callee may test it
                    names |= {a.id for a in _arguments(node) if isinstance(a, ast.Name)}
                elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    derived.setdefault(node.targets[0].id, set()).update(
                        n.id for n in walk(node.value) if isinstance(n, ast.Name)
                    )
            # a local computed from a parameter and tested (``n = opts.get("processes", 1)``
            # then ``if n > 1:``; ``n = processes or 1``): the parameter decides the branch
            pending = list(names)
            while pending:
                for read in derived.pop(pending.pop(), ()):
                    if read not in names:
                        names.add(read)
                        pending.append(read)
            names &= params
            owner = self.owner_of(func) if getattr(func, "name", "") == "__init__" else None
            if owner is not None:
                # kept on self and tested by a method: Runner() with num_processes=0
                names |= self.kept_params(owner)
            found = self._early_exits[key] = frozenset(names)
        return found

    def literal_defaults(self, func: ast.AST) -> dict:
        """Parameter -> its literal default, for the parameters ``deciding_params`` names."""
        tested = self.deciding_params(func)
        if not tested:
            return {}
        args = func.args  # type: ignore[attr-defined]
        positional = args.posonlyargs + args.args
        pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
        pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
        return {a.arg: d.value for a, d in pairs if a.arg in tested and _is_literal(d)}

    def scope_for(self, func: ast.AST, owner: Optional[str], binds: tuple) -> _Scope:
        """``function_scope`` with parameters bound to what a call passes (see ``specialise``)."""
        base = self.function_scope(func, owner)
        if not binds:
            return base
        key = (id(func), owner, binds)
        scope = self._specialised_scopes.get(key)
        if scope is not None:
            return scope
        if len(self._specialised_scopes) >= _MAX_SPECIALISATIONS:
            return base
        args = func.args  # type: ignore[attr-defined]
        params = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        if args.kwarg is not None:
            params.add(args.kwarg.arg)  # bound to ("kwargs", ...) by ``bind_collected``
        bindings = dict(base.bindings)
        constants = False
        for name, values in binds:
            if name in params and name in bindings:
                # the parameter's own source comes first (function_scope binds them first)
                bindings[name] = [("value", v) for v in values] + bindings[name][1:]
                constants = constants or any(_decides(v) for v in values)
        if constants:
            # ``if nprocs <= 0: nprocs += cpu_count()`` with nprocs=1: the rebinding in the
            # branch the literal rules out never happens
            dead = self._dead_nodes(func, {
                name: next(iter(values))[1] for name, values in binds
                if name in params and len(values) == 1 and next(iter(values))[0] == "const"
            })
            if dead:
                bindings = {
                    name: [source for source in sources if not _mentions_any(source, dead)]
                    for name, sources in bindings.items()
                }
        scope = _Scope(
            "function", bindings, parent=self.module, globals_declared=base.globals_declared,
            region=base.region, owner=owner, constants=constants, func=func,
        )
        self._specialised_scopes[key] = scope
        return scope

    def _dead_nodes(self, func: ast.AST, consts: dict) -> set:
        """ids of the nodes in branches of ``func`` that the literal parameter values
        ``consts`` rule out (tests of those parameters alone, before anything rebinds them)."""
        dead: set = set()
        if not consts:
            return dead
        for node in self.body_nodes(func):
            if isinstance(node, ast.If) and id(node) not in dead:
                truth = _param_truth(node.test, consts)
                if truth is not None:
                    for stmt in node.orelse if truth else node.body:
                        dead.update(id(inner) for inner in self.statement_nodes(stmt))
        return dead

    def live_nodes(self, func: ast.AST, scope: _Scope) -> list[ast.AST]:
        """``body_nodes(func)``, minus what literal arguments rule out: the branch of an
        ``if`` (at any depth) whose test they decide against, and what follows a branch
        they decide for that returns or raises."""
        if not scope.constants:
            return self.body_nodes(func)
        nodes: list[ast.AST] = []
        self._live(func.body, scope, nodes)  # type: ignore[attr-defined]
        return nodes

    def _live(self, body: list, scope: _Scope, nodes: list) -> bool:
        """Add the live nodes of ``body``; True when it surely leaves the function."""
        for stmt in body:
            if isinstance(stmt, ast.If):
                truth = self.truth(stmt.test, scope)
                nodes += self.statement_nodes(stmt.test)
                if truth is None:
                    left = self._live(stmt.body, scope, nodes)
                    left = self._live(stmt.orelse, scope, nodes) and left and bool(stmt.orelse)
                else:
                    left = self._live(stmt.body if truth else stmt.orelse, scope, nodes)
                if left:
                    return True
            elif isinstance(stmt, _BLOCKS):
                for field_name, value in ast.iter_fields(stmt):
                    if field_name in ("body", "orelse", "finalbody", "handlers"):
                        continue
                    for item in value if isinstance(value, list) else [value]:
                        if isinstance(item, ast.AST):
                            nodes += self.statement_nodes(item)
                self._live(stmt.body, scope, nodes)  # type: ignore[attr-defined]
                for handler in getattr(stmt, "handlers", []):
                    if handler.type is not None:
                        nodes += self.statement_nodes(handler.type)
                    self._live(handler.body, scope, nodes)
                self._live(getattr(stmt, "orelse", []), scope, nodes)
                self._live(getattr(stmt, "finalbody", []), scope, nodes)
            else:
                nodes += self.statement_nodes(stmt)
                if isinstance(stmt, (ast.Return, ast.Raise)):
                    return True
        return False

    def truth(self, test: ast.expr, scope: _Scope) -> Optional[bool]:
        """Whether ``test`` is true, when literals bound to parameters decide it (see
        ``_decide``)."""
        return _decide(test, lambda name: self._constant(name, scope, test), lambda node: self.fold(node, scope))

    def _literal_value(self, arg: ast.expr, scope: _Scope) -> object:
        """The literal an argument surely is: a constant, or a name that a literal argument
        bound (``nprocs=nprocs`` inside ``multiSMC(nprocs=1)``); else ``_UNKNOWN``."""
        if _is_literal(arg):
            return arg.value  # type: ignore[attr-defined]
        if scope.constants and isinstance(arg, (ast.Name, ast.Attribute)):
            key = _decided_key(arg)
            if key is not None:
                return self._constant(key, scope, arg)
        return _UNKNOWN

    def _constant(self, name: str, scope: _Scope, at: Optional[ast.AST] = None) -> object:
        """The one literal every binding of ``name`` in the (specialised) function scope
        gives it -- a literal argument, or ``name = <literal>`` -- or ``_UNKNOWN``.
        ``self.attr`` (a dotted ``name``, read at node ``at``): see ``_attribute_constant``."""
        if "." in name:
            base, attr = name.split(".", 1)
            return self._attribute_constant(base, attr, scope, at)
        if scope.kind != "function" or name in scope.globals_declared or name not in scope.bindings:
            return _UNKNOWN
        key = (id(scope), name)
        if key in self._folding:
            return _UNKNOWN  # ``n = n or 1``: what n was before is not known here
        distinct = set()
        self._folding.add(key)
        try:
            for source in scope.bindings[name]:
                if source[0] == "value" and source[1][0] == "const":
                    value = source[1][1]
                elif source[0] == "expr" and id(source[1]) in self._augmented:
                    return _UNKNOWN  # ``n += 1`` rebinds n to something else than 1
                elif source[0] == "expr" and scope.constants:
                    # ``n = processes or 1``, ``n = int(processes)``, ``n = opts.get("processes", 1)``
                    value = self.fold(source[1], scope)
                elif source[0] == "expr" and _is_literal(source[1]):
                    value = source[1].value
                else:
                    return _UNKNOWN
                if value is _UNKNOWN:
                    return _UNKNOWN
                distinct.add((type(value), value))
        finally:
            self._folding.discard(key)
        return next(iter(distinct))[1] if len(distinct) == 1 else _UNKNOWN

    def fold(self, node: ast.expr, scope: _Scope) -> object:
        """The literal an expression of a function surely evaluates to, from the literals
        its parameters were given (``_constant``), or ``_UNKNOWN``: a literal, a name, ``a
        or b`` / ``a and b``, ``x if test else y``, ``int`` / ``float`` / ``str`` / ``bool``
        / ``abs`` / ``max`` / ``min`` of those (built-ins only), and reads of the keywords a
        ``**kwargs`` parameter collected (``opts.get("k", d)``, ``opts.pop("k", d)``,
        ``opts["k"]``, ``"k" in opts``).  Anything else is unknown: it may be > 1."""
        if _is_literal(node):
            return node.value  # type: ignore[attr-defined]
        if isinstance(node, (ast.Name, ast.Attribute)):
            key = _decided_key(node)
            return _UNKNOWN if key is None else self._constant(key, scope, node)
        if isinstance(node, ast.BoolOp):
            value: object = _UNKNOWN
            for operand in node.values:
                value = self.fold(operand, scope)
                if value is _UNKNOWN or bool(value) == isinstance(node.op, ast.Or):
                    return value  # (``or`` stops at the first true operand, ``and`` at a false one)
            return value
        if isinstance(node, ast.IfExp):
            truth = self.truth(node.test, scope)
            return _UNKNOWN if truth is None else self.fold(node.body if truth else node.orelse, scope)
        if isinstance(node, ast.Compare):
            if len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)):
                if not _is_literal(node.left):
                    return _UNKNOWN  # (and not _decide: it asks fold about membership tests)
                present = self._collected_key(node.comparators[0], node.left.value, scope)  # type: ignore[attr-defined]
                if present is None:
                    return _UNKNOWN
                return present if isinstance(node.ops[0], ast.In) else not present
            truth = _decide(node, lambda name: self._constant(name, scope, node), lambda inner: self.fold(inner, scope))
            return _UNKNOWN if truth is None else truth
        if isinstance(node, ast.Subscript) and _is_literal(node.slice):
            return self._collected_value(node.value, node.slice.value, None, scope)  # type: ignore[attr-defined]
        if not isinstance(node, ast.Call) or node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
            return _UNKNOWN
        callee = node.func
        if (
            isinstance(callee, ast.Attribute) and callee.attr in ("get", "pop")
            and 1 <= len(node.args) <= 2 and _is_literal(node.args[0])
        ):
            default = node.args[1] if len(node.args) == 2 else (ast.Constant(None) if callee.attr == "get" else None)
            return self._collected_value(callee.value, node.args[0].value, default, scope)  # type: ignore[attr-defined]
        if isinstance(callee, ast.Name) and callee.id in _FOLDED_BUILTINS and node.args and not self.is_bound(callee.id, scope):
            operands = [self.fold(arg, scope) for arg in node.args]
            if any(operand is _UNKNOWN for operand in operands):
                return _UNKNOWN
            try:
                result = _FOLDED_BUILTINS[callee.id](*operands)
            except (TypeError, ValueError, OverflowError):
                return _UNKNOWN
            return result if result is None or isinstance(result, (bool, int, float, str)) else _UNKNOWN
        return _UNKNOWN

    def _collected(self, node: ast.expr, scope: _Scope) -> Optional[Tuple]:
        """The ``("kwargs", items, complete)`` a ``**kwargs`` parameter named by ``node`` is
        surely bound to (``bind_collected``), or None."""
        if not isinstance(node, ast.Name) or scope.kind != "function" or node.id in scope.globals_declared:
            return None
        sources = scope.bindings.get(node.id, [])
        if len(sources) == 1 and sources[0][0] == "value" and sources[0][1][0] == "kwargs":
            return sources[0][1]
        return None

    def _collected_key(self, node: ast.expr, key: object, scope: _Scope) -> Optional[bool]:
        """Whether the keywords of ``node`` (see ``_collected``) surely hold ``key``, or None."""
        collected = self._collected(node, scope)
        if collected is None:
            return None
        if any(name == key for name, _ in collected[1]):
            return True
        return False if collected[2] else None

    def _collected_value(self, node: ast.expr, key: object, default: Optional[ast.expr], scope: _Scope) -> object:
        """The literal read under ``key`` from the keywords of ``node`` (see ``_collected``),
        ``default`` when the call surely left it out (None: the read raises), else ``_UNKNOWN``."""
        collected = self._collected(node, scope)
        if collected is None:
            return _UNKNOWN
        for name, item in collected[1]:
            if name == key:
                return item[1] if item[0] == "const" else _UNKNOWN
        if not collected[2] or default is None:
            return _UNKNOWN
        return self.fold(default, scope)

    # ----- literals kept on self -------------------------------------------------------
    def _attribute_constant(self, base: str, attr: str, scope: _Scope, at: Optional[ast.AST]) -> object:
        """The literal ``base.attr`` surely holds in ``scope``, or ``_UNKNOWN``: ``base``
        is an instance of a class of this file whose ``__init__`` keeps a parameter or a
        literal in ``attr`` once and nothing else rebinds it (``kept_attributes``), and

        - inside that ``__init__``, after the assignment: the parameter's literal there;
        - elsewhere (a method of an instance made by a call the analysis followed, which
          carries the constructor's literal arguments and defaults: ``instance_binds``):
          the literal the constructor was given, or the one assigned."""
        if scope.kind != "function":
            return _UNKNOWN
        distinct = set()
        for value in self.lookup(base, scope) or [None]:
            if value is None or value[0] != "instance" or value[1] not in self.classes:
                return _UNKNOWN
            kept = self.kept_attributes(value[1]).get(attr)
            if kept is None:
                return _UNKNOWN
            init, stmt, expr, rebound = kept
            carried = dict(value[2]) if len(value) > 2 else {}
            built = next(iter(carried.get(_BUILT, ())), None)
            known: object = _UNKNOWN
            if len(value) == 2 and scope.func is init:
                # self.num_processes = num_processes; if self.num_processes == 0: ...
                if at is not None and getattr(at, "lineno", 0) > (stmt.end_lineno or stmt.lineno):
                    known = expr.value if isinstance(expr, ast.Constant) else self._constant(expr.id, scope)
            elif built is not None and attr not in built[1] and "*" not in built[1]:
                # built[1]: the attributes the module that made the instance assigns itself
                if isinstance(expr, ast.Constant):
                    known = expr.value
                elif not rebound:
                    given = carried.get(expr.id, ())
                    if len(given) == 1 and next(iter(given))[0] == "const":
                        known = next(iter(given))[1]
            if known is _UNKNOWN:
                return _UNKNOWN
            distinct.add((type(known), known))
        return next(iter(distinct))[1] if len(distinct) == 1 else _UNKNOWN

    def kept_attributes(self, cls_name: str) -> dict:
        """attr -> (init, statement, kept expression, parameter rebound in init) for the
        attributes an instance of ``cls_name`` keeps a literal in: ``self.attr = param`` or
        ``self.attr = <literal>``, a statement of the ``__init__`` body itself (not in a
        branch or a loop), the only binding of ``attr`` in the class and its bases, none of
        them from another module; no property or method of that name, no ``__setattr__``;
        and no other code of this module assigns or deletes ``something.attr`` or sets
        attributes by name (``setattr``, ``__dict__``, ``vars``).  Only attributes an
        ``if`` tests or a call is handed count (``decided_attributes``)."""
        found = self._kept.get(cls_name)
        if found is not None:
            return found
        found = self._kept[cls_name] = {}
        init = self.find_method(cls_name, "__init__")
        if init is None:
            return found
        # The attributes it could keep, read off __init__'s own statements: most classes
        # keep none that the module's text spells a second time after a dot (an ``if`` or
        # a call that reads ``x.attr``), and then the module-wide walks below are not needed.
        candidates = _kept_candidates(init)
        if not any(self.spells_twice("." + attr) for attr in candidates):
            return found
        decided = self.decided_attributes()
        if not decided or self.external_bases(cls_name):
            return found
        counts, by_name = self.attribute_stores()
        if by_name:
            return found
        sources: dict = {}
        names: set = set()
        todo, seen = [cls_name], set()
        while todo:
            current = todo.pop()
            if current in seen or current not in self.classes:
                continue
            seen.add(current)
            for attr, entries in self.attribute_sources(current).items():
                sources.setdefault(attr, []).extend(entries)
            for stmt in self.classes[current].body:
                if isinstance(stmt, _FUNCS):
                    names.add(stmt.name)
            for base in self.classes[current].bases:
                todo += [v[1] for v in self.eval(base, self.module) if v[0] == "class"]
        if names & {"__setattr__", "__getattr__", "__getattribute__", "__delattr__"}:
            return found
        args = init.args  # type: ignore[attr-defined]
        positional = args.posonlyargs + args.args
        if not positional:
            return found
        me = positional[0].arg
        params = {a.arg for a in positional[1:] + args.kwonlyargs}
        scope = self.function_scope(init, self.owner_of(init))
        for stmt in init.body:  # type: ignore[attr-defined]
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, expr = stmt.targets[0], stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                target, expr = stmt.target, stmt.value
            else:
                continue
            if not _is_self_attribute(target, me):
                continue
            attr = target.attr  # type: ignore[attr-defined]
            if (
                attr not in decided or attr in names or counts.get(attr, 0)
                or len(sources.get(attr, ())) != 1 or sources[attr][0][0][1] is not expr
            ):
                continue
            if _is_literal(expr):
                found[attr] = (init, stmt, expr, False)
            elif isinstance(expr, ast.Name) and expr.id in params:
                found[attr] = (init, stmt, expr, len(scope.bindings.get(expr.id, ())) != 1)
        return found

    def kept_params(self, cls_name: str) -> frozenset:
        """Parameters of the ``__init__`` of ``cls_name`` that it keeps on ``self`` as a
        literal (``kept_attributes``), untouched before: a constructor call's literal for
        them, or their literal default, is what the methods see."""
        return frozenset(
            expr.id for _, _, expr, rebound in self.kept_attributes(cls_name).values()
            if isinstance(expr, ast.Name) and not rebound
        )

    def attribute_stores(self) -> tuple:
        """(attr -> how many places of this module assign or delete ``something.attr``,
        other than a method's own ``self.attr = ...``; whether the module sets attributes
        by name: ``setattr``, ``__dict__``, ``vars``), walked once."""
        if self._attribute_stores is None:
            own: set = set()
            for cls in self.classes.values():
                for stmt in cls.body:
                    if not isinstance(stmt, _FUNCS):
                        continue
                    positional = stmt.args.posonlyargs + stmt.args.args
                    if not positional:
                        continue
                    me = positional[0].arg
                    for node in self.body_nodes(stmt):
                        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                            for target in targets:
                                for inner in walk(target):
                                    if _is_self_attribute(inner, me):
                                        own.add(id(inner))
            counts: dict = {}
            by_name = False
            for node in self.nodes_of(ast.Attribute):
                if node.attr == "__dict__":  # type: ignore[attr-defined]
                    by_name = True
                elif isinstance(node.ctx, (ast.Store, ast.Del)) and id(node) not in own:  # type: ignore[attr-defined]
                    counts[node.attr] = counts.get(node.attr, 0) + 1  # type: ignore[attr-defined]
            if any(node.id in ("setattr", "delattr", "vars") for node in self.nodes_of(ast.Name)):  # type: ignore[attr-defined]
                by_name = True
            self._attribute_stores = (counts, by_name)
        return self._attribute_stores

    def stored_attributes(self) -> frozenset:
        """What ``attribute_stores`` says, for another module: the attribute names this one
        assigns on objects (all of them, as ``"*"``, when it sets attributes by name)."""
        counts, by_name = self.attribute_stores()
        return frozenset(["*"]) if by_name else frozenset(counts)

    def decided_attributes(self) -> frozenset:
        """Names of the attributes that an ``if`` (or a conditional expression, a ``while``)
        of this module tests, or that a call is handed (``Pool(self.num_processes)``)."""
        if self._decided_attributes is None:
            names: set = set()
            for node in self.nodes_of(ast.If, ast.IfExp, ast.While):
                names |= {n.attr for n in walk(node.test) if isinstance(n, ast.Attribute)}  # type: ignore[attr-defined]
            for node in self.nodes_of(ast.Call):
                names |= {a.attr for a in _arguments(node) if isinstance(a, ast.Attribute)}  # type: ignore[arg-type]
            self._decided_attributes = frozenset(names)
        return self._decided_attributes

    def _condition_holds(self, target: Target, call: ast.Call, scope: Optional[_Scope] = None) -> bool:
        condition = target.condition
        if condition is Condition.ALWAYS:
            return True
        if condition is Condition.MP_BACKEND:
            if not (_literal_kw(call, "backend") == "multiprocessing" or id(call) in self.backend_calls()):
                return False
            # n_jobs=1 runs sequentially in every joblib version (the multiprocessing backend
            # falls back to the sequential one); n_jobs=None is not certain: an enclosing
            # parallel_backend(..., n_jobs=4) may give the count in older versions
            jobs = call.args[0] if call.args and not isinstance(call.args[0], ast.Starred) else next(
                (kw.value for kw in call.keywords if kw.arg == "n_jobs"), None
            )
            if jobs is not None:
                known = self._literal_value(jobs, scope) if scope is not None else (
                    jobs.value if _is_literal(jobs) else _UNKNOWN  # type: ignore[attr-defined]
                )
                if known == 1 and not isinstance(known, bool):
                    return False
            return True
        if condition is Condition.DASK_PROCESSES:
            if _literal_kw(call, "processes") is False:
                return False
            if target.label == "Client" and (call.args or any(k.arg == "address" for k in call.keywords)):
                return False  # connects to an existing scheduler: starts nothing here
            return True
        if condition is Condition.SCHEDULER_PROCESSES:
            return self._process_scheduler(call)
        if condition is Condition.ARGS_WORKERS:  # transformers' trainer.train()
            return self.trainer_args_workers(call, scope or self.module)
        if condition is Condition.SEVERAL_CORES:  # pymc.sample: one core or one chain runs in-process
            return not any(_literal_kw(call, name) == 1 for name in ("cores", "chains"))
        if condition is Condition.ASYNCHRONOUS:  # gym.vector.make(id, num_envs, asynchronous)
            given = _argument(call, 2, "asynchronous")
            return not (isinstance(given, ast.Constant) and given.value is False)
        if condition is Condition.PARALLEL:
            # pyBKT: model.fit(parallel=False), or every Model(...) the receiver may be was
            # made with parallel=False (the method's own keyword wins over the model's)
            if any(kw.arg == "parallel" for kw in call.keywords):
                return _literal_kw(call, "parallel") is not False
            made = self.constructions(call.func.value, scope) if isinstance(call.func, ast.Attribute) else None
            return not made or any(_literal_kw(c, "parallel") is not False for c in made)
        if condition is Condition.FUTURES_EXECUTOR:
            return self._futures_executor(target, call, scope)
        if condition is Condition.WORKERS_GIVEN:
            return self._opens_map_pool(call, scope)
        if condition is Condition.NUM_PROC_GIVEN:
            return self._num_proc_given(call, scope)
        return True

    def _num_proc_given(self, call: ast.Call, scope: Optional[_Scope]) -> bool:
        """datasets' ``num_proc=``: left out, ``None`` or 0 maps in-process; 1 or more
        opens a Pool (1 too, since datasets 5); a value not known here may open one."""
        value = next((kw.value for kw in call.keywords if kw.arg == "num_proc"), None)
        if value is None:
            return False
        known = self._literal_value(value, scope) if scope is not None else (
            value.value if _is_literal(value) else _UNKNOWN  # type: ignore[attr-defined]
        )
        if known is _UNKNOWN:
            return True
        return isinstance(known, int) and not isinstance(known, bool) and known >= 1

    def _opens_map_pool(self, call: ast.Call, scope: Optional[_Scope]) -> bool:
        """scipy's ``workers=`` (``MapWrapper``): the default 1, ``None`` and ``map`` map
        in-process, an int other than 1 opens a Pool, and a map-like callable
        (``pool.map``, ``executor.map``) uses a pool started elsewhere -- where it is
        found on its own.  A value not known here (``workers=args.jobs``) may open one."""
        value = next((kw.value for kw in call.keywords if kw.arg == "workers"), None)
        if value is None:
            return False  # left out (or positional, which no one writes): the default, 1
        known = self._literal_value(value, scope) if scope is not None else (
            value.value if _is_literal(value) else _UNKNOWN  # type: ignore[attr-defined]
        )
        if known is not _UNKNOWN:
            # 0 and other negatives raise before any Pool
            return isinstance(known, (int, float)) and not isinstance(known, bool) and (known == -1 or known >= 2)
        if isinstance(value, ast.Attribute) and value.attr in ("map", "imap", "imap_unordered"):
            return False
        if isinstance(value, ast.Lambda):
            return False
        if isinstance(value, ast.Name) and value.id == "map" and (scope is None or not self.is_bound("map", scope)):
            return False
        return True

    def _futures_executor(self, target: Target, call: ast.Call, scope: Optional[_Scope]) -> bool:
        """coffea: whether ``executor=`` or ``pre_executor=`` may be a futures executor (the
        others run in-process or elsewhere).  ``run_uproot_job(fileset, treename, processor,
        executor, executor_args, pre_executor)``; ``run(...)`` of ``Runner(executor, pre_executor)``."""
        if target.qualname.endswith(".__call__"):
            made = self.constructions(call.func, scope) or []
            given = [_argument(c, 0, "executor") for c in made] + [_argument(c, 1, "pre_executor") for c in made]
        else:
            given = [_argument(call, 3, "executor"), _argument(call, 5, "pre_executor")]
        for expr in given:
            if expr is None:
                continue
            # processor.futures_executor, or FuturesExecutor(workers=4): "opaque", made outside
            if any(v[0] in ("name", "opaque") and v[1] in COFFEA_FUTURES_EXECUTORS for v in self.eval(expr, scope or self.module)):
                return True
        return False

    def constructions(self, expr: ast.expr, scope: Optional[_Scope]) -> Optional[list]:
        """The calls that made what ``expr`` holds: itself when it is a call, else every
        binding of the name when each is a call; None when something else may have made it."""
        if isinstance(expr, ast.Call):
            return [expr]
        if not isinstance(expr, ast.Name):
            return None
        current = scope or self.module
        while current is not None and expr.id not in current.bindings:
            current = current.parent
        if current is None:
            return None
        sources = current.bindings[expr.id]
        if not sources or any(s[0] != "expr" or not isinstance(s[1], ast.Call) for s in sources):
            return None
        return [s[1] for s in sources]

    def _process_scheduler(self, call: ast.Call) -> bool:
        """dask's ``scheduler=`` names the process pool: ``"processes"`` /
        ``"multiprocessing"``, or the scheduler function ``dask.multiprocessing.get``."""
        literal = _literal_kw(call, "scheduler")
        if literal in ("processes", "multiprocessing"):
            return True
        value = next((kw.value for kw in call.keywords if kw.arg == "scheduler"), None)
        if value is None:
            return False
        return any(v[0] == "name" and v[1] == "dask.multiprocessing.get" for v in self.eval(value, self.module))

    def backend_calls(self) -> set:
        """ids of calls inside `with parallel_backend("multiprocessing"):` blocks."""
        if self._backend_calls is None:
            self._backend_calls = set()
            for node in self.nodes_of(ast.With, ast.AsyncWith):
                for item in node.items:  # type: ignore[attr-defined]
                    expr = item.context_expr
                    if not isinstance(expr, ast.Call):
                        continue
                    chosen = _literal_arg(expr, 0, "backend")
                    if chosen != "multiprocessing":
                        continue
                    scope = self.module
                    if any(
                        v[0] == "name" and self.catalogue.get(v[1]) is not None
                        and self.catalogue[v[1]].kind is Kind.BACKEND
                        for v in self.eval(expr.func, scope)
                    ):
                        for stmt in node.body:
                            self._backend_calls.update(id(n) for n in walk(stmt) if isinstance(n, ast.Call))
        return self._backend_calls

    def _imports_root(self, root: str) -> bool:
        for sources in self.module.bindings.values():
            for source in sources:
                if source[0] == "value" and source[1][0] == "name" and source[1][1].split(".")[0] == root:
                    return True
        return False

    def iteration_events(self, nodes: Iterable[ast.AST], scope: _Scope) -> list[Event]:
        """Iterating a DataLoader with workers (for loops, comprehensions, iter/next/list)."""
        events = []
        for node in nodes:
            iterated: list = []
            if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                iterated = [node.iter]
            elif isinstance(node, ast.YieldFrom) or (isinstance(node, ast.Starred) and isinstance(node.ctx, ast.Load)):
                iterated = [node.value]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ITERATING_BUILTINS
                and node.args
                and not self.is_bound(node.func.id, scope)
            ):
                # enumerate(tqdm(loader)), zip(names, loader): iter() runs on the arguments now
                first, every = ITERATING_BUILTINS[node.func.id]
                iterated = [a for a in (node.args[first:] if every else node.args[first:first + 1])]
            for expr in iterated:
                if isinstance(expr, ast.Starred):
                    continue
                values = self.eval(expr, scope)
                if any(v[0] == "loader" and v[1] for v in values):
                    label = f"iterating {_unparse(expr)}"
                    events.append(
                        self.with_end(
                            Event("direct", expr.lineno, self.char_col(expr.lineno, expr.col_offset), label), expr
                        )
                    )
                    continue
                callee = self.shortest(self.iteration_callees(values))
                if callee is not None:
                    # "calls augmenter.__next__() → self._start() → ...": the step a for loop takes
                    inner = callee[1] if callee[0] == "with" else callee
                    method = inner[2] if inner[0] == "method" else inner[1].rsplit(".", 1)[-1]
                    label = f"{_unparse(expr)}.{method}()"
                    col = self.char_col(expr.lineno, expr.col_offset)
                    events.append(self.with_end(Event("via", expr.lineno, col, label, callee), expr))
            if isinstance(node, (ast.With, ast.AsyncWith)):
                events += self.entering_events(node, scope)
        return events

    def entering_events(self, node: ast.AST, scope: _Scope) -> list[Event]:
        """``with stream:`` runs ``stream.__enter__()``: a context manager of this codebase
        whose ``__enter__`` (``__aenter__`` for ``async with``) starts a process starts it
        at the ``with``, though the script names no start."""
        methods = ("__aenter__",) if isinstance(node, ast.AsyncWith) else ("__enter__",)
        events = []
        for item in node.items:  # type: ignore[attr-defined]
            expr = item.context_expr
            callee = self.shortest(self.iteration_callees(self.eval(expr, scope), methods))
            if callee is None:
                continue
            label = f"{_unparse(expr)}.{methods[0]}()"
            col = self.char_col(expr.lineno, expr.col_offset)
            events.append(self.with_end(Event("via", expr.lineno, col, label, callee), expr))
        return events

    def iteration_callees(self, values: frozenset, methods: tuple = ("__iter__", "__next__")) -> list:
        """The protocol methods (by default the iterator protocol's) that a statement over
        one of ``values`` runs: for a ``for``, the ``__iter__`` and ``__next__`` of an
        instance of a class of this file or of another module (an augmenter whose
        ``__next__`` starts its worker processes); for a ``with``, its ``__enter__``.
        Outside instances are asked only for CapWords names (classes, by convention), as
        for ``extinstance``."""
        candidates: list = []
        for value in values:
            if value[0] == "instance" and value[1] in self.classes:
                for method in methods:
                    if self.find_method(value[1], method) is not None or self.external_bases(value[1]):
                        found = ("method", value[1], method, value[2]) if len(value) > 2 else ("method", value[1], method)
                        candidates.append(self.with_self(found[:3], found))
            elif value[0] in ("opaque", "extinstance") and self.resolver is not None:
                if not value[1].rsplit(".", 1)[-1][:1].isupper():
                    continue
                for method in methods:
                    external = self.resolver.chain_for(f"{value[1]}.{method}")
                    if external is not None:
                        candidates.append(("ext", f"{value[1]}.{method}", external))
        return candidates

    def decorated_start(self, func: ast.AST) -> Optional[tuple]:
        """A function whose decorator runs each call in a new process (pebble)."""
        for decorator in getattr(func, "decorator_list", []):
            expr = decorator.func if isinstance(decorator, ast.Call) else decorator
            for value in self.eval(expr, self.module):
                if value[0] == "name":
                    target = self.catalogue.get(value[1])
                    if target is not None and target.kind is Kind.STARTS_DECORATED:
                        label = f"@{_unparse(expr)}"
                        return (ChainStep(label, decorator.lineno, self.path),)
        return None

    def chain(self, callee: Tuple) -> Optional[tuple]:
        """The call chain from ``callee`` to a direct process start, or None."""
        return solve(self._chains, callee, lambda: self._chain(callee), None, witness=True)

    def _chain(self, callee: Tuple) -> Optional[tuple]:
        result: Optional[tuple] = None
        funcs: list = []
        owner: Optional[str] = None
        binds: tuple = ()
        if callee[0] == "with":
            callee, binds = callee[1], callee[2]
        if callee[0] == "ext":
            external: ExternalChain = callee[2]
            result = external.steps
            return result
        if callee[0] == "commands":
            # tool() of a command group (or Typer app) of this module: one of its commands
            best = self.shortest(self.registered_commands(callee[1]))
            return None if best is None else self.chain(best)
        if callee[0] == "hook":
            # an override that a standard-library template method calls (TEMPLATE_METHODS)
            sub = self.chain(callee[2])
            if sub is None:
                return None
            func = self.function_of(callee[2])
            line = func.lineno if func is not None else 0  # type: ignore[attr-defined]
            return (ChainStep(callee[1], line, self.path, self.path, line),) + sub
        if callee[0] == "func":
            funcs = [self.functions[callee[1]]]
            result = self.decorated_start(funcs[0])
            if result is not None:
                return result
        elif callee[0] == "init":
            owner = callee[1]
            funcs = [
                f
                for f in (self.find_method(owner, "__new__"), self.find_method(owner, "__init__"),
                          self.find_method(owner, "__post_init__"))
                if f is not None
            ]
        elif callee[0] == "method":
            owner = callee[1]
            found = self.find_method(owner, callee[2])
            funcs = [found] if found is not None else []
        if not funcs and callee[0] in ("init", "method") and self.resolver is not None:
            # Inherited from a class of another module (class MyFarm(helpers.Farm)).
            suffix = "" if callee[0] == "init" else f".{callee[2]}"
            for base in self.external_bases(callee[1]):
                external = self.resolver.chain_for(base + suffix)
                if external is not None:
                    result = external.steps
                    return result
        if not funcs and callee[0] in ("init", "method"):
            # Program(...) where class Program(unittest.TestProgram) overrides runTests: the
            # inherited __init__ calls it
            method = "__init__" if callee[0] == "init" else callee[2]
            hooks = [
                hook
                for base in self.external_bases(callee[1])
                for hook in self.template_hooks(callee[1], f"{base}.{method}")
            ]
            best = self.shortest(hooks)
            if best is not None:
                return self.chain(best)
        # The shortest chain wins (a direct start in the body beats a helper that reaches
        # one too); among equally short ones, the first in the source.
        for func in funcs:
            method_owner = self.owner_of(func) if owner is not None else None
            scope = self.scope_for(func, method_owner, binds)
            nodes = self.live_nodes(func, scope)
            events = [self.classify_call(call, scope, nodes) for call in _calls_in(nodes)]
            events += self.iteration_events(nodes, scope)
            events = sorted((e for e in events if e is not None), key=lambda e: (e.line, e.col))
            for event in events:
                if event.kind == "setup":
                    continue
                if event.kind == "direct":
                    found: Optional[tuple] = (ChainStep(event.label, event.line, self.path),)
                else:
                    sub = self.chain(event.callee)  # type: ignore[arg-type]
                    found = None if sub is None else (self.step_for(event),) + sub
                if found is not None and (result is None or len(found) < len(result)):
                    result = found
                if result is not None and len(result) == 1:
                    break
            if result is not None and len(result) == 1:
                break
        if callee[0] == "func" and result is None and self.registered_commands(callee[1]):
            # a click group's body does nothing; the command the arguments name runs
            result = self.chain(("commands", callee[1]))
        return result

    def step_for(self, event: Event) -> ChainStep:
        """The chain step of a "via" event, with where its callee is defined."""
        callee = event.callee or ()
        if callee and callee[0] == "with":
            callee = callee[1]
        callee_path, callee_line = self.path, 0
        if callee and callee[0] == "ext":
            callee_path, callee_line = callee[2].path, callee[2].line
        elif callee and callee[0] == "func" and callee[1] in self.functions:
            callee_line = self.functions[callee[1]].lineno
        elif callee and callee[0] == "init" and callee[1] in self.classes:
            callee_line = self.classes[callee[1]].lineno
        elif callee and callee[0] == "method":
            found = self.find_method(callee[1], callee[2])
            callee_line = found.lineno if found is not None else 0
        return ChainStep(event.label, event.line, self.path, callee_path, callee_line)

    def char_col(self, line: int, byte_col: int) -> int:
        """ast columns count UTF-8 bytes; users count characters."""
        if 0 < line <= len(self.lines):
            text = self.lines[line - 1]
            return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))
        return byte_col

    # ----- module level -----------------------------------------------------------------
    def module_events(self, stmt: ast.stmt) -> list[Event]:
        if self._module_nodes is None:
            self._module_nodes = [n for top in self.tree.body for n in self.top_level_nodes(top)]
        events = []
        nodes = self.top_level_nodes(stmt)
        for call in _calls_in(nodes):
            event = self.classify_call(call, self.module, self._module_nodes)
            if event is not None:
                events.append(event)
        events += self.iteration_events(nodes, self.module)
        events.sort(key=lambda e: (e.line, e.col))
        return events

    def top_level_nodes(self, stmt: ast.stmt) -> list[ast.AST]:
        """``_module_level_nodes(stmt)``, walked once."""
        nodes = self._top_level_nodes.get(stmt)
        if nodes is None:
            nodes = self._top_level_nodes[stmt] = _module_level_nodes(stmt)
        return nodes


def _literal_arg(call: ast.Call, position: int, keyword: str) -> object:
    if len(call.args) > position and isinstance(call.args[position], ast.Constant):
        return call.args[position].value  # type: ignore[attr-defined]
    for kw in call.keywords:
        if kw.arg == keyword and isinstance(kw.value, ast.Constant):
            return kw.value.value
    return None


def _argument(call: ast.Call, position: int, keyword: str) -> Optional[ast.expr]:
    """The expression given for a parameter, by keyword or at its position (None: not given,
    or not known past a ``*args``)."""
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    leading = call.args[:position + 1]
    if len(leading) > position and not any(isinstance(a, ast.Starred) for a in leading):
        return leading[position]
    return None


def _literal_kw(call: ast.Call, keyword: str) -> object:
    for kw in call.keywords:
        if kw.arg == keyword and isinstance(kw.value, ast.Constant):
            return kw.value.value
    return None


def _unparse(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # pragma: no cover - unparse handles every expression node
        return "<expression>"
    return text if len(text) <= 60 else text[:57] + "..."


def _argument(call: ast.Call, position: int, keyword: Optional[str]) -> Optional[ast.expr]:
    """The argument a call passes at ``position`` or as ``keyword`` (None when neither, or
    when a ``*args`` comes first)."""
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            break
        if index == position:
            return arg
    if keyword is not None:
        for kw in call.keywords:
            if kw.arg == keyword:
                return kw.value
    return None


def _calls_super(call: ast.Call) -> bool:
    """``super().name(...)`` or ``super(Cls, self).name(...)``."""
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "super"
    )


def _loads_main_module(call: ast.Call) -> bool:
    """Whether a ``TEST_PROGRAMS`` call loads the tests of the module ``"__main__"``: its
    ``module`` argument (the first) is absent or the literal ``"__main__"``."""
    given = call.args[0] if call.args else next((kw.value for kw in call.keywords if kw.arg == "module"), None)
    if given is None:
        return not any(isinstance(a, ast.Starred) for a in call.args) and all(kw.arg for kw in call.keywords)
    return isinstance(given, ast.Constant) and given.value == "__main__"


def _call_label(call: ast.Call) -> str:
    try:
        func = ast.unparse(call.func)
    except Exception:  # pragma: no cover - unparse handles every expression node
        func = "<call>"
    if len(func) > 60:
        func = func[:57] + "..."
    return f"{func}({'...' if call.args or call.keywords else ''})"


def _calls_in(nodes: Iterable[ast.AST]) -> list[ast.Call]:
    calls = [node for node in nodes if isinstance(node, ast.Call)]
    calls.sort(key=lambda c: (c.lineno, c.col_offset))
    return calls


def _module_level_nodes(stmt: ast.stmt) -> list[ast.AST]:
    """Nodes that run when a top-level statement runs, minus guarded bodies."""
    nodes: list[ast.AST] = []
    stack = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _guards_body(node.test):
            nodes.append(node.test)
            stack.extend(reversed(node.orelse))
            continue
        stack.extend(_runtime_children(node))
        nodes.append(node)
    return nodes


def _module_lambda(node: ast.Assign) -> Optional[ast.FunctionDef]:
    """``name = lambda ...: expr`` as the function ``def name(...): return expr`` (its nodes
    are the lambda's own, lines included), or None for any other assignment."""
    if len(node.targets) != 1 or not isinstance(node.targets[0], ast.Name) or not isinstance(node.value, ast.Lambda):
        return None
    lam = node.value
    body = ast.copy_location(ast.Return(value=lam.body), lam.body)
    func = ast.FunctionDef(name=node.targets[0].id, args=lam.args, body=[body], decorator_list=[], returns=None,
                           type_comment=None)
    if sys.version_info >= (3, 12):  # pragma: no cover - depends on the interpreter
        func.type_params = []
    return ast.copy_location(func, lam)


def _runtime_children(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, _FUNCS):
        children: list[ast.AST] = list(node.decorator_list)
        args = node.args
        children += list(args.defaults) + [d for d in args.kw_defaults if d is not None]
        return children
    if isinstance(node, ast.Lambda):
        args = node.args
        return list(args.defaults) + [d for d in args.kw_defaults if d is not None]
    return child_nodes(node)


def _parts(target: ast.AST, source: tuple) -> list[tuple[int, ast.AST, tuple]]:
    """(index, element, source of that element) for an unpacking target ``a, *b, c``."""
    elts = target.elts  # type: ignore[attr-defined]
    star = next((i for i, elt in enumerate(elts) if isinstance(elt, ast.Starred)), -1)
    return [(index, elt, ("part", source, index, len(elts), star)) for index, elt in enumerate(elts)]


def _part_values(values: frozenset, index: int, count: int, star: int) -> frozenset:
    """Item ``index`` of ``count`` unpacked names (``star``: the starred one, or -1) out of
    each of ``values``: a tuple known position by position gives that position, any other
    container any of its items."""
    out: set = set()
    for value in values:
        if value[0] == "tuple":
            items = value[1]
            if star < 0:
                if len(items) == count:
                    out |= items[index]
            elif index < star:
                if index < len(items):
                    out |= items[index]
            elif index > star:
                if len(items) - (count - index) >= 0:
                    out |= items[len(items) - (count - index)]
            else:
                middle: set = set()
                for item in items[star: len(items) - (count - 1 - star)]:
                    middle |= item
                out.add(("list", frozenset(middle)))
        elif value[0] == "list":
            if index == star:
                out.add(value)
            else:
                out |= value[1]
    return frozenset(out)


def _item_values(values: frozenset, index: int) -> frozenset:
    """``container[index]`` for a literal integer index."""
    out: set = set()
    for value in values:
        if value[0] == "tuple":
            if -len(value[1]) <= index < len(value[1]):
                out |= value[1][index]
        elif value[0] == "list":
            out |= value[1]
    return frozenset(out)


def _is_self_attribute(node: ast.AST, me: str) -> bool:
    return isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == me


def _attribute_targets(target: ast.AST, source: tuple, me: str, func: ast.AST, table: dict) -> None:
    """Record ``self.attr = ...`` (also inside ``self.a, self.b = ...``) in ``table``."""
    if _is_self_attribute(target, me):
        table.setdefault(target.attr, []).append((source, func))  # type: ignore[attr-defined]
    elif isinstance(target, (ast.Tuple, ast.List)):
        for _, elt, part in _parts(target, source):
            _attribute_targets(elt, part, me, func, table)
    elif isinstance(target, ast.Starred):
        _attribute_targets(target.value, source, me, func, table)


def _returned(func: ast.AST) -> list[ast.expr]:
    """The expressions a function's own ``return`` statements return (nested functions,
    lambdas and classes aside)."""
    out: list[ast.expr] = []
    stack: list[ast.AST] = list(func.body)  # type: ignore[attr-defined]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            if node.value is not None:
                out.append(node.value)
            continue
        if isinstance(node, _FUNCS_AND_LAMBDA + (ast.ClassDef,)) or isinstance(node, ast.expr):
            continue
        stack.extend(child_nodes(node))
    return out


def _imported_module(arg: ast.expr) -> frozenset:
    """``importlib.import_module(arg)``: a literal absolute name is that module; a literal
    prefix (``"pkg." + name``, ``f"pkg.{name}"``, ``"pkg.{}".format(name)``, ``"pkg.%s" %
    name``) is any module under the prefix."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value and not arg.value.startswith("."):
        return frozenset([("name", arg.value)])
    head: object = None
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add) and isinstance(arg.left, ast.Constant):
        head = arg.left.value
    elif isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mod) and isinstance(arg.left, ast.Constant):
        text = arg.left.value
        head = text.partition("%")[0] if isinstance(text, str) and text.partition("%")[2][:1] == "s" else None
    elif (
        isinstance(arg, ast.Call)
        and isinstance(arg.func, ast.Attribute)
        and arg.func.attr == "format"
        and isinstance(arg.func.value, ast.Constant)
        and isinstance(arg.func.value.value, str)
    ):
        text = arg.func.value.value
        head = text.partition("{")[0] if "}" in text.partition("{")[2] else None
    elif isinstance(arg, ast.JoinedStr) and arg.values and isinstance(arg.values[0], ast.Constant):
        head = arg.values[0].value  # type: ignore[attr-defined]
    if isinstance(head, str) and head.endswith(".") and not head.startswith(".") and len(head) > 1:
        return frozenset([("modules", head[:-1])])
    return _NO_VALUES


_UNKNOWN = object()
_BLOCKS = (ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try) + (
    (ast.TryStar,) if hasattr(ast, "TryStar") else ()
)
_COMPARE = {
    ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b, ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b, ast.Gt: lambda a, b: a > b, ast.GtE: lambda a, b: a >= b,
    ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b,
}


def _param_truth(test: ast.expr, consts: dict) -> Optional[bool]:
    """``_decide`` over parameters with literal values only (before anything rebinds them)."""
    return _decide(test, lambda name: consts.get(name, _UNKNOWN))


def _decide(
    test: ast.expr, constant: Callable[[str], object], fold: Optional[Callable[[ast.expr], object]] = None
) -> Optional[bool]:
    """Whether ``test`` is true when ``constant(name)`` gives the literal a name surely
    holds (or ``_UNKNOWN``): a name, ``not``, ``and`` / ``or``, and one comparison of a name
    with a literal.  With ``fold`` (the literal an expression surely is, or ``_UNKNOWN``),
    other expressions too (``if opts.get("processes", 1) > 1:``, ``if int(n) > 1:``).
    None when the literals do not decide it."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _decide(test.operand, constant, fold)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        truths = [_decide(value, constant, fold) for value in test.values]
        if isinstance(test.op, ast.And):
            return False if False in truths else (True if all(t is True for t in truths) else None)
        return True if True in truths else (False if all(t is False for t in truths) else None)
    if isinstance(test, (ast.Name, ast.Attribute)):
        key = _decided_key(test)
        known = _UNKNOWN if key is None else constant(key)
        return None if known is _UNKNOWN else bool(known)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.left, (ast.Name, ast.Attribute)):
        right = test.comparators[0]
        key = _decided_key(test.left)
        if not _is_literal(right) or key is None:
            return None
        known = constant(key)
        if known is _UNKNOWN:
            return None
        try:
            return bool(_COMPARE[type(test.ops[0])](known, right.value))  # type: ignore[attr-defined]
        except (KeyError, TypeError):
            return None
    if fold is None:
        return None
    if isinstance(test, ast.Compare):
        if len(test.ops) != 1 or not _is_literal(test.comparators[0]):
            return fold(test) if isinstance(test.ops[0], (ast.In, ast.NotIn)) and len(test.ops) == 1 else None
        known = fold(test.left)
        if known is _UNKNOWN:
            return None
        try:
            return bool(_COMPARE[type(test.ops[0])](known, test.comparators[0].value))  # type: ignore[attr-defined]
        except (KeyError, TypeError):
            return None
    known = fold(test)
    return None if known is _UNKNOWN else bool(known)


def _decided_key(node: ast.expr) -> Optional[str]:
    """The name a literal may be known for: ``n`` for a name, ``self.n`` for an attribute
    of a name (``_attribute_constant``), else None."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def _mentions_any(source: object, dead: set) -> bool:
    """Whether a binding's source holds a node whose id is in ``dead``."""
    if isinstance(source, ast.AST):
        return id(source) in dead
    if isinstance(source, tuple):
        return any(_mentions_any(item, dead) for item in source)
    return False


def _is_literal(node: object) -> bool:
    """A constant that may decide a branch: None, a bool, a number or a string."""
    return isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, (bool, int, float, str)))


def _complete(call: ast.Call) -> bool:
    """The call passes no ``*args`` / ``**kwargs``: every parameter it leaves out takes its default."""
    return not any(isinstance(arg, ast.Starred) for arg in call.args) and all(kw.arg is not None for kw in call.keywords)


def _arguments(call: ast.Call) -> list:
    return [*call.args, *(kw.value for kw in call.keywords)]


def _leading_positional(call: ast.Call) -> list[ast.expr]:
    """The positional arguments before the first ``*args`` (their parameters are known)."""
    out = []
    for arg in call.args:
        if isinstance(arg, ast.Starred):
            break
        out.append(arg)
    return out


#: Binding sources that fill a container rather than bind the name (``d[k] = v``,
#: ``items.append(v)``, ``d.update(...)``).
_MUTATIONS = frozenset({"item", "contains", "update"})


def _only_mutations(sources: list) -> bool:
    return all(source[0] in _MUTATIONS for source in sources)


#: What an instance keeps of its constructor's arguments (see ``instance_binds``).
_CARRIED = frozenset({"loader", "process", "start", "context", "spawner", "func", "name"})


def _carried(value: Tuple, depth: int = 0) -> bool:
    tag = value[0]
    if tag in ("list", "tuple") and depth < 2:
        items = value[1] if tag == "list" else [v for item in value[1] for v in item]
        return bool(items) and all(_carried(v, depth + 1) for v in items)
    return tag in _CARRIED and (tag != "loader" or bool(value[1]))


def _binds_constants(binds: tuple) -> bool:
    return any(_decides(v) for _, values in binds for v in values)


def _single_const(values: frozenset) -> object:
    """The literal of values that are one ``("const", literal)``, else ``_UNKNOWN``."""
    if len(values) == 1:
        value = next(iter(values))
        if value[0] == "const":
            return value[1]
    return _UNKNOWN


def _decides(value: Tuple) -> bool:
    """A bound value that may decide a branch: a literal, the keywords a ``**kwargs``
    parameter collected, an instance made with literals."""
    return value[0] in ("const", "kwargs") or _carries_literals(value)


#: The pseudo-parameter an instance carries when it was made by a constructor call the
#: analysis followed, so that literals kept on self are known in its methods; its value is
#: ``("const", attributes the making module assigns itself)`` (see ``_attribute_constant``).
_BUILT = "<built>"


def _carries_literals(value: Tuple) -> bool:
    """An instance made with literals its methods may test (``instance_binds``)."""
    return value[0] == "instance" and len(value) > 2 and any(name == _BUILT for name, _ in value[2])


def _callee_key(callee: Tuple) -> tuple:
    """A callee as plain strings, to order equally short chains the same way in every run
    (sets of values iterate in an order that changes with the interpreter's hash seed)."""
    if callee[0] == "with":
        return _callee_key(callee[1]) + tuple(name for name, _ in callee[2])
    if callee[0] == "ext":
        return ("ext", callee[1])
    return tuple(str(part) for part in callee)


def _ends_flow(body: list) -> bool:
    """A block whose last statement leaves the function (``return`` / ``raise``)."""
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Raise))


def render_chain(chain: tuple, here: str = "") -> str:
    """"calls a() → b() → Pool(...) at line 9", or with file:line per step across files."""
    crosses = any(
        (step.path and step.path != here) or (step.callee_path and step.callee_path != here)
        for step in chain
    )
    if not crosses:
        return "calls " + " → ".join(step.label for step in chain) + f" at line {chain[-1].line}"
    parts = []
    for index, step in enumerate(chain):
        if index == len(chain) - 1:
            parts.append(f"{step.label} ({_short(step.path or here)}:{step.line})")
        elif step.callee_path and step.callee_line:
            parts.append(f"{step.label} ({_short(step.callee_path)}:{step.callee_line})")
        else:
            parts.append(step.label)
    return "calls " + " → ".join(parts)


def _may_take_arguments(resolver: object, qualname: str) -> bool:
    """``resolver.may_take_arguments`` where the resolver has it (a resolver that cannot
    tell is asked with the arguments)."""
    ask = getattr(resolver, "may_take_arguments", None)
    return ask(qualname) if ask is not None else True


def _short(path: str) -> str:
    return path


def make_analyzer(
    text: str, filename: str, catalogue: Optional[dict], resolver: Optional[Resolver], path: str
) -> "_Analyzer":
    """Parse and index a module for questions from other modules (no findings computed)."""
    tree = compile(text, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    analyzer = _Analyzer(tree, text.splitlines(), catalogue, resolver, path)  # type: ignore[arg-type]
    analyzer.collect_module()
    return analyzer


def analyze_module(
    tree: ast.Module,
    text: str,
    catalogue: Optional[dict] = None,
    resolver: Optional[Resolver] = None,
    path: str = "",
    analyzer: Optional["_Analyzer"] = None,
) -> ModuleAnalysis:
    """Find unprotected entry points in a parsed module.  Pure apart from what ``resolver``
    reads of other modules.  ``analyzer``: the module's analyzer from ``make_analyzer`` on
    the same text, tree, catalogue, resolver and path, when one exists (its answers are
    reused)."""
    if analyzer is None:
        analyzer = _Analyzer(tree, text.splitlines(), catalogue, resolver, path)
        analyzer.collect_module()
    findings: list[Finding] = []
    statements: list[StatementFacts] = []
    for index, stmt in enumerate(tree.body):
        facts = StatementFacts(index=index)
        if isinstance(stmt, ast.If) and is_main_guard_test(stmt.test):
            facts.guard = True
        for event in analyzer.module_events(stmt):
            if event.kind == "setup":
                facts.setup = True
                findings.append(
                    Finding(
                        Code.GF003,
                        event.line,
                        event.col + 1,
                        f"{event.label} at module level runs again in every child process; "
                        "it belongs under the `if __name__ == \"__main__\":` guard",
                        end_line=event.end_line,
                        end_col=event.end_col + 1 if event.end_line else 0,
                    )
                )
                continue
            facts.starts = True
            if facts.guard:
                facts.guard_else_starts = True
            if isinstance(stmt, _FUNCS + (ast.ClassDef,)):
                where = "class body" if isinstance(stmt, ast.ClassDef) else "decorator or default argument"
                facts.unsafe_position = (
                    f"the process start at line {event.line} sits in a {where}, which runs at import time"
                )
            if event.kind == "direct":
                findings.append(
                    Finding(
                        Code.GF001,
                        event.line,
                        event.col + 1,
                        f"{event.label} starts processes at module level, outside an "
                        "`if __name__ == \"__main__\":` guard",
                        (ChainStep(event.label, event.line, path),),
                        end_line=event.end_line,
                        end_col=event.end_col + 1 if event.end_line else 0,
                    )
                )
            else:
                chain = (analyzer.step_for(event),) + (analyzer.chain(event.callee) or ())
                findings.append(
                    Finding(
                        Code.GF002, event.line, event.col + 1, render_chain(chain, path), chain,
                        end_line=event.end_line, end_col=event.end_col + 1 if event.end_line else 0,
                    )
                )
        statements.append(facts)
    findings.sort(key=lambda f: (f.line, f.col, f.code.value))
    return ModuleAnalysis(
        findings=findings,
        statements=statements,
        functions=dict(analyzer.functions),
        classes=dict(analyzer.classes),
        analyzer=analyzer,
    )


__all__ = ["analyze_module", "ModuleAnalysis", "StatementFacts", "is_main_guard_test", "iter_runtime_nodes"]
