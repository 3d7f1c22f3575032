"""A Keras-style layer summary of a SavedModel: layer, type, output shape where known, parameters.

Sources, best first: ``keras_metadata.pb`` (tf.keras 2 exports: each layer's class and config, as
JSON inside a small protobuf that TensorFlow does not ship, decoded here by hand), the JSON
metadata of the SavedObjectGraph's user objects (older exports), and otherwise the variables
themselves: grouped by layer name, with the type told by the names and shapes of its weights
(``kernel`` + ``bias`` of rank 2 is a Dense layer). Optimizer slots and bookkeeping never count.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector_app.savedmodel.variables import VariableInfo


@dataclass
class LayerRow:
    name: str
    type: str  # "Dense"; inferred types end in "?"
    output_shape: str | None  # "(..., 4)" (the last axis of a Dense layer); None: not known
    params: int
    trainable_params: int
    variables: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "output_shape": self.output_shape,
            "params": self.params,
            "trainable_params": self.trainable_params,
            "variables": self.variables,
        }


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while pos < len(buf):
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
    raise ValueError("truncated varint")


def _fields(buf: bytes) -> list[tuple[int, int, Any]]:
    """(field number, wire type, value) of one protobuf message; nested ones stay bytes."""
    out: list[tuple[int, int, Any]] = []
    pos = 0
    value: int | bytes
    while pos < len(buf):
        tag, pos = _varint(buf, pos)
        number, wire = tag >> 3, tag & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value, pos = buf[pos : pos + length], pos + length
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        out.append((number, wire, value))
    return out


def keras_metadata(model_dir: Path) -> list[dict[str, Any]]:
    """The layer records of ``keras_metadata.pb``: ``SavedMetadata { repeated SavedObject nodes = 1 }``
    with ``SavedObject { node_id = 2; node_path = 3; identifier = 4; metadata = 5 (JSON) }``."""
    path = model_dir / "keras_metadata.pb"
    try:
        data = path.read_bytes()
    except OSError:
        return []
    out = []
    try:
        for number, wire, value in _fields(data):
            if number != 1 or wire != 2:
                continue
            record: dict[str, Any] = {}
            for n, w, v in _fields(value):
                if n == 3 and w == 2:
                    record["node_path"] = v.decode("utf-8", "replace")
                elif n == 4 and w == 2:
                    record["identifier"] = v.decode("utf-8", "replace")
                elif n == 5 and w == 2:
                    try:
                        record["metadata"] = json.loads(v.decode("utf-8", "replace"))
                    except ValueError:
                        record["metadata"] = {}
            out.append(record)
    except ValueError:
        return []
    return out


def _infer_type(members: list[VariableInfo]) -> str:
    short = {v.short_name: v for v in members}
    kernel = short.get("kernel")
    if "depthwise_kernel" in short and "pointwise_kernel" in short:
        return "SeparableConv2D?"
    if "depthwise_kernel" in short:
        return "DepthwiseConv2D?"
    if "recurrent_kernel" in short and kernel is not None and kernel.shape:
        units = (short["recurrent_kernel"].shape or [0])[0] or 1
        gates = kernel.shape[-1] // units
        return {4: "LSTM?", 3: "GRU?"}.get(gates, "RNN?")
    if "moving_mean" in short and "moving_variance" in short:
        return "BatchNormalization?"
    if "embeddings" in short:
        return "Embedding?"
    if {"gamma", "beta"} & set(short) and "moving_mean" not in short:
        return "LayerNormalization?"
    if kernel is not None and kernel.shape is not None:
        return {2: "Dense?", 3: "Conv1D?", 4: "Conv2D?", 5: "Conv3D?"}.get(
            len(kernel.shape), "Layer?"
        )
    return "Layer?"


def _infer_output(kind: str, members: list[VariableInfo]) -> str | None:
    """The output's last axis where the weights fix it (the other axes follow the input)."""
    short = {v.short_name: v for v in members}
    kernel = short.get("kernel") or short.get("pointwise_kernel")
    convs = ("Dense?", "Conv1D?", "Conv2D?", "Conv3D?", "SeparableConv2D?")
    if kind in convs and kernel is not None and kernel.shape:
        return f"(..., {kernel.shape[-1]})"
    if kind == "Embedding?" and short["embeddings"].shape:
        return f"(..., {short['embeddings'].shape[-1]})"
    return None


def layer_summary(model_dir: Path, variables: list[VariableInfo]) -> list[LayerRow]:
    """One row per layer that holds weights, in the order of the checkpoint's layer keys."""
    weights = [v for v in variables if v.role == "weight"]
    groups: dict[str, list[VariableInfo]] = {}
    for var in weights:
        groups.setdefault(var.group or var.name, []).append(var)
    types: dict[str, str] = {}
    for record in keras_metadata(model_dir):
        meta = record.get("metadata") or {}
        name, cls = meta.get("name"), meta.get("class_name")
        if isinstance(name, str) and isinstance(cls, str):
            types[name] = cls
    rows = []
    for group, members in groups.items():
        layer = group.rsplit("/", 1)[-1] if group not in types else group
        kind = types.get(group) or types.get(layer) or _infer_type(members)
        rows.append(
            LayerRow(
                name=group,
                type=kind,
                output_shape=_infer_output(kind, members),
                params=sum(v.params for v in members),
                trainable_params=sum(v.params for v in members if v.trainable is not False),
                variables=[v.short_name for v in members],
            )
        )
    return rows
