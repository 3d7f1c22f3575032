"""``--input-examples 'inputs=[{"x": [1.0]}]'``: serialized tf.train.Example records.

As ``saved_model_cli run --input_examples`` does: each dict maps a feature name to a list of
floats (float_list), ints (int64_list), str (UTF-8 bytes_list) or bytes (bytes_list). Built with
TensorFlow's generated ``example_pb2`` alone, so the TensorFlow runtime is not loaded.
"""

from __future__ import annotations

import ast
import json
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.inputs.expressions import split_assignments
from inspector_app.safeio import escape
from inspector_app.savedmodel import protos


def make_example(features: dict[str, list]) -> bytes:
    """One serialized tf.train.Example from ``{"name": [values...]}``."""
    if not isinstance(features, dict):
        raise UserError(
            f"an example is a dict of feature name to list, not {type(features).__name__}"
        )
    example = protos.module("example_pb2").Example()
    for name, values in features.items():
        if not isinstance(name, str):
            raise UserError(f"feature names are strings, not {_short(repr(name))}")
        if not _utf8(name):
            raise UserError(
                f"feature name {escape(name)!r} is not valid Unicode (a lone surrogate?); use proper text"
            )
        if not isinstance(values, (list, tuple)):
            raise UserError(f"feature {name!r}: its value must be a list, e.g. [{values!r}]")
        feature = example.features.feature[name]
        if not values:
            feature.float_list.SetInParent()
            continue
        kinds = {_kind(name, v) for v in values}
        if kinds == {"int", "float"}:
            kinds = {"float"}
        if len(kinds) != 1:
            raise UserError(f"feature {name!r} mixes {' and '.join(sorted(kinds))} values")
        kind = kinds.pop()
        if kind == "float":
            feature.float_list.value.extend(float(v) for v in values)
        elif kind == "int":
            try:
                feature.int64_list.value.extend(int(v) for v in values)
            except ValueError:
                raise UserError(f"feature {name!r}: an int does not fit in 64 bits") from None
        else:
            bad = next((v for v in values if isinstance(v, str) and not _utf8(v)), None)
            if bad is not None:
                raise UserError(
                    f"feature {escape(name)!r}: the string {escape(bad[:40])!r} is not valid "
                    "Unicode (a lone surrogate such as \\ud800); give bytes or proper text"
                )
            feature.bytes_list.value.extend(v.encode() if isinstance(v, str) else v for v in values)
    return example.SerializeToString()


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _kind(name: str, value: Any) -> str:
    if isinstance(value, int):  # bool too, as saved_model_cli
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, (str, bytes)):
        return "bytes"
    raise UserError(
        f"feature {escape(name)!r}: {_short(repr(value))} is not a float, int, str or bytes"
    )


MAX_DEPTH = 16  # [{"x": [1.0]}] is 3 deep; anything much deeper is not a feature table


def _depth(text: str) -> int:
    """The deepest bracket nesting of ``text`` (quotes ignored), without parsing it."""
    depth = deepest = 0
    quote = ""
    escaped = False
    for ch in text:
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "[{(":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]})":
            depth -= 1
    return deepest


def _short(text: str, limit: int = 60) -> str:
    return (
        repr(text)
        if len(text) <= limit
        else f"{text[:limit]!r}... ({len(text) - limit:,} more characters)"
    )


def parse_examples_value(text: str) -> list[dict]:
    """``'[{"x": [1.0]}]'`` (Python or JSON literal syntax; never evaluated as code)."""
    deepest = _depth(text)
    if deepest > MAX_DEPTH:
        raise UserError(
            f"--input-examples: the value is nested {deepest:,} deep (at most {MAX_DEPTH}); "
            'write a list of dicts of lists, e.g. [{"x": [1.0]}]'
        )
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            raise UserError(
                f"--input-examples: {_short(text)} is not a list of dicts; "
                'write e.g. [{"x": [1.0]}]'
            ) from None
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise UserError(
            f'--input-examples: {_short(text)} is not a list of dicts; write e.g. [{{"x": [1.0]}}]'
        )
    return value


