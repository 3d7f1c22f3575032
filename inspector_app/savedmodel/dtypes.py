"""TensorFlow ``DataType`` enum values as numpy-style names, and shapes as lists."""

from __future__ import annotations

from typing import Any

from inspector_app.savedmodel import protos

# Names that differ from the lower-cased enum name without its DT_ prefix.
_RENAMES = {"float": "float32", "double": "float64", "half": "float16"}

# Bytes per element for the fixed-size types (for the size of a variable when the bundle lacks it).
ITEM_SIZE = {
    "float32": 4, "float64": 8, "float16": 2, "bfloat16": 2, "int8": 1, "int16": 2, "int32": 4,
    "int64": 8, "uint8": 1, "uint16": 2, "uint32": 4, "uint64": 8, "bool": 1, "complex64": 8,
    "complex128": 16,
}  # fmt: skip


def dtype_name(value: int, keep_ref: bool = False) -> str:
    """``DT_FLOAT`` (1) -> ``"float32"``; reference types lose their ``_ref`` suffix unless
    ``keep_ref`` (``DT_FLOAT_REF`` -> ``"float32_ref"``, as written)."""
    try:
        name = protos.types_pb2().DataType.Name(value)
    except ValueError:
        return f"dtype_{value}"
    name = name[3:].lower() if name.startswith("DT_") else name.lower()
    ref = name.endswith("_ref")
    if ref:
        name = name[: -len("_ref")]
    name = _RENAMES.get(name, name)
    return f"{name}_ref" if ref and keep_ref else name


def enum_of(name: str) -> int:
    """``"float32"`` -> ``DT_FLOAT`` (1); 0 (``DT_INVALID``) for an unknown name."""
    enum = protos.types_pb2().DataType
    return next((v for v in enum.values() if v and dtype_name(v, keep_ref=True) == name), 0)


def tf_dtype_name(value: int) -> str:
    """The enum's own name, as ``saved_model_cli`` prints it (``DT_FLOAT``)."""
    try:
        return protos.types_pb2().DataType.Name(value)
    except ValueError:
        return f"DT_{value}"


def shape_list(shape: Any) -> list[int] | None:
    """A ``TensorShapeProto`` as a list (-1 for an unknown dimension), None for unknown rank."""
    if shape.unknown_rank:
        return None
    return [int(d.size) for d in shape.dim]


def shape_text(shape: list[int] | None) -> str:
    """``[-1, 28, 28]`` -> ``"[?, 28, 28]"``; None -> ``"unknown rank"``; [] -> ``"scalar"``."""
    if shape is None:
        return "unknown rank"
    if not shape:
        return "scalar"
    return "[" + ", ".join("?" if d < 0 else str(d) for d in shape) + "]"
