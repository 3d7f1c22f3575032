"""What the graph view's details pane shows for one node: op, device, attributes, the input and
output tensors with their recorded shapes, constant values with statistics, the op's description.

Attribute values (``AttrValue``) and constants (``TensorProto``) are decoded with numpy alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from inspector_app.savedmodel import protos
from inspector_app.savedmodel.dtypes import dtype_name, shape_list, shape_text
from inspector_app.savedmodel.graph_model import ARG_OP, RET_OP, Graph, Node
from inspector_app.savedmodel.op_catalog import OpInfo

# DataType enum -> (numpy dtype, the repeated field of TensorProto that holds typed values)
_NUMPY: dict[int, tuple[str, str]] = {
    1: ("float32", "float_val"), 2: ("float64", "double_val"), 3: ("int32", "int_val"),
    4: ("uint8", "int_val"), 5: ("int16", "int_val"), 6: ("int8", "int_val"),
    8: ("complex64", "scomplex_val"), 9: ("int64", "int64_val"), 10: ("bool", "bool_val"),
    17: ("uint16", "int_val"), 18: ("complex128", "dcomplex_val"), 19: ("float16", "half_val"),
    22: ("uint32", "uint32_val"), 23: ("uint64", "uint64_val"), 14: ("bfloat16", "half_val"),
}  # fmt: skip
_STRING = 7
MAX_DECODE = 50_000_000  # elements: a constant bigger than this is described, not decoded
SHOWN = 16  # values printed inline


def tensor_to_numpy(proto: Any) -> np.ndarray | None:
    """A TensorProto's value (None for a type numpy cannot hold, or one too big to decode).
    bfloat16 comes back as float32."""
    dt = proto.dtype % 100  # reference types are 101...
    shape = tuple(int(d.size) for d in proto.tensor_shape.dim)
    count = math.prod(shape) if shape else 1
    if count > MAX_DECODE or any(d < 0 for d in shape):
        return None
    if dt == _STRING:
        values = list(proto.string_val)
        if not values:
            return np.full(shape, b"", dtype=object)
        values += [values[-1]] * (count - len(values))
        return np.array(values[:count], dtype=object).reshape(shape)
    if dt not in _NUMPY:
        return None
    np_name, field_name = _NUMPY[dt]
    arr: np.ndarray
    if dt == 14:  # bfloat16: the upper half of a float32
        if proto.tensor_content:
            raw = np.frombuffer(proto.tensor_content, dtype="<u2")
        else:
            raw = np.array(list(proto.half_val), dtype=np.uint16)
        arr = (raw.astype(np.uint32) << 16).view(np.float32)
    elif proto.tensor_content:
        arr = np.frombuffer(proto.tensor_content, dtype=np.dtype(np_name).newbyteorder("<"))
    else:
        values = list(getattr(proto, field_name))
        if dt == 19:
            arr = np.array(values, dtype=np.uint16).view(np.float16)
        elif dt in (8, 18):
            arr = np.array(values[::2], dtype=np_name) + 1j * np.array(values[1::2])
        else:
            arr = np.array(values, dtype=np_name)
    if arr.size == 0 and count:
        arr = np.zeros(count, dtype=arr.dtype)
    elif 0 < arr.size < count:  # a short list repeats its last value
        arr = np.concatenate([arr, np.full(count - arr.size, arr[-1], dtype=arr.dtype)])
    if arr.size != count:
        return None
    return arr.astype(arr.dtype.newbyteorder("=")).reshape(shape)


def tensor_summary(proto: Any) -> str:
    """``float32 [3, 3]: [0.1, ...]`` with the first few values."""
    head = f"{dtype_name(proto.dtype)} {shape_text(shape_list(proto.tensor_shape))}"
    arr = tensor_to_numpy(proto)
    if arr is None:
        return head
    return f"{head} = {values_text(arr)}"


def values_text(arr: np.ndarray, limit: int = SHOWN) -> str:
    flat = arr.reshape(-1)
    items = [_scalar_text(v) for v in flat[:limit]]
    more = ", ..." if flat.size > limit else ""
    if arr.ndim == 0:
        return items[0] if items else ""
    return "[" + ", ".join(items) + more + "]"


def _scalar_text(v: Any) -> str:
    if isinstance(v, bytes):
        text = v[:80].decode("utf-8", "backslashreplace")
        return repr(text) + ("..." if len(v) > 80 else "")
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    return str(v.item() if hasattr(v, "item") else v)


def tensor_stats(arr: np.ndarray) -> dict[str, Any] | None:
    """min, max, mean, std, zeros share, NaN and Inf counts of a numeric array."""
    if arr.dtype == object or arr.size == 0 or arr.dtype.kind == "c":
        return None
    data = arr.astype(np.float64, copy=False).reshape(-1)
    finite = data[np.isfinite(data)]
    out: dict[str, Any] = {
        "count": int(data.size),
        "zeros": float(np.count_nonzero(data == 0) / data.size),
        "nan": int(np.count_nonzero(np.isnan(data))),
        "inf": int(np.count_nonzero(np.isinf(data))),
    }
    if finite.size:
        out.update(
            min=float(finite.min()),
            max=float(finite.max()),
            mean=float(finite.mean()),
            std=float(finite.std()),
        )
    return out


def _decode(s: bytes) -> str:
    return s.decode("utf-8", "backslashreplace")


def attr_json(value: Any) -> Any:
    """An AttrValue as JSON: numbers, strings, dtype names, shape lists, tensors (a summary and the
    first values), functions by name, lists of those."""
    kind = value.WhichOneof("value")
    if kind == "s":
        return _decode(value.s)
    if kind in ("i", "f", "b"):
        return getattr(value, kind)
    if kind == "type":
        return dtype_name(value.type)
    if kind == "shape":
        return shape_list(value.shape)
    if kind == "tensor":
        t = value.tensor
        arr = tensor_to_numpy(t)
        out: dict[str, Any] = {
            "dtype": dtype_name(t.dtype),
            "shape": shape_list(t.tensor_shape),
        }
        if arr is not None:
            flat = arr.reshape(-1)[:SHOWN]
            out["values"] = [_decode(v) if isinstance(v, bytes) else _json_num(v) for v in flat]
            out["truncated"] = bool(arr.size > SHOWN)
        return out
    if kind == "func":
        return {"function": value.func.name}
    if kind == "placeholder":
        return {"placeholder": value.placeholder}
    if kind == "list":
        lst = value.list
        for name in ("s", "i", "f", "b", "type", "shape", "tensor", "func"):
            items = getattr(lst, name)
            if len(items):
                if name == "s":
                    return [_decode(x) for x in items]
                if name == "type":
                    return [dtype_name(x) for x in items]
                if name == "shape":
                    return [shape_list(x) for x in items]
                if name == "tensor":
                    return [{"dtype": dtype_name(x.dtype), "shape": shape_list(x.tensor_shape)}
                            for x in items]  # fmt: skip
                if name == "func":
                    return [{"function": x.name} for x in items]
                return list(items)
        return []
    return None


def _json_num(v: Any) -> Any:
    if isinstance(v, (np.complexfloating, complex)):
        return [float(v.real), float(v.imag)]
    item = v.item() if hasattr(v, "item") else v
    if isinstance(item, float) and not math.isfinite(item):
        return str(item)
    return item


def attr_text(value: Any) -> str:
    """An AttrValue as one line for the details pane."""
    kind = value.WhichOneof("value")
    if kind == "s":
        text = _decode(value.s)
        return repr(text if len(text) <= 200 else text[:200] + "...")
    if kind == "shape":
        return shape_text(shape_list(value.shape))
    if kind == "tensor":
        return tensor_summary(value.tensor)
    if kind == "func":
        return f"function {value.func.name}"
    if kind == "list":
        lst = value.list
        if len(lst.shape):
            return "[" + ", ".join(shape_text(shape_list(s)) for s in lst.shape) + "]"
        if len(lst.func):
            return "[" + ", ".join(f.name for f in lst.func) + "]"
        if len(lst.tensor):
            return "[" + ", ".join(tensor_summary(t) for t in lst.tensor) + "]"
    data = attr_json(value)
    if isinstance(data, str):
        return data
    return str(data)


# --------------------------------------------------------------------------- a node's details


@dataclass
class TensorRow:
    label: str  # "x:0", "input 0", "output:0"
    node: str  # the node at the other end ("" for none)
    dtype: str = ""
    shape: str = ""
    control: bool = False


@dataclass
class NodeDetails:
    name: str
    op: str
    summary: str  # the op's one-line description ("" when unknown)
    device: str
    function: str | None
    attrs: list[tuple[str, str]] = field(default_factory=list)
    inputs: list[TensorRow] = field(default_factory=list)
    outputs: list[TensorRow] = field(default_factory=list)
    value: str = ""  # a constant's first values
    stats: dict[str, Any] | None = None


def _output_shapes(node: Node) -> list[Any]:
    if node.op == ARG_OP:
        value = node.arg_attrs.get("_output_shapes")
    else:
        value = node.attrs.get("_output_shapes") if node.proto is not None else None
    return list(value.list.shape) if value is not None else []


def _flat_output(node: Node, port: int | str, ops: dict[str, OpInfo] | None) -> int | None:
    """The flat output number of ``port`` (``"z:0"`` in a function body needs the op's output
    arguments: known when every argument before it is a single tensor)."""
    if isinstance(port, int):
        return port
    name, _, idx = port.rpartition(":")
    info = ops.get(node.op) if ops else None
    if info is None or not idx.isdigit():
        return None
    for flat, arg in enumerate(info.outputs):
        if arg.name == name:
            return flat + int(idx)
        if arg.is_list:
            return None
    return None


def _output_dtype(node: Node, flat: int, ops: dict[str, OpInfo] | None) -> str:
    if node.op in (ARG_OP, RET_OP) and node.arg is not None:
        return dtype_name(node.arg.dtype) if hasattr(node.arg, "dtype") else ""
    attrs = node.attrs
    for key in ("dtype", "T"):
        if key in attrs and attrs[key].WhichOneof("value") == "type":
            info = ops.get(node.op) if ops else None
            if info is None or len(info.outputs) == 1:
                return dtype_name(attrs[key].type)
    info = ops.get(node.op) if ops else None
    if info is not None and flat < len(info.outputs) and not info.outputs[flat].is_list:
        t = info.outputs[flat].type
        if t.startswith("DT_"):
            try:
                return dtype_name(protos.types_pb2().DataType.Value(t))
            except ValueError:
                return t
        if t in attrs and attrs[t].WhichOneof("value") == "type":
            return dtype_name(attrs[t].type)
    if "output_types" in attrs and flat < len(attrs["output_types"].list.type):
        return dtype_name(attrs["output_types"].list.type[flat])
    if "Tout" in attrs and flat < len(attrs["Tout"].list.type):
        return dtype_name(attrs["Tout"].list.type[flat])
    return ""


def node_details(graph: Graph, i: int, ops: dict[str, OpInfo] | None = None) -> NodeDetails:
    node = graph.nodes[i]
    info = ops.get(node.op) if ops else None
    if node.op == ARG_OP:
        summary = "An argument of the function."
    elif node.op == RET_OP:
        summary = "A value the function or the signature returns."
    elif node.op in graph.functions:
        summary = "Calls the library function of this name."
    else:
        summary = info.summary if info is not None else ""
    out = NodeDetails(node.name, node.op, summary, node.device, node.function)
    if node.proto is not None:
        out.attrs = [(k, attr_text(node.proto.attr[k])) for k in sorted(node.proto.attr)]
    elif node.op == ARG_OP and node.arg is not None:
        out.attrs = [("type", dtype_name(node.arg.type))] if node.arg.type else []
        out.attrs += [(k, attr_text(v)) for k, v in sorted(node.arg_attrs.items())]
    elif node.op == RET_OP and node.arg is not None and hasattr(node.arg, "type"):
        out.attrs = [("type", dtype_name(node.arg.type))] if node.arg.type else []
    for e in sorted(graph.in_edges(i), key=lambda e: e.dst_input):
        src = graph.nodes[e.src]
        row = TensorRow(
            f"^{src.name}" if e.control else node.inputs[e.dst_input],
            src.name,
            control=e.control,
        )
        if not e.control:
            flat = _flat_output(src, e.src_output, ops)
            shapes = _output_shapes(src)
            if flat is not None:
                row.dtype = _output_dtype(src, flat, ops)
                if flat < len(shapes):
                    row.shape = shape_text(shape_list(shapes[flat]))
        out.inputs.append(row)
    consumers: dict[Any, list[str]] = {}
    control_consumers: list[str] = []
    for e in graph.out_edges(i):
        if e.control:
            control_consumers.append(graph.nodes[e.dst].name)
        else:
            consumers.setdefault(e.src_output, []).append(graph.nodes[e.dst].name)
    shapes = _output_shapes(node)
    ports: list[Any] = sorted(consumers, key=str)
    if graph.kind != "function":  # a GraphDef node: every recorded output, used or not
        ports = sorted(set(ports) | set(range(len(shapes))), key=lambda p: (str(type(p)), p))
    for port in ports:
        flat = _flat_output(node, port, ops)
        label = f"{node.name}:{port}" if isinstance(port, int) else f"{node.name}:{port}"
        row = TensorRow(label, ", ".join(consumers.get(port, [])))
        if flat is not None:
            row.dtype = _output_dtype(node, flat, ops)
            if flat < len(shapes):
                row.shape = shape_text(shape_list(shapes[flat]))
        out.outputs.append(row)
    if control_consumers:
        out.outputs.append(TensorRow("(control)", ", ".join(control_consumers), control=True))
    if node.proto is not None and "value" in node.proto.attr:
        value = node.proto.attr["value"]
        if value.WhichOneof("value") == "tensor":
            arr = tensor_to_numpy(value.tensor)
            if arr is not None:
                out.value = values_text(arr, 64)
                out.stats = tensor_stats(arr)
    return out
