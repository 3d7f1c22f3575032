"""Any tensor: statistics, 2-D slices of N-d arrays, strings and bytes as text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class TensorStats:
    shape: tuple[int, ...]
    dtype: str
    size: int
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    nan: int = 0
    inf: int = 0

    def line(self) -> str:
        """One line for the window: ``[2, 3] float32 · min 0 · max 5 · mean 2.5 · NaN 0 · Inf 0``."""
        head = f"{list(self.shape)} {self.dtype}"
        if self.min is None:
            return f"{head} · {self.size} values"
        return (
            f"{head} · min {self.min:.6g} · max {self.max:.6g} · mean {self.mean:.6g}"
            f" · NaN {self.nan} · Inf {self.inf}"
        )


def dtype_name(array: np.ndarray) -> str:
    """numpy-style dtype name, ``string`` for bytes/str/object."""
    kind = np.asarray(array).dtype.kind
    return "string" if kind in "SUO" else str(np.asarray(array).dtype)


def statistics(array: np.ndarray) -> TensorStats:
    """min, max, mean over finite values, and NaN / Inf counts (numbers only)."""
    arr = np.asarray(array)
    base: dict[str, Any] = {
        "shape": tuple(int(d) for d in arr.shape),
        "dtype": dtype_name(arr),
        "size": int(arr.size),
    }
    if arr.dtype.kind not in "biufc" or arr.size == 0:
        return TensorStats(**base)
    if arr.dtype.kind == "c":
        arr = np.abs(arr)
    if arr.dtype.kind == "f":
        nan_mask = np.isnan(arr)
        inf_mask = np.isinf(arr)
        finite = arr[~(nan_mask | inf_mask)]
        nan, inf = int(nan_mask.sum()), int(inf_mask.sum())
    else:
        finite, nan, inf = arr, 0, 0
    if finite.size == 0:
        return TensorStats(**base, nan=nan, inf=inf)
    return TensorStats(
        **base,
        min=float(finite.min()),
        max=float(finite.max()),
        mean=float(finite.mean(dtype=np.float64)),
        nan=nan,
        inf=inf,
    )


def slice_2d(
    array: np.ndarray, row_axis: int = -2, col_axis: int = -1, index: dict[int, int] | None = None
) -> np.ndarray:
    """A 2-D view of an N-d array: ``row_axis`` x ``col_axis``, other axes fixed at ``index``
    (axis -> position, default 0). 0-D becomes [1, 1], 1-D becomes [N, 1]."""
    arr = np.asarray(array)
    if arr.ndim == 0:
        return arr.reshape(1, 1)
    if arr.ndim == 1:
        return arr[:, None]
    rows, cols = row_axis % arr.ndim, col_axis % arr.ndim
    if rows == cols:
        raise ValueError("rows and columns must be two different axes")
    fixed = index or {}
    take: list[int | slice] = []
    for axis, size in enumerate(arr.shape):
        if axis in (rows, cols):
            take.append(slice(None))
        else:
            pos = fixed.get(axis, 0)
            if not 0 <= pos < size:
                raise IndexError(f"index {pos} is out of range for axis {axis} of size {size}")
            take.append(pos)
    out = arr[tuple(take)]
    return out.T if rows > cols else out


def is_text(value: bytes) -> bool:
    """True when ``value`` is UTF-8 text without control characters other than whitespace."""
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(ch.isprintable() or ch in "\n\r\t" for ch in text)


def as_text(value: object, limit: int = 200) -> str:
    """A cell's text: bytes decoded when they are text, else shown as ``b'\\x..'``; cut at ``limit``."""
    if isinstance(value, bytes):
        text = value.decode("utf-8") if is_text(value) else repr(value)
    elif isinstance(value, (float, np.floating)):
        text = f"{float(value):.6g}"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_summary(array: np.ndarray, limit: int = 50) -> str:
    """Strings of an array as lines of text (the first ``limit``), for the text view."""
    flat = np.asarray(array).ravel()
    lines = [as_text(v, 2000) for v in flat[:limit]]
    if flat.size > limit:
        lines.append(f"… {flat.size - limit} more")
    return "\n".join(lines)
