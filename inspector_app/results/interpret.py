"""Which view fits each output, and the reason the window shows for it.

Views: ``scores`` (top-k with bars), ``mask`` (colourised class map over the image),
``detection`` (boxes over the image), ``image`` (a picture), ``tensor`` (values: table, slices,
statistics, a plot for vectors, text for strings). Every output can be shown as a tensor.
``interpret_outputs`` decides for the window, the comparison and ``run --json`` alike
(``view_fields`` adds its answer to the command line's JSON).

The optional context is a plain dict; known keys (all optional):
``method_name`` (the signature's method, e.g. ``tensorflow/serving/classify``), ``image`` (the input
image array, [H, W, C] or [N, H, W, C]), ``inputs`` (the arrays fed, by input name: their image
sizes and height / width scalars tell a segmentation output by its size), ``labels`` (a list of
class names the user chose), ``assets_dir`` (the model's assets folder), ``model_path``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from inspector_app.results.detection import DetectionResult, detection_labels, find_detection
from inspector_app.results.images import ImageResult, value_mapping
from inspector_app.results.labels import LabelSet, resolve_labels
from inspector_app.results.masks import MaskResult, image_batch, legend
from inspector_app.results.scores import ScoresResult, score_kind
from inspector_app.results.tensors import is_text

VIEWS = ("scores", "mask", "detection", "image", "tensor")
# The names ``run --json`` gives the views ("tensor" is "values", or "text" for strings).
JSON_VIEWS = {
    "scores": "scores",
    "mask": "segmentation",
    "detection": "detection",
    "image": "image",
}
CLASSIFY_METHOD = "tensorflow/serving/classify"
MAX_CLASS_ID = 1023  # integer maps with larger ids are not taken for class maps
_MIN_SIDE = 4  # smaller 3-D/4-D arrays are tables, not pictures
_SAMPLE = 8192  # pixels looked at to tell probabilities or an image's value range
# Names that say what an output is.
SEGMENTATION_WORDS = ("seg", "mask", "semantic", "class_map", "classmap", "label_map", "pixel")
SCORE_WORDS = ("logit", "prob", "predict", "score", "softmax")
_FRACTIONS = (2, 4, 8, 16, 32)  # output strides of segmentation networks


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


def json_view(view: str, array: np.ndarray) -> str:
    """The view's name in ``run --json``: segmentation, scores, detection, image, values, text."""
    if view in JSON_VIEWS:
        return JSON_VIEWS[view]
    return "text" if np.asarray(array).dtype.kind in "SUO" else "values"


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


# -- what the inputs say ---------------------------------------------------------------------
def _as_image_array(value: Any) -> np.ndarray | None:
    arr = np.asarray(value) if isinstance(value, np.ndarray) else None
    if arr is None or arr.dtype.kind not in "uif":
        return None
    if arr.ndim in (3, 4) and arr.shape[-1] in (1, 3, 4) and min(arr.shape[-3:-1]) >= _MIN_SIDE:
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
    if hw is None or min(hw) < _MIN_SIDE:
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
        if c in (1, 3, 4) and min(a, b) >= _MIN_SIDE:
            how = value_mapping(_sample_rows(arr, -1))[2]
            return "image", f"image: {desc}, {c} channel{'s' * (c > 1)} ({how})", -1
        return None
    last_hw, first_hw = (a, b), (b, c)
    seg_named, score_named = _named(name, SEGMENTATION_WORDS), _named(name, SCORE_WORDS)
    axis, why = 0, ""
    if c >= 2 and min(last_hw) >= _MIN_SIDE and (where := match_size(last_hw, sizes)):
        axis, why = -1, where
    elif a >= 2 and min(first_hw) >= _MIN_SIDE and (where := match_size(first_hw, sizes)):
        axis, why = 1, f"channels first, {where}"
    elif c >= 2 and min(last_hw) >= _MIN_SIDE and _sums_to_one(_sample_rows(arr, -1)):
        axis, why = -1, "each pixel's scores sum to 1"
    elif (seg_named or score_named) and min(last_hw) >= _MIN_SIDE:
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
    if min(last_hw) < _MIN_SIDE:
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


# -- what a view draws -----------------------------------------------------------------------
def _classes_output(outputs: Mapping[str, np.ndarray], shape: tuple[int, ...]) -> np.ndarray | None:
    """A string output with the same [N, C] shape as the scores (a classify signature's classes)."""
    for arr in outputs.values():
        a = np.asarray(arr)
        if a.dtype.kind in "SUO" and a.shape == shape:
            return a
    return None


def _context_image(ctx: Mapping[str, Any]) -> np.ndarray | None:
    image = ctx.get("image")
    return image if image is not None else image_from_inputs(ctx.get("inputs"))


