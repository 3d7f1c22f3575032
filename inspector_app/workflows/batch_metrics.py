"""The metrics of a batch job over the data set (Qt-free): true labels to class ids, accuracy,
top-5 accuracy, a confusion matrix and the most confident mistakes; with mask files beside the
images, mean IoU and per-class IoU. All of it small, whatever the data set's size.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from inspector_app.errors import UserError
from inspector_app.results.interpret import describe
from inspector_app.results.labels import LabelSet
from inspector_app.results.masks import resize_nearest
from inspector_app.workflows.batch_rows import ItemRow

VOID = 255  # mask pixels of this value are not counted (PASCAL VOC's border)
MAX_CONFUSION_CLASSES = 100  # larger matrices are left out of the JSON
WORST_KEPT = 100  # the most confident mistakes kept (a heap, whatever the data set's size)


def _norm(text: str) -> str:
    return " ".join(text.lower().replace("_", " ").replace("-", " ").split())


class TruthMapper:
    """The class id each true label stands for. In this order: the labels are the model's class
    names (case, ``_`` and ``-`` aside); the labels are numbers (class ids); else the sorted
    class names are ids 0..k-1, the ImageFolder habit."""

    def __init__(self, classes: Sequence[str]) -> None:
        self.classes = list(classes)
        self.ids: dict[str, int] = {}
        self.how = ""
        self.bound = False

    def bind(self, labels: LabelSet | None) -> None:
        if self.bound:
            return
        self.bound = True
        names = {}
        if labels is not None and not labels.source.startswith("class ids"):
            names = {_norm(n): i for i, n in reversed(list(enumerate(labels.names)))}
        if (
            self.classes
            and names
            and labels is not None
            and all(_norm(c) in names for c in self.classes)
        ):
            self.ids = {c: names[_norm(c)] for c in self.classes}
            self.how = f"labels matched the model's class names ({labels.source})"
        elif self.classes and all(c.strip().isdigit() for c in self.classes):
            self.ids = {c: int(c) for c in self.classes}
            self.how = "labels are class ids"
        else:
            self.ids = {c: i for i, c in enumerate(self.classes)}
            self.how = "labels in sorted order are class ids 0..k-1 (the ImageFolder habit)"

    def id_for(self, label: str | None) -> int | None:
        if label is None:
            return None
        found = self.ids.get(label)
        if found is None and label.strip().isdigit() and self.how == "labels are class ids":
            return int(label)
        return found


# ---------------------------------------------------------------- metrics over the data set


@dataclass
class Metrics:
    """Accuracy, top-5, confusion counts and IoU sums: small, whatever the data set's size."""

    labelled: int = 0
    top1_hits: int = 0
    top5_hits: int = 0
    confusion: Counter = field(default_factory=Counter)  # (true id, predicted id) -> count
    unmatched: int = 0  # labels that name no class of the model
    worst: list = field(default_factory=list)  # heap of (score, index, name, label, prediction)
    inter: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    union: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    seg_items: int = 0

    def add_classification(self, row: ItemRow, true_id: int | None) -> None:
        self.labelled += 1
        if true_id is None:
            self.unmatched += 1
            row.correct, row.top5_correct = False, False
        else:
            row.correct = row.class_id == true_id
            row.top5_correct = true_id in row.top5
            self.confusion[(true_id, row.class_id if row.class_id is not None else -1)] += 1
        self.top1_hits += bool(row.correct)
        self.top5_hits += bool(row.top5_correct)
        if not row.correct:
            entry = (row.score if row.score is not None else 0.0, row.index, row.name,
                     row.label, row.prediction)  # fmt: skip
            if len(self.worst) < WORST_KEPT:
                heapq.heappush(self.worst, entry)
            else:
                heapq.heappushpop(self.worst, entry)

    def add_segmentation(self, predicted: np.ndarray, truth: np.ndarray) -> float | None:
        """Count one item's pixels; its own mean IoU (None when nothing is counted)."""
        if predicted.shape != truth.shape:
            predicted = resize_nearest(predicted, truth.shape)
        valid = truth != VOID
        p = predicted[valid].astype(np.int64).clip(0)
        t = truth[valid].astype(np.int64).clip(0)
        if not t.size:
            return None
        n = int(max(p.max(), t.max())) + 1
        inter = np.bincount(t[p == t], minlength=n)
        union = np.bincount(p, minlength=n) + np.bincount(t, minlength=n) - inter
        if n > self.inter.size:
            self.inter = np.pad(self.inter, (0, n - self.inter.size))
            self.union = np.pad(self.union, (0, n - self.union.size))
        self.inter[:n] += inter
        self.union[:n] += union
        self.seg_items += 1
        present = union > 0
        return float(np.mean(inter[present] / union[present]))

    @property
    def accuracy(self) -> float | None:
        return self.top1_hits / self.labelled if self.labelled else None

    @property
    def top5_accuracy(self) -> float | None:
        return self.top5_hits / self.labelled if self.labelled else None

    def per_class_iou(self) -> dict[int, float]:
        return {int(c): float(self.inter[c] / self.union[c]) for c in np.nonzero(self.union)[0]}

    @property
    def mean_iou(self) -> float | None:
        ious = self.per_class_iou()
        return float(np.mean(list(ious.values()))) if ious else None

    def worst_mistakes(self) -> list[tuple[float, int, str, str | None, str]]:
        """The most confident mistakes first: (score, index, item, label, prediction)."""
        return sorted(self.worst, key=lambda e: (-e[0], e[1]))

    def confusion_matrix(self) -> tuple[list[int], list[int], np.ndarray]:
        """(true ids, predicted ids, counts[true, predicted]) over the classes that occur."""
        truths = sorted({t for t, _ in self.confusion})
        preds = sorted({p for _, p in self.confusion} | set(truths))
        ti = {c: i for i, c in enumerate(truths)}
        pi = {c: i for i, c in enumerate(preds)}
        m = np.zeros((len(truths), len(preds)), np.int64)
        for (t, p), count in self.confusion.items():
            m[ti[t], pi[p]] = count
        return truths, preds, m


def read_mask(path: str) -> np.ndarray:
    """A mask file as [H, W] class ids: a grey or palette PNG (palette indices), or an .npy."""
    if path.lower().endswith(".npy"):
        arr = np.load(path, allow_pickle=False)
    else:
        from PIL import Image

        try:
            with Image.open(path) as im:
                if im.mode not in ("P", "L", "I", "I;16", "1"):
                    raise UserError(
                        f"the mask is {im.mode}; write class ids as a grey or palette PNG",
                        path=path,
                    )
                arr = np.asarray(im)
        except OSError as exc:
            raise UserError(f"cannot read the mask: {exc}", path=path) from None
    arr = np.squeeze(arr)
    if arr.ndim != 2 or arr.dtype.kind not in "biu":
        raise UserError(f"a mask holds [H, W] integer class ids, got {describe(arr)}", path=path)
    return arr
