"""Which tf.Example features a signature parses, read from its graph.

A classify or regress signature (or a predict signature with a string input) is fed serialized
``tf.train.Example`` records; the features it reads are the keys of the ``ParseExample``,
``ParseExampleV2`` or ``ParseSingleExample`` op its string input reaches. This module follows the
input through the graph (and into the functions it calls, as TF2 exports do) to that op and reads
the keys, dtypes, shapes and defaults from the op's attributes and constant inputs, without
TensorFlow's runtime. None of saved_model_cli, Netron or TF Serving says this.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np

from inspector_app.savedmodel.dtypes import dtype_name, shape_list

PARSE_OPS = frozenset({"ParseExample", "ParseExampleV2", "ParseSingleExample"})
_PASS_THROUGH = frozenset({"Identity", "IdentityN", "Snapshot", "Reshape", "ExpandDims", "Squeeze"})
_MAX_VISITS = 200_000  # nodes looked at per signature, so a hostile graph cannot stall


@dataclass(frozen=True)
class ExampleFeature:
    """One feature a signature's parse op reads."""

    name: str
    dtype: str  # float32 | int64 | string
    shape: list[int] | None  # dense: the feature's shape; sparse/ragged: None
    kind: str  # dense | sparse | ragged
    default: list | None  # dense default values (flattened); None when required or not dense
    input: str = ""  # the signature input whose records carry it
    required: bool = False  # a dense feature with no default (an empty default tensor)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "shape": self.shape,
            "kind": self.kind,
            "default": self.default,
            "required": self.required,
            "input": self.input,
        }

    @property
    def list_kind(self) -> str:
        """The tf.train.Feature list that carries it: float, int64 or bytes."""
        return {"float32": "float", "int64": "int64"}.get(self.dtype, "bytes")


class _Scope:
    """A graph or one function body: nodes by name and who consumes each."""

    def __init__(self, nodes: Any, args: list[str] | None = None) -> None:
        self.nodes = {n.name: n for n in nodes}
        self.args = args or []
        self.consumers: dict[str, list[Any]] = {}
        for node in nodes:
            for inp in node.input:
                if not inp.startswith("^"):
                    self.consumers.setdefault(inp.split(":", 1)[0], []).append(node)


def signature_example_features(meta_graph: Any, signature: Any) -> list[ExampleFeature] | None:
    """The features a signature's string inputs are parsed into; None when none reaches a parse
    op. ``meta_graph`` is a MetaGraphDef; ``signature`` a SignatureDef or anything with
    ``inputs`` of (name, dtype, tensor_name) as the loader's ``SignatureInfo``."""
    graph = meta_graph.graph_def
    functions = {f.signature.name: f for f in graph.library.function}
    scopes: dict[str | None, _Scope] = {}

    def scope(name: str | None) -> _Scope:
        if name not in scopes:
            if name is None:
                scopes[name] = _Scope(graph.node)
            else:
                fn = functions[name]
                scopes[name] = _Scope(fn.node_def, [a.name for a in fn.signature.input_arg])
        return scopes[name]

    found: list[ExampleFeature] = []
    for input_name, dtype, tensor_name in _string_inputs(signature):
        del dtype
        node_name = tensor_name.split(":", 1)[0]
        for where, op in _reachable_parse_ops(scope, functions, node_name):
            for feature in _features(op, where):
                if all(f.name != feature.name for f in found):
                    found.append(_with_input(feature, input_name))
    return found or None


def _with_input(feature: ExampleFeature, input_name: str) -> ExampleFeature:
    return ExampleFeature(feature.name, feature.dtype, feature.shape, feature.kind,
                          feature.default, input_name, feature.required)  # fmt: skip


def _string_inputs(signature: Any) -> list[tuple[str, str, str]]:
    out = []
    inputs = signature.inputs
    if hasattr(inputs, "items"):  # a SignatureDef's map of TensorInfo
        for name, info in inputs.items():
            if dtype_name(info.dtype) == "string" and info.name:
                out.append((name, "string", info.name))
        return out
    for t in inputs:  # the loader's TensorInfo list
        dtype, tensor_name = getattr(t, "dtype", ""), getattr(t, "tensor_name", "")
        if dtype in ("string", "string_ref") and tensor_name:
            out.append((t.name, t.dtype, t.tensor_name))
    return out


def _reachable_parse_ops(scope, functions: dict, start: str) -> list[tuple[_Scope, Any]]:
    """Parse ops reachable from node ``start`` of the graph, into called functions."""
    found = []
    queue: deque[tuple[str | None, str]] = deque([(None, start)])
    seen: set[tuple[str | None, str]] = set(queue)
    visits = 0
    while queue and visits < _MAX_VISITS:
        where, name = queue.popleft()
        visits += 1
        here = scope(where)
        for node in here.consumers.get(name, ()):
            if node.op in PARSE_OPS:
                if node.input and node.input[0].split(":", 1)[0] == name:  # fed as serialized
                    found.append((here, node))
                continue
            called = _called_function(node, functions)
            if called is not None:
                args = scope(called).args
                for i, inp in enumerate(node.input):
                    if not inp.startswith("^") and inp.split(":", 1)[0] == name and i < len(args):
                        key: tuple[str | None, str] = (called, args[i])
                        if key not in seen:
                            seen.add(key)
                            queue.append(key)
            key = (where, node.name)
            if key not in seen:
                seen.add(key)
                queue.append(key)
    return found


