"""TF2 concrete functions and their argument specs, decoded from the SavedObjectGraph.

What ``saved_model_cli show --all`` prints under "Concrete Functions", read from the proto alone
(saved_model_cli loads the whole model with TensorFlow to get it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inspector_app.savedmodel.dtypes import dtype_name, shape_list


@dataclass
class FunctionOption:
    concrete_name: str  # the name in the function library
    args: list[str]  # "x: TensorSpec(shape=(None, 28), dtype=tf.float32, name='x')"
    kwargs: list[str]
    outputs: str


@dataclass
class FunctionInfo:
    name: str  # the attribute path from the root object, e.g. "serve" or "signatures.x"
    kind: str  # "function" (tf.function) or "bare_concrete_function"
    options: list[FunctionOption] = field(default_factory=list)


def _shape_py(shape: Any) -> str:
    dims = shape_list(shape)
    if dims is None:
        return "None"
    inner = ", ".join("None" if d < 0 else str(d) for d in dims)
    return f"({inner},)" if len(dims) == 1 else f"({inner})"


def _spec_text(spec: Any, cls: str = "TensorSpec") -> str:
    dtype = dtype_name(spec.dtype)
    name = repr(spec.name) if spec.name else "None"
    return f"{cls}(shape={_shape_py(spec.shape)}, dtype=tf.{dtype}, name={name})"


def structured_text(value: Any, depth: int = 0) -> str:
    """A StructuredValue as Python-like text (what TensorFlow's repr of the spec would say)."""
    if depth > 50:  # a malformed, deeply nested proto
        return "..."
    kind = value.WhichOneof("kind")
    if kind is None or kind == "none_value":
        return "None"
    if kind == "tensor_spec_value":
        return _spec_text(value.tensor_spec_value)
    if kind == "bounded_tensor_spec_value":
        return _spec_text(value.bounded_tensor_spec_value, "BoundedTensorSpec")
    if kind in ("list_value", "tuple_value"):
        items = [structured_text(v, depth + 1) for v in getattr(value, kind).values]
        if kind == "list_value":
            return "[" + ", ".join(items) + "]"
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if kind == "dict_value":
        fields = value.dict_value.fields
        return (
            "{"
            + ", ".join(f"{k!r}: {structured_text(fields[k], depth + 1)}" for k in sorted(fields))
            + "}"
        )
    if kind == "named_tuple_value":
        nt = value.named_tuple_value
        inner = ", ".join(f"{p.key}={structured_text(p.value, depth + 1)}" for p in nt.values)
        return f"{nt.name}({inner})"
    if kind == "type_spec_value":
        ts = value.type_spec_value
        cls = ts.type_spec_class_name or "TypeSpec"
        return f"{cls}({structured_text(ts.type_state, depth + 1)})"
    if kind == "tensor_shape_value":
        return f"TensorShape({_shape_py(value.tensor_shape_value)})"
    if kind == "tensor_dtype_value":
        return f"tf.{dtype_name(value.tensor_dtype_value)}"
    if kind == "string_value":
        return repr(value.string_value)
    if kind == "bool_value":
        return repr(value.bool_value)
    if kind == "int64_value":
        return str(value.int64_value)
    if kind == "float64_value":
        return repr(value.float64_value)
    return kind


def _labelled(value: Any) -> str:
    """``name: spec`` for a tensor spec (as saved_model_cli prints an argument), else the spec."""
    text = structured_text(value)
    if value.WhichOneof("kind") == "tensor_spec_value" and value.tensor_spec_value.name:
        return f"{value.tensor_spec_value.name}: {text}"
    return text


def _option(name: str, concrete: Any) -> FunctionOption:
    sig = concrete.canonicalized_input_signature
    args: list[str] = []
    kwargs: list[str] = []
    # canonicalized_input_signature is (args_tuple, kwargs_dict)
    if sig.WhichOneof("kind") == "tuple_value" and len(sig.tuple_value.values) == 2:
        positional, named = sig.tuple_value.values
        if positional.WhichOneof("kind") in ("tuple_value", "list_value"):
            args = [_labelled(v) for v in getattr(positional, positional.WhichOneof("kind")).values]
        else:
            args = [_labelled(positional)]
        if named.WhichOneof("kind") == "dict_value":
            fields = named.dict_value.fields
            kwargs = [f"{k}: {structured_text(fields[k])}" for k in sorted(fields)]
    elif sig.WhichOneof("kind") is not None:
        args = [_labelled(sig)]
    return FunctionOption(
        concrete_name=name,
        args=args,
        kwargs=kwargs,
        outputs=structured_text(concrete.output_signature),
    )


def concrete_functions(meta_graph: Any) -> list[FunctionInfo]:
    """Functions reachable as attributes of the root object, sorted by name (TF2 exports only)."""
    graph = meta_graph.object_graph_def
    if not graph.nodes:
        return []
    concrete = graph.concrete_functions
    out: list[FunctionInfo] = []
    for ref in graph.nodes[0].children:
        if ref.node_id >= len(graph.nodes):
            continue
        node = graph.nodes[ref.node_id]
        kind = node.WhichOneof("kind")
        if kind == "function":
            names = list(node.function.concrete_functions)
        elif kind == "bare_concrete_function":
            names = [node.bare_concrete_function.concrete_function_name]
        else:
            continue
        info = FunctionInfo(name=ref.local_name, kind=kind)
        for cname in names:
            if cname in concrete:
                info.options.append(_option(cname, concrete[cname]))
        out.append(info)
    out.sort(key=lambda f: f.name)
    return out
