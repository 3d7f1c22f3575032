"""The layer summary reads tf.keras 2's ``keras_metadata.pb`` (a protobuf TensorFlow does not
ship, decoded by hand): a file written here field by field gives each layer its class."""

from __future__ import annotations

import json
from pathlib import Path

from inspector_app.savedmodel.layers import keras_metadata, layer_summary
from inspector_app.savedmodel.variables import VariableInfo


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _saved_object(node_id: int, path: str, identifier: str, metadata: dict) -> bytes:
    return (
        _varint(2 << 3) + _varint(node_id)
        + _field(3, path.encode())
        + _field(4, identifier.encode())
        + _field(5, json.dumps(metadata).encode())
    )  # fmt: skip


def _var(name: str, shape: list[int], trainable: bool = True) -> VariableInfo:
    count = 1
    for d in shape:
        count *= d
    return VariableInfo(name, name, "float32", shape, 4 * count, count, [name], trainable=trainable)


def test_layer_types_come_from_keras_metadata(tmp_path: Path) -> None:
    records = [
        _saved_object(0, "root", "_tf_keras_model", {"name": "model", "class_name": "Functional"}),
        _saved_object(
            1,
            "root.layer_with_weights-0",
            "_tf_keras_layer",
            {"name": "proj", "class_name": "EinsumDense"},
        ),  # fmt: skip
        _saved_object(
            2,
            "root.layer_with_weights-1",
            "_tf_keras_layer",
            {"name": "norm", "class_name": "LayerNormalization"},
        ),  # fmt: skip
    ]
    (tmp_path / "keras_metadata.pb").write_bytes(b"".join(_field(1, r) for r in records))
    meta = keras_metadata(tmp_path)
    assert [m["node_path"] for m in meta] == [
        "root", "root.layer_with_weights-0", "root.layer_with_weights-1"
    ]  # fmt: skip
    variables = [_var("proj/kernel", [8, 4]), _var("proj/bias", [4]),
                 _var("norm/gamma", [4]), _var("norm/beta", [4]), _var("other/kernel", [4, 2])]  # fmt: skip
    rows = {r.name: r for r in layer_summary(tmp_path, variables)}
    assert (rows["proj"].type, rows["proj"].params) == ("EinsumDense", 36)
    assert rows["norm"].type == "LayerNormalization"
    assert rows["other"].type == "Dense?"  # not in the metadata: told by its weights


def test_damaged_metadata_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "keras_metadata.pb").write_bytes(b"\x0a\xff\xff\xff")
    assert keras_metadata(tmp_path) == []
    assert layer_summary(tmp_path, [_var("d/kernel", [2, 2])])[0].type == "Dense?"
