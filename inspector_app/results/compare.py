"""Two runs' outputs side by side: which outputs differ, and by how much.

Per output: max absolute difference; for scores, top-1 agreement over the batch; for masks,
changed pixels and per-class IoU. Outputs are compared by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from inspector_app.results.interpret import interpret
from inspector_app.results.masks import to_class_maps
from inspector_app.results.scores import as_score_matrix


@dataclass(frozen=True)
class OutputDiff:
    name: str
    view: str
    differs: bool
    summary: str
    max_abs_diff: float | None = None
    differing_values: int | None = None
    top1_agreement: float | None = None  # scores: share of batch items with the same top-1 class
    changed_pixels: int | None = None  # masks
    changed_share: float | None = None
    iou: dict[int, float] = field(default_factory=dict)  # masks: class id -> IoU
    mean_iou: float | None = None

    def cells(self) -> tuple[str, ...]:
        """The row of a comparison table, in the order of ``COLUMNS`` ("-" where not known)."""
        return (
            self.name,
            self.view,
            "-" if self.max_abs_diff is None else f"{self.max_abs_diff:.6g}",
            "-" if self.top1_agreement is None else f"{self.top1_agreement:.1%}",
            "-" if self.mean_iou is None else f"{self.mean_iou:.4f}",
            "-"
            if self.changed_pixels is None
            else f"{self.changed_pixels} ({self.changed_share or 0.0:.2%})",
            "DIFFERS" if self.differs else "same",
        )

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values (non-finite numbers as strings, IoU keys as strings)."""
        return {
            "name": self.name,
            "view": self.view,
            "differs": self.differs,
            "summary": self.summary,
            "max_abs_diff": _json_float(self.max_abs_diff),
            "differing_values": self.differing_values,
            "top1_agreement": self.top1_agreement,
            "changed_pixels": self.changed_pixels,
            "changed_share": self.changed_share,
            "iou": {str(k): v for k, v in self.iou.items()},
            "mean_iou": self.mean_iou,
        }


MAX_IOU_LISTED = 20  # classes named per mask in the text table
COLUMNS = ("output", "view", "max |A-B|", "top-1 agreement", "mean IoU", "changed pixels", "result")


def _json_float(value: float | None) -> float | str | None:
    if value is None or np.isfinite(value):
        return value
    return str(value)


@dataclass(frozen=True)
class Comparison:
    outputs: list[OutputDiff]

    @property
    def differing(self) -> list[str]:
        """Names of the outputs that differ."""
        return [d.name for d in self.outputs if d.differs]

    def summary(self) -> str:
        n = len(self.outputs)
        if not self.differing:
            return "the output agrees" if n == 1 else f"all {n} outputs agree"
        if n == 1:
            return f"the output differs: {self.differing[0]}"
        return f"{len(self.differing)} of {n} outputs differ: {', '.join(self.differing)}"

    def table(self) -> str:
        """An aligned plain-text table (``COLUMNS``), one row per output, then per-class IoU
        of the masks that changed, then the summary line."""
        rows = [COLUMNS, *(d.cells() for d in self.outputs)]
        widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
        lines = [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
        ]
        for d in self.outputs:
            changed = sorted((c, v) for c, v in d.iou.items() if v < 1.0)
            if changed:
                ious = ", ".join(f"{c}: {v:.4f}" for c, v in changed[:MAX_IOU_LISTED])
                more = len(changed) - MAX_IOU_LISTED
                tail = f", and {more} more" if more > 0 else ""
                lines.append(f"{d.name}: IoU of the classes that changed {ious}{tail}")
        lines.append(self.summary())
        return "\n".join(lines)


def _numeric_diff(a: np.ndarray, b: np.ndarray) -> tuple[float, int, np.ndarray]:
    fa, fb = a.astype(np.float64), b.astype(np.float64)
    both_nan = np.isnan(fa) & np.isnan(fb)
    with np.errstate(invalid="ignore"):
        diff = np.abs(fa - fb)
    diff[both_nan | (fa == fb)] = 0.0  # equal infinities and NaN in both count as equal
    diff = np.where(np.isnan(diff), np.inf, diff)
    return float(diff.max(initial=0.0)), int(np.count_nonzero(diff)), diff


