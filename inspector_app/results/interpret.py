"""Which view fits each output, and the reason the window shows for it.

Views: ``scores`` (top-k table), ``mask`` (colourised class map over the image), ``image``
(a picture), ``tensor`` (table, slices, statistics, text). Every output can be shown as a tensor.

The optional context is a plain dict; known keys (all optional):
``method_name`` (the signature's method, e.g. ``tensorflow/serving/classify``), ``image`` (the input
image array, [H, W, C] or [N, H, W, C]), ``labels`` (a list of class names the user chose),
``assets_dir`` (the model's assets folder), ``model_path``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from inspector_app.results.images import ImageResult, value_mapping
from inspector_app.results.labels import LabelSet, resolve_labels
from inspector_app.results.masks import MaskResult
from inspector_app.results.scores import ScoresResult, score_kind
from inspector_app.results.tensors import is_text

VIEWS = ("scores", "mask", "image", "tensor")
CLASSIFY_METHOD = "tensorflow/serving/classify"
MAX_CLASS_ID = 1023  # integer maps with larger ids are not taken for class maps
_MIN_SIDE = 4  # smaller 3-D/4-D arrays are tables, not pictures


@dataclass(frozen=True)
class Interpretation:
    """The view chosen for one output, why, and the views the user may switch to."""

    name: str
    view: str
    reason: str
    options: tuple[str, ...]


def describe(array: np.ndarray) -> str:
    """``[1, 10] float32`` (``string`` for text dtypes)."""
    arr = np.asarray(array)
    dtype = "string" if arr.dtype.kind in "SUO" else str(arr.dtype)
    return f"{list(arr.shape)} {dtype}"


def possible_views(array: np.ndarray) -> tuple[str, ...]:
    """Every view that can show ``array`` (``tensor`` always)."""
    arr = np.asarray(array)
    opts: list[str] = []
    if arr.dtype.kind in "biuf" and arr.size:
        if (arr.ndim in (1, 2) and arr.shape[-1] >= 2) or (
            arr.ndim == 4 and arr.shape[1:3] == (1, 1) and arr.shape[-1] >= 2
        ):
            opts.append("scores")
        if arr.ndim in (3, 4) and min(arr.shape[1:3]) >= 1:
            if arr.ndim == 4 or arr.dtype.kind != "f":
                opts.append("mask")
            if arr.ndim == 3 or arr.shape[-1] in (1, 3, 4):
                opts.append("image")
    opts.append("tensor")
    return tuple(opts)


def _is_string_dtype(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "SUO"


def _class_id_range(arr: np.ndarray) -> tuple[int, int]:
    return int(arr.min()), int(arr.max())


def _sums_to_one(arr: np.ndarray) -> bool:
    lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
    if lo < 0 or hi > 1:
        return False
    return bool(np.allclose(arr.sum(axis=-1, dtype=np.float64), 1.0, atol=1e-3))


def interpret(
    name: str, array: np.ndarray, context: Mapping[str, Any] | None = None
) -> Interpretation:
    """Pick the view for one output and say why, in one line."""
    ctx = context or {}
    arr = np.asarray(array)
    desc = describe(arr)
    options = possible_views(arr)

    def pick(view: str, reason: str) -> Interpretation:
        rest = tuple(v for v in options if v != view)
        return Interpretation(name, view, reason, (view, *rest))

    if _is_string_dtype(arr):
        texts = [v for v in arr.ravel()[:100] if isinstance(v, bytes)]
        if ctx.get("method_name") == CLASSIFY_METHOD and arr.ndim == 2:
            return pick("tensor", f"classes: {desc}, the class names for the scores")
        if texts and not all(is_text(v) for v in texts):
            return pick("tensor", f"bytes: {desc}, not text (shown escaped)")
        return pick("tensor", f"text: {desc}, shown as text")
    if arr.size == 0:
        return pick("tensor", f"empty: {desc}")
    kind = arr.dtype.kind
    h_w = arr.shape[1:3] if arr.ndim >= 3 else (0, 0)
    big_enough = min(h_w) >= _MIN_SIDE if arr.ndim >= 3 else False

    # Class scores: [N, C] floats, or [N, 1, 1, C] (a conv classifier's head).
    if kind == "f" and "scores" in options and arr.ndim != 1:
        c = arr.shape[-1]
        _, why = score_kind(arr.reshape(-1, c))
        extra = " (classify signature)" if ctx.get("method_name") == CLASSIFY_METHOD else ""
        return pick("scores", f"scores: {desc}, {c} classes{extra}, {why}")

    # Class-id maps: [N, H, W] or [N, H, W, 1] integers that fit class ids.
    if kind in "iub" and big_enough and (arr.ndim == 3 or (arr.ndim == 4 and arr.shape[-1] == 1)):
        lo, hi = _class_id_range(arr)
        if kind == "b":
            return pick("mask", f"mask: {desc}, two classes (false / true)")
        if arr.dtype == np.uint8 and arr.ndim == 4:
            return pick("image", f"image: {desc}, one grey channel, not a class map")
        if lo >= 0 and hi <= MAX_CLASS_ID:
            distinct = int(np.count_nonzero(np.bincount(arr.ravel().astype(np.int64))))
            if arr.dtype == np.uint8 and distinct > 64:
                return pick("image", f"image: {desc}, {distinct} grey levels, not a class map")
            return pick("mask", f"mask: {desc} class ids {lo}..{hi}")
        return pick("tensor", f"tensor: {desc}, values {lo}..{hi} are not class ids")

    # [N, H, W, C]: per-pixel class scores (C = 2 or > 4, or rows summing to 1), else an image.
    if arr.ndim == 4 and big_enough:
        c = arr.shape[-1]
        if c in (1, 3, 4) and not (c > 1 and kind == "f" and _sums_to_one(arr)):
            how = value_mapping(arr)[2]
            return pick("image", f"image: {desc}, not a class map ({how})")
        return pick("mask", f"mask: {desc} per-pixel scores, argmax over {c} classes")

    if arr.ndim == 0:
        return pick("tensor", f"scalar: {desc}")
    if arr.ndim <= 2:
        return pick("tensor", f"tensor: {desc}, shown as a table")
    return pick("tensor", f"tensor: {desc}, shown a 2-D slice at a time")


def interpret_outputs(
    outputs: Mapping[str, np.ndarray], context: Mapping[str, Any] | None = None
) -> dict[str, Interpretation]:
    """``interpret`` for each output, keyed and ordered by output name."""
    return {name: interpret(name, outputs[name], context) for name in sorted(outputs)}


def _classes_output(outputs: Mapping[str, np.ndarray], shape: tuple[int, ...]) -> np.ndarray | None:
    """A string output with the same [N, C] shape as the scores (a classify signature's classes)."""
    for arr in outputs.values():
        a = np.asarray(arr)
        if _is_string_dtype(a) and a.shape == shape:
            return a
    return None


def build_result(
    name: str,
    view: str,
    outputs: Mapping[str, np.ndarray],
    context: Mapping[str, Any] | None = None,
) -> Any:
    """The object a view draws: ``ScoresResult``, ``MaskResult``, ``ImageResult`` or the array."""
    ctx = context or {}
    arr = np.asarray(outputs[name])
    user = ctx.get("labels")
    assets = ctx.get("assets_dir")
    if view == "scores":
        res = ScoresResult(arr)
        classes = _classes_output(outputs, res.raw.shape) if res.raw.shape == arr.shape else None
        res.labels = resolve_labels(
            res.num_classes, user_labels=user, classes_output=classes, assets_dir=assets
        )
        if classes is not None and res.labels.source == "the signature's classes output":
            res.per_item_labels = classes
        return res
    if view == "mask":
        res = MaskResult(arr, image=ctx.get("image"))
        res.labels = mask_labels(res, user, assets)
        return res
    if view == "image":
        return ImageResult(arr)
    return arr


def mask_labels(mask: MaskResult, user: Any = None, assets: Any = None) -> LabelSet:
    """Names for a mask: exact class count for score maps, at least max id + 1 for id maps.

    An id map whose ids stop at 20 (255 = VOC's void border aside) counts as 21 classes.
    """
    n = mask.num_classes
    if not mask.from_scores:
        ids = mask.maps
        if n == 256 and ids.size and int(ids[ids != 255].max(initial=0)) <= 20:
            n = 21
        return resolve_labels(
            n, user_labels=user, assets_dir=assets, segmentation=n == 21, at_least=True
        )
    return resolve_labels(n, user_labels=user, assets_dir=assets, segmentation=True)
