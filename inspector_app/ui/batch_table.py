"""The rows of a batch job as a Qt table model, and the proxy that filters them.

Rows arrive in chunks from the job (``append_rows``: one ``beginInsertRows`` per chunk); the
model holds only the summaries (``workflows.batch_summary.ItemRow``), never outputs.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from inspector_app.workflows.batch_summary import ItemRow

COLUMNS = ("#", "Item", "Label", "Prediction", "Result", "Score", "IoU", "Time (ms)", "Details")
(COL_INDEX, COL_ITEM, COL_LABEL, COL_PREDICTION, COL_RESULT, COL_SCORE, COL_IOU, COL_TIME,
 COL_DETAILS) = range(len(COLUMNS))  # fmt: skip
SORT_ROLE = Qt.ItemDataRole.UserRole + 1  # a number (or text) to sort by
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # the ItemRow
FILTER_ROLE = Qt.ItemDataRole.UserRole + 3  # what the filter looks at: kind, then the texts
FILTERS = {"all": "All items", "failed": "Failed", "wrong": "Mistakes", "correct": "Correct"}
_DISPLAY = Qt.ItemDataRole.DisplayRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_ANSWERED = frozenset({_DISPLAY, _ALIGN, SORT_ROLE, ROW_ROLE, FILTER_ROLE, Qt.ItemDataRole.ForegroundRole,
                       Qt.ItemDataRole.ToolTipRole})  # fmt: skip
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_NUMERIC = frozenset({COL_INDEX, COL_SCORE, COL_IOU, COL_TIME})
_COLOURS = {
    "failed": QColor(176, 0, 32),
    "wrong": QColor(200, 90, 0),
    "correct": QColor(0, 128, 60),
}


class BatchTableModel(QAbstractTableModel):
    """One row per item. The model sorts itself (``sort``: a C-speed list sort on keys made
    once per row, not a Python comparison per pair as a proxy would need): new rows go straight
    to their place, so 10,000 rows stream in and sort within the event loop's budget."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[ItemRow] = []  # ascending by the sort key; shown reversed if descending
        self._keys: list[tuple] = []
        self._texts: list[tuple[str, ...]] = []  # each row's cells (and filter text), made once
        self._sort_keys: list[tuple] = []  # each row's sort key for every column
        self._column = COL_INDEX
        self._descending = False
        self._brushes = {k: QBrush(c) for k, c in _COLOURS.items()}

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802  # fmt: skip
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def _at(self, visible: int) -> int:
        return len(self.rows) - 1 - visible if self._descending else visible

    def row_at(self, visible: int) -> ItemRow:
        """The row shown at ``visible`` (in the current order)."""
        return self.rows[self._at(visible)]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every visible cell at each repaint: the common answers come
        # first and cost a lookup (the texts of a row are made once, when it arrives).
        if role not in _ANSWERED:
            return None
        r = index.row()
        i = len(self.rows) - 1 - r if self._descending else r
        col = index.column()
        if role == _DISPLAY:
            return self._texts[i][col]
        if role == _ALIGN:
            return _RIGHT if col in _NUMERIC else None
        row = self.rows[i]
        if role == SORT_ROLE:
            return _sort_key(row, col)
        if role == ROW_ROLE:
            return row
        if role == FILTER_ROLE:
            return self._texts[i][-1]
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_RESULT:
            return self._brushes.get(row.status)
        if role == Qt.ItemDataRole.ToolTipRole and col in (COL_ITEM, COL_DETAILS):
            return row.error or row.summary or row.name
        return None

    def append_rows(self, rows: Sequence[ItemRow]) -> None:
        """Add rows where the current order puts them (one insert per row out of place, one
        for the run that lands at the end)."""
        if not rows:
            return
        made = sorted((_cells(r) for r in rows), key=lambda c: c[1][self._column])
        tail: list[tuple] = []
        for cells in made:
            key = cells[1][self._column]
            if not self._keys or key >= self._keys[-1]:
                tail.append(cells)
                continue
            self._insert(bisect.bisect_right(self._keys, key), [cells])
        if tail:
            self._insert(len(self.rows), tail)

    def _insert(self, pos: int, made: list[tuple]) -> None:
        n = len(made)
        first = len(self.rows) - pos if self._descending else pos
        self.beginInsertRows(QModelIndex(), first, first + n - 1)  # shown reversed if descending
        self.rows[pos:pos] = [c[0] for c in made]
        self._keys[pos:pos] = [c[1][self._column] for c in made]
        self._texts[pos:pos] = [c[2] for c in made]
        self._sort_keys[pos:pos] = [c[1] for c in made]
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column``: a list sort on keys made when the rows arrived."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_at = [self._at(i.row()) for i in old]
        self._column = column
        self._descending = order == Qt.SortOrder.DescendingOrder
        keys = [k[column] for k in self._sort_keys]
        order_of = sorted(range(len(keys)), key=keys.__getitem__)
        self.rows = [self.rows[i] for i in order_of]
        self._texts = [self._texts[i] for i in order_of]
        self._sort_keys = [self._sort_keys[i] for i in order_of]
        self._keys = [keys[i] for i in order_of]
        where = [0] * len(order_of)
        for new_pos, old_pos in enumerate(order_of):
            where[old_pos] = new_pos
        n = len(self.rows)
        new = [
            self.index(n - 1 - where[a] if self._descending else where[a], i.column())
            for a, i in zip(old_at, old, strict=True)
        ]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def clear(self) -> None:
        self.beginResetModel()
        self.rows = []
        self._keys = []
        self._texts = []
        self._sort_keys = []
        self.endResetModel()


