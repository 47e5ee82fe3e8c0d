"""Syntax tree -> findings with call chains, and the per-statement facts the planner needs.

Analysis runs on the standard library's ``ast`` (fast, exact positions); only files that
need a rewrite are ever parsed by libcst.  Names are resolved through the file's imports and
assignments with a small abstract interpretation, never matched as text: a thread pool
imported as ``Pool`` or a project's own ``Manager`` class is not a process start.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from typing import Iterable, Optional, Protocol, Tuple

from fixer.model import ChainStep, Code, Finding
from fixer.memo import solve
from fixer.names import child_nodes, iter_runtime_nodes, walk
from fixer.targets import BY_QUALNAME, NON_REIMPORTING_METHODS, Condition, Kind, Target, star_names

_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)
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
#   ("instance", cls)         an instance of a module-level class
#   ("process", label)        something that starts a process on .start()
#   ("start", label)          the bound .start of such a thing
#   ("list", frozenset)       a container of values
Value = Tuple

_NO_VALUES: frozenset = frozenset()



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


def _guards_body(test: ast.expr) -> bool:
    """True when the body of ``if test:`` only ever runs in the main process."""
    if is_main_guard_test(test):
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

    def is_process_class(self, qualname: str) -> bool: ...

    def absolute(self, level: int, module: Optional[str]) -> Optional[str]: ...


@dataclass
class _Scope:
    kind: str  # "module" | "function"
    bindings: dict = field(default_factory=dict)  # name -> list of sources
    parent: Optional["_Scope"] = None
    globals_declared: set = field(default_factory=set)
    makes_process: Optional[bool] = None
    region: list = field(default_factory=list)  # nodes whose calls belong to this scope


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
        self._process_classes: dict[str, bool] = {}
        self._function_scopes: dict[int, _Scope] = {}
        self._module_nodes: Optional[list] = None
        # Walks remembered for the life of the analyzer (the tree lives as long), keyed by node:
        # scopes, chains, module events and hazards all look at the same statements.
        self._statement_nodes: dict[ast.AST, list] = {}
        self._top_level_nodes: dict[ast.AST, list] = {}
        self._owners: Optional[dict[ast.AST, str]] = None  # class body statement -> class name

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
                for target in node.targets:
                    self._bind_target(scope, target, ("expr", node.value))
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
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
                    elif base:
                        self._bind(scope, alias.asname or alias.name, ("value", ("name", f"{base}.{alias.name}")))
                    else:
                        self._bind(scope, alias.asname or alias.name, ("unknown",))
            elif isinstance(node, ast.Global):
                scope.globals_declared.update(node.names)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                # procs.append(Process(...)) makes procs a container of processes
                if (
                    node.func.attr in ("append", "add", "insert", "extend", "appendleft")
                    and isinstance(node.func.value, ast.Name)
                    and node.args
                ):
                    arg = node.args[-1]
                    source = ("iter", arg) if node.func.attr == "extend" else ("expr", arg)
                    self._bind(scope, node.func.value.id, ("contains", source))
            stack.extend(child_nodes(node))

    def _bind_target(self, scope: _Scope, target: ast.AST, source: tuple) -> None:
        if isinstance(target, ast.Name):
            self._bind(scope, target.id, source)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for elt in target.elts:
                self._bind_target(scope, elt, ("unknown",))
        elif isinstance(target, ast.Starred):
            self._bind_target(scope, target.value, ("unknown",))

    @staticmethod
    def _bind(scope: _Scope, name: str, source: tuple) -> None:
        scope.bindings.setdefault(name, []).append(source)

    def function_scope(self, func: ast.AST, owner: Optional[str] = None) -> _Scope:
        """The scope of a module-level function or method (nested functions folded in)."""
        key = id(func)
        if key in self._function_scopes:
            return self._function_scopes[key]
        scope = _Scope("function", parent=self.module)
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

    def body_nodes(self, func: ast.AST) -> list[ast.AST]:
        """Every node of a function's body, statement by statement (see ``statement_nodes``)."""
        return [node for stmt in func.body for node in self.statement_nodes(stmt)]  # type: ignore[attr-defined]

    # ----- evaluation -------------------------------------------------------------------
    def lookup(self, name: str, scope: _Scope) -> frozenset:
        if scope.kind == "function" and name in scope.globals_declared:
            scope = self.module
        while scope is not None:
            if name in scope.bindings:
                key = (id(scope), name)
                if key in self._eval_stack:
                    return _NO_VALUES
                self._eval_stack.add(key)
                try:
                    values: set = set()
                    for source in scope.bindings[name]:
                        values |= self._eval_source(source, scope)
                    return frozenset(values)
                finally:
                    self._eval_stack.discard(key)
            scope = scope.parent  # type: ignore[assignment]
        return _NO_VALUES

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
        return _NO_VALUES

    @staticmethod
    def element_values(values: frozenset) -> frozenset:
        out: set = set()
        for value in values:
            if value[0] == "list":
                out |= value[1]
        return frozenset(out)

    def eval(self, node: ast.AST, scope: _Scope) -> frozenset:
        if isinstance(node, ast.Name):
            return self.lookup(node.id, scope)
        if isinstance(node, ast.Attribute):
            return self._eval_attribute(node, scope)
        if isinstance(node, ast.Call):
            return self._eval_call(node, scope)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            inner: set = set()
            for elt in node.elts:
                inner |= self.eval(elt.value if isinstance(elt, ast.Starred) else elt, scope)
            return frozenset([("list", frozenset(inner))])
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return frozenset([("list", self.eval(node.elt, scope))])
        if isinstance(node, ast.Subscript):
            return self.element_values(self.eval(node.value, scope))
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
                out.add(("method", base[1], node.attr))
        return frozenset(out)

    def _eval_call(self, node: ast.Call, scope: _Scope) -> frozenset:
        out: set = set()
        for func in self.eval(node.func, scope):
            tag = func[0]
            if tag == "name":
                target = self.catalogue.get(func[1])
                if target is None:
                    # A known outside object (threading.Thread(...), a helper's class): not a
                    # process, and not "unknown" either, so the .start() fallback stays quiet.
                    out.add(("opaque", func[1]))
                    if self.resolver is not None and self.resolver.is_process_class(func[1]):
                        out.add(("process", func[1].rsplit(".", 1)[-1]))
                    continue
                if target.kind is Kind.CONTEXT:
                    method = _literal_arg(node, 0, "method")
                    if method not in NON_REIMPORTING_METHODS:
                        out.add(("context", target.context_module))
                elif target.kind is Kind.STARTS_ON_START:
                    out.add(("process", target.label))
                elif target.kind is Kind.STARTS_ON_ITER:
                    out.add(("loader", _has_workers(node)))
                elif target.kind is Kind.STARTS_ON_CALL:
                    out.add(("pool", target.qualname))
            elif tag == "class":
                out.add(("instance", func[1]))
                if self.is_process_class(func[1]):
                    out.add(("process", func[1]))
        return frozenset(out)

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
                        elif target is None and self.resolver is not None and self.resolver.is_process_class(value[1]):
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
        via: Optional[Event] = None
        setup: Optional[Event] = None
        values = self.eval(call.func, scope)
        for value in values:
            tag = value[0]
            if tag == "name":
                target = self.catalogue.get(value[1])
                if target is None:
                    if self.resolver is not None and via is None:
                        external = self.resolver.chain_for(value[1])
                        if external is not None:
                            via = Event("via", line, col, label, ("ext", value[1], external))
                    continue
                if target.kind is Kind.STARTS_ON_CALL and self._condition_holds(target, call):
                    return Event("direct", line, col, label)
                if target.kind is Kind.SETUP:
                    setup = Event("setup", line, col, label)
            elif tag == "start":
                return Event("direct", line, col, label)
            elif tag == "func" and value[1] in self.functions:
                via = via or Event("via", line, col, label, ("func", value[1]))
            elif tag == "class" and value[1] in self.classes:
                via = via or Event("via", line, col, label, ("init", value[1]))
            elif tag == "method":
                via = via or Event("via", line, col, label, ("method", value[1], value[2]))
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
            and _literal_kw(call, "scheduler") == "processes"
            and self._imports_root("dask")
        ):
            return Event("direct", line, col, label)
        if via is not None and self.chain(via.callee) is not None:
            return via
        return setup

    def _condition_holds(self, target: Target, call: ast.Call) -> bool:
        condition = target.condition
        if condition is Condition.ALWAYS:
            return True
        if condition is Condition.MP_BACKEND:
            return _literal_kw(call, "backend") == "multiprocessing" or id(call) in self.backend_calls()
        if condition is Condition.DASK_PROCESSES:
            if _literal_kw(call, "processes") is False:
                return False
            if target.label == "Client" and (call.args or any(k.arg == "address" for k in call.keywords)):
                return False  # connects to an existing scheduler: starts nothing here
            return True
        if condition is Condition.SCHEDULER_PROCESSES:
            return _literal_kw(call, "scheduler") == "processes"
        return True

    def backend_calls(self) -> set:
        """ids of calls inside `with parallel_backend("multiprocessing"):` blocks."""
        if self._backend_calls is None:
            self._backend_calls = set()
            for node in walk(self.tree):
                if not isinstance(node, (ast.With, ast.AsyncWith)):
                    continue
                for item in node.items:
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
            iterated: Optional[ast.expr] = None
            if isinstance(node, (ast.For, ast.AsyncFor)):
                iterated = node.iter
            elif isinstance(node, ast.comprehension):
                iterated = node.iter
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("iter", "next", "list", "tuple", "enumerate", "zip", "sorted")
                and node.args
            ):
                iterated = node.args[0]
            if iterated is None:
                continue
            if any(v[0] == "loader" and v[1] for v in self.eval(iterated, scope)):
                label = f"iterating {_unparse(iterated)}"
                events.append(
                    self.with_end(
                        Event("direct", iterated.lineno, self.char_col(iterated.lineno, iterated.col_offset), label),
                        iterated,
                    )
                )
        return events

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
        if callee[0] == "ext":
            external: ExternalChain = callee[2]
            result = external.steps
            return result
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
        for func in funcs:
            method_owner = self.owner_of(func) if owner is not None else None
            scope = self.function_scope(func, method_owner)
            nodes = self.body_nodes(func)
            events = [self.classify_call(call, scope, nodes) for call in _calls_in(nodes)]
            events += self.iteration_events(nodes, scope)
            events = sorted((e for e in events if e is not None), key=lambda e: (e.line, e.col))
            for event in events:
                if event.kind == "setup":
                    continue
                if event.kind == "direct":
                    result = (ChainStep(event.label, event.line, self.path),)
                else:
                    sub = self.chain(event.callee)  # type: ignore[arg-type]
                    if sub is None:
                        continue
                    result = (self.step_for(event),) + sub
                break
            if result is not None:
                break
        return result

    def step_for(self, event: Event) -> ChainStep:
        """The chain step of a "via" event, with where its callee is defined."""
        callee = event.callee or ()
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


def _literal_kw(call: ast.Call, keyword: str) -> object:
    for kw in call.keywords:
        if kw.arg == keyword and isinstance(kw.value, ast.Constant):
            return kw.value.value
    return None


def _has_workers(call: ast.Call) -> bool:
    """DataLoader(num_workers=...): 0 or absent means no worker processes; anything else
    (a positive literal, or a value only known at run time) may start them."""
    for kw in call.keywords:
        if kw.arg == "num_workers":
            return not (isinstance(kw.value, ast.Constant) and kw.value.value == 0)
    return False


def _unparse(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # pragma: no cover - unparse handles every expression node
        return "<expression>"
    return text if len(text) <= 60 else text[:57] + "..."


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
