"""TF2 concrete functions and their argument specs, decoded from the SavedObjectGraph.

What ``saved_model_cli show --all`` prints under "Concrete Functions", read from the proto alone
(saved_model_cli loads the whole model with TensorFlow to get it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inspector_app.savedmodel.dtypes import dtype_name, shape_list, shape_text
from inspector_app.savedmodel.object_graph import concrete_names, function_attachments


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
        names = concrete_names(node)
        if names is None:
            continue
        info = FunctionInfo(name=ref.local_name, kind=node.WhichOneof("kind"))
        for cname in names:
            if cname in concrete:
                info.options.append(_option(cname, concrete[cname]))
        out.append(info)
    out.sort(key=lambda f: f.name)
    return out


# --------------------------------------------------------------------------- the library


@dataclass
class ArgSpec:
    name: str
    dtype: str
    shape: list[int] | None  # None: unknown rank (or not recorded)
    user_name: str = ""  # ``_user_specified_name``: the Python argument or variable

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "dtype": self.dtype, "shape": self.shape}
        if self.user_name:
            out["user_name"] = self.user_name
        return out


@dataclass
class LibraryFunction:
    """One FunctionDef of ``graph_def.library``, with what the object graph adds to it."""

    name: str
    inputs: list[ArgSpec]
    outputs: list[ArgSpec]
    nodes: int
    calls: list[str]  # library functions its nodes call (PartitionedCall, If/While branches...)
    stateful: bool
    attached_to: list[str] = field(default_factory=list)  # "serve", "signatures.x" ...
    python_args: list[str] = field(default_factory=list)  # from the SavedConcreteFunction
    python_returns: str = ""
    has_gradient: str = ""  # the gradient function registered for it, if any

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "inputs": [a.to_json() for a in self.inputs],
            "outputs": [a.to_json() for a in self.outputs],
            "nodes": self.nodes,
            "calls": self.calls,
            "stateful": self.stateful,
            "attached_to": self.attached_to,
            "python_args": self.python_args,
            "python_returns": self.python_returns,
            **({"gradient": self.has_gradient} if self.has_gradient else {}),
        }


def _first_shape(attr_map: Any) -> list[int] | None:
    value = attr_map.get("_output_shapes") if attr_map is not None else None
    if value is None or not value.list.shape:
        return None
    return shape_list(value.list.shape[0])


def _arg_dtype(arg: Any, attrs: dict[str, Any]) -> str:
    if arg.type:
        return dtype_name(arg.type)
    if arg.type_attr and arg.type_attr in attrs:  # a polymorphic function: resolved by its attr
        return dtype_name(attrs[arg.type_attr].type)
    return arg.type_attr or arg.type_list_attr or "?"


def _called_functions(fdef: Any, names: set[str]) -> list[str]:
    found: list[str] = []

    def note(name: str) -> None:
        if name in names and name not in found:
            found.append(name)

    for node in fdef.node_def:
        if node.op in names:  # a function called as an op
            note(node.op)
        for value in node.attr.values():
            if value.HasField("func"):
                note(value.func.name)
            elif value.HasField("list"):
                for fn in value.list.func:
                    note(fn.name)
    return found


def function_library(meta_graph: Any) -> list[LibraryFunction]:
    """Every function of ``graph_def.library`` (TF1 and TF2), sorted by name."""
    library = meta_graph.graph_def.library
    names = {f.signature.name for f in library.function}
    gradients = {g.function_name: g.gradient_func for g in library.gradient}
    where = function_attachments(meta_graph)
    concrete = meta_graph.object_graph_def.concrete_functions
    options = {name: _option(name, fn) for name, fn in concrete.items()}
    out: list[LibraryFunction] = []
    for fdef in library.function:
        sig = fdef.signature
        attrs = dict(fdef.attr)
        inputs = []
        for i, arg in enumerate(sig.input_arg):
            arg_attrs = fdef.arg_attr[i].attr if i in fdef.arg_attr else None
            shape = _first_shape(arg_attrs)
            dtype = _arg_dtype(arg, attrs)
            if arg.handle_data:  # a resource: the variable's own dtype and shape
                handle = arg.handle_data[0]
                dtype = f"resource<{dtype_name(handle.dtype)}>"
                shape = shape_list(handle.shape)
            user = (
                arg_attrs["_user_specified_name"].s.decode()
                if arg_attrs and ("_user_specified_name" in arg_attrs)
                else ""
            )
            inputs.append(ArgSpec(arg.name, dtype, shape, user))
        node_attrs = {n.name: n.attr for n in fdef.node_def}
        outputs = []
        for arg in sig.output_arg:
            ref = fdef.ret.get(arg.name, "")
            node_name, _, rest = ref.partition(":")
            index = (
                int(rest.rsplit(":", 1)[-1]) if rest and rest.rsplit(":", 1)[-1].isdigit() else 0
            )
            shape = None
            attr_map = node_attrs.get(node_name)
            if attr_map is not None and "_output_shapes" in attr_map:
                shapes = attr_map["_output_shapes"].list.shape
                if index < len(shapes):
                    shape = shape_list(shapes[index])
            outputs.append(ArgSpec(arg.name, _arg_dtype(arg, attrs), shape))
        option = options.get(sig.name)
        out.append(
            LibraryFunction(
                name=sig.name,
                inputs=inputs,
                outputs=outputs,
                nodes=len(fdef.node_def),
                calls=_called_functions(fdef, names),
                stateful=bool(sig.is_stateful),
                attached_to=where.get(sig.name, []),
                python_args=(option.args + option.kwargs) if option else [],
                python_returns=option.outputs if option else "",
                has_gradient=gradients.get(sig.name, ""),
            )
        )
    out.sort(key=lambda f: f.name)
    return out


def arg_text(arg: ArgSpec) -> str:
    return f"{arg.name}: {arg.dtype} {shape_text(arg.shape)}"
