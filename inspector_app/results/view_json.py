"""The command line's answer: the view of each output as ``run --json`` names it, with its
reason and a summary (segmentation class shares, top-5 scores, detection boxes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inspector_app.results.masks import legend
from inspector_app.results.view_build import build_result
from inspector_app.results.view_choice import Interpretation, interpret_outputs
from inspector_app.results.view_inputs import image_from_inputs

# The names ``run --json`` gives the views ("tensor" is "values", or "text" for strings).
JSON_VIEWS = {
    "scores": "scores",
    "mask": "segmentation",
    "detection": "detection",
    "image": "image",
}
TOP_SCORES = 5
JSON_BOX_THRESHOLD = 0.5
_JSON_ITEMS = 100  # batch items summarised per output


def json_view(view: str, array: np.ndarray) -> str:
    """The view's name in ``run --json``: segmentation, scores, detection, image, values, text."""
    if view in JSON_VIEWS:
        return JSON_VIEWS[view]
    return "text" if np.asarray(array).dtype.kind in "SUO" else "values"


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
