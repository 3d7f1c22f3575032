"""String inputs: text lines, raw file bytes, and serialized tf.train.Example records built from
a small feature table (for classify/regress signatures that take serialized examples)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inspector_app.errors import UserError
from inspector_app.inputs.validate import TensorSpec, fit_vector
from inspector_app.safeio import check_regular, read_regular
from inspector_app.units import human_bytes

FEATURE_KINDS = {"float": "float_list", "int64": "int64_list", "bytes": "bytes_list"}
DEFAULT_MAX_FILE_BYTES = 256 << 20


def _strings(items: Iterable[bytes]) -> np.ndarray:
    items = list(items)
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def text_lines(
    text: str, spec: TensorSpec | None = None, *, keep_empty: bool = False
) -> np.ndarray:
    """One string per line of ``text`` (UTF-8 bytes), laid out for ``spec``.

    Empty lines are dropped unless ``keep_empty``; a trailing newline never adds a line.
    """
    lines = text.splitlines()
    if not keep_empty:
        lines = [line for line in lines if line.strip()]
    if not lines:
        raise UserError("enter at least one line of text")
    values = _strings(line.encode("utf-8") for line in lines)
    return fit_vector(values, None if spec is None else spec.shape, "lines")


def file_bytes(
    paths: Sequence[str | os.PathLike],
    spec: TensorSpec | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_FILE_BYTES,
) -> np.ndarray:
    """The raw bytes of each file (e.g. encoded images for models that decode them)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    if not paths:
        raise UserError("choose at least one file")
    data = []
    for p in paths:
        path = Path(p)
        try:
            size = check_regular(path, "a file").st_size  # pipes and devices: never opened
            if size > max_bytes:
                raise UserError(
                    f"the file is {human_bytes(size)}, over the {human_bytes(max_bytes)} "
                    "limit; raise the limit if you mean it",
                    path=str(path),
                )
            data.append(read_regular(path, max_bytes, "a file"))
        except IsADirectoryError:
            raise UserError("is a folder; choose a file", path=str(path)) from None
        except FileNotFoundError:
            raise UserError("no such file", path=str(path)) from None
        except OSError as exc:
            raise UserError(
                f"cannot read the file: {exc.strerror or exc}", path=str(path)
            ) from None
    return fit_vector(_strings(data), None if spec is None else spec.shape, "files")


@dataclass(frozen=True)
class Feature:
    """One row of the feature table: a name, a kind (float, int64, bytes) and its values."""

    name: str
    kind: str
    values: tuple[float | int | bytes, ...]


def parse_feature(name: str, kind: str, text: str) -> Feature:
    """A feature from table cells: values separated by commas or spaces (bytes: by commas)."""
    name = name.strip()
    if not name:
        raise UserError("a feature needs a name")
    if kind not in FEATURE_KINDS:
        raise UserError(f"feature {name!r}: kind must be float, int64 or bytes, not {kind!r}")
    if kind == "bytes":
        parts = [p.strip() for p in text.split(",")] if text.strip() else []
        return Feature(name, kind, tuple(p.encode("utf-8") for p in parts))
    tokens = [t for t in text.replace(",", " ").split() if t]
    values: list[float | int] = []
    for t in tokens:
        try:
            values.append(float(t) if kind == "float" else int(t))
        except ValueError:
            raise UserError(f"feature {name!r}: {t!r} is not {kind}") from None
    if kind == "int64" and any(not -(2**63) <= v < 2**63 for v in values):
        raise UserError(f"feature {name!r}: a value is out of the int64 range")
    return Feature(name, kind, tuple(values))


def _example_pb2():
    from inspector_app.savedmodel import protos

    return protos.module("example_pb2")


def make_example(features: Sequence[Feature] | Mapping[str, object]):
    """A ``tf.train.Example`` message from features (or a {name: value(s)} dict: float,
    int, str/bytes, inferred from the first value)."""
    if isinstance(features, Mapping):
        features = [_infer_feature(k, v) for k, v in features.items()]
    example = _example_pb2().Example()
    for f in features:
        if f.kind not in FEATURE_KINDS:
            raise UserError(f"feature {f.name!r}: kind must be float, int64 or bytes")
        entry = example.features.feature[f.name]
        getattr(entry, FEATURE_KINDS[f.kind]).value.extend(f.values)
    return example


def _infer_feature(name: str, value: object) -> Feature:
    values = list(value) if isinstance(value, (list, tuple, np.ndarray)) else [value]
    if not values:
        raise UserError(f"feature {name!r} has no values; give at least one or leave it out")
    first = values[0]
    if isinstance(first, (bytes, str)):
        return Feature(
            name, "bytes", tuple(v if isinstance(v, bytes) else str(v).encode() for v in values)
        )
    if isinstance(first, (bool, int, np.integer)) and all(
        isinstance(v, (bool, int, np.integer)) for v in values
    ):
        return Feature(name, "int64", tuple(int(v) for v in values))  # type: ignore[arg-type]
    try:
        return Feature(name, "float", tuple(float(v) for v in values))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise UserError(f"feature {name!r}: values must be numbers or strings") from None


def serialized_examples(
    rows: Sequence[Sequence[Feature] | Mapping[str, object]], spec: TensorSpec | None = None
) -> np.ndarray:
    """Serialized ``tf.train.Example`` records, one per row, laid out for ``spec``."""
    if not rows:
        raise UserError("add at least one example")
    data = _strings(make_example(row).SerializeToString() for row in rows)
    return fit_vector(data, None if spec is None else spec.shape, "examples")


def parse_example(data: bytes) -> dict[str, Feature]:
    """The features of one serialized ``tf.train.Example`` (for showing a record as a table)."""
    example = _example_pb2().Example()
    try:
        example.ParseFromString(data)
    except Exception as exc:  # protobuf raises DecodeError, a plain Exception subclass
        raise UserError(f"not a serialized tf.train.Example: {exc}") from None
    out = {}
    for name, feature in sorted(example.features.feature.items()):
        kind = feature.WhichOneof("kind")
        label = {v: k for k, v in FEATURE_KINDS.items()}.get(kind or "", "float")
        values = tuple(getattr(feature, kind).value) if kind else ()
        out[name] = Feature(name, label, values)
    return out
