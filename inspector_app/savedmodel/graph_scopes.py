"""Name scopes: the ``/``-separated prefixes of node names, as a tree that a view collapses."""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field

from inspector_app.savedmodel.graph_model import (
    _EVERY,
    CAPTURES,
    Graph,
    captured_variables,
    checkpoint,
    is_capture,
)


@dataclass(eq=False)
class Scope:
    """A name scope: its child scopes (by their last name part) and its direct nodes."""

    path: str  # "" for the top
    children: dict[str, Scope] = field(default_factory=dict)
    nodes: list[int] = field(default_factory=list)
    size: int = 0  # nodes below, all levels
    ops: dict[str, int] = field(default_factory=dict, repr=False)  # the commonest ops below

    _parent: weakref.ref | None = field(default=None, repr=False)  # no cycle: freed by refcount

    @property
    def parent(self) -> Scope | None:
        return self._parent() if self._parent is not None else None

    @property
    def name(self) -> str:
        return self.path.rpartition("/")[2] or "(top)"

    @property
    def depth(self) -> int:
        return self.path.count("/") + 1 if self.path else 0

    def walk(self) -> Iterable[Scope]:
        yield self
        for child in self.children.values():
            yield from child.walk()


def scope_tree(graph: Graph) -> tuple[Scope, list[Scope]]:
    """The scope tree and, per node, the scope holding it directly.

    A scope with one child scope and no node of its own stays; pseudo nodes (``_Arg``/``_Retval``)
    sit at the top whatever their names, except resource arguments, which share the ``CAPTURES``
    scope (a Keras model's function captures hundreds of variables), as do the variables that
    feed only function calls in a TF2 export's graph (``captured_variables``).
    """
    root = Scope("")
    by_path: dict[str, Scope] = {"": root}

    def scope_of(path: str) -> Scope:  # not recursive: a closure that calls itself is a cycle
        missing = []
        found = by_path.get(path)
        while found is None:
            missing.append(path)
            path = path.rpartition("/")[0]
            found = by_path.get(path)
        for p in reversed(missing):
            child = Scope(p, _parent=weakref.ref(found))
            found.children[p.rpartition("/")[2]] = by_path[p] = child
            found = child
        return found

    captured = captured_variables(graph)  # a TF2 signature's variables, seen from outside
    owner: list[Scope] = []
    direct_ops: dict[int, dict[str, int]] = {}
    for k, node in enumerate(graph.nodes):
        if k % _EVERY == _EVERY - 1:
            checkpoint()
        if is_capture(node) or node.index in captured:
            path = CAPTURES  # variables and other resources the function captured: one box
        else:
            path = node.name.rpartition("/")[0] if node.proto is not None else ""
        scope = by_path.get(path) or scope_of(path)
        scope.nodes.append(node.index)
        owner.append(scope)
        ops = direct_ops.setdefault(id(scope), {})
        ops[node.op] = ops.get(node.op, 0) + 1
    checkpoint()
    # sizes and op counts, children before parents
    for scope in sorted(by_path.values(), key=lambda s: -s.depth):
        scope.size += len(scope.nodes)
        for op, n in direct_ops.get(id(scope), {}).items():
            scope.ops[op] = scope.ops.get(op, 0) + n
        parent = scope.parent
        if parent is not None:
            parent.size += scope.size
            for op, n in scope.ops.items():
                parent.ops[op] = parent.ops.get(op, 0) + n
    return root, owner
