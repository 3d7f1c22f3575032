"""The one input-name and dtype policy, the same in the window, the command line, batch jobs
and the engine.

Names: a feed for an input the signature does not have, or a signature input left without a
feed, is one line naming the signature's inputs.

Dtypes are strict: an array is fed as the dtype it has. A float64 array for a float32 input is
refused with a message naming both dtypes and the cast that would fit it (``--cast`` on the
command line, the row's "Cast to float32" button in the window); the cast is made only when
asked, and only when every value survives it (no fractions into integers, no values out of
range). Two conversions are not casts and are always made: text (``str``) to the UTF-8 bytes a
string input takes, and plain Python values (numbers, lists, and literals written as such:
``--input-exprs x=[1, 2.5]`` or ``[1, 2.5]`` in the window's expression editor), which have no
dtype of their own, to the input's dtype when every value fits. ``np.ones(3)`` is a float64
array, and is cast only when asked. Image inputs are built in their input's dtype by the
image presets (``inputs.images``), so they never need a cast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.inputs.validate import (
    as_string_array,
    cast,
    is_string_dtype,
    numpy_dtype,
    values_survive,
)

CAST_HINT = "--cast on the command line, the row's cast button in the window"


def check_names(
    signature: str,
    input_names: Sequence[str],
    feed_names: Iterable[str],
    *,
    require_all: bool = True,
    how: str = "",
) -> None:
    """UserError for the first feed the signature has no input for, or (``require_all``) the
    first input without a feed; ``how`` says how to give one (e.g. the command's flags)."""
    valid = ", ".join(input_names) or "none"
    names = set(input_names)
    given = list(feed_names)
    for key in given:
        if key not in names:
            raise UserError(f"signature {signature!r} has no input {key!r}; its inputs: {valid}")
    if require_all:
        missing = [n for n in input_names if n not in set(given)]
        if missing:
            tail = f"; give it with {how}" if how else ""
            raise UserError(
                f"signature {signature!r} needs input {missing[0]!r} (inputs: {valid}){tail}"
            )


def cast_refusal(name: str, dtype: str, got: str, *, fits: bool) -> str:
    """The one line for a feed of dtype ``got`` given to an input of ``dtype``."""
    if not fits:
        return (f"input {name!r} takes {dtype}, got {got} values that do not survive a cast "
                f"to {dtype}; give {dtype} values")  # fmt: skip
    return (f"input {name!r} takes {dtype}, got {got}; cast it to {dtype} ({CAST_HINT}) "
            f"or give {dtype} values")  # fmt: skip


def adopt_literal(value: np.ndarray, dtype: str) -> np.ndarray:
    """A value written as a plain literal (``[1.0, 2.0]``: numpy made it float64 by default)
    in the input's dtype when every value survives; unchanged otherwise (the strict check then
    names both dtypes)."""
    target = numpy_dtype(dtype)
    if is_string_dtype(dtype) or value.dtype.kind not in "biuf" or value.dtype == target:
        return value
    return cast(value, target) if values_survive(value, target) else value


def conform(name: str, value: Any, dtype: str, *, allow_cast: bool = False) -> np.ndarray:
    """``value`` as the input ``name`` of ``dtype`` takes it, by the policy above (UserError
    otherwise)."""
    typed = isinstance(value, (np.ndarray, np.generic))
    arr = np.asarray(value)
    if is_string_dtype(dtype):
        if arr.dtype.kind not in "OSU":
            raise UserError(f"input {name!r} takes strings, got {arr.dtype.name} values")
        if arr.dtype.kind == "O" and not all(
            isinstance(v, (bytes, str, np.bytes_, np.str_)) for v in arr.reshape(-1)
        ):
            raise UserError(f"input {name!r} takes strings, got other Python objects")
        return as_string_array(arr)
    if arr.dtype.kind in "OSU":
        raise UserError(f"input {name!r} takes {dtype} values, got strings")
    target = numpy_dtype(dtype)
    if arr.dtype == target:
        return arr
    fits = values_survive(arr, target)
    if fits and (allow_cast or not typed):
        return cast(arr, target)
    raise UserError(cast_refusal(name, dtype, arr.dtype.name, fits=fits))


def conform_feeds(
    signature: str,
    specs: Sequence[Any],
    feeds: Mapping[str, Any],
    *,
    allow_cast: bool = False,
    require_all: bool = True,
    how: str = "",
    keep: Any = None,
) -> dict[str, Any]:
    """Names checked and every feed conformed to its input's dtype. ``keep(value, spec)``: True
    for a value passed on as it is (a composite tensor, which carries its own dtypes)."""
    by_name = {s.name: s for s in specs}
    check_names(signature, list(by_name), feeds, require_all=require_all, how=how)
    out: dict[str, Any] = {}
    for name, value in feeds.items():
        spec = by_name[name]
        if keep is not None and keep(value, spec):
            out[name] = value
        else:
            out[name] = conform(name, value, spec.dtype, allow_cast=allow_cast)
    return out
