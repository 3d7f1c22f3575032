"""Per-item rows of a batch job and the metrics over the data set (Qt-free).

Which output a row describes, and how, is the results view's choice (``results.interpret``):
the first output shown as scores gives the top-1 class and score of each item, a mask output
the class shares of each item, any other output a one-line description of its values. Only
these summaries are kept, never the outputs, so memory does not grow with the data set.

With labels: accuracy, top-5 accuracy, a confusion matrix and the most confident mistakes; with
mask files beside the images: mean IoU and per-class IoU over the data set.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.results.interpret import build_result, describe, interpret_outputs, view_fields
from inspector_app.results.labels import LabelSet
from inspector_app.results.masks import legend, resize_nearest

CSV_COLUMNS = ("index", "item", "label", "prediction", "class_id", "score", "correct",
               "top5", "iou", "summary", "time_ms", "status", "error")  # fmt: skip
VOID = 255  # mask pixels of this value are not counted (PASCAL VOC's border)
MAX_CONFUSION_CLASSES = 100  # larger matrices are left out of the JSON
WORST_KEPT = 100  # the most confident mistakes kept (a heap, whatever the data set's size)


@dataclass
class ItemRow:
    """One item's summary: what the table shows and the CSV gets."""

    index: int
    name: str
    path: str = ""
    label: str | None = None
    prediction: str = ""  # top-1 class name, or the summary of the output shown
    class_id: int | None = None
    score: float | None = None
    top5: tuple[int, ...] = ()
    correct: bool | None = None  # top-1 is the label (labelled classification only)
    top5_correct: bool | None = None
    iou: float | None = None  # mean IoU of the item's mask (segmentation with masks)
    summary: str = ""
    time_ms: float = 0.0  # the item's share of its batch's run time in the worker
    error: str | None = None  # why the item failed
    offset: int = -1  # records: where it starts in the file

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def status(self) -> str:
        if self.error is not None:
            return "failed"
        if self.correct is None:
            return "ok"
        return "correct" if self.correct else "wrong"

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "item": self.name,
            "label": self.label,
            "prediction": self.prediction if self.ok else None,
            "class_id": self.class_id,
            "score": _num(self.score),
            "top5": list(self.top5),
            "correct": self.correct,
            "top5_correct": self.top5_correct,
            "iou": _num(self.iou),
            "summary": self.summary,
            "time_ms": round(self.time_ms, 3),
            "status": self.status,
            "error": self.error,
        }

    def csv_cells(self) -> list[str]:
        def text(v: Any) -> str:
            if v is None:
                return ""
            if isinstance(v, float):
                return f"{v:.6g}"
            return str(v)

        return [
            str(self.index), self.name, text(self.label), self.prediction if self.ok else "",
            text(self.class_id), text(self.score), text(self.correct),
            " ".join(map(str, self.top5)), text(self.iou), self.summary,
            f"{self.time_ms:.3f}", self.status, self.error or "",
        ]  # fmt: skip


def _num(v: float | None) -> float | str | None:
    if v is None:
        return None
    return round(v, 6) if math.isfinite(v) else str(v)


# ---------------------------------------------------------------- outputs -> per-item summaries


@dataclass
class ItemSummary:
    prediction: str
    summary: str
    class_id: int | None = None
    score: float | None = None
    top5: tuple[int, ...] = ()
    class_map: np.ndarray | None = None  # segmentation: the item's map (not kept in the row)