def parse_input_examples(text: str) -> dict[str, np.ndarray]:
    """``--input-examples`` text to 1-D object arrays of serialized Examples, one per key."""
    feeds: dict[str, np.ndarray] = {}
    for key, value in split_assignments(text, "--input-examples"):
        if key in feeds:
            raise UserError(f"--input-examples: input {key!r} is given twice")
        records = [make_example(d) for d in parse_examples_value(value)]
        arr = np.empty(len(records), dtype=object)
        arr[:] = records
        feeds[key] = arr
    return feeds


def check_examples(key: str, records: list[dict], features: list, warn: Any = None) -> None:
    """Refuse records that the signature's parse op would reject, naming the feature: a required
    dense feature missing, a value of the wrong kind, a dense feature with the wrong number of
    values, a name close to a parsed one ("did you mean"). ``features``: the ExampleFeature list
    that ``savedmodel.example_features`` read from the graph. Unknown names far from any parsed
    feature only warn (the graph ignores them)."""
    import difflib

    ours = [f for f in features if not f.input or f.input == key]
    if not ours:
        return
    by_name = {f.name: f for f in ours}
    listing = ", ".join(f"{f.name} ({f.dtype}{'' if f.shape is None else ' ' + str(f.shape)}, {f.kind})" for f in ours)  # fmt: skip
    for i, record in enumerate(records, 1):
        where = f"--input-examples: {key!r} example {i}"
        for name, values in record.items():
            feature = by_name.get(name)
            if feature is None:
                close = difflib.get_close_matches(str(name), list(by_name), n=1, cutoff=0.6)
                if close:
                    raise UserError(f"{where}: the graph parses no feature {name!r}; did you mean {close[0]!r}? (features: {listing})")  # fmt: skip
                if warn is not None:
                    warn(f"{where}: feature {name!r} is not parsed by the graph (ignored)")
                continue
            given = {_kind(name, v) for v in values} if isinstance(values, (list, tuple)) else set()
            if given == {"int", "float"}:
                given = {"float"}
            wants = {"float32": "float", "int64": "int"}.get(feature.dtype, "bytes")
            if given and given != {wants}:
                shown = {"float": "float", "int": "int64", "bytes": "bytes/str"}
                raise UserError(
                    f"{where}: feature {name!r} is {feature.dtype} in the graph, given "
                    f"{' and '.join(shown[g] for g in sorted(given))} values"
                    + (" (write 1.0, not 1)" if wants == "float" and given == {"int"} else "")
                )
            if feature.kind == "dense" and feature.shape is not None and all(d >= 0 for d in feature.shape):  # fmt: skip
                count = int(np.prod(feature.shape)) if feature.shape else 1
                if isinstance(values, (list, tuple)) and len(values) != count:
                    raise UserError(
                        f"{where}: feature {name!r} needs {count} value{'s' * (count != 1)} "
                        f"(shape {feature.shape}), got {len(values)}"
                    )
        missing = [f.name for f in ours if f.required and f.name not in record]
        if missing:
            raise UserError(
                f"{where} lacks the feature{'s' * (len(missing) > 1)} "
                f"{', '.join(map(repr, missing))} that the graph requires (no default); "
                f"features: {listing}"
            )


def check_input_examples(text: str, meta_graph: Any, signature: Any, warn: Any = None) -> None:
    """``--input-examples`` text checked against the features the signature's graph parses."""
    from inspector_app.savedmodel.example_features import signature_example_features

    features = signature_example_features(meta_graph, signature)
    if not features:
        return
    for key, value in split_assignments(text, "--input-examples"):
        check_examples(key, parse_examples_value(value), features, warn)


def default_values_text(feature: Any) -> str:
    """The values a feature's row starts with: its default, zeros for a required dense feature
    of up to 1024 numbers, else nothing (the user fills it)."""
    if feature.default is not None:
        return ", ".join(str(v) for v in feature.default)
    shape = feature.shape
    if feature.required and shape is not None and all(d >= 0 for d in shape):
        count = int(np.prod(shape)) if shape else 1
        if count <= 1024 and feature.list_kind != "bytes":
            zero = "0.0" if feature.list_kind == "float" else "0"
            return ", ".join([zero] * count)
    return ""
