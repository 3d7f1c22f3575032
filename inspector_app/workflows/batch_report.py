"""What a batch job tells as it goes (``Progress``) and gives back at the end (``BatchReport``):
counts, throughput, the metrics over the data set, and the JSON and text summaries of the
command line. Qt-free.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from inspector_app.workflows.batch_metrics import MAX_CONFUSION_CLASSES, Metrics
from inspector_app.workflows.batch_rows import ItemRow


@dataclass(frozen=True)
class Progress:
    done: int  # items answered or failed
    failed: int
    total: int
    elapsed_s: float  # since the first batch was sent (the model load is not counted)

    @property
    def items_per_s(self) -> float:
        return self.done / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        rate = self.items_per_s
        return (self.total - self.done) / rate if rate > 0 else None

    def text(self) -> str:
        eta = self.eta_s
        left = "" if eta is None else f", {_duration(eta)} left"
        failed = f", {self.failed} failed" if self.failed else ""
        return (
            f"{self.done:,} / {self.total:,} items{failed}, {self.items_per_s:,.1f} items/s{left}"
        )


def _duration(s: float) -> str:
    s = int(round(s))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"


@dataclass
class BatchReport:
    """What a job gives back (also when cancelled: the rows so far)."""

    total: int
    done: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (item, reason)
    rows: list[ItemRow] = field(default_factory=list)  # only when the job keeps them
    metrics: Metrics = field(default_factory=Metrics)
    output: str | None = None  # the output the rows describe
    view: str | None = None
    view_reason: str = ""
    class_names: dict[int, str] = field(default_factory=dict)
    truth_how: str = ""
    elapsed_s: float = 0.0
    load_s: float = 0.0
    cancelled: bool = False
    error: str | None = None  # the job stopped early (the worker kept dying)
    batch_size: int = 0
    device: str = ""
    csv_path: str | None = None

    @property
    def items_per_s(self) -> float:
        return self.done / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def name(self, class_id: int) -> str:
        return self.class_names.get(class_id, f"class {class_id}")

    def to_json(self) -> dict[str, Any]:
        m = self.metrics
        out: dict[str, Any] = {
            "items": self.done,
            "total": self.total,
            "succeeded": self.done - len(self.failed),
            "failed": [{"item": n, "reason": r} for n, r in self.failed],
            "items_per_s": round(self.items_per_s, 3),
            "elapsed_s": round(self.elapsed_s, 3),
            "load_s": round(self.load_s, 3),
            "batch_size": self.batch_size,
            "device": self.device,
            "output": self.output,
            "view": self.view,
            "view_reason": self.view_reason,
            "cancelled": self.cancelled,
        }
        if self.error:
            out["error"] = self.error
        if m.labelled:
            out["labelled"] = m.labelled
            out["accuracy"] = round(m.accuracy or 0.0, 6)
            out["top5_accuracy"] = round(m.top5_accuracy or 0.0, 6)
            out["labels_to_classes"] = self.truth_how
            out["unmatched_labels"] = m.unmatched
            truths, preds, matrix = m.confusion_matrix()
            if len(preds) <= MAX_CONFUSION_CLASSES:
                out["confusion"] = {
                    "true_classes": [self.name(c) for c in truths],
                    "predicted_classes": [self.name(c) for c in preds],
                    "matrix": matrix.tolist(),
                }
            out["worst_mistakes"] = [
                {"item": name, "label": label, "prediction": pred, "score": round(score, 6)}
                for score, _i, name, label, pred in m.worst_mistakes()[:20]
            ]
        if m.seg_items:
            out["segmentation_items"] = m.seg_items
            out["mean_iou"] = round(m.mean_iou or 0.0, 6)
            out["per_class_iou"] = {self.name(c): round(v, 6) for c, v in m.per_class_iou().items()}
        out["rows"] = [r.to_json() for r in self.rows]
        return out

    def summary_lines(self) -> list[str]:
        m = self.metrics
        state = " (cancelled)" if self.cancelled else ""
        lines = [
            f"items: {self.done:,} of {self.total:,}{state}, failed: {len(self.failed):,}",
            f"throughput: {self.items_per_s:,.1f} items/s in {self.elapsed_s:.2f} s "
            f"(batch size {self.batch_size}, {self.device or 'default device'}; "
            f"model load {self.load_s:.1f} s)",
        ]
        if self.output:
            lines.append(f"rows describe output {self.output!r}: {self.view_reason}")
        if m.labelled:
            lines.append(
                f"accuracy: {m.accuracy:.2%} top-1, {m.top5_accuracy:.2%} top-5 over "
                f"{m.labelled:,} labelled items ({self.truth_how})"
            )
        if m.seg_items:
            lines.append(f"segmentation: mean IoU {m.mean_iou:.4f} over {m.seg_items:,} masks")
        if self.error:
            lines.append(f"stopped early: {self.error}")
        return lines


RowsCallback = Callable[[list[ItemRow]], None]
ProgressCallback = Callable[[Progress], None]
