"""Image outputs ([N, H, W, 1|3|4]): value range mapped to uint8 for display and PNG export."""

from __future__ import annotations

import numpy as np


def value_mapping(array: np.ndarray) -> tuple[float, float, str]:
    """``(lo, hi, description)``: the input range that maps linearly onto 0..255."""
    arr = np.asarray(array)
    if arr.dtype == np.uint8:
        return 0.0, 255.0, "uint8 values shown as they are"
    if arr.dtype.kind == "b":
        return 0.0, 1.0, "booleans shown as black and white"
    finite = arr[np.isfinite(arr)] if arr.dtype.kind == "f" else arr
    if finite.size == 0:
        return 0.0, 1.0, "no finite values"
    lo, hi = float(finite.min()), float(finite.max())
    if lo >= 0.0 and hi <= 1.0 and arr.dtype.kind == "f":
        return 0.0, 1.0, "values 0..1 mapped to 0..255"
    if lo >= -1.0 and hi <= 1.0:
        return -1.0, 1.0, "values -1..1 mapped to 0..255"
    if lo >= 0.0 and hi <= 255.0:
        return 0.0, 255.0, "values 0..255 shown as they are"
    if hi == lo:
        return lo, lo + 1.0, f"constant {lo:.4g}"
    return lo, hi, f"values {lo:.4g}..{hi:.4g} stretched to 0..255"


def rgb32_pixels(pixels: np.ndarray) -> np.ndarray:
    """[H, W, 3] uint8 RGB -> [H, W] uint32 0xFFRRGGBB (what Qt draws without converting)."""
    a = np.asarray(pixels)
    out = np.full(a.shape[:2], 0xFF000000, dtype=np.uint32)
    out |= a[..., 0].astype(np.uint32) << 16
    out |= a[..., 1].astype(np.uint32) << 8
    out |= a[..., 2]
    return out


def to_uint8(
    array: np.ndarray, mapping: tuple[float, float] | None = None
) -> tuple[np.ndarray, str]:
    """Map any numeric array to uint8 (NaN -> 0, clipped) and say how; uint8 is returned as is."""
    arr = np.asarray(array)
    if arr.dtype == np.uint8 and mapping is None:
        return arr, "uint8 values shown as they are"
    if mapping is None:
        lo, hi, how = value_mapping(arr)
    else:
        (lo, hi), how = mapping, f"values {mapping[0]:.4g}..{mapping[1]:.4g} mapped to 0..255"
    scaled = (arr.astype(np.float32) - np.float32(lo)) * np.float32(255.0 / (hi - lo))
    np.nan_to_num(scaled, copy=False, nan=0.0, posinf=255.0, neginf=0.0)
    np.clip(scaled, 0, 255, out=scaled)
    np.rint(scaled, out=scaled)
    return scaled.astype(np.uint8), how


class ImageResult:
    """An [N, H, W, C] (C in 1, 3, 4) or [N, H, W] output shown one batch item at a time."""

    def __init__(self, array: np.ndarray) -> None:
        arr = np.asarray(array)
        if arr.ndim == 3:
            arr = arr[..., None]
        if arr.ndim != 4 or arr.shape[-1] not in (1, 3, 4):
            raise ValueError(f"an image needs shape [N, H, W, 1|3|4], got {list(np.shape(array))}")
        self.array = arr
        lo, hi, self.description = value_mapping(arr)
        self._mapping = None if arr.dtype == np.uint8 else (lo, hi)

    @property
    def num_items(self) -> int:
        return int(self.array.shape[0])

    def item(self, index: int) -> np.ndarray:
        """Batch item ``index`` as uint8 [H, W, C] (C in 1, 3, 4), range mapped for the batch."""
        out, _ = to_uint8(self.array[index], self._mapping)
        return out
