"""Signatures against the graph they name: what a tensor really takes (no TensorFlow).

A SignatureDef's TensorInfo declares a dtype, but the graph decides: TF Serving's
``saved_model_half_plus_three`` declares its ``regress`` input DT_FLOAT on ``tf_example:0``, a
string placeholder. ``saved_model_cli run`` feeds what the graph needs, so do we; ``check``
warns about the disagreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspector_app.savedmodel.dtypes import dtype_name

_PLACEHOLDERS = {"Placeholder", "PlaceholderV2", "PlaceholderWithDefault"}


@dataclass(frozen=True)
class DtypeMismatch:
    signature: str
    side: str  # "inputs" or "outputs"
    name: str  # the key in the signature
    tensor_name: str
    declared: int  # DataType enum value of the TensorInfo
    graph: int  # DataType enum value of the graph tensor


def _nodes(meta_graph: Any) -> dict[str, Any]:
    return {node.name: node for node in meta_graph.graph_def.node}


def graph_dtype(meta_graph: Any, tensor_name: str, nodes: dict[str, Any] | None = None) -> int:
    """The DataType of graph tensor ``tensor_name`` where the graph says it plainly (placeholders
    and nodes with a ``dtype`` or ``T`` attribute, output 0), else 0 (unknown)."""
    nodes = _nodes(meta_graph) if nodes is None else nodes
    node_name, _, index = tensor_name.partition(":")
    node = nodes.get(node_name.lstrip("^"))
    if node is None or (index and index != "0"):
        return 0
    if node.op in _PLACEHOLDERS or node.op in ("Const", "Identity", "VariableV2", "Variable"):
        for attr in ("dtype", "T"):
            if attr in node.attr and node.attr[attr].type:
                return int(node.attr[attr].type)
    return 0


def _base(value: int) -> str:
    return dtype_name(value)  # DT_FLOAT_REF and DT_FLOAT are the same type to a feed


def mismatches(meta_graph: Any) -> list[DtypeMismatch]:
    """Plain (non-composite) signature tensors whose declared dtype is not the graph's."""
    nodes = _nodes(meta_graph)
    out = []
    for key in sorted(meta_graph.signature_def):
        sig = meta_graph.signature_def[key]
        for side in ("inputs", "outputs"):
            infos = getattr(sig, side)
            for name in sorted(infos):
                info = infos[name]
                if info.WhichOneof("encoding") != "name" or not info.dtype:
                    continue
                real = graph_dtype(meta_graph, info.name, nodes)
                if real and _base(real) != _base(info.dtype):
                    out.append(DtypeMismatch(key, side, name, info.name, info.dtype, real))
    return out


def feed_dtype(meta_graph: Any, info: Any) -> str:
    """The numpy-style dtype a feed for TensorInfo ``info`` must have: the graph's."""
    if info.WhichOneof("encoding") == "name":
        real = graph_dtype(meta_graph, info.name)
        if real:
            return _base(real)
    return _base(info.dtype)
