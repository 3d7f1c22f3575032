"""Filled tensors: zeros, ones, a constant, random uniform or normal (seeded), any dtype.

Free dimensions (-1) are chosen by the user; a size limit guards against huge allocations.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.inputs.validate import TensorSpec, format_shape, numpy_dtype
from inspector_app.units import GB, human_bytes

FILL_KINDS = {
    "zeros": "Zeros",
    "ones": "Ones",
    "constant": "Constant",
    "uniform": "Random uniform",
    "normal": "Random normal",
}
DEFAULT_MAX_BYTES = GB  # 1 GB; the user can raise it


def resolve_shape(
    shape: Sequence[int] | None,
    dims: Sequence[int] | Mapping[int, int] | None = None,
    default: int = 1,
) -> tuple[int, ...]:
    """A concrete shape: free dims (-1) from ``dims`` (in order, or by axis), else ``default``.

    An unknown rank takes ``dims`` as the whole shape (a sequence), or a scalar without it.
    """
    if shape is None:
        if dims is None:
            return ()
        if isinstance(dims, Mapping):
            raise UserError("the input has an unknown rank: give the whole shape")
        return tuple(_dim(d) for d in dims)
    free = [i for i, d in enumerate(shape) if d is None or d < 0]
    chosen: dict[int, int] = {}
    if isinstance(dims, Mapping):
        chosen = {int(k): _dim(v) for k, v in dims.items()}
        bad = set(chosen) - set(free)
        if bad:
            raise UserError(f"axis {min(bad)} of {format_shape(shape)} is not a free dimension")
    elif dims is not None:
        if len(dims) != len(free):
            raise UserError(
                f"{format_shape(shape)} has {len(free)} free dimension(s), got {len(dims)} size(s)"
            )
        chosen = {axis: _dim(v) for axis, v in zip(free, dims, strict=True)}
    return tuple(chosen.get(i, default) if i in free else int(d) for i, d in enumerate(shape))


def _dim(v: object) -> int:
    try:
        d = int(v)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise UserError(f"a dimension must be a whole number, got {v!r}") from None
    if d < 0:
        raise UserError(f"a dimension cannot be negative, got {d}")
    return d


def check_size(shape: Sequence[int], dtype: np.dtype, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """UserError when an array of ``shape`` would need more than ``max_bytes``."""
    count = 1
    for d in shape:
        count *= int(d)
    itemsize = 8 if dtype.kind == "O" else dtype.itemsize
    need = count * itemsize
    if need > max_bytes:
        raise UserError(
            f"shape {list(shape)} of {dtype.name} needs {human_bytes(need)}, over the "
            f"{human_bytes(max_bytes)} limit; use a smaller shape or raise the size limit"
        )


def fill(
    spec: TensorSpec,
    kind: str = "zeros",
    *,
    dims: Sequence[int] | Mapping[int, int] | None = None,
    value: float | int | bool | str | bytes = 0,
    low: float = 0.0,
    high: float = 1.0,
    mean: float = 0.0,
    std: float = 1.0,
    seed: int | None = 0,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> np.ndarray:
    """A tensor for ``spec`` filled by ``kind`` (see FILL_KINDS).

    Integers draw uniform values in [low, high) (high exclusive) and round normal draws; bools
    draw true/false; strings take ``value`` for constant and the empty string for zeros.
    """
    if kind not in FILL_KINDS:
        raise UserError(f"unknown fill {kind!r}; use one of {', '.join(FILL_KINDS)}")
    dtype = numpy_dtype(spec.dtype)
    shape = resolve_shape(spec.shape, dims)
    check_size(shape, dtype, max_bytes)
    if dtype.kind == "O":
        if kind in ("zeros", "constant"):
            text = b"" if kind == "zeros" else value
            data = text if isinstance(text, bytes) else str(text).encode("utf-8")
            out = np.empty(shape, dtype=object)
            out.fill(data)
            return out
        raise UserError(f"{spec.name} holds strings: fill it with zeros (empty) or a constant")
    if kind == "zeros":
        return np.zeros(shape, dtype)
    if kind == "ones":
        return np.ones(shape, dtype)
    if kind == "constant":
        return np.full(shape, _constant(value, dtype), dtype)
    rng = np.random.default_rng(seed)
    if kind == "uniform":
        if high <= low:
            raise UserError(f"uniform fill needs low < high, got [{low}, {high})")
        if dtype.kind == "b":
            return rng.integers(0, 2, size=shape).astype(bool)
        if dtype.kind in "iu":
            info = np.iinfo(dtype)
            lo, hi = max(int(np.ceil(low)), info.min), min(int(np.ceil(high)), info.max + 1)
            if hi <= lo:
                raise UserError(f"no {dtype.name} value lies in [{low}, {high})")
            return rng.integers(lo, hi, size=shape, dtype=dtype)
        if dtype.kind == "c":
            return (rng.uniform(low, high, shape) + 1j * rng.uniform(low, high, shape)).astype(
                dtype
            )
        return rng.uniform(low, high, size=shape).astype(dtype)
    if std < 0:
        raise UserError(f"the standard deviation cannot be negative, got {std}")
    draws = rng.normal(mean, std, size=shape)
    if dtype.kind == "b":
        return draws > mean
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return np.clip(np.rint(draws), info.min, info.max).astype(dtype)
    return draws.astype(dtype)


def _constant(value: object, dtype: np.dtype) -> object:
    if isinstance(value, (str, bytes)):
        from inspector_app.inputs.scalars import parse_scalar

        return parse_scalar(value if isinstance(value, str) else value.decode(), dtype.name)[()]
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        number: Any = value  # a number here: strings and bytes were parsed above
        if not float(number).is_integer() or not info.min <= int(number) <= info.max:
            raise UserError(f"{value!r} is not a {dtype.name} value ({info.min}..{info.max})")
    return value
