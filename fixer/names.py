"""Which module-level names a statement binds and reads, at run time and at call time.

Pure functions over ``ast`` nodes.  The planner uses them to keep every global a worker
needs at module level and to declare ``global`` for names ``main()`` rebinds.
"""

from __future__ import annotations

import ast
from collections import deque
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Optional

_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_MATCH = getattr(ast, "Match", None)

#: Fields that never hold a node worth visiting: expression contexts (Load, Store) and
#: operators (+, ==, and, not) are leaves with nothing inside, about a third of a tree's
#: nodes; the others hold plain strings, numbers and flags.
_LEAF_FIELDS = frozenset(
    {"ctx", "op", "ops", "id", "attr", "arg", "asname", "module", "level", "kind", "conversion",
     "is_async", "simple", "type_comment"}
)
_CHILD_FIELDS: dict = {ast.Constant: ()}  # node class -> the fields that may hold other nodes


def _fields_of(kind: type) -> tuple:
    fields = _CHILD_FIELDS[kind] = tuple(f for f in kind._fields if f not in _LEAF_FIELDS)
    return fields


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """``ast.iter_child_nodes(node)`` as a list, minus contexts and operators.

    The analysis never looks at those leaves, and skipping them makes every walk shorter.
    """
    fields = _CHILD_FIELDS.get(type(node))
    if fields is None:
        fields = _fields_of(type(node))
    children: list[ast.AST] = []
    for name in fields:
        value = getattr(node, name, None)
        if isinstance(value, ast.AST):
            children.append(value)
        elif isinstance(value, list):
            children.extend([item for item in value if isinstance(item, ast.AST)])
    return children


