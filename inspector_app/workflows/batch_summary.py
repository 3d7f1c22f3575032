"""Per-item summaries of a batch's outputs (Qt-free).

Which output a row describes, and how, is the results view's choice (``results.interpret``):
the first output shown as scores gives the top-1 class and score of each item, a mask output
the class shares of each item, any other output a one-line description of its values. Only
these summaries are kept, never the outputs, so memory does not grow with the data set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from inspector_app.results.interpret import build_result, describe, interpret_outputs, view_fields
from inspector_app.results.labels import LabelSet
from inspector_app.results.masks import legend


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
