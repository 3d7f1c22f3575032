"""What a view draws: the result object for an output shown as scores, a mask, detections or
an image (labels resolved from the user's list, the signature's classes output or the assets)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inspector_app.results.detection import DetectionResult, detection_labels, find_detection
from inspector_app.results.images import ImageResult
from inspector_app.results.labels import LabelSet, resolve_labels
from inspector_app.results.masks import MaskResult, image_batch
from inspector_app.results.scores import ScoresResult
from inspector_app.results.view_inputs import image_from_inputs


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
