"""The graph of a MetaGraphDef, a signature or a library function as plain nodes and edges.

No Qt and no TensorFlow runtime: everything is read from the protos the loader parsed.

- A TF1 graph (``graph_def.node``) names its inputs ``node`` or ``node:N`` (output N) and control
  inputs ``^node``. A signature's graph is pruned to the nodes its outputs need.
- A TF2 function body (``FunctionDef``) names them ``node:output_arg:index``, a bare argument name
  for the function's own arguments, and ``^node``. Its arguments become ``_Arg`` nodes and its
  returns ``_Retval`` nodes, as TensorFlow names them when it instantiates a function, so that
  every data edge has both ends.
- ``src_output`` of an edge is the output as the proto writes it: an ``int`` in a GraphDef, the
  string ``"output_arg:index"`` in a function body (``0`` for an argument). ``dst_input`` is the
  position in the consumer's input list (control inputs come after the data inputs).
- Calls: an attribute holding a function (``f`` of ``PartitionedCall``/``StatefulPartitionedCall``,
  ``then_branch``/``else_branch`` of ``If``, ``cond``/``body`` of ``While``, ``branches`` of
  ``Case``...) or a node whose op is a library function.
- Name scopes: the ``/``-separated prefixes of node names, as a tree that a view collapses.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from inspector_app.errors import UserError
from inspector_app.savedmodel.dtypes import dtype_name

ARG_OP = "_Arg"
RET_OP = "_Retval"
CAPTURES = "(captured resources)"  # the scope that holds a function's resource arguments
_DT_RESOURCE = 20

# Called now and then while a big graph is read and laid out (every few thousand nodes). The
# window sets it to hand the new objects out of its garbage collector's sight (ui/graph/panel).
checkpoint_hook: Callable[[], None] | None = None
_EVERY = 4096


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
    inputs: list[str] = field(default_factory=list)  # as written in the proto
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


@dataclass(slots=True)
class Edge:
    src: int
    src_output: int | str
    dst: int
    dst_input: int
    control: bool = False


@dataclass
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

    def to_json(self, with_attrs: bool = True) -> dict:
        """``show --graph --json``: nodes, edges (by node name) and calls."""
        from inspector_app.savedmodel.graph_details import attr_json

        nodes = []
        for n in self.nodes:
            attrs = {}
            if with_attrs and n.proto is not None:
                attrs = {k: attr_json(n.proto.attr[k]) for k in sorted(n.proto.attr)}
            elif with_attrs and n.arg is not None and bool(getattr(n.arg, "type", 0)):
                attrs = {"T": dtype_name(n.arg.type)}
                attrs.update((k, attr_json(v)) for k, v in sorted(n.arg_attrs.items()))
            nodes.append(
                {
                    "name": n.name,
                    "op": n.op,
                    "device": n.device,
                    "attrs": attrs,
                    "function": n.function,
                }
            )
        names = [n.name for n in self.nodes]
        return {
            "title": self.title,
            "kind": self.kind,
            "nodes": nodes,
            "edges": [
                {
                    "src": names[e.src],
                    "src_output": e.src_output,
                    "dst": names[e.dst],
                    "dst_input": e.dst_input,
                    "control": e.control,
                }
                for e in self.edges
            ],
            "calls": [
                {"node": names[c.node], "attr": c.attr, "function": c.function} for c in self.calls
            ],
        }


# --------------------------------------------------------------------------- reading

_CALL_ATTRS = ("f", "then_branch", "else_branch", "cond", "body", "branches")


def node_calls(node_def: Any, functions: set[str]) -> list[tuple[str, str]]:
    """(attribute, function) pairs a NodeDef calls, in a stable order."""
    out: list[tuple[str, str]] = []
    if node_def.op in functions:
        out.append(("op", node_def.op))
    for key in sorted(node_def.attr):
        value = node_def.attr[key]
        kind = value.WhichOneof("value")
        if kind == "func" and value.func.name:
            out.append((key, value.func.name))
        elif kind == "list" and len(value.list.func):
            out.extend((key, f.name) for f in value.list.func if f.name)
    # the usual call attributes first, in the order If/While list them
    out.sort(key=lambda kv: _CALL_ATTRS.index(kv[0]) if kv[0] in _CALL_ATTRS else len(_CALL_ATTRS))
    return out


def _make_node(node_def: Any, functions: set[str]) -> tuple[Node, list[tuple[str, str]]]:
    calls = node_calls(node_def, functions)
    node = Node(
        name=node_def.name,
        op=node_def.op,
        device=node_def.device,
        inputs=list(node_def.input),
        function=calls[0][1] if calls else None,
        proto=node_def,
    )
    return node, calls


def _func_attr_names(node_def: Any) -> tuple[str, ...]:
    """The attributes of this node's op that may hold functions: ``func`` values, and lists of
    functions or empty lists (an op's attribute types are the same on every node)."""
    out = []
    for key, value in node_def.attr.items():
        kind = value.WhichOneof("value")
        if kind == "func":
            out.append(key)
        elif kind == "list":
            lst = value.list
            if len(lst.func) or not any(
                len(getattr(lst, f)) for f in ("s", "i", "f", "b", "type", "shape", "tensor")
            ):
                out.append(key)
    return tuple(out)


def _read_nodes(node_defs: Any, functions: set[str]) -> tuple[list[Node], list[list]]:
    """Nodes and their calls; the attributes are scanned for functions once per op type."""
    nodes: list[Node] = []
    calls: list[list[tuple[str, str]]] = []
    func_attrs: dict[str, tuple[str, ...]] = {}
    none: list[tuple[str, str]] = []
    for k, nd in enumerate(node_defs):
        if k % _EVERY == _EVERY - 1:
            checkpoint()
        op = nd.op
        keys = func_attrs.get(op)
        if keys is None:
            keys = func_attrs[op] = _func_attr_names(nd)
        c = node_calls(nd, functions) if keys or op in functions else none
        nodes.append(Node(nd.name, op, nd.device, list(nd.input), c[0][1] if c else None, nd))
        calls.append(c)
    return nodes, calls


def _library_names(meta_graph: Any) -> set[str]:
    return {f.signature.name for f in meta_graph.graph_def.library.function}


def _finish(
    title: str, kind: str, nodes: list[Node], calls_by_node: list[list[tuple[str, str]]],
    functions: set[str], parse: Any,
) -> Graph:  # fmt: skip
    index: dict[str, int] = {}
    for i, n in enumerate(nodes):
        n.index = i
        index.setdefault(n.name, i)
    edges: list[Edge] = []
    add = edges.append
    get = index.get
    for i, n in enumerate(nodes):
        if i % _EVERY == _EVERY - 1:
            checkpoint()
        for pos, text in enumerate(n.inputs):
            if text[:1] == "^":
                j = get(text[1:])
                if j is not None:
                    add(Edge(j, 0, i, pos, True))
                continue
            j = get(text)  # the commonest form: a bare node name (output 0)
            if j is not None and parse is _parse_graph_input:
                add(Edge(j, 0, i, pos, False))
                continue
            src_name, src_output = parse(text)
            j = get(src_name)
            if j is None:  # a dangling input (a damaged or hand-pruned graph): not drawn
                continue
            add(Edge(j, src_output, i, pos, False))
    calls = [Call(i, attr, fn) for i, pairs in enumerate(calls_by_node) for attr, fn in pairs]
    return Graph(title, kind, nodes, edges, calls, functions, index=index)


def _parse_graph_input(text: str) -> tuple[str, int]:
    name, sep, port = text.rpartition(":")
    if sep and port.isdigit():
        return name, int(port)
    return text, 0


def _parse_function_input(text: str) -> tuple[str, int | str]:
    """``node:output:0`` -> (node, "output:0"); ``arg`` -> (arg, 0); ``arg:0`` -> (arg, 0)."""
    first, sep, rest = text.partition(":")
    if not sep:
        return text, 0
    if rest.isdigit():  # an argument written with an index
        return first, 0
    return first, rest


def graph_of_meta_graph(meta_graph: Any, title: str = "graph") -> Graph:
    """The whole top-level graph of a MetaGraphDef."""
    functions = _library_names(meta_graph)
    nodes, calls = _read_nodes(meta_graph.graph_def.node, functions)
    return _finish(title, "graph", nodes, calls, functions, _parse_graph_input)


def prune(graph_nodes: list[Node], targets: Iterable[str]) -> list[Node]:
    """The nodes ``targets`` need (through data and control inputs), in graph order."""
    index = {n.name: i for i, n in enumerate(graph_nodes)}
    keep: set[int] = set()
    queue = deque(index[t] for t in targets if t in index)
    keep.update(queue)
    while queue:
        for text in graph_nodes[queue.popleft()].inputs:
            j = index.get(_parse_graph_input(text.lstrip("^"))[0])
            if j is not None and j not in keep:
                keep.add(j)
                queue.append(j)
    return [graph_nodes[i] for i in sorted(keep)]


def graph_of_signature(meta_graph: Any, signature_def: Any, key: str) -> Graph:
    """The graph pruned to what the signature's outputs need, with a ``_Retval`` per output."""
    functions = _library_names(meta_graph)
    plain, plain_calls = _read_nodes(meta_graph.graph_def.node, functions)
    all_nodes = list(zip(plain, plain_calls, strict=True))
    outputs = sorted(signature_def.outputs.items())
    inputs = [t.name for _k, t in sorted(signature_def.inputs.items())]
    targets = [_parse_graph_input(t.name)[0] for _k, t in outputs if t.name]
    # composite outputs (sparse, ragged) name their component tensors instead
    for _k, t in outputs:
        if t.WhichOneof("encoding") == "coo_sparse":
            sp = t.coo_sparse
            parts = (sp.values_tensor_name, sp.indices_tensor_name, sp.dense_shape_tensor_name)
            targets += [_parse_graph_input(n)[0] for n in parts if n]
        elif t.WhichOneof("encoding") == "composite_tensor":
            targets += [_parse_graph_input(c.name)[0] for c in t.composite_tensor.components]
    kept = prune(plain, targets)
    keep_ids = {id(n) for n in kept}
    calls_of = {id(n): c for n, c in all_nodes}
    nodes = [n for n in plain if id(n) in keep_ids]
    calls = [calls_of[id(n)] for n in nodes]
    names = {n.name for n in nodes}
    for out_key, t in outputs:
        if t.WhichOneof("encoding") != "name" or not t.name:
            continue
        name = out_key if out_key not in names else f"{out_key} (output)"
        names.add(name)
        nodes.append(Node(name=name, op=RET_OP, inputs=[t.name], arg=t))
        calls.append([])
    del inputs  # the inputs are the graph's own placeholders, already in the pruned graph
    graph = _finish(key, "signature", nodes, calls, functions, _parse_graph_input)
    graph.pruned_from = len(plain)
    return graph


def graph_of_function(meta_graph: Any, name: str) -> Graph:
    """A library function's body, with an ``_Arg`` node per argument and a ``_Retval`` per
    return."""
    functions = _library_names(meta_graph)
    fdef = next(
        (f for f in meta_graph.graph_def.library.function if f.signature.name == name), None
    )
    if fdef is None:
        raise GraphError(f"no function named {name!r} in the function library")
    sig = fdef.signature
    nodes: list[Node] = []
    calls: list[list[tuple[str, str]]] = []
    for i, arg in enumerate(sig.input_arg):
        attrs = dict(fdef.arg_attr[i].attr) if i in fdef.arg_attr else {}
        nodes.append(Node(name=arg.name, op=ARG_OP, arg=arg, arg_attrs=attrs))
        calls.append([])
    body, body_calls = _read_nodes(fdef.node_def, functions)
    nodes += body
    calls += body_calls
    taken = {n.name for n in nodes}
    for arg in sig.output_arg:
        ret = fdef.ret.get(arg.name, "")
        label = arg.name if arg.name not in taken else f"{arg.name} (return)"
        taken.add(label)
        nodes.append(Node(name=label, op=RET_OP, inputs=[ret] if ret else [], arg=arg))
        calls.append([])
    return _finish(name, "function", nodes, calls, functions, _parse_function_input)


# --------------------------------------------------------------------------- targets


@dataclass
class GraphTarget:
    """What ``--graph NAME`` and the window can open for one MetaGraphDef."""

    kind: str  # "graph" | "signature" | "function"
    name: str


def targets(meta_graph: Any) -> list[GraphTarget]:
    out = [GraphTarget("graph", "graph")] if len(meta_graph.graph_def.node) else []
    out += [GraphTarget("signature", k) for k in sorted(meta_graph.signature_def)]
    out += [GraphTarget("function", n) for n in sorted(_library_names(meta_graph))]
    return out


def open_graph(meta_graph: Any, name: str | None = None) -> Graph:
    """``None``/``""``: the default signature's graph (else the whole graph); a signature key;
    a library function's name; or ``graph`` for the whole top-level graph."""
    sigs = meta_graph.signature_def
    if not name:
        if "serving_default" in sigs:
            name = "serving_default"
        elif len(meta_graph.graph_def.node):
            return graph_of_meta_graph(meta_graph)
        elif sigs:
            name = sorted(sigs)[0]
        else:
            raise GraphError("this MetaGraphDef has no graph nodes and no signatures")
    if name in sigs:
        return graph_of_signature(meta_graph, sigs[name], name)
    if name in _library_names(meta_graph):
        return graph_of_function(meta_graph, name)
    if name == "graph":
        return graph_of_meta_graph(meta_graph)
    known = ", ".join(sorted(sigs)[:5]) or "none"
    raise GraphError(
        f"no signature or function named {name!r}; signatures: {known}; "
        "see 'show PATH --functions' for the function names"
    )


# --------------------------------------------------------------------------- scopes


@dataclass(eq=False)
class Scope:
    """A name scope: its child scopes (by their last name part) and its direct nodes."""

    path: str  # "" for the top
    children: dict[str, Scope] = field(default_factory=dict)
    nodes: list[int] = field(default_factory=list)
    size: int = 0  # nodes below, all levels
    parent: Scope | None = field(default=None, repr=False)
    ops: dict[str, int] = field(default_factory=dict, repr=False)  # the commonest ops below

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


def is_capture(node: Node) -> bool:
    """A function argument of type resource: a captured variable, table or dataset."""
    return node.op == ARG_OP and getattr(node.arg, "type", 0) == _DT_RESOURCE


def scope_tree(graph: Graph) -> tuple[Scope, list[Scope]]:
    """The scope tree and, per node, the scope holding it directly.

    A scope with one child scope and no node of its own stays; pseudo nodes (``_Arg``/``_Retval``)
    sit at the top whatever their names, except resource arguments, which share the ``CAPTURES``
    scope (a Keras model's function captures hundreds of variables).
    """
    root = Scope("")
    by_path: dict[str, Scope] = {"": root}

    def scope_of(path: str) -> Scope:
        found = by_path.get(path)
        if found is None:
            head, _, tail = path.rpartition("/")
            parent = scope_of(head)
            found = parent.children[tail] = by_path[path] = Scope(path, parent=parent)
        return found

    owner: list[Scope] = []
    direct_ops: dict[int, dict[str, int]] = {}
    for node in graph.nodes:
        if is_capture(node):
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
