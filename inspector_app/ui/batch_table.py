"""The rows of a batch job as a Qt table model, and the proxy that sorts and filters them.

Rows arrive in chunks from the job (``append_rows``: one ``beginInsertRows`` per chunk); the
model holds only the summaries (``workflows.batch_summary.ItemRow``), never outputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from inspector_app.workflows.batch_summary import ItemRow

COLUMNS = ("#", "Item", "Label", "Prediction", "Score", "Result", "IoU", "Time (ms)", "Details")
(COL_INDEX, COL_ITEM, COL_LABEL, COL_PREDICTION, COL_SCORE, COL_RESULT, COL_IOU, COL_TIME,
 COL_DETAILS) = range(len(COLUMNS))  # fmt: skip
SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # a number (or text) to sort by
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # the ItemRow
FILTERS = {"all": "All items", "failed": "Failed", "wrong": "Mistakes", "correct": "Correct"}
_COLOURS = {
    "failed": QColor(176, 0, 32),
    "wrong": QColor(200, 90, 0),
    "correct": QColor(0, 128, 60),
}


class BatchTableModel(QAbstractTableModel):
    """One row per item, in the order the job answered them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ItemRow] = []
        self._brushes = {k: QBrush(c) for k, c in _COLOURS.items()}

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802  # fmt: skip
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _text(row, col)
        if role == SORT_ROLE:
            return _sort_key(row, col)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_RESULT:
            return self._brushes.get(row.status)
        if role == Qt.ItemDataRole.ToolTipRole and col in (COL_ITEM, COL_DETAILS):
            return row.error or row.summary or row.name
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_INDEX, COL_SCORE, COL_IOU, COL_TIME):  # fmt: skip
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def append_rows(self, rows: Sequence[ItemRow]) -> None:
        if not rows:
            return
        first = len(self.rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self.rows.extend(rows)
        self.endInsertRows()

    def clear(self) -> None:
        self.beginResetModel()
        self.rows = []
        self.endResetModel()

    def row_at(self, row: int) -> ItemRow:
        return self.rows[row]


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


def _sort_key(row: ItemRow, col: int) -> Any:
    if col == COL_INDEX:
        return row.index
    if col == COL_SCORE:
        return -1.0 if row.score is None else row.score
    if col == COL_IOU:
        return -1.0 if row.iou is None else row.iou
    if col == COL_TIME:
        return row.time_ms
    return _text(row, col).lower()


class BatchFilterProxy(QSortFilterProxyModel):
    """Sorts by ``SORT_ROLE``; filters by a result kind (``FILTERS``) and by text in the item,
    label, prediction and details columns."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._kind = "all"
        self._text = ""

    def set_kind(self, kind: str) -> None:
        if kind not in FILTERS:
            raise ValueError(f"unknown filter {kind!r}")
        self._kind = kind
        self.invalidateRowsFilter()

    def set_text(self, text: str) -> None:
        self._text = text.strip().lower()
        self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:  # noqa: N802
        model = self.sourceModel()
        row: ItemRow = model.rows[source_row]  # type: ignore[attr-defined]
        if self._kind != "all" and row.status != self._kind:
            return False
        if not self._text:
            return True
        hay = " ".join((row.name, row.label or "", row.prediction, row.error or row.summary))
        return self._text in hay.lower()

    def row(self, proxy_row: int) -> ItemRow:
        return self.data(self.index(proxy_row, 0), ROW_ROLE)
