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
