"""Object detection outputs: the TF Object Detection API / TF Hub convention.

``detection_boxes`` [N, K, 4] (ymin, xmin, ymax, xmax, 0..1 of the image), ``detection_scores``
[N, K], ``detection_classes`` [N, K] (1-based COCO ids for most published detectors) and
``num_detections`` [N]. ``find_detection`` picks the group out of a run's outputs by name and shape;
``DetectionResult`` gives the boxes of one batch item above a score threshold, with class names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from inspector_app.results.labels import LabelSet, labels_from_assets, read_label_file

COCO_FILE = ("labels", "coco_91.txt")  # resources/labels: 'background' then COCO ids 1..90


@dataclass(frozen=True)
class DetectionGroup:
    """Output names of one detector's outputs (scores, classes, num may be absent)."""

    boxes: str
    scores: str | None = None
    classes: str | None = None
    num: str | None = None

    def members(self) -> tuple[str, ...]:
        return tuple(n for n in (self.boxes, self.scores, self.classes, self.num) if n)


def _numeric(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "biuf" and arr.size > 0


def find_detection(outputs: Mapping[str, np.ndarray]) -> DetectionGroup | None:
    """The detection outputs among ``outputs``: a float [N, K, 4] (or [K, 4]) output whose name
    says boxes, plus [N, K] scores and classes and an [N] count named like them."""
    arrays = {k: np.asarray(v) for k, v in outputs.items()}
    boxes = None
    for name in sorted(arrays, key=lambda n: ("detection" not in n.lower(), n)):
        arr = arrays[name]
        if (
            "box" in name.lower()
            and arr.dtype.kind == "f"
            and arr.ndim in (2, 3)
            and arr.shape[-1] == 4
        ):
            boxes = name
            break
    if boxes is None:
        return None
    per_box = arrays[boxes].shape[:-1]

    def named(word: str, shape: tuple[int, ...]) -> str | None:
        hits = [
            n
            for n, a in arrays.items()
            if n != boxes and word in n.lower() and _numeric(a) and a.shape == shape
        ]
        return sorted(hits, key=lambda n: ("detection" not in n.lower(), n))[0] if hits else None

    scores = named("score", per_box)
    if scores is None:
        return None  # boxes alone could be anything (anchors, regions): not drawn as detections
    num_shape = per_box[:1] if len(per_box) == 2 else ()
    num = named("num", num_shape) if num_shape else None
    return DetectionGroup(boxes, scores, named("class", per_box), num)


@lru_cache(maxsize=1)
def coco_names() -> tuple[str, ...]:
    """COCO's names by the detection API's ids: 0 'background', 1 'person' ... 90 'toothbrush'."""
    from inspector_app.resources import resource_path

    return tuple(read_label_file(resource_path(*COCO_FILE)))


def detection_labels(
    max_class_id: int,
    user_labels: Sequence[str] | None = None,
    assets_dir: str | Path | None = None,
) -> LabelSet:
    """Names for class ids 0..max: the user's label file, a label asset of the model long enough
    for the ids, COCO's 91 names when the ids fit them, else the ids."""
    need = max(max_class_id, 0) + 1
    if user_labels and len(user_labels) >= need:
        return LabelSet(tuple(user_labels), "label file")
    asset = labels_from_assets(assets_dir, need, at_least=True)
    if asset is not None and len(asset.names) >= need:
        return asset
    if need <= 91:
        return LabelSet(coco_names(), "COCO class names (ids fit the 90 COCO classes)")
    return LabelSet(tuple(f"class {i}" for i in range(need)), "class ids (no labels known)")


@dataclass(frozen=True)
class Box:
    index: int  # position in the model's list
    ymin: float
    xmin: float
    ymax: float
    xmax: float
    score: float
    class_id: int
    label: str

    def as_json(self) -> dict[str, object]:
        def num(v: float) -> float | str:
            return round(v, 5) if np.isfinite(v) else str(v)

        return {
            "box": [num(v) for v in (self.ymin, self.xmin, self.ymax, self.xmax)],
            "score": num(self.score),
            "class_id": self.class_id,
            "label": self.label,
        }


class DetectionResult:
    """A detector's outputs with its input images: the boxes of each batch item."""

    def __init__(
        self,
        boxes: np.ndarray,
        scores: np.ndarray,
        classes: np.ndarray | None = None,
        num: np.ndarray | None = None,
        image: np.ndarray | None = None,
        labels: LabelSet | None = None,
    ) -> None:
        b = np.asarray(boxes, dtype=np.float64)
        s = np.asarray(scores, dtype=np.float64)
        if b.ndim == 2:
            b, s = b[None], s[None]
        if b.ndim != 3 or b.shape[-1] != 4 or s.shape != b.shape[:-1]:
            raise ValueError(
                f"detection needs boxes [N, K, 4] and scores [N, K], got {list(np.shape(boxes))}"
                f" and {list(np.shape(scores))}"
            )
        self.boxes, self.scores = b, np.nan_to_num(s, nan=-np.inf)
        if classes is None:
            self.classes = np.zeros(s.shape, dtype=np.int64)
        else:
            c = np.asarray(classes).reshape(s.shape)
            self.classes = np.rint(np.nan_to_num(c.astype(np.float64))).astype(np.int64)
        k = b.shape[1]
        if num is None:
            self.counts = np.full(b.shape[0], k, dtype=np.int64)
        else:
            n = np.asarray(num).reshape(-1).astype(np.float64)
            n = np.resize(n, b.shape[0]) if n.size else np.full(b.shape[0], k)
            self.counts = np.clip(np.nan_to_num(n), 0, k).astype(np.int64)
        # 0..1 coordinates (the convention) or pixels (some exports): told by the largest value.
        finite = b[np.isfinite(b)]
        self.normalized = bool(finite.size == 0 or float(np.abs(finite).max()) <= 1.5)
        self.max_class_id = int(self.classes.max(initial=0))
        self.labels = labels or detection_labels(self.max_class_id)
        from inspector_app.results.masks import image_batch

        self.images = image_batch(image)

    @property
    def num_items(self) -> int:
        return int(self.boxes.shape[0])

    def image(self, item: int) -> np.ndarray | None:
        """The input image of batch ``item`` ([H, W, 3] uint8), or None."""
        if self.images is None:
            return None
        return self.images[item if item < self.images.shape[0] else 0]

    def item_boxes(self, item: int, threshold: float = 0.0) -> list[Box]:
        """Boxes of ``item`` (the first ``num_detections``) scoring at least ``threshold``, best
        first."""
        if not 0 <= item < self.num_items:
            raise IndexError(f"batch item {item} is out of range 0..{self.num_items - 1}")
        n = int(self.counts[item])
        scores = self.scores[item, :n]
        keep = np.nonzero(scores >= threshold)[0]
        keep = keep[np.argsort(-scores[keep], kind="stable")]
        out = []
        for i in keep:
            y0, x0, y1, x1 = (float(v) for v in self.boxes[item, i])
            cid = int(self.classes[item, i])
            out.append(Box(int(i), y0, x0, y1, x1, float(scores[i]), cid, self.labels.name(cid)))
        return out

    def pixel_rect(self, box: Box, width: int, height: int) -> tuple[float, float, float, float]:
        """(x, y, w, h) of ``box`` in an image ``width`` x ``height`` (0..1 boxes scaled)."""
        sx, sy = (width, height) if self.normalized else (1.0, 1.0)
        x0, x1 = sorted((box.xmin * sx, box.xmax * sx))
        y0, y1 = sorted((box.ymin * sy, box.ymax * sy))
        return x0, y0, x1 - x0, y1 - y0
