"""The Batch dialog's table of rows, with its filter line, the kind of rows shown and "Worst
mistakes first"; a click on a column's header sorts (the model sorts itself)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector_app.ui.batch_table import FILTERS, BatchTableModel
from inspector_app.workflows.batch_rows import (
    COL_INDEX,
    COL_IOU,
    COL_ITEM,
    COL_LABEL,
    COL_PREDICTION,
    COL_RESULT,
    COL_SCORE,
    COL_TIME,
    ItemRow,
)

WIDTHS = {COL_INDEX: 48, COL_ITEM: 170, COL_LABEL: 70, COL_PREDICTION: 100, COL_RESULT: 60,
          COL_SCORE: 60, COL_IOU: 48, COL_TIME: 66}  # fmt: skip


class BatchRowsView(QWidget):
    """``row_selected`` carries the ItemRow that became the current row."""

    row_selected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = BatchTableModel(self)
        self.table = QTableView(objectName="batchTable")
        self.table.setModel(self.model)
        self._set_up_table()
        self.filter_edit = QLineEdit(objectName="batchFilter")
        self.filter_edit.setPlaceholderText("Filter rows (item, label, prediction, details)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_combo = QComboBox(objectName="batchFilterKind")
        for key, text in FILTERS.items():
            self.filter_combo.addItem(text, key)
        self.worst_button = QPushButton("Worst mistakes first", objectName="batchWorst")
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.filter_edit, 1)
        filter_row.addWidget(self.filter_combo)
        filter_row.addWidget(self.worst_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(filter_row)
        layout.addWidget(self.table, 1)
        self.filter_edit.textChanged.connect(lambda text: self.model.set_filter(text=text))
        self.filter_combo.currentIndexChanged.connect(
            lambda _i: self.model.set_filter(kind=self.filter_combo.currentData())
        )
        self.worst_button.clicked.connect(self.show_worst_first)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self.model.sort)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._on_row(cur))

    def _set_up_table(self) -> None:
        t = self.table
        header = t.horizontalHeader()  # the model sorts (fast); the header drives it
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in WIDTHS.items():
            header.resizeSection(col, width)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setAlternatingRowColors(True)
        t.setWordWrap(False)
        rows = t.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)

    def show_worst_first(self) -> None:
        """Only the mistakes, the most confident first."""
        self.filter_combo.setCurrentIndex(self.filter_combo.findData("wrong"))
        self.sort_by(COL_SCORE, Qt.SortOrder.DescendingOrder)

    def sort_by(self, column: int, order: Qt.SortOrder) -> None:
        """Sort the table as a click on the column's header does."""
        self.table.horizontalHeader().setSortIndicator(column, order)

    def select_row(self, visible: int) -> ItemRow:
        """Select a row of the table (as shown); ``row_selected`` follows."""
        self.table.selectRow(visible)
        self.table.setCurrentIndex(self.model.index(visible, 0))
        return self.model.row_at(visible)

    def row_at(self, visible: int) -> ItemRow:
        return self.model.row_at(visible)

    def _on_row(self, current: QModelIndex) -> Any:
        if current.isValid():
            self.row_selected.emit(self.model.row_at(current.row()))
