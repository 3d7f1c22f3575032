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

The model (``Node``, ``Edge``, ``Graph``) is in ``graph_model`` and the name scopes in
``graph_scopes``; both are re-exported here.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from inspector_app.savedmodel.graph_model import (
    _EVERY,
    ARG_OP,
    CAPTURES,
    RET_OP,
    Call,
    Edge,
    Graph,
    GraphError,
    Node,
    checkpoint,
    is_capture,
)
from inspector_app.savedmodel.graph_scopes import Scope, scope_tree

__all__ = [
    "ARG_OP", "CAPTURES", "RET_OP", "Call", "Edge", "Graph", "GraphError", "GraphTarget", "Node",
    "Scope", "checkpoint", "graph_of_function", "graph_of_meta_graph", "graph_of_signature",
    "is_capture", "node_calls", "open_graph", "prune", "scope_tree", "targets",
]  # fmt: skip


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
        nodes.append(Node(nd.name, op, nd.device, tuple(nd.input), c[0][1] if c else None, nd))
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
