"""Check a feed against its input spec before running, and offer one-click fixes.

A spec is any object with ``name``, ``dtype`` (numpy-style name: "float32", "string", ...) and
``shape`` (list of ints with -1 for an unknown dimension, or None for an unknown rank), such as
``inspector_app.savedmodel``'s TensorInfo.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from inspector_app.errors import UserError


class TensorSpec(Protocol):
    """What the input builders need to know about one signature input."""

    @property
    def name(self) -> str: ...
    @property
    def dtype(self) -> str: ...
    @property
    def shape(self) -> list[int] | None: ...


STRING_DTYPES = frozenset({"string", "str", "bytes", "object"})


def is_string_dtype(dtype: str) -> bool:
    return dtype in STRING_DTYPES


def numpy_dtype(dtype: str) -> np.dtype:
    """The numpy dtype for a spec dtype name; strings map to ``object`` (arrays of bytes)."""
    if is_string_dtype(dtype):
        return np.dtype(object)
    if dtype == "bfloat16":  # no numpy type; the engine converts from float32
        return np.dtype(np.float32)
    try:
        return np.dtype(dtype)
    except TypeError as exc:
        raise UserError(f"unsupported input dtype {dtype!r}") from exc


def dtype_name(array: np.ndarray) -> str:
    """The spec-style dtype name of an array (``string`` for bytes/str/object arrays)."""
    if array.dtype.kind in "OSU":
        return "string"
    return array.dtype.name


def format_shape(shape: Sequence[int] | None) -> str:
    """``[1, ?, ?, 3]``; an unknown rank is ``[...]``."""
    if shape is None:
        return "[...]"
    return "[" + ", ".join("?" if d is None or d < 0 else str(d) for d in shape) + "]"


def describe(dtype: str, shape: Sequence[int] | None) -> str:
    return f"{dtype} {format_shape(shape)}"


def shape_matches(actual: Sequence[int], expected: Sequence[int] | None) -> bool:
    if expected is None:
        return True
    if len(actual) != len(expected):
        return False
    return all(e is None or e < 0 or a == e for a, e in zip(actual, expected, strict=True))


def as_string_array(value: Any) -> np.ndarray:
    """An object array of ``bytes`` (str encoded as UTF-8), any shape."""
    arr = np.asarray(value, dtype=object)
    flat = arr.reshape(-1)
    out = np.empty(flat.shape, dtype=object)
    for i, v in enumerate(flat):
        if isinstance(v, bytes):
            out[i] = v
        elif isinstance(v, str):
            out[i] = v.encode("utf-8")
        elif isinstance(v, (bytearray, memoryview, np.bytes_)):
            out[i] = bytes(v)
        else:
            out[i] = str(v).encode("utf-8")
    return out.reshape(arr.shape)


def fit_vector(values: np.ndarray, shape: Sequence[int] | None, what: str = "values") -> np.ndarray:
    """Lay out a 1-D list of ``n`` items for a spec: scalar, ``[n]``, ``[n, 1]`` or ``[1, n]``."""
    n = values.shape[0]
    if shape is None:
        return values
    if len(shape) == 0:
        if n != 1:
            raise UserError(f"the input takes one value, got {n} {what}")
        return values.reshape(())
    for layout in ([n], [n, 1], [1, n]):
        if shape_matches(layout, shape):
            return values.reshape(layout)
    raise UserError(f"{n} {what} cannot fill shape {format_shape(shape)}")


@dataclass(frozen=True)
class Fix:
    """A one-click repair: ``label`` for the button, ``apply`` builds the repaired array."""

    label: str
    apply: Callable[[np.ndarray], np.ndarray] = field(compare=False)
    # the same repair written onto an input expression (``x`` -> ``x[None].astype(np.uint8)``),
    # so a fixed expression stays the user's, visible and editable; None when there is none
    rewrite: Callable[[str], str] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Check:
    """The verdict for one input: ``ready`` when it can be fed as it is."""

    ready: bool
    message: str = ""
    fix: Fix | None = None


def values_survive(value: np.ndarray, target: np.dtype) -> bool:
    """True when every value survives a cast to ``target`` (integers in range, floats integral
    and finite for integers, 0/1 for bool, nothing complex to real): the one rule of
    ``inputs.feed_policy`` and of the window's cast button."""
    if value.size == 0 or target.kind == "O":
        return True
    if value.dtype.kind in "OSU":
        return False
    if target.kind == "b":
        return bool(np.isin(value, (0, 1)).all())
    if target.kind in "iu":
        if value.dtype.kind == "c":
            return False
        if value.dtype.kind == "f" and not np.all(np.isfinite(value) & (value == np.round(value))):
            return False
        info = np.iinfo(target)
        return bool(value.min() >= info.min and value.max() <= info.max)
    return not (target.kind == "f" and value.dtype.kind == "c")


