"""The graph model: nodes, edges, calls and the ``Graph`` that holds them (``graph`` reads them
from the protos, ``graph_scopes`` groups them by name scope, ``graph_details`` describes them).

No Qt and no TensorFlow runtime.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from inspector_app.errors import UserError

ARG_OP = "_Arg"
RET_OP = "_Retval"
CAPTURES = "(captured resources)"  # the scope that holds a function's resource arguments
_DT_RESOURCE = 20

# Called now and then while a big graph is read and laid out (every few thousand nodes). The
# window sets it to hand the new objects out of its garbage collector's sight (ui/graph/panel).
checkpoint_hook: Callable[[], None] | None = None
_EVERY = 1024


def checkpoint() -> None:
    hook = checkpoint_hook
    if hook is not None:
        hook()


class GraphError(UserError):
    """A graph that the model does not have (an unknown signature or function name)."""


@dataclass(slots=True)
class Node:
    name: str
    op: str
    device: str = ""
    inputs: Sequence[str] = ()  # as written in the proto
    function: str | None = None  # the first function this node calls
    proto: Any = field(default=None, repr=False)  # NodeDef; None for _Arg / _Retval
    arg: Any = field(default=None, repr=False)  # OpDef.ArgDef of an _Arg / _Retval
    arg_attrs: dict[str, Any] = field(default_factory=dict, repr=False)  # arg_attr of an _Arg
    index: int = 0

    @property
    def scope(self) -> str:
        """``a/b/MatMul`` -> ``a/b``; ``""`` at the top."""
        head, _, _tail = self.name.rpartition("/")
        return head

    @property
    def attrs(self) -> Any:
        return self.proto.attr if self.proto is not None else {}


class Edge(NamedTuple):
    src: int
    src_output: int | str
    dst: int
    dst_input: int
    control: bool = False


@dataclass(slots=True)
class Call:
    node: int
    attr: str  # the attribute naming the function, or "op" when the op is the function
    function: str


@dataclass
class Graph:
    title: str
    kind: str  # "graph" | "signature" | "function"
    nodes: list[Node]
    edges: list[Edge]
    calls: list[Call]
    functions: set[str] = field(default_factory=set, repr=False)  # the library's names
    pruned_from: int | None = None  # node count before pruning (signatures)
    index: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.index:
            self.index = {n.name: i for i, n in enumerate(self.nodes)}

    def node(self, name: str) -> Node | None:
        i = self.index.get(name)
        return self.nodes[i] if i is not None else None

    def in_edges(self, i: int) -> list[Edge]:
        return [e for e in self.edges if e.dst == i]

    def out_edges(self, i: int) -> list[Edge]:
        return [e for e in self.edges if e.src == i]


def is_capture(node: Node) -> bool:
    """A function argument of type resource: a captured variable, table or dataset."""
    return node.op == ARG_OP and getattr(node.arg, "type", 0) == _DT_RESOURCE


def captured_variables(graph: Graph) -> set[int]:
    """The resource variables (``VarHandleOp``) of a graph or signature that feed function calls
    only: what a TF2 export's top-level graph is made of (a Keras model's serving signature:
    hundreds of them into one ``StatefulPartitionedCall``). They are the call's captured
    arguments seen from outside; a TF1 graph's variables are read by ops in their own scopes."""
    if graph.kind == "function":
        return set()
    nodes = graph.nodes
    variables = {n.index for n in nodes if n.op == "VarHandleOp"}
    if not variables:
        return set()
    fed: set[int] = set()
    other: set[int] = set()
    for e in graph.edges:
        if e.src in variables:
            (fed if nodes[e.dst].function is not None else other).add(e.src)
    return fed - other
