"""Warnings (GF1xx) about what a guard alone does not fix: worker functions that will see
different globals, unpicklable targets, unjoined processes, and the fork escape hatch.

Pure: reads the module's syntax tree and the analysis; never decides a rewrite.
"""

from __future__ import annotations

import ast
from typing import Iterable, Optional

from fixer.analyze import ModuleAnalysis, is_main_guard_test
from fixer.model import Code, Finding
from fixer.names import MUTATING_METHODS, binds, call_time_reads, child_nodes, mutated_root, walk
from fixer.targets import SYNC_PRIMITIVES, Kind

_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)

#: Pool and executor methods whose first argument runs in a worker process.
POOL_METHODS = frozenset(
    {"map", "imap", "imap_unordered", "starmap", "starmap_async", "map_async", "apply", "apply_async", "submit"}
)

#: Manager methods that create shared-object proxies.
MANAGER_METHODS = frozenset(
    {"dict", "list", "Namespace", "Value", "Array", "Queue", "JoinableQueue", "Lock", "RLock",
     "Semaphore", "BoundedSemaphore", "Condition", "Event", "Barrier"}
)


def find_hazards(tree: ast.Module, analysis: ModuleAnalysis, work: Iterable[ast.stmt] = ()) -> list[Finding]:
    """Warnings for one module.  ``work`` are the statements that run only in the main process
    after the fix (moved statements, or the bodies of existing guards)."""
    analyzer = analysis.analyzer
    if analyzer is None:
        return []
    finder = _HazardFinder(tree, analysis, analyzer, list(work))
    return finder.run()


def child_functions(tree: ast.Module, analysis: ModuleAnalysis) -> dict[str, str]:
    """Module-level functions that may run in a child process -> how they get there.

    A function runs in a child when it is a process target, mapped or submitted to a pool or
    executor, a pool initializer, or called (by name, transitively) by one of those; a
    function passed around as a value (``partial(work, 2)``, ``run_all(work)``) may end up
    there too, so it counts.  Every other function only runs in the parent: a Flask route, a
    callback, a helper the script's work calls.  Pure."""
    analyzer = analysis.analyzer
    if analyzer is None:
        return {name: f"function {name}()" for name in analysis.functions}
    finder = _HazardFinder(tree, analysis, analyzer, [])
    roots = finder.find_workers()
    called = {id(node.func) for node in walk(tree) if isinstance(node, ast.Call)}
    for node in walk(tree):
        if (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Load)
            and node.id in analysis.functions
            and id(node) not in called
        ):
            roots.add(node.id)
    return finder.worker_closure(roots)


def initializer_globals(tree: ast.Module, analysis: ModuleAnalysis) -> set[str]:
    """Globals that a pool initializer sets in every child (``def init(c): global counter;
    counter = c`` passed as ``initializer=init``): workers do not need their module-level
    value.  Pure."""
    analyzer = analysis.analyzer
    if analyzer is None:
        return set()
    finder = _HazardFinder(tree, analysis, analyzer, [])
    finder.find_workers()
    return finder.set_by_initializers()


