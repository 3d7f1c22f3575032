"""Typed scalar values, and height/width inputs filled from an image input's size.

The DeepLab serving pattern takes ``image`` plus ``height`` and ``width``; when another input
holds an image, inputs named for height and width take its size.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

from inspector_app.errors import UserError
from inspector_app.inputs.validate import TensorSpec, fit_vector, numpy_dtype

_TRUE = {"true", "t", "yes", "y", "1", "on"}
_FALSE = {"false", "f", "no", "n", "0", "off"}
_HEIGHT = {"height", "h", "rows", "heights"}
_WIDTH = {"width", "w", "cols", "columns", "widths"}
# words that may stand before height/width: image_height, img_h, input_w, orig_height, ...
_PREFIX = {"image", "img", "im", "input", "in", "orig", "original", "src", "source", "raw", "pic"}


def parse_scalar(text: str, dtype: str) -> np.ndarray:
    """A 0-d array of ``dtype`` from user text; UserError with the reason when it does not fit."""
    dt = numpy_dtype(dtype)
    raw = text.strip()
    if dt.kind == "O":
        return np.array(text.encode("utf-8"), dtype=object)
    if dt.kind == "b":
        low = raw.lower()
        if low in _TRUE:
            return np.array(True)
        if low in _FALSE:
            return np.array(False)
        raise UserError(f"{text!r} is not a bool: use true or false")
    if not raw:
        raise UserError(f"enter a {dtype} value")
    if dt.kind in "iu":
        try:
            number = int(raw, 0) if raw.lower().startswith(("0x", "0o", "0b")) else int(raw)
        except ValueError:
            try:
                f = float(raw)
            except ValueError:
                raise UserError(f"{text!r} is not a whole number ({dtype})") from None
            if not f.is_integer():
                raise UserError(f"{text!r} is not a whole number ({dtype})") from None
            number = int(f)
        info = np.iinfo(dt)
        if not info.min <= number <= info.max:
            raise UserError(f"{number} is out of range for {dtype} ({info.min}..{info.max})")
        return np.array(number, dtype=dt)
    try:
        value = complex(raw.replace(" ", "")) if dt.kind == "c" else float(raw)
    except ValueError:
        raise UserError(f"{text!r} is not a number ({dtype})") from None
    return np.array(value, dtype=dt)


def scalar_feed(text: str | float | int | bool, spec: TensorSpec) -> np.ndarray:
    """A typed value laid out for ``spec``: rank 0, or one element of shape [1] / [1, 1]."""
    value = parse_scalar(text if isinstance(text, str) else str(text), spec.dtype)
    if spec.shape is None or len(spec.shape) == 0:
        return value
    if len(spec.shape) == 2:
        return fit_vector(value.reshape(1), spec.shape, "value")
    if len(spec.shape) == 1:
        return value.reshape(1)
    raise UserError(f"{spec.name} takes rank {len(spec.shape)}, not one value")


def _words(name: str) -> list[str]:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.split(":")[0].split("/")[-1])
    return [w for w in re.split(r"[^A-Za-z0-9]+", name.lower()) if w]


def dimension_role(name: str) -> str | None:
    """``"height"``, ``"width"`` or None for an input name (height, h, image_height, img_w...)."""
    words = _words(name)
    if not words or not all(w in _PREFIX for w in words[:-1]):
        return None
    if words[-1] in _HEIGHT:
        return "height"
    if words[-1] in _WIDTH:
        return "width"
    return None


def _scalar_like(spec: TensorSpec) -> bool:
    dt = numpy_dtype(spec.dtype)
    if dt.kind not in "iuf":
        return False
    return spec.shape is None or len(spec.shape) == 0 or len(spec.shape) == 1


def dimension_inputs(specs: Sequence[TensorSpec]) -> dict[str, str]:
    """Inputs that take an image's height or width: {input name: "height" | "width"}."""
    roles = {}
    for spec in specs:
        role = dimension_role(spec.name)
        if role and _scalar_like(spec):
            roles[spec.name] = role
    return roles


def autofill_dimensions(
    specs: Sequence[TensorSpec], feeds: Mapping[str, np.ndarray | None]
) -> dict[str, np.ndarray]:
    """Feeds for height/width inputs from the (first) image input among ``feeds``.

    Returns only what it can fill; batched [N] inputs get the size N times.
    """
    from inspector_app.inputs.images import image_hw, is_image_spec

    roles = dimension_inputs(specs)
    if not roles:
        return {}
    hw: tuple[int, int] | None = None
    batch = 1
    for spec in specs:
        value = feeds.get(spec.name)
        if spec.name in roles or value is None or not is_image_spec(spec):
            continue
        hw = image_hw(value, spec)
        if hw is not None:
            batch = int(np.shape(value)[0]) if np.ndim(value) == 4 else 1
            break
    if hw is None:
        return {}
    out = {}
    for spec in specs:
        role = roles.get(spec.name)
        if role is None:
            continue
        size = hw[0] if role == "height" else hw[1]
        dt = numpy_dtype(spec.dtype)
        if spec.shape is None or len(spec.shape) == 0:
            out[spec.name] = np.array(size, dtype=dt)
        else:
            n = spec.shape[0] if spec.shape[0] >= 0 else batch
            out[spec.name] = np.full((n,), size, dtype=dt)
    return out