class OutputSummarizer:
    """Summaries of each batch item, by the view ``results.interpret`` picks for the outputs
    (``view_fields``: the same answer and summaries as ``run --json``).

    The output and its view are chosen on the first batch and kept, so that every row of a job
    describes the same thing: the first output shown as scores, else as segmentation, else as
    detection, else the first output.
    """

    def __init__(self, context: Mapping[str, Any] | None = None) -> None:
        self.context = dict(context or {})
        self.output: str | None = None
        self.view: str | None = None  # as run --json names it: scores, segmentation, ...
        self.reason = ""
        self.labels: LabelSet | None = None

    def summarize(
        self,
        outputs: Mapping[str, np.ndarray],
        n: int,
        inputs: Mapping[str, np.ndarray] | None = None,
    ) -> list[ItemSummary]:
        """One summary per item of a batch of ``n`` (outputs may hold padding after them);
        ``inputs``: the batch's feeds (their image sizes help tell a segmentation output)."""
        if not outputs:
            return [ItemSummary("", "no outputs")] * n
        ctx = {**self.context, "inputs": dict(inputs or {})}
        fields = view_fields(outputs, ctx)
        if self.output is None or self.output not in outputs:
            self._choose(fields)
        assert self.output is not None
        entry = fields.get(self.output, {})
        arr = np.asarray(outputs[self.output])
        batched = arr.ndim >= 1 and arr.shape[0] >= n
        if self.view == "scores" and batched:
            return self._scores(outputs, entry, n, ctx)
        if self.view == "segmentation" and batched:
            return self._masks(outputs, n, ctx)
        if self.view == "detection" and batched and "boxes" in entry:
            return [_boxes(entry["boxes"][i] if i < len(entry["boxes"]) else []) for i in range(n)]
        values = [self._values(outputs, i, n) for i in range(n)]
        return [ItemSummary(v, v) for v in values]

    def _choose(self, fields: Mapping[str, Mapping[str, Any]]) -> None:
        for wanted in ("scores", "segmentation", "detection"):
            for name, entry in fields.items():
                if entry.get("view") == wanted and (wanted != "detection" or "boxes" in entry):
                    self.output, self.view, self.reason = name, wanted, entry["view_reason"]
                    return
        name, entry = next(iter(fields.items()))
        self.output, self.view, self.reason = name, entry.get("view"), entry.get("view_reason", "")

    def _scores(self, outputs: Mapping[str, np.ndarray], entry: Mapping[str, Any], n: int,
                ctx: Mapping[str, Any]) -> list[ItemSummary]:  # fmt: skip
        top = entry.get("top5") or []
        assert self.output is not None  # chosen by summarize()
        if self.labels is None or len(top) < n:
            res = build_result(self.output, "scores", outputs, ctx)
            self.labels = res.labels
            top = [
                [{"class_id": r.class_id, "label": r.label, "score": r.score}
                 for r in res.top_k(i, 5, apply_softmax=False)]
                for i in range(n)
            ]  # fmt: skip
        out = []
        for i in range(n):
            rows = top[i]
            if not rows:
                out.append(ItemSummary("", "no classes"))
                continue
            best = rows[0]
            score = float(best["score"])
            text = f"{best['label']} {score:.1%}" if 0 <= score <= 1 else f"{best['label']} {score:.4g}"  # fmt: skip
            out.append(ItemSummary(best["label"], text, int(best["class_id"]), score,
                                   tuple(int(r["class_id"]) for r in rows)))  # fmt: skip
        return out

    def _masks(self, outputs: Mapping[str, np.ndarray], n: int,
               ctx: Mapping[str, Any]) -> list[ItemSummary]:  # fmt: skip
        assert self.output is not None  # chosen by summarize()
        it = interpret_outputs(outputs, ctx)[self.output]
        axis = getattr(it, "class_axis", -1)
        extra = (axis,) if axis != -1 else ()
        res = build_result(self.output, "mask", outputs, ctx, *extra)
        if self.labels is None or len(self.labels.names) < len(res.labels.names):
            self.labels = res.labels
        out = []
        for i in range(n):
            rows = legend(res.class_map(i), res.labels)
            parts = [f"{r.name} {r.share:.0%}" for r in rows[:3]]
            first = rows[0] if rows else None
            out.append(ItemSummary(first.name if first else "", ", ".join(parts),
                                   first.class_id if first else None, class_map=res.class_map(i)))  # fmt: skip
        return out

    def _values(self, outputs: Mapping[str, np.ndarray], i: int, n: int) -> str:
        parts = []
        for name in sorted(outputs)[:3]:
            arr = np.asarray(outputs[name])
            item = arr[i] if arr.ndim and arr.shape[0] >= n else arr
            parts.append(f"{name}: {_describe_values(item)}")
        return "; ".join(parts)


def _boxes(boxes: list[Mapping[str, Any]]) -> ItemSummary:
    if not boxes:
        return ItemSummary("", "no boxes over 0.5")
    best = boxes[0]
    names = ", ".join(f"{b['label']} {float(b['score']):.2f}" for b in boxes[:4])
    more = f" (+{len(boxes) - 4})" if len(boxes) > 4 else ""
    return ItemSummary(str(best["label"]), f"{len(boxes)} boxes: {names}{more}",
                       int(best["class_id"]), float(best["score"]))  # fmt: skip


def _describe_values(arr: np.ndarray) -> str:
    if arr.dtype.kind in "SUO":
        flat = arr.reshape(-1)[:1]
        first = flat[0] if flat.size else b""
        text = first.decode("utf-8", "replace") if isinstance(first, bytes) else str(first)
        return f"{describe(arr)} {text[:40]!r}"
    if arr.size == 0 or arr.dtype.kind not in "biuf":
        return describe(arr)
    if arr.size == 1:
        return f"{describe(arr)} {arr.reshape(-1)[0]:.6g}"
    a = arr.astype(np.float64, copy=False)
    return f"{describe(arr)} min {np.nanmin(a):.4g} max {np.nanmax(a):.4g} mean {np.nanmean(a):.4g}"


# ---------------------------------------------------------------- labels -> class ids


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