def unjoined_with_shared(tree: ast.Module, analysis: ModuleAnalysis, moved: Iterable[ast.stmt]) -> str:
    """Why processes the moved code starts may outlive what they were given ("" if not).

    Processes started at module level and never joined, while the moved code creates a
    queue, lock, shared value or manager: under fork the children already hold it; under
    spawn they unpickle it after starting, and the parent's exit handler tears it down (it
    unlinks semaphores and stops managers before it joins children).  Keeping it a module
    global does not prevent that; only a join does.  Pure."""
    analyzer = analysis.analyzer
    if analyzer is None:
        return ""
    finder = _HazardFinder(tree, analysis, analyzer, [])
    scope, nodes, _func = finder.regions()[0]
    starts = []
    for node in nodes:
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "join" and _may_join_process(node, analyzer, scope):
                return ""
            if node.func.attr == "start" and any(v[0] == "start" for v in analyzer.eval(node.func, scope)):  # type: ignore[attr-defined]
                starts.append(node)
    moved = list(moved)
    moved_ids = {id(n) for stmt in moved for n in walk(stmt)}
    starts = [n for n in starts if id(n) in moved_ids]
    if not starts:
        return ""
    handed: set[str] = set()  # names passed to a process: args=, kwargs=, initargs=, or with target=
    for stmt in moved:
        for node in walk(stmt):
            if isinstance(node, ast.Call) and any(kw.arg == "target" for kw in node.keywords):
                parts: list[ast.AST] = [*node.args, *(kw.value for kw in node.keywords)]
            elif isinstance(node, ast.Call):
                parts = [kw.value for kw in node.keywords if kw.arg in ("args", "kwargs", "initargs")]
            else:
                continue
            handed |= {n.id for part in parts for n in walk(part) if isinstance(n, ast.Name)}
    for stmt in moved:
        for node in walk(stmt):
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id in handed
            ):
                kind = finder.primitive_kind(node.value)
                if not kind and isinstance(node.value, ast.Call):
                    made = analyzer._eval_call(node.value, scope)  # type: ignore[attr-defined]
                    kind = "manager" if any(v[0] == "pool" and v[1].endswith("Manager") for v in made) else ""
                if kind:
                    return (
                        f"processes started at line {starts[0].lineno} are never joined and the work creates "
                        f"{node.targets[0].id!r} ({kind}, line {node.lineno}): under spawn the parent's exit "
                        "tears it down before the children have unpickled it (it did not under fork); call .join()"
                    )
    return ""


