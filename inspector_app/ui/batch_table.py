"""The rows of a batch job as a Qt table model that sorts and filters itself.

No ``QSortFilterProxyModel`` sits between it and the view: with a Python model under it, every
cell the view draws costs the proxy's index mapping plus several calls into Python for the
source's row and column counts, and filtering 10,000 rows asks Python for each row's text. Here
each row's texts and sort keys are made once, where the row is made (``table_cells``, in the
job's process for the window), and the model keeps a sorted list of keys: a new row goes
straight to its place (one insert for the run that lands at the end), sorting is one C-speed
list sort, and a filter is one pass over the rows' lower-case texts.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtGui import QBrush, QColor

from inspector_app.workflows.batch_rows import (
    COL_DETAILS,
    COL_INDEX,
    COL_IOU,
    COL_ITEM,
    COL_LABEL,
    COL_PREDICTION,
    COL_RESULT,
    COL_SCORE,
    COL_TIME,
    FILTER_AT,
    TABLE_COLUMNS,
    TEXT_AT,
    ItemRow,
    row_of,
    sort_key,
    table_cells,
)

COLUMNS = TABLE_COLUMNS
FILTERS = {"all": "All items", "failed": "Failed", "wrong": "Mistakes", "correct": "Correct"}
ROW_ROLE = Qt.ItemDataRole.UserRole + 2  # the ItemRow
_DISPLAY = Qt.ItemDataRole.DisplayRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ANSWERED = frozenset({_DISPLAY, _ALIGN, _FOREGROUND, _TOOLTIP, ROW_ROLE})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_NUMERIC = frozenset({COL_INDEX, COL_SCORE, COL_IOU, COL_TIME})
_COLOURS = {
    "failed": QColor(176, 0, 32),
    "wrong": QColor(200, 90, 0),
    "correct": QColor(0, 128, 60),
}

__all__ = ["COLUMNS", "FILTERS", "BatchTableModel", "COL_DETAILS", "COL_INDEX", "COL_IOU",
           "COL_ITEM", "COL_LABEL", "COL_PREDICTION", "COL_RESULT", "COL_SCORE", "COL_TIME"]  # fmt: skip


class BatchTableModel(QAbstractTableModel):
    """One row per item, in the order of the sort column, the rows the filter lets through.
    ``total`` counts every row; ``rowCount`` the rows shown."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # By item index: the row's flat tuple of numbers and strings (``table_cells``): the
        # garbage collector stops scanning those at its first pass, so that collections on the
        # GUI thread do not grow with the rows (ItemRow objects would).
        self._cells: dict[int, tuple] = {}
        self._order: list[tuple] = []  # every row's key for the sort column, ascending
        self._shown: list[tuple] | None = None  # the keys the filter lets through (None: all)
        self._column = COL_INDEX
        self._descending = False
        self._kind = "all"
        self._needle = ""
        self._brushes = {k: QBrush(c) for k, c in _COLOURS.items()}

    # -- what the view asks ----------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid():
            return 0
        return len(self._order if self._shown is None else self._shown)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role: int = _DISPLAY) -> Any:
        # Called for every role of every visible cell at each repaint: the common answers come
        # first and cost two lookups (the texts of a row were made when it arrived).
        if role not in _ANSWERED:
            return None
        seq = self._order if self._shown is None else self._shown
        r = index.row()
        item = seq[len(seq) - 1 - r if self._descending else r][1]
        cells = self._cells[item]
        col = index.column()
        if role == _DISPLAY:
            return cells[TEXT_AT + col]
        if role == _ALIGN:
            return _RIGHT if col in _NUMERIC else None
        if role == ROW_ROLE:
            return self._row(item)
        if role == _FOREGROUND:
            return self._brushes.get(cells[TEXT_AT + COL_RESULT]) if col == COL_RESULT else None
        if col in (COL_ITEM, COL_DETAILS):
            return cells[TEXT_AT + COL_DETAILS] or cells[TEXT_AT + COL_ITEM]
        return None

    # -- rows ------------------------------------------------------------------------------
    @property
    def total(self) -> int:
        return len(self._order)

    def row_at(self, visible: int) -> ItemRow:
        """The row shown at ``visible`` (in the current order and filter)."""
        seq = self._order if self._shown is None else self._shown
        return self._row(seq[len(seq) - 1 - visible if self._descending else visible][1])

    def _row(self, item: int) -> ItemRow:
        return row_of(self._cells[item])

    def append_rows(self, rows: Sequence[ItemRow]) -> None:
        """Add rows where the order puts them: the ones past the current last row in one
        insert, any other one by one."""
        if not rows:
            return
        col = self._column
        made = []
        for row in rows:
            cells = row.cells or table_cells(row)
            self._cells[row.index] = cells
            made.append(sort_key(cells, col))
        made.sort()
        order, shown = self._order, self._shown
        tail = [k for k in made if not order or k > order[-1]]
        for key in made[: len(made) - len(tail)]:  # those before the last row: one by one
            pos = bisect.bisect_left(order, key)
            if shown is None:
                self._insert(order, pos, [key])
                continue
            order.insert(pos, key)
            if self._passes(key):
                self._insert(shown, bisect.bisect_left(shown, key), [key])
        if not tail:
            return
        if shown is None:
            self._insert(order, len(order), tail)
        else:
            order.extend(tail)
            passing = [k for k in tail if self._passes(k)]
            if passing:
                self._insert(shown, len(shown), passing)

    def _insert(self, seq: list[tuple], pos: int, keys: list[tuple]) -> None:
        """Put ``keys`` at ``pos`` of the shown sequence ``seq``, telling the view."""
        first = len(seq) - pos if self._descending else pos  # shown reversed if descending
        self.beginInsertRows(QModelIndex(), first, first + len(keys) - 1)
        seq[pos:pos] = keys
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by ``column`` (the header's sort indicator calls this); the selection stays."""

        def change() -> None:
            self._column = column
            self._descending = order == Qt.SortOrder.DescendingOrder
            self._order = sorted(sort_key(c, column) for c in self._cells.values())
            self._refilter()

        self._relayout(change)

    def set_filter(self, kind: str | None = None, text: str | None = None) -> None:
        """Show the rows of a ``kind`` (see ``FILTERS``) whose item, label, prediction or
        details hold ``text`` (any case); None keeps that part as it is."""
        if kind is not None:
            if kind not in FILTERS:
                raise ValueError(f"unknown filter {kind!r}")
            self._kind = kind
        if text is not None:
            self._needle = text.strip().lower()
        self._relayout(self._refilter)

    def clear(self) -> None:
        self.beginResetModel()
        self._cells, self._order = {}, []
        self._shown = None if self._shown is None else []
        self.endResetModel()

    # -- inside ------------------------------------------------------------------------------
    def _passes(self, key: tuple) -> bool:
        hay = self._cells[key[1]][FILTER_AT]
        if self._kind != "all" and not hay.startswith(self._kind + "\t"):
            return False
        return not self._needle or self._needle in hay

    def _refilter(self) -> None:
        if self._kind == "all" and not self._needle:
            self._shown = None
        else:
            self._shown = [k for k in self._order if self._passes(k)]

    def _relayout(self, change: Callable[[], None]) -> None:
        """Apply ``change`` (order or filter) as one layout change, the persistent indexes (the
        selection, the current row) following their rows, or dropped with them."""
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        held = [self.row_at(i.row()).index for i in old]
        change()
        seq = self._order if self._shown is None else self._shown
        n = len(seq)
        new = []
        for item, index in zip(held, old, strict=True):
            key = sort_key(self._cells[item], self._column)
            pos = bisect.bisect_left(seq, key)
            if pos < n and seq[pos] == key:
                new.append(self.index(n - 1 - pos if self._descending else pos, index.column()))
            else:
                new.append(QModelIndex())
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()
