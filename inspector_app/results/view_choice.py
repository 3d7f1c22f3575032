"""Which view fits each output, and the reason the window shows for it.

Views: ``scores`` (top-k with bars), ``mask`` (colourised class map over the image),
``detection`` (boxes over the image), ``image`` (a picture), ``tensor`` (values: table, slices,
statistics, a plot for vectors, text for strings). Every output can be shown as a tensor.
``interpret_outputs`` decides for the window, the comparison and ``run --json`` alike. The
context keys are described in ``results.interpret``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from inspector_app.results.detection import find_detection
from inspector_app.results.images import value_mapping
from inspector_app.results.scores import score_kind
from inspector_app.results.tensors import is_text
from inspector_app.results.view_inputs import MIN_SIDE, image_from_inputs, match_size, spatial_sizes

VIEWS = ("scores", "mask", "detection", "image", "tensor")
CLASSIFY_METHOD = "tensorflow/serving/classify"
MAX_CLASS_ID = 1023  # integer maps with larger ids are not taken for class maps
_SAMPLE = 8192  # pixels looked at to tell probabilities or an image's value range
# Names that say what an output is.
SEGMENTATION_WORDS = ("seg", "mask", "semantic", "class_map", "classmap", "label_map", "pixel")
SCORE_WORDS = ("logit", "prob", "predict", "score", "softmax")


@dataclass(frozen=True)
class Interpretation:
    """The view chosen for one output, why, and the views the user may switch to.

    ``class_axis``: for a mask from per-class scores, the axis of the classes (1 = channels first).
    """

    name: str
    view: str
    reason: str
    options: tuple[str, ...]
    class_axis: int = -1


def describe(array: np.ndarray) -> str:
    """``[1, 10] float32`` (``string`` for text dtypes)."""
    arr = np.asarray(array)
    dtype = "string" if arr.dtype.kind in "SUO" else str(arr.dtype)
    return f"{list(arr.shape)} {dtype}"


def _class_map_hw(arr: np.ndarray) -> tuple[int, int] | None:
    """(H, W) of an integer [H, W], [N, H, W] or [N, H, W, 1] array, else None."""
    if arr.dtype.kind not in "iub":
        return None
    if arr.ndim == 2:
        return int(arr.shape[0]), int(arr.shape[1])
    if arr.ndim == 3 or (arr.ndim == 4 and arr.shape[-1] == 1):
        return int(arr.shape[1]), int(arr.shape[2])
    return None


def possible_views(array: np.ndarray) -> tuple[str, ...]:
    """Every view that can show ``array`` (``tensor`` always; ``detection`` is added by
    ``interpret_outputs`` for a detector's outputs)."""
    arr = np.asarray(array)
    opts: list[str] = []
    if arr.dtype.kind in "biuf" and arr.size:
        if arr.dtype.kind == "f" and (
            (arr.ndim in (1, 2) and arr.shape[-1] >= 2)
            or (arr.ndim == 4 and arr.shape[1:3] == (1, 1) and arr.shape[-1] >= 2)
        ):
            opts.append("scores")
        hw = _class_map_hw(arr)
        if (hw is not None and min(hw) >= 2) or (arr.ndim == 4 and arr.dtype.kind == "f"):
            opts.append("mask")
        if arr.ndim == 3 or (arr.ndim == 4 and arr.shape[-1] in (1, 3, 4)):
            opts.append("image")
    opts.append("tensor")
    return tuple(opts)


def _sample_rows(arr: np.ndarray, axis: int) -> np.ndarray:
    """Up to ``_SAMPLE`` pixels' values along ``axis`` as [P, C] (evenly spread, no big copy)."""
    moved = np.moveaxis(arr, axis, -1)
    flat = moved.reshape(-1, moved.shape[-1]) if moved.flags.c_contiguous else None
    if flat is None:
        n = int(np.prod(moved.shape[:-1]))
        idx = np.unravel_index(np.linspace(0, n - 1, min(n, _SAMPLE)).astype(np.int64),
                               moved.shape[:-1])  # fmt: skip
        return moved[idx]
    step = max(1, flat.shape[0] // _SAMPLE)
    return flat[::step]


def _sums_to_one(rows: np.ndarray) -> bool:
    if rows.size == 0 or rows.shape[-1] < 2:
        return False
    finite = rows[np.isfinite(rows)]
    if finite.size != rows.size or float(finite.min()) < 0 or float(finite.max()) > 1:
        return False
    return bool(np.allclose(rows.sum(axis=-1, dtype=np.float64), 1.0, atol=1e-3))


def _named(name: str, words: tuple[str, ...]) -> bool:
    low = name.lower()
    return any(w in low for w in words)


# -- the choice ------------------------------------------------------------------------------
def interpret(
    name: str, array: np.ndarray, context: Mapping[str, Any] | None = None
) -> Interpretation:
    """Pick the view for one output and say why, in one line (detections need every output:
    ``interpret_outputs``)."""
    ctx = context or {}
    arr = np.asarray(array)
    desc = describe(arr)
    options = possible_views(arr)

    def pick(view: str, reason: str, class_axis: int = -1) -> Interpretation:
        rest = tuple(v for v in options if v != view)
        return Interpretation(name, view, reason, (view, *rest), class_axis)

    if arr.dtype.kind in "SUO":
        texts = [v for v in arr.ravel()[:100] if isinstance(v, bytes)]
        if ctx.get("method_name") == CLASSIFY_METHOD and arr.ndim == 2:
            return pick("tensor", f"classes: {desc}, the class names for the scores")
        if texts and not all(is_text(v) for v in texts):
            return pick("tensor", f"bytes: {desc}, not text (shown escaped)")
        return pick("tensor", f"text: {desc}, shown as text")
    if arr.size == 0:
        return pick("tensor", f"empty: {desc}")
    if arr.dtype.kind == "c":
        return pick("tensor", f"values: {desc}, complex numbers shown as a table")
    sizes = spatial_sizes(ctx)

    found = _class_map(name, arr, desc, sizes)
    if found is None:
        found = _score_map(name, arr, desc, sizes)
    if found is None:
        found = _scores(name, arr, desc, ctx)
    if found is None:
        found = _values(name, arr, desc)
    view, reason, axis = found
    return pick(view, reason, axis)


_Found = tuple[str, str, int]  # view, reason, class axis


def _class_map(name: str, arr: np.ndarray, desc: str, sizes: list) -> _Found | None:
    """Integer and boolean maps: [H, W] (when its size or name says so), [N, H, W], [N, H, W, 1]."""
    hw = _class_map_hw(arr)
    if hw is None or min(hw) < MIN_SIDE:
        return None
    where = match_size(hw, sizes)
    named = _named(name, SEGMENTATION_WORDS)
    said = f", {where}" if where else (f", the name '{name}' says so" if named else "")
    if arr.ndim == 2 and not said:
        return "tensor", f"values: {desc}, shown as a table (Show as offers a mask)", -1
    if arr.dtype.kind == "b":
        return "mask", f"segmentation: {desc}, two classes (false / true){said}", -1
    lo, hi = int(arr.min()), int(arr.max())
    if arr.dtype == np.uint8 and not said:
        if arr.ndim == 4:
            return "image", f"image: {desc}, one grey channel, not a class map", -1
        distinct = int(np.count_nonzero(np.bincount(arr.ravel())))
        if distinct > 64:
            return "image", f"image: {desc}, {distinct} grey levels, not a class map", -1
    if lo >= 0 and hi <= MAX_CLASS_ID:
        return "mask", f"segmentation: {desc}, class ids {lo}..{hi}{said}", -1
    return "tensor", f"values: {desc}, values {lo}..{hi} are not class ids", -1


def _score_map(name: str, arr: np.ndarray, desc: str, sizes: list) -> _Found | None:
    """Float [N, H, W, C] (or [N, C, H, W]): per-pixel class scores, an image, or values."""
    if arr.ndim != 4:
        return None
    n, a, b, c = (int(d) for d in arr.shape)
    if arr.dtype.kind != "f":  # integer pictures: uint8 RGB and the like
        if c in (1, 3, 4) and min(a, b) >= MIN_SIDE:
            how = value_mapping(_sample_rows(arr, -1))[2]
            return "image", f"image: {desc}, {c} channel{'s' * (c > 1)} ({how})", -1
        return None
    last_hw, first_hw = (a, b), (b, c)
    seg_named, score_named = _named(name, SEGMENTATION_WORDS), _named(name, SCORE_WORDS)
    axis, why = 0, ""
    if c >= 2 and min(last_hw) >= MIN_SIDE and (where := match_size(last_hw, sizes)):
        axis, why = -1, where
    elif a >= 2 and min(first_hw) >= MIN_SIDE and (where := match_size(first_hw, sizes)):
        axis, why = 1, f"channels first, {where}"
    elif c >= 2 and min(last_hw) >= MIN_SIDE and _sums_to_one(_sample_rows(arr, -1)):
        axis, why = -1, "each pixel's scores sum to 1"
    elif (seg_named or score_named) and min(last_hw) >= MIN_SIDE:
        if 2 <= a < min(b, c):
            axis, why = 1, f"channels first, the name '{name}' says so"
        elif c >= 2:
            axis, why = -1, f"the name '{name}' says so"
    classes = a if axis == 1 else c
    if axis and c == 3 and axis == -1 and not (seg_named or score_named) and "sum to 1" not in why:
        # An image-to-image model returns 3 channels at the input's size too: values in 0..1 or
        # 0..255 are a picture; logits have negative values.
        sample = _sample_rows(arr, -1)
        finite = sample[np.isfinite(sample)]
        if finite.size and float(finite.min()) >= 0.0 and not _sums_to_one(sample):
            how = value_mapping(sample)[2]
            return "image", f"image: {desc}, 3 channels at {why} ({how})", -1
    if axis:
        text = f"segmentation: {desc}, scores for {classes} classes per pixel ({why}), argmax"
        return "mask", text, axis
    if min(last_hw) < MIN_SIDE:
        return None
    if c in (1, 3, 4):
        how = value_mapping(_sample_rows(arr, -1))[2]
        return "image", f"image: {desc}, {c} channel{'s' * (c > 1)} ({how})", -1
    return (
        "tensor",
        f"values: {desc}, {c} channels per pixel; neither an input's size nor the name says "
        "segmentation, shown a 2-D slice at a time",
        -1,
    )


def _scores(name: str, arr: np.ndarray, desc: str, ctx: Mapping[str, Any]) -> _Found | None:
    """Float [N, C] (or [N, 1, 1, C], or a [C] that sums to 1) that are class scores."""
    if arr.dtype.kind != "f" or "scores" not in possible_views(arr):
        return None
    c = int(arr.shape[-1])
    rows = arr.reshape(-1, c)
    kind, how = score_kind(rows)
    if ctx.get("method_name") == CLASSIFY_METHOD and "score" in name.lower():
        why = "the classify signature's scores"
    elif kind == "probabilities" and how == "rows sum to 1":
        why = "rows sum to 1"
    elif arr.ndim != 1 and _named(name, SCORE_WORDS):
        why = f"the name '{name}' says scores"
    else:
        return None
    detail = "" if how == why else f"; {how}"
    return "scores", f"scores: {desc}, {c} classes: {why}{detail}", -1


def _values(name: str, arr: np.ndarray, desc: str) -> _Found:
    if arr.ndim == 0:
        return "tensor", f"scalar: {desc}", -1
    if arr.size == 1:
        return "tensor", f"values: {desc}, one value", -1
    if arr.ndim == 1 or (arr.ndim == 2 and arr.shape[0] == 1 and arr.shape[1] >= 2):
        n = int(arr.shape[-1])
        why = ""
        if arr.dtype.kind == "f" and n >= 2:
            why = " (not class scores: rows do not sum to 1 and the name does not say scores)"
        return "tensor", f"values: {desc}, a vector of {n} values{why}, plotted", -1
    if arr.ndim == 2:
        why = ""
        if arr.dtype.kind == "f" and arr.shape[1] >= 2:
            why = " (not class scores: rows do not sum to 1 and the name does not say scores)"
        elif arr.shape[1] == 1:
            why = ", one value per item"
        return "tensor", f"values: {desc}{why}, shown as a table", -1
    return "tensor", f"values: {desc}, shown a 2-D slice at a time", -1


def interpret_outputs(
    outputs: Mapping[str, np.ndarray], context: Mapping[str, Any] | None = None
) -> dict[str, Interpretation]:
    """The view of each output, keyed and ordered by output name: ``interpret``, and for a
    detector's outputs (boxes, scores, classes, count) the detection view."""
    ctx = dict(context or {})
    if ctx.get("image") is None:
        ctx["image"] = image_from_inputs(ctx.get("inputs"))
    out = {name: interpret(name, outputs[name], ctx) for name in sorted(outputs)}
    group = find_detection(outputs)
    if group is not None:
        roles = {group.scores: "scores", group.classes: "classes", group.num: "count"}
        extra = ", ".join(f"'{n}'" for n in group.members()[1:])
        for member in group.members():
            it = out[member]
            desc = describe(outputs[member])
            if member == group.boxes:
                reason = (
                    f"detection: {desc}, boxes (ymin, xmin, ymax, xmax) with {extra}: "
                    "drawn over the input image"
                )
            else:
                reason = f"detection: {desc}, the {roles[member]} of the boxes in '{group.boxes}'"
            options = ("detection", *(v for v in it.options if v != "detection"))
            out[member] = Interpretation(member, "detection", reason, options)
    return out