class _HazardFinder:
    def __init__(self, tree: ast.Module, analysis: ModuleAnalysis, analyzer: object, work: list) -> None:
        self.tree = tree
        self.analysis = analysis
        self.a = analyzer
        self.work = work + [s for stmt in tree.body if _is_guard(stmt) for s in stmt.body]  # type: ignore[attr-defined]
        self.findings: list[Finding] = []
        self._regions: Optional[list] = None
        self.initializers: set[str] = set()  # module-level functions passed as initializer=

    def run(self) -> list[Finding]:
        workers = self.find_workers()
        closure = self.worker_closure(workers)
        self.check_shared_primitives(closure)
        self.check_changed_globals(closure)
        self.check_unjoined()
        self.check_fork_method()
        self.findings.sort(key=lambda f: (f.line, f.col, f.code.value))
        return self.findings

    # ----- scopes and regions -----------------------------------------------------------
    def regions(self) -> list[tuple[object, list[ast.AST], Optional[ast.AST]]]:
        """(scope, nodes, function) for module level (guards included) and each function that
        holds a call worth a look.  Scopes are built only for those: building one is the
        expensive part of the analysis."""
        if self._regions is not None:
            return self._regions
        out = []
        module_nodes: list[ast.AST] = []
        for stmt in self.tree.body:
            module_nodes.extend(_walk_outside_functions(stmt))
        out.append((self.a.module, module_nodes, None))  # type: ignore[attr-defined]
        lines = self.a.lines  # type: ignore[attr-defined]
        for func, owner in self.all_functions():
            if not _may_be_interesting(lines, func):
                continue  # its text names nothing _interesting looks for: no need to walk it
            nodes = self.a.body_nodes(func)  # type: ignore[attr-defined]
            if not any(_interesting(n) for n in nodes):
                continue
            scope = self.a.function_scope(func, owner)  # type: ignore[attr-defined]
            out.append((scope, nodes, func))
        self._regions = out
        return out

    def all_functions(self) -> list[tuple[ast.AST, Optional[str]]]:
        found = [(f, None) for f in self.analysis.functions.values()]
        for name, cls in self.analysis.classes.items():
            found += [(stmt, name) for stmt in cls.body if isinstance(stmt, _FUNCS)]
        return found

    # ----- workers ----------------------------------------------------------------------
    def find_workers(self) -> set[str]:
        workers: set[str] = set()
        for scope, nodes, func in self.regions():
            nested = {n.name for n in nodes if isinstance(n, _FUNCS)} if func is not None else set()
            for node in nodes:
                if not (isinstance(node, ast.Call) and _interesting(node)):
                    continue
                for kw in node.keywords:
                    if kw.arg == "initializer" and isinstance(kw.value, ast.Name) and kw.value.id in self.analysis.functions:
                        self.initializers.add(kw.value.id)
                for expr in self.worker_arguments(node, scope):
                    if isinstance(expr, ast.Lambda):
                        self.warn(
                            Code.GF103, expr,
                            "a lambda is used as a process target or mapped over a pool: spawn children "
                            "cannot unpickle it; use a module-level function",
                        )
                    elif isinstance(expr, ast.Name):
                        if expr.id in nested:
                            self.warn(
                                Code.GF103, expr,
                                f"{expr.id}() is defined inside a function and used as a process target or "
                                "mapped over a pool: spawn children cannot unpickle it; move it to module level",
                            )
                        elif expr.id in self.analysis.functions:
                            workers.add(expr.id)
        return workers

    def worker_arguments(self, call: ast.Call, scope: object) -> list[ast.expr]:
        func_values = self.a.eval(call.func, scope)  # type: ignore[attr-defined]
        out: list[ast.expr] = []
        made = self.a._eval_call(call, scope)  # type: ignore[attr-defined]
        makes_process = any(v[0] == "process" for v in made)
        makes_pool = any(v[0] == "pool" for v in made)
        for kw in call.keywords:
            if kw.arg == "target" and makes_process:
                out.append(kw.value)
            elif kw.arg == "initializer" and makes_pool:
                out.append(kw.value)
        if isinstance(call.func, ast.Attribute) and call.func.attr in POOL_METHODS and call.args:
            receiver = self.a.eval(call.func.value, scope)  # type: ignore[attr-defined]
            if any(v[0] == "pool" for v in receiver):
                out.append(call.args[0])
        for value in func_values:
            if value[0] == "name" and value[1].endswith("process_map") and call.args:
                out.append(call.args[0])
        return out

    def worker_closure(self, workers: set[str]) -> dict[str, str]:
        """Module-level functions that run in workers -> the worker that reaches them."""
        reached = {w: w for w in workers}
        todo = list(workers)
        while todo:
            name = todo.pop()
            func = self.analysis.functions[name]
            for node in walk(func):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                    callee = node.func.id
                    if callee in self.analysis.functions and callee not in reached:
                        reached[callee] = reached[name]
                        todo.append(callee)
        return reached

    # ----- GF101 ------------------------------------------------------------------------
    def check_shared_primitives(self, closure: dict[str, str]) -> None:
        if not closure:
            return
        primitives: dict[str, tuple[ast.stmt, str]] = {}
        for stmt in self.tree.body:
            if _is_guard(stmt) or isinstance(stmt, _FUNCS + (ast.ClassDef,)):
                continue
            for node in walk(stmt):
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    kind = self.primitive_kind(node.value)
                    if kind:
                        primitives[node.targets[0].id] = (node, kind)
        for func_name in sorted(closure):
            reads = call_time_reads(self.analysis.functions[func_name]) - self.set_by_initializers()
            for name in sorted(reads & set(primitives)):
                node, kind = primitives[name]
                self.warn(
                    Code.GF101, node,
                    f"worker {func_name}() reads {name!r}, a module-level {kind}: under spawn each child "
                    "creates its own copy; pass it through args= or a pool initializer",
                )

    def primitive_kind(self, value: ast.expr) -> str:
        if not isinstance(value, ast.Call):
            return ""
        scope = self.a.module  # type: ignore[attr-defined]
        for v in self.a.eval(value.func, scope):  # type: ignore[attr-defined]
            if v[0] == "name":
                module, _, attr = v[1].rpartition(".")
                if attr in SYNC_PRIMITIVES and module.split(".")[0] in ("multiprocessing", "multiprocess", "billiard", "torch"):
                    return attr
        if isinstance(value.func, ast.Attribute) and value.func.attr in MANAGER_METHODS:
            receiver = self.a.eval(value.func.value, scope)  # type: ignore[attr-defined]
            if any(v[0] == "pool" and v[1].endswith("Manager") for v in receiver):
                return f"manager proxy ({value.func.attr})"
        return ""

    # ----- GF102 ------------------------------------------------------------------------
    def check_changed_globals(self, closure: dict[str, str]) -> None:
        if not closure or not self.work:
            return
        work_ids = {id(s) for s in self.work}
        module_names: set[str] = set()
        imported: set[str] = set()
        for stmt in self.tree.body:
            if id(stmt) not in work_ids and not _is_guard(stmt):
                module_names |= binds(stmt)
                if isinstance(stmt, ast.Import):
                    imported |= binds(stmt)
        # A module's function is no method of a value: np.sort(x) changes nothing in np.
        # (``from config import SETTINGS`` may bind a list, whose .sort() does change it; a
        # name the script both imports and rebinds elsewhere is still checked.)
        assigned_elsewhere = {
            name for stmt in self.tree.body if not isinstance(stmt, ast.Import)
            for name in binds(stmt)
        }
        modules = imported - assigned_elsewhere
        readers: dict[str, str] = {}
        for func_name in sorted(closure):
            for name in call_time_reads(self.analysis.functions[func_name]):
                readers.setdefault(name, func_name)
        # The pool-initializer idiom (def init(c): global counter; counter = c) sets the name
        # in every child before any task runs: the children do not depend on its
        # module-level value, so a change in the parent is no hazard.
        set_by_initializer = self.set_by_initializers()
        # A change after the last statement that can start or feed a worker reaches no child.
        feeding = [i for i, stmt in enumerate(self.work) if any(_interesting(n) for n in walk(stmt))]
        last_feeding = max(feeding, default=-1)
        reported: set[str] = set()
        for index, stmt in enumerate(self.work):
            if index > last_feeding:
                break
            for name, node in _changes(stmt):
                if name in set_by_initializer or (name in modules and not _rebinds(node, name)):
                    continue
                if name in readers and name in module_names and name not in reported:
                    reported.add(name)
                    self.warn(
                        Code.GF102, node,
                        f"worker {readers[name]}() reads {name!r}, which the script's work changes here: spawn "
                        "children only see its module-level value; pass it to the worker as an argument",
                    )

    def set_by_initializers(self) -> set[str]:
        """Globals that a pool initializer sets in every child (call after find_workers)."""
        names: set[str] = set()
        for name in self.initializers:
            names |= _globals_assigned(self.analysis.functions[name])
        return names

    # ----- GF104 ------------------------------------------------------------------------
    def check_unjoined(self) -> None:
        for scope, nodes, _func in self.regions():
            starts = []
            joined = False
            for node in nodes:
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                    if node.func.attr == "join" and _may_join_process(node, self.a, scope):
                        joined = True
                    elif (
                        node.func.attr == "start"
                        # self.process.start(): the process outlives this function (it is
                        # joined in another method), so "never joined here" says nothing
                        and not isinstance(node.func.value, ast.Attribute)
                        and not _kept_elsewhere(node.func.value, nodes)
                        and any(v[0] == "start" for v in self.a.eval(node.func, scope))  # type: ignore[attr-defined]
                    ):
                        starts.append(node)
            if starts and not joined:
                first = min(starts, key=lambda n: (n.lineno, n.col_offset))
                self.warn(
                    Code.GF104, first,
                    "processes started here are never joined: under spawn the parent may exit (and tear "
                    "down queues and managers) before the children finish; call .join()",
                )

    # ----- GF105 ------------------------------------------------------------------------
    def check_fork_method(self) -> None:
        for node in self.all_calls():
            if not isinstance(node, ast.Call) or not node.args:
                continue
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and first.value == "fork"):
                continue
            for value in self.a.eval(node.func, self.a.module):  # type: ignore[attr-defined]
                target = self.a.catalogue.get(value[1]) if value[0] == "name" else None  # type: ignore[attr-defined]
                if target is not None and target.kind is Kind.SETUP and target.label == "set_start_method":
                    self.warn(
                        Code.GF105, node,
                        "set_start_method('fork') only hides the problem: fork does not exist on Windows and "
                        "is unsafe on macOS; guard the entry point instead",
                    )
                    break

    def all_calls(self) -> list[ast.Call]:
        return [n for _scope, nodes, _func in self.regions() for n in nodes if isinstance(n, ast.Call)]

    def warn(self, code: Code, node: ast.AST, message: str) -> None:
        line = getattr(node, "lineno", 1)
        col = self.a.char_col(line, getattr(node, "col_offset", 0)) + 1  # type: ignore[attr-defined]
        end_line = getattr(node, "end_lineno", None) or 0
        end_col = self.a.char_col(end_line, node.end_col_offset) + 1 if end_line else 0  # type: ignore[attr-defined]
        finding = Finding(code, line, col, message, end_line=end_line, end_col=end_col)
        if finding not in self.findings:
            self.findings.append(finding)