def cast(value: np.ndarray, target: np.dtype) -> np.ndarray:
    """``value`` as ``target`` (floats rounded to the nearest integer for integer targets)."""
    if target.kind == "O":
        return as_string_array(value)
    if target.kind in "iu" and value.dtype.kind == "f":
        value = np.rint(value)
    return value.astype(target)


def check_feed(value: np.ndarray | None, spec: TensorSpec) -> Check:
    """Whether ``value`` fits ``spec``; when not, one line saying why and a fix where one exists.

    For a uint8 [1, -1, -1, 3] input and a float32 (224, 224, 3) array the message is
    "expects uint8 [1, ?, ?, 3], got float32 [224, 224, 3]" and the fix "Add the batch
    dimension and cast to uint8" (offered only when every value survives the cast).
    """
    if value is None:
        return Check(False, "no value yet")
    value = np.asarray(value)
    want = numpy_dtype(spec.dtype)
    got_name = dtype_name(value)
    dtype_ok = (want.kind == "O" and value.dtype.kind in "OSU") or value.dtype == want
    shape_ok = shape_matches(value.shape, spec.shape)
    if dtype_ok and shape_ok:  # str/bytes numpy arrays are fine for strings: the engine encodes
        return Check(True)
    message = f"expects {describe(spec.dtype, spec.shape)}, got {describe(got_name, value.shape)}"

    steps: list[tuple[str, Callable[[np.ndarray], np.ndarray], str | None]] = []
    if not shape_ok:
        shape = spec.shape or []
        if shape_matches((1, *value.shape), shape):
            steps.append(("add the batch dimension", lambda a: a[np.newaxis, ...], "{}[None]"))
        elif value.ndim > 0 and value.shape[0] == 1 and shape_matches(value.shape[1:], shape):
            steps.append(("remove the batch dimension", lambda a: a[0], "{}[0]"))
        elif all(d >= 0 for d in shape) and value.size == int(np.prod(shape)):
            steps.append((f"reshape to {format_shape(shape)}", lambda a: a.reshape(shape),
                          "{}.reshape(" + repr(tuple(shape)) + ")"))  # fmt: skip
        else:
            return Check(False, message)
    if not dtype_ok:
        if want.kind != "O" and (value.dtype.kind in "OSU" or not values_survive(value, want)):
            return Check(False, message)
        form = f"{{}}.astype(np.{want.name})" if want.kind in "biuf" else None
        steps.append((f"cast to {spec.dtype}", lambda a: cast(a, want), form))

    def apply(a: np.ndarray) -> np.ndarray:
        for _, step, _form in steps:
            a = step(np.asarray(a))
        return a

    rewrite = None
    if all(form is not None for _, _, form in steps):

        def rewrite(text: str) -> str:
            for _, _, form in steps:
                text = form.format(_primary(text))  # type: ignore[union-attr]
            return text

    label = " and ".join(s for s, _, _ in steps)
    return Check(False, message, Fix(label[0].upper() + label[1:], apply, rewrite))


def _primary(text: str) -> str:
    """``text`` as it can take ``[...]`` or ``.method()``: a literal becomes an array, other
    expressions go in brackets unless they are a call, attribute or subscript already."""
    import ast

    try:
        node = ast.parse(text.strip(), mode="eval").body
    except SyntaxError:
        return f"({text})"
    if isinstance(node, (ast.List, ast.Tuple, ast.Constant)):  # literals have no .astype()
        return f"np.array({text.strip()})"
    if isinstance(node, (ast.Call, ast.Name, ast.Attribute, ast.Subscript)):
        return text.strip()
    return f"({text.strip()})"


def check_feeds(
    feeds: Mapping[str, np.ndarray | None], specs: Sequence[TensorSpec]
) -> dict[str, Check]:
    """One :class:`Check` per spec (missing inputs are not ready), plus unknown feed names."""
    checks = {s.name: check_feed(feeds.get(s.name), s) for s in specs}
    names = {s.name for s in specs}
    for extra in feeds:
        if extra not in names:
            checks[extra] = Check(False, f"the signature has no input named {extra!r}")
    return checks


def all_ready(checks: Mapping[str, Check]) -> bool:
    return all(c.ready for c in checks.values())
