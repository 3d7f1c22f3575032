"""The Weights tab's texts: the parameter summary line and one variable's statistics."""

from __future__ import annotations

import html
from typing import Any

from inspector_app.safeio import escape


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def summary_text(variables: list[Any], stats_done: int, stats_left: int) -> str:
    """Parameters of the weights only; optimizer slots and bookkeeping counted apart."""
    from inspector_app.savedmodel.variables import parameter_counts

    counts = parameter_counts(variables)
    n = {r: sum(1 for v in variables if v.role == r) for r in counts}
    trainable = sum(v.params for v in variables if v.role == "weight" and v.trainable)
    text = f"<b>{counts['weight']:,} parameters</b> in {plural(n['weight'], 'weight variable')}"
    if any(v.trainable is not None for v in variables):
        text += f" ({trainable:,} trainable, {counts['weight'] - trainable:,} not)"
    apart = []
    if n["optimizer_slot"]:
        apart.append(
            f"optimizer slots: {plural(n['optimizer_slot'], 'variable')}, "
            f"{counts['optimizer_slot']:,} values"
        )
    if n["bookkeeping"]:
        apart.append(
            f"bookkeeping: {plural(n['bookkeeping'], 'variable')}, {counts['bookkeeping']:,} values"
        )
    if apart:
        text += " — not counted: " + "; ".join(apart)
    if stats_left:
        text += f" · statistics: {stats_done} of {stats_done + stats_left}…"
    return text


def stats_text(var: Any, stats: Any) -> str:
    """A variable's head line and its statistics (``stats`` None: still computing)."""
    role = {"optimizer_slot": " · optimizer slot", "bookkeeping": " · bookkeeping"}.get(
        var.role, ""
    )
    head = f"<b>{html.escape(escape(var.name))}</b>{role}<br>{var.dtype} {var.shape} · {var.params:,} values"
    if stats is None:
        return head + "<br>statistics: computing…"

    def fmt(v: float | None) -> str:
        return "-" if v is None else f"{v:.6g}"

    return (
        f"{head}<br>min {fmt(stats.min)} · max {fmt(stats.max)} · mean {fmt(stats.mean)}"
        f" · std {fmt(stats.std)}<br>zeros {stats.zero_share:.2%} · NaN {stats.nan:,}"
        f" · Inf {stats.inf:,}"
    )