def _rebinds(node: ast.AST, name: str) -> bool:
    """Whether the change is a rebinding or deletion of ``name`` itself (not a call of one of
    its attributes, nor an assignment to one)."""
    return isinstance(node, ast.Name) and node.id == name


def _changes(stmt: ast.stmt) -> list[tuple[str, ast.AST]]:
    """(module name, node) for each place the statement rebinds a name or changes its object
    in place (item or attribute assignment, ``del``, ``+=``, a mutating method call)."""
    out: list[tuple[str, ast.AST]] = []
    for node in walk(stmt):
        if isinstance(node, _FUNCS + (ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            out.append((node.id, node))
            continue
        name = mutated_root(node, MUTATING_METHODS)
        if name is not None:
            out.append((name, node))
    out.sort(key=lambda item: (getattr(item[1], "lineno", 0), getattr(item[1], "col_offset", 0)))
    return out


def _globals_assigned(func: ast.AST) -> set[str]:
    """Names a function declares ``global`` and assigns (``global counter; counter = c``)."""
    declared: set[str] = set()
    for node in walk(func):
        if isinstance(node, ast.Global):
            declared.update(node.names)
    return declared & {n.id for n in walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def _kept_elsewhere(receiver: ast.expr, nodes: list) -> bool:
    """Whether the process started on the name ``receiver`` is handed out of this region:
    stored on an attribute or in an item (``self._processes[p.pid] = p``), appended to an
    attribute's container, or returned.  Another method joins it, as with ``self.p.start()``."""
    if not isinstance(receiver, ast.Name):
        return False
    name = receiver.id

    def is_it(value: object) -> bool:
        return isinstance(value, ast.Name) and value.id == name

    for node in nodes:
        if isinstance(node, ast.Assign) and is_it(node.value):
            if any(isinstance(t, (ast.Attribute, ast.Subscript)) for t in node.targets):
                return True
        elif isinstance(node, (ast.Return, ast.Yield)) and is_it(node.value):
            return True
        elif (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "add", "insert", "put", "extend")
            and isinstance(node.func.value, (ast.Attribute, ast.Subscript))
            and any(is_it(arg) for arg in node.args)
        ):
            return True
    return False


def _may_join_process(call: ast.Call, analyzer: object, scope: object) -> bool:
    """``p.join()`` may join a process; ``", ".join(parts)`` and ``os.path.join(...)`` do not."""
    receiver = call.func.value  # type: ignore[attr-defined]
    if isinstance(receiver, (ast.Constant, ast.JoinedStr)):
        return False
    values = analyzer.eval(receiver, scope)  # type: ignore[attr-defined]
    return not any(v[0] == "name" for v in values)


_INTERESTING_METHODS = POOL_METHODS | {"start", "join", "set_start_method"}
#: Every call _interesting accepts spells one of these words in its source text.
_INTERESTING_WORDS = tuple(sorted(_INTERESTING_METHODS | {"process_map", "target", "initializer"}))


def _may_be_interesting(lines: list, func: ast.AST) -> bool:
    start, end = func.lineno - 1, getattr(func, "end_lineno", None) or len(lines)  # type: ignore[attr-defined]
    text = "".join(lines[start:end])
    return any(word in text for word in _INTERESTING_WORDS)


def _interesting(node: ast.AST) -> bool:
    """Calls that may name a worker, start or join a process, or set the start method."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    if isinstance(func, ast.Attribute) and func.attr in _INTERESTING_METHODS:
        if func.attr == "join" and (
            isinstance(func.value, (ast.Constant, ast.JoinedStr))  # ", ".join(parts)
            or (isinstance(func.value, ast.Attribute) and func.value.attr == "path")  # os.path.join
        ):
            return False
        return True
    if isinstance(func, ast.Name) and func.id in ("process_map", "set_start_method"):
        return True
    return any(kw.arg in ("target", "initializer") for kw in node.keywords)


def _is_guard(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.If) and is_main_guard_test(stmt.test)


def _walk_outside_functions(stmt: ast.AST) -> list[ast.AST]:
    out = []
    stack = [stmt]
    while stack:
        node = stack.pop()
        out.append(node)
        if isinstance(node, _FUNCS + (ast.Lambda, ast.ClassDef)) and node is not stmt:
            continue
        if isinstance(node, _FUNCS + (ast.Lambda,)):
            continue
        stack.extend(child_nodes(node))
    return out