def build_result(
    name: str,
    view: str,
    outputs: Mapping[str, np.ndarray],
    context: Mapping[str, Any] | None = None,
    class_axis: int = -1,
) -> Any:
    """The object a view draws: ``ScoresResult``, ``MaskResult``, ``DetectionResult``,
    ``ImageResult`` or the array."""
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
        res.images = image_batch(_context_image(ctx))
        return res
    if view == "mask":
        if class_axis == 1 and arr.ndim == 4:
            arr = np.moveaxis(arr, 1, -1)
        mask = MaskResult(arr, image=_context_image(ctx))
        mask.labels = mask_labels(mask, user, assets)
        return mask
    if view == "detection":
        group = find_detection(outputs)
        if group is None or name not in group.members():
            raise ValueError("no detection outputs (boxes [N, K, 4] with scores [N, K]) found")
        det = DetectionResult(
            outputs[group.boxes],
            outputs[group.scores],  # type: ignore[index]
            outputs[group.classes] if group.classes else None,
            outputs[group.num] if group.num else None,
            image=_context_image(ctx),
        )
        det.labels = detection_labels(det.max_class_id, user, assets)
        return det
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


# -- the command line's answer ---------------------------------------------------------------
TOP_SCORES = 5
JSON_BOX_THRESHOLD = 0.5
_JSON_ITEMS = 100  # batch items summarised per output


def _summary(name: str, it: Interpretation, outputs: Mapping[str, np.ndarray],
             ctx: Mapping[str, Any]) -> dict[str, Any]:  # fmt: skip
    if it.view == "mask":
        mask = build_result(name, "mask", outputs, ctx, it.class_axis)
        rows = legend(mask.maps, mask.labels, mask.palette)
        return {
            "class_shares": [
                {
                    "class_id": r.class_id,
                    "label": r.name,
                    "pixels": r.pixels,
                    "share": round(float(r.share), 6),
                }
                for r in rows
            ],  # fmt: skip
            "labels_source": mask.labels.source,
        }
    if it.view == "scores":
        scores = build_result(name, "scores", outputs, ctx)
        return {
            "top5": [
                [
                    {"class_id": r.class_id, "label": r.label, "score": json_number(r.score)}
                    for r in scores.top_k(i, TOP_SCORES, apply_softmax=False)
                ]
                for i in range(min(scores.num_items, _JSON_ITEMS))
            ],  # fmt: skip
            "softmax": False,
            "labels_source": scores.labels.source,
        }
    if it.view == "detection" and it.reason.startswith("detection") and "boxes (" in it.reason:
        det = build_result(name, "detection", outputs, ctx)
        return {
            "boxes": [
                [box.as_json() for box in det.item_boxes(i, JSON_BOX_THRESHOLD)]
                for i in range(min(det.num_items, _JSON_ITEMS))
            ],
            "box_threshold": JSON_BOX_THRESHOLD,
            "labels_source": det.labels.source,
        }
    return {}


def json_number(value: float) -> float | str:
    """A float for JSON: NaN and infinities as the strings ``nan``, ``inf``, ``-inf``."""
    v = float(value)
    return v if np.isfinite(v) else str(v)


def view_fields(
    outputs: Mapping[str, np.ndarray], context: Mapping[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    """Per output: ``view`` (segmentation, scores, detection, image, values, text),
    ``view_reason``, and the view's summary: ``class_shares`` (segmentation), ``top5`` per batch
    item (scores, raw values), ``boxes`` over 0.5 per batch item (the detection boxes output)."""
    ctx = dict(context or {})
    if ctx.get("image") is None:
        ctx["image"] = image_from_inputs(ctx.get("inputs"))
    fields: dict[str, dict[str, Any]] = {}
    # Composite outputs (ragged, sparse: not one array) are shown as their values.
    for name, value in outputs.items():
        if not isinstance(value, np.ndarray):
            kind = type(value).__name__
            fields[name] = {
                "view": "values",
                "view_reason": f"values: a {kind} output, not one array",
            }
    outputs = {k: v for k, v in outputs.items() if isinstance(v, np.ndarray)}
    try:
        chosen = interpret_outputs(outputs, ctx)
    except (ValueError, TypeError) as err:  # an output no view understands: its values, and why
        for name in sorted(outputs):
            fields[name] = {
                "view": json_view("tensor", outputs[name]),
                "view_reason": f"values: {err}",
            }
        return fields
    for name, it in chosen.items():
        entry: dict[str, Any] = {
            "view": json_view(it.view, outputs[name]),
            "view_reason": it.reason,
        }
        try:
            entry.update(_summary(name, it, outputs, ctx))
        except (ValueError, IndexError) as err:
            entry["view_error"] = str(err)
        fields[name] = entry
    return fields


def add_view_fields(
    json_outputs: dict[str, dict[str, Any]],
    outputs: Mapping[str, np.ndarray],
    context: Mapping[str, Any] | None = None,
) -> None:
    """Add ``view_fields`` to each output entry of ``run --json`` (in place)."""
    for name, entry in view_fields(outputs, context).items():
        if name in json_outputs:
            json_outputs[name].update(entry)
