"""One row per item of a batch job: what the table shows, the CSV gets and ``--json`` lists.
Qt-free; rows hold text and numbers only (never an output array), so that memory does not grow
with the data set, and they travel cheaply between processes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

CSV_COLUMNS = ("index", "item", "label", "prediction", "class_id", "score", "correct",
               "top5", "iou", "summary", "time_ms", "status", "error")  # fmt: skip
TABLE_COLUMNS = ("#", "Item", "Label", "Prediction", "Result", "Score", "IoU", "Time (ms)",
                 "Details")  # fmt: skip
(COL_INDEX, COL_ITEM, COL_LABEL, COL_PREDICTION, COL_RESULT, COL_SCORE, COL_IOU, COL_TIME,
 COL_DETAILS) = range(len(TABLE_COLUMNS))  # fmt: skip


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
    # the table's flat tuple of the row (``table_cells``), made where the row is made
    cells: tuple | None = field(default=None, repr=False, compare=False)

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


_FIELD_NAMES = tuple(f.name for f in fields(ItemRow) if f.name != "cells")
_TOP5 = _FIELD_NAMES.index("top5")
TEXT_AT = len(_FIELD_NAMES)  # a row's cells: its fields, then the text of each column
FILTER_AT = TEXT_AT + len(TABLE_COLUMNS)  # then the lower-case text the filter searches
_NUMERIC_KEYS = {COL_INDEX: "index", COL_SCORE: "score", COL_IOU: "iou", COL_TIME: "time_ms"}


# ---------------------------------------------------------------- the table's cells


def table_cells(row: ItemRow) -> tuple:
    """The row for the table as one flat tuple of numbers and strings: its fields (top-5 as
    text), the text of each column and the filter's text. Made once per row, in the job's
    process for the window (``BatchProcess``); a flat tuple of plain values drops out of the
    garbage collector's scans at its first pass, whatever the number of rows."""
    values = [getattr(row, name) for name in _FIELD_NAMES]
    values[_TOP5] = " ".join(map(str, row.top5))
    texts = [_text(row, c) for c in range(len(TABLE_COLUMNS))]
    search = f"{row.status}\t{row.name}\t{row.label or ''}\t{row.prediction}\t{texts[COL_DETAILS]}"
    return (*values, *texts, search.lower())


def row_of(cells: tuple) -> ItemRow:
    """The ItemRow back from its cells."""
    values = list(cells[:TEXT_AT])
    values[_TOP5] = tuple(int(c) for c in values[_TOP5].split())
    return ItemRow(*values)


def sort_key(cells: tuple, col: int) -> tuple:
    """(key, item index) of a row for column ``col``: numbers for the numeric columns (-1 when
    empty), lower-case text for the others."""
    name = _NUMERIC_KEYS.get(col)
    if name is None:
        return (cells[TEXT_AT + col].lower(), cells[0])
    value = cells[_FIELD_NAMES.index(name)]
    return (-1.0 if value is None else value, cells[0])


def _text(row: ItemRow, col: int) -> str:
    if col == COL_INDEX:
        return str(row.index)
    if col == COL_ITEM:
        return row.name
    if col == COL_LABEL:
        return row.label or ""
    if col == COL_PREDICTION:
        return row.prediction if row.ok else ""
    if col == COL_SCORE:
        return "" if row.score is None else f"{row.score:.4f}"
    if col == COL_RESULT:
        return row.status
    if col == COL_IOU:
        return "" if row.iou is None else f"{row.iou:.3f}"
    if col == COL_TIME:
        return f"{row.time_ms:.2f}" if row.ok else ""
    return row.error or row.summary