def compare_arrays(
    name: str,
    a: np.ndarray,
    b: np.ndarray,
    context: Mapping[str, Any] | None = None,
    atol: float = 1e-6,
) -> OutputDiff:
    """Compare one output of run A with the same output of run B."""
    a, b = np.asarray(a), np.asarray(b)
    view = interpret(name, a, context).view
    if a.shape != b.shape:
        return OutputDiff(name, view, True, f"shape {list(a.shape)} vs {list(b.shape)}")
    if a.dtype.kind in "SUO" or b.dtype.kind in "SUO":
        n = int(np.count_nonzero(a.astype(object) != b.astype(object)))
        text = "same strings" if n == 0 else f"{n} of {a.size} strings differ"
        return OutputDiff(name, view, n > 0, text, differing_values=n)
    max_diff, n_diff, _ = _numeric_diff(a, b)
    differs = max_diff > atol
    parts = [f"max |A - B| = {max_diff:.6g}", f"{n_diff} of {a.size} values differ"]
    extra: dict[str, Any] = {}
    if view == "scores":
        ta = np.argmax(np.nan_to_num(as_score_matrix(a), nan=-np.inf), axis=1)
        tb = np.argmax(np.nan_to_num(as_score_matrix(b), nan=-np.inf), axis=1)
        agree = float(np.mean(ta == tb)) if ta.size else 1.0
        extra["top1_agreement"] = agree
        parts.append(f"top-1 agrees on {agree:.0%} of {ta.size} items")
    elif view == "mask":
        ma, mb = to_class_maps(a), to_class_maps(b)
        changed = int(np.count_nonzero(ma != mb))
        ious = per_class_iou(ma, mb)
        extra.update(
            changed_pixels=changed,
            changed_share=changed / ma.size if ma.size else 0.0,
            iou=ious,
            mean_iou=float(np.mean(list(ious.values()))) if ious else None,
        )
        differs = differs or changed > 0
        parts.append(f"{changed} pixels changed class ({extra['changed_share']:.2%})")
        if extra["mean_iou"] is not None:
            parts.append(f"mean IoU {extra['mean_iou']:.3f}")
    return OutputDiff(
        name,
        view,
        differs,
        ", ".join(parts),
        max_abs_diff=max_diff,
        differing_values=n_diff,
        **extra,
    )


def per_class_iou(a: np.ndarray, b: np.ndarray) -> dict[int, float]:
    """IoU of each class present in either map: |A=c and B=c| / |A=c or B=c|."""
    fa, fb = a.ravel().astype(np.int64), b.ravel().astype(np.int64)
    lo = min(int(fa.min(initial=0)), int(fb.min(initial=0)))
    fa, fb = fa - lo, fb - lo
    n = int(max(fa.max(initial=0), fb.max(initial=0))) + 1
    count_a = np.bincount(fa, minlength=n)
    count_b = np.bincount(fb, minlength=n)
    inter = np.bincount(fa[fa == fb], minlength=n)
    union = count_a + count_b - inter
    return {int(c) + lo: float(inter[c] / union[c]) for c in np.nonzero(union)[0]}


def compare_outputs(
    a: Mapping[str, np.ndarray],
    b: Mapping[str, np.ndarray],
    context: Mapping[str, Any] | None = None,
    atol: float = 1e-6,
) -> Comparison:
    """Compare every output by name; an output present in one run only counts as differing."""
    diffs = []
    for name in sorted(set(a) | set(b)):
        if name not in b:
            diffs.append(OutputDiff(name, "tensor", True, "only in run A"))
        elif name not in a:
            diffs.append(OutputDiff(name, "tensor", True, "only in run B"))
        else:
            diffs.append(compare_arrays(name, a[name], b[name], context, atol))
    return Comparison(diffs)