def _called_function(node: Any, functions: dict) -> str | None:
    attr = node.attr.get("f")
    if attr is not None and attr.func.name in functions:
        return attr.func.name
    if node.op in functions:  # a function called by name as an op
        return node.op
    return None


def _const(here: _Scope, ref: str, depth: int = 0) -> np.ndarray | None:
    node = here.nodes.get(ref.split(":", 1)[0].lstrip("^"))
    if node is None or depth > 8:
        return None
    if node.op in _PASS_THROUGH and node.input:
        return _const(here, node.input[0], depth + 1)
    if node.op != "Const" or "value" not in node.attr:
        return None
    return _tensor_values(node.attr["value"].tensor)


def _tensor_values(proto: Any) -> np.ndarray | None:
    shape = tuple(int(d.size) for d in proto.tensor_shape.dim)
    count = int(np.prod(shape)) if shape else 1
    name = dtype_name(proto.dtype)
    if name == "string":
        values: list = list(proto.string_val)
    else:
        dtype = np.dtype(name) if name in ("float32", "float64", "int32", "int64", "bool") else None
        if dtype is None:
            return None
        if proto.tensor_content:
            arr = np.frombuffer(proto.tensor_content, dtype=dtype.newbyteorder("<"))
            return arr.astype(dtype).reshape(shape) if arr.size == count else None
        field = {"float32": "float_val", "float64": "double_val", "int64": "int64_val",
                 "int32": "int_val", "bool": "bool_val"}[name]  # fmt: skip
        values = list(getattr(proto, field))
    if count == 0:
        return np.array([], dtype=object if name == "string" else None).reshape(shape)
    if len(values) < count:  # TensorFlow repeats the last value
        values += [values[-1] if values else (b"" if name == "string" else 0)] * (count - len(values))  # fmt: skip
    arr = np.empty(count, dtype=object) if name == "string" else np.array(values[:count])
    if name == "string":
        arr[:] = values[:count]
    return arr.reshape(shape)


def _keys(here: _Scope, refs: list[str]) -> list[str]:
    keys: list[str] = []
    for ref in refs:
        value = _const(here, ref)
        if value is None:
            keys.append("?")
            continue
        keys += [k.decode("utf-8", "replace") if isinstance(k, bytes) else str(k) for k in value.reshape(-1).tolist()]  # fmt: skip
    return keys


def _types(node: Any, attr: str) -> list[str]:
    return [dtype_name(t) for t in node.attr[attr].list.type] if attr in node.attr else []


def _default(here: _Scope, ref: str | None) -> tuple[list | None, bool]:
    """(the default's values, required): an empty default tensor means required; a default
    computed by ops other than constants is unknown (None) but not required."""
    value = _const(here, ref) if ref else None
    if value is None:
        return None, False
    if value.size == 0:
        return None, True
    flat = value.reshape(-1).tolist()
    return [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in flat], False


def _features(node: Any, here: _Scope) -> list[ExampleFeature]:
    inputs = [i for i in node.input if not i.startswith("^")]
    dense_types = _types(node, "Tdense")
    shapes = [shape_list(s) for s in node.attr["dense_shapes"].list.shape] if "dense_shapes" in node.attr else []  # fmt: skip
    sparse_types = _types(node, "sparse_types")
    ragged_types = _types(node, "ragged_value_types")
    if node.op == "ParseExample":
        n_sparse, n_dense = int(node.attr["Nsparse"].i), int(node.attr["Ndense"].i)
        sparse_keys = _keys(here, inputs[2 : 2 + n_sparse])
        dense_keys = _keys(here, inputs[2 + n_sparse : 2 + n_sparse + n_dense])
        defaults = inputs[2 + n_sparse + n_dense :]
        ragged_keys: list[str] = []
    elif node.op == "ParseExampleV2":
        sparse_keys = _keys(here, inputs[2:3])
        dense_keys = _keys(here, inputs[3:4])
        ragged_keys = _keys(here, inputs[4:5])
        defaults = inputs[5:]
    else:  # ParseSingleExample: keys are attributes
        sparse_keys = [k.decode("utf-8", "replace") for k in node.attr["sparse_keys"].list.s]
        dense_keys = [k.decode("utf-8", "replace") for k in node.attr["dense_keys"].list.s]
        ragged_keys = []
        defaults = inputs[1:]
    out = []
    for i, key in enumerate(dense_keys):
        dtype = dense_types[i] if i < len(dense_types) else "float32"
        shape = shapes[i] if i < len(shapes) else None
        default, required = _default(here, defaults[i] if i < len(defaults) else None)
        out.append(ExampleFeature(key, dtype, shape, "dense", default, "", required))
    for i, key in enumerate(sparse_keys):
        out.append(ExampleFeature(key, sparse_types[i] if i < len(sparse_types) else "float32", None, "sparse", None))  # fmt: skip
    for i, key in enumerate(ragged_keys):
        out.append(ExampleFeature(key, ragged_types[i] if i < len(ragged_types) else "float32", None, "ragged", None))  # fmt: skip
    return out