def walk(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk(node)`` minus contexts and operators: every other node, in the same
    (breadth-first) order.  (``child_nodes`` written inline: the analysis walks trees
    more than it does anything else, and a call per node was a third of the walk.)"""
    todo = deque([node])
    take, put, put_all = todo.popleft, todo.append, todo.extend
    fields_of, node_type = _CHILD_FIELDS.get, ast.AST
    while todo:
        current = take()
        fields = fields_of(type(current))
        if fields is None:
            fields = _fields_of(type(current))
        for name in fields:
            value = getattr(current, name, None)
            if value is None:
                continue
            if type(value) is list:
                put_all([item for item in value if isinstance(item, node_type)])
            elif isinstance(value, node_type):
                put(value)
        yield current


def target_names(target: ast.AST) -> set[str]:
    """Names bound by an assignment target (``a``, ``a, *b``, ``[a, (b, c)]``)."""
    names: set[str] = set()
    if isinstance(target, ast.Name):
        names.add(target.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for elt in target.elts:
            names |= target_names(elt)
    elif isinstance(target, ast.Starred):
        names |= target_names(target.value)
    return names


def import_names(node: ast.Import | ast.ImportFrom) -> set[str]:
    """Names an import statement binds (``*`` for a star import)."""
    names: set[str] = set()
    for alias in node.names:
        if alias.name == "*":
            names.add("*")
        elif alias.asname:
            names.add(alias.asname)
        else:
            names.add(alias.name.split(".", 1)[0])
    return names


def iter_runtime_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node evaluated when ``node`` runs in its own scope.

    Function and lambda bodies are not run (their decorators, defaults and annotations
    are); class bodies are; comprehensions are, but their loop variables stay theirs.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, _FUNCS):
            stack.extend(reversed(current.decorator_list))
            stack.extend(_arg_defaults_and_annotations(current.args))
            if current.returns is not None:
                stack.append(current.returns)
            continue
        if isinstance(current, ast.Lambda):
            stack.extend(_arg_defaults_and_annotations(current.args))
            continue
        stack.extend(reversed(child_nodes(current)))


def _arg_defaults_and_annotations(args: ast.arguments) -> list[ast.AST]:
    nodes: list[ast.AST] = [d for d in args.defaults]
    nodes += [d for d in args.kw_defaults if d is not None]
    for arg in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
        if arg is not None and arg.annotation is not None:
            nodes.append(arg.annotation)
    return nodes


def _binds(stmt: ast.stmt) -> set[str]:
    """Names the statement binds in the scope it runs in (not in nested functions/classes)."""
    names: set[str] = set()
    for node in _iter_scope_nodes(stmt):
        if isinstance(node, (ast.Assign,)):
            for target in node.targets:
                names |= target_names(target)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            names |= target_names(node.target)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            names |= target_names(node.target)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            names |= target_names(node.optional_vars)
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                names |= target_names(target)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= import_names(node) - {"*"}
        elif isinstance(node, _FUNCS + (ast.ClassDef,)):
            names.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.NamedExpr):
            names |= target_names(node.target)
        elif _MATCH is not None and type(node).__name__ in ("MatchAs", "MatchStar"):
            if getattr(node, "name", None):
                names.add(node.name)
        elif _MATCH is not None and type(node).__name__ == "MatchMapping":
            if getattr(node, "rest", None):
                names.add(node.rest)
        elif type(node).__name__ == "TypeAlias":
            names |= target_names(node.name)  # type: ignore[attr-defined]
    return names


def _iter_scope_nodes(stmt: ast.AST) -> Iterator[ast.AST]:
    """Nodes that belong to the scope ``stmt`` runs in: not inside nested function or class
    bodies, lambdas or comprehensions (except walrus targets, which leak out of comprehensions)."""
    stack = [stmt]
    while stack:
        current = stack.pop()
        yield current
        if current is not stmt and isinstance(current, _FUNCS + (ast.ClassDef, ast.Lambda)):
            if isinstance(current, _FUNCS + (ast.ClassDef,)):
                stack.extend(current.decorator_list)
            if isinstance(current, ast.ClassDef):
                stack.extend(current.bases)
                stack.extend(k.value for k in current.keywords)
            if isinstance(current, _FUNCS + (ast.Lambda,)):
                stack.extend(_arg_defaults_and_annotations(current.args))
            continue
        if isinstance(current, _COMPREHENSIONS):
            stack.extend(n for n in walk(current) if isinstance(n, ast.NamedExpr))
            stack.extend(gen.iter for gen in current.generators[:1])
            continue
        if isinstance(current, _FUNCS + (ast.ClassDef,)) and current is stmt:
            stack.extend(current.decorator_list)
            if isinstance(current, ast.ClassDef):
                stack.extend(current.bases)
                stack.extend(k.value for k in current.keywords)
            else:
                stack.extend(_arg_defaults_and_annotations(current.args))
            continue
        stack.extend(child_nodes(current))


def _runtime_reads(stmt: ast.stmt) -> set[str]:
    """Names loaded when ``stmt`` runs at module level (class bodies and decorators included,
    function bodies excluded)."""
    return {
        node.id
        for node in iter_runtime_nodes(stmt)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
    }


def _call_time_reads(stmt: ast.stmt) -> set[str]:
    """Global names the functions and methods defined by ``stmt`` read when they are called.

    Over-approximates on purpose: a name loaded anywhere in a function body that the function
    does not bind itself counts as a global read (keeping a global that was not needed costs
    nothing; moving one that was breaks every spawn child).
    """
    reads: set[str] = set()
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, _FUNCS + (ast.Lambda,)):
            # Nested functions are folded into their outermost function, so a closure's use
            # of an enclosing function's local is not mistaken for a global read.
            reads |= _function_free_names(node)
            continue
        stack.extend(child_nodes(node))
    return reads


def _function_free_names(func: ast.AST) -> set[str]:
    loads: set[str] = set()
    bound: set[str] = set()
    declared_global: set[str] = set()
    args = func.args  # type: ignore[attr-defined]
    for arg in args.posonlyargs + args.args + args.kwonlyargs + [args.vararg, args.kwarg]:
        if arg is not None:
            bound.add(arg.arg)
    body = func.body if isinstance(func.body, list) else [func.body]  # type: ignore[attr-defined]
    for stmt in body:
        for node in walk(stmt):
            if isinstance(node, ast.Name):
                if isinstance(node.ctx, ast.Load):
                    loads.add(node.id)
                else:
                    bound.add(node.id)
            elif isinstance(node, ast.Global):
                declared_global.update(node.names)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                bound |= import_names(node) - {"*"}
            elif isinstance(node, _FUNCS + (ast.ClassDef,)):
                bound.add(node.name)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                bound.add(node.name)
            elif isinstance(node, ast.arg):
                bound.add(node.arg)
    return loads - (bound - declared_global)


def calls_named(stmt: ast.stmt, names: frozenset[str]) -> list[ast.Call]:
    """Calls of the bare names ``names`` that run when ``stmt`` runs in its scope."""
    return [
        node
        for node in iter_runtime_nodes(stmt)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in names
    ]


#: Methods that change a list, dict or set in place.
MUTATING_METHODS = frozenset(
    {"append", "extend", "insert", "update", "setdefault", "pop", "popitem", "clear", "remove",
     "add", "discard", "sort", "reverse", "appendleft", "extendleft", "__setitem__"}
)


def mutated_root(node: ast.AST, methods: frozenset[str] | None = None) -> str | None:
    """The name whose object ``node`` changes in place: ``x`` in ``x[k] = v``, ``x.a = v``,
    ``del x[k]`` and ``x.append(v)`` (any method, or only those in ``methods``)."""
    target = None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and (
        methods is None or node.func.attr in methods
    ):
        target = node.func.value
    elif isinstance(node, (ast.Attribute, ast.Subscript)) and isinstance(node.ctx, (ast.Store, ast.Del)):
        target = node.value
    while isinstance(target, (ast.Attribute, ast.Subscript)):
        target = target.value
    return target.id if isinstance(target, ast.Name) else None


# ----- answers remembered for one file ---------------------------------------------------------
# Planning, the hazard checks and verification ask the same questions about the same
# statements (every kept statement looks at every statement before it).  Inside
# ``remembering()`` the answers are kept, keyed by node identity; each entry holds its node,
# so an identity is never reused by another node while the memo lives.  The answers are
# frozensets: no caller can change what the next one is told.
_MEMO: Optional[dict] = None


@contextmanager
def remembering() -> Iterator[None]:
    """Remember ``binds`` / ``runtime_reads`` / ``call_time_reads`` (and ``remembered``)
    answers until the block ends (nested blocks share the outer memo)."""
    global _MEMO
    outer = _MEMO
    if outer is None:
        _MEMO = {}
    try:
        yield
    finally:
        _MEMO = outer


def remembered(kind: str, compute: Callable[[Any], Any], node: Any) -> Any:
    """``compute(node)``, once per node inside ``remembering()``."""
    memo = _MEMO
    if memo is None:
        return compute(node)
    key = (kind, id(node))
    hit = memo.get(key)
    if hit is not None and hit[0] is node:
        return hit[1]
    value = compute(node)
    memo[key] = (node, value)
    return value


def binds(stmt: ast.AST) -> frozenset:
    """Names the statement binds in the scope it runs in (not in nested functions/classes)."""
    return remembered("binds", _frozen_binds, stmt)


def runtime_reads(stmt: ast.AST) -> frozenset:
    """Names loaded when ``stmt`` runs at module level (class bodies and decorators included,
    function bodies excluded)."""
    return remembered("runtime_reads", _frozen_runtime_reads, stmt)


def call_time_reads(stmt: ast.AST) -> frozenset:
    """Global names the functions and methods defined by ``stmt`` read when they are called
    (over-approximated: see ``_call_time_reads``)."""
    return remembered("call_time_reads", _frozen_call_time_reads, stmt)


def _frozen_binds(stmt: ast.AST) -> frozenset:
    return frozenset(_binds(stmt))


def _frozen_runtime_reads(stmt: ast.AST) -> frozenset:
    return frozenset(_runtime_reads(stmt))


def _frozen_call_time_reads(stmt: ast.AST) -> frozenset:
    return frozenset(_call_time_reads(stmt))
