"""What the inputs of a run say about its outputs: the input that is an image batch, and the
spatial sizes fed (images, height / width scalars) that tell a segmentation output by its size."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

MIN_SIDE = 4  # smaller 3-D/4-D arrays are tables, not pictures
_FRACTIONS = (2, 4, 8, 16, 32)  # output strides of segmentation networks


def _as_image_array(value: Any) -> np.ndarray | None:
    arr = np.asarray(value) if isinstance(value, np.ndarray) else None
    if arr is None or arr.dtype.kind not in "uif":
        return None
    if arr.ndim in (3, 4) and arr.shape[-1] in (1, 3, 4) and min(arr.shape[-3:-1]) >= MIN_SIDE:
        return arr
    return None


def image_from_inputs(inputs: Mapping[str, Any] | None) -> np.ndarray | None:
    """The input that looks like an image batch ([N, H, W, C] or [H, W, C], C in 1, 3, 4), the one
    named for images first; None when there is none."""
    if not inputs:
        return None
    names = sorted(inputs, key=lambda n: ("image" not in n.lower() and "img" not in n.lower(), n))
    for name in names:
        arr = _as_image_array(inputs[name])
        if arr is not None:
            return arr
    return None


def _scalar_int(value: Any) -> int | None:
    arr = np.asarray(value)
    if arr.dtype.kind in "iuf" and arr.size == 1:
        v = float(arr.reshape(-1)[0])
        if v.is_integer() and v >= 1:
            return int(v)
    return None


def spatial_sizes(context: Mapping[str, Any] | None) -> list[tuple[int, int, str]]:
    """(height, width, where from) of each image fed and of height / width scalar inputs."""
    ctx = context or {}
    sizes: list[tuple[int, int, str]] = []
    inputs = ctx.get("inputs") or {}
    for name in sorted(inputs):
        arr = _as_image_array(inputs[name])
        if arr is not None:
            sizes.append((int(arr.shape[-3]), int(arr.shape[-2]), f"input '{name}'"))
    image = ctx.get("image")
    if image is not None and not sizes:
        arr = _as_image_array(np.asarray(image))
        if arr is not None:
            sizes.append((int(arr.shape[-3]), int(arr.shape[-2]), "the input image"))
    heights = [(n, _scalar_int(v)) for n, v in inputs.items() if "height" in n.lower()]
    widths = [(n, _scalar_int(v)) for n, v in inputs.items() if "width" in n.lower()]
    for (hn, h), (wn, w) in zip(heights, widths, strict=False):
        if h is not None and w is not None:
            sizes.append((h, w, f"inputs '{hn}' × '{wn}'"))
    return sizes


def _fraction(out_hw: tuple[int, int], in_hw: tuple[int, int]) -> int | None:
    """1 when the sizes are equal, f when the output is 1/f of the input (f in 2..32)."""
    (oh, ow), (ih, iw) = out_hw, in_hw
    if (oh, ow) == (ih, iw):
        return 1
    if oh >= ih or ow >= iw or min(oh, ow) < 1:
        return None
    for f in _FRACTIONS:  # floor, ceil and DeepLab's (n - 1) / f + 1 all land within 1
        if abs(ih / f - oh) <= 1.01 and abs(iw / f - ow) <= 1.01:
            return f
    return None


def match_size(hw: tuple[int, int], sizes: list[tuple[int, int, str]]) -> str | None:
    """How the spatial size ``hw`` relates to an input, or None when it matches none."""
    for h, w, where in sizes:
        f = _fraction(hw, (h, w))
        if f == 1:
            return f"the size of {where} ({w}×{h})"
        if f is not None:
            return f"1/{f} the size of {where} ({w}×{h})"
    return None