def _cells(row: ItemRow) -> tuple[ItemRow, tuple, tuple[str, ...]]:
    """(row, sort key per column, texts per column and the filter text), made once per row."""
    keys = tuple((_sort_key(row, c), row.index) for c in range(len(COLUMNS)))
    texts = [_text(row, c) for c in range(len(COLUMNS))]
    texts.append(
        f"{row.status}\t{row.name}\t{row.label or ''}\t{row.prediction}\t{texts[COL_DETAILS]}"
    )
    return row, keys, tuple(texts)


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


class BatchFilter:
    """The proxy between the rows and the table: a plain ``QSortFilterProxyModel``. A Python
    subclass would make every call Qt makes on it (several per cell drawn) a call into Python;
    this one filters in C++ with a regular expression over ``FILTER_ROLE`` (the result kind,
    then the item, label, prediction and details), and leaves sorting to the source model
    (see ``BatchTableModel.sort``; the header's sort indicator drives it)."""

    def __init__(self, model: BatchTableModel, parent: QObject | None = None) -> None:
        self.model = model
        self.proxy = QSortFilterProxyModel(parent)
        self.proxy.setSourceModel(model)
        self.proxy.setFilterRole(FILTER_ROLE)
        self._kind = "all"
        self._text = ""

    def set_kind(self, kind: str) -> None:
        if kind not in FILTERS:
            raise ValueError(f"unknown filter {kind!r}")
        self._kind = kind
        self._apply()

    def set_text(self, text: str) -> None:
        self._text = text.strip()
        self._apply()

    def _apply(self) -> None:
        pattern = ""
        if self._kind != "all":
            pattern = f"^{self._kind}\t"
        if self._text:
            pattern += (".*" if pattern else "") + QRegularExpression.escape(self._text)
        option = QRegularExpression.PatternOption.CaseInsensitiveOption
        self.proxy.setFilterRegularExpression(QRegularExpression(pattern, option))

    def row(self, proxy_row: int) -> ItemRow:
        """The row shown at ``proxy_row``."""
        return self.proxy.data(self.proxy.index(proxy_row, 0), ROW_ROLE)
