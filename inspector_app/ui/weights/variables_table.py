"""The Weights tab's table of variables: sorted and filtered by Qt (``table_model``), a row's
tooltip (its checkpoint keys) made when asked for, not stored in each cell, and the text colour
of rows other than weights following the palette."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QToolTip, QWidget

from inspector_app.ui.weights.table_model import WeightsFilter, WeightsTableModel, tooltip

COLUMN_WIDTHS = (260, 96, 66, 90, 80, 84, 84, 84, 84, 84, 60, 64)


class VariablesTable(QTableView):
    def __init__(self, proxy: WeightsFilter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("weightsTable")
        self.setModel(proxy)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(22)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate(COLUMN_WIDTHS):
            header.resizeSection(col, width)
        header.setStretchLastSection(True)
        self._restyle()

    def _source(self) -> Any:
        return self.model().sourceModel()

    def _restyle(self) -> None:
        source = self._source()
        if isinstance(source, WeightsTableModel):
            source.set_dim_colour(self.palette().color(QPalette.ColorRole.PlaceholderText))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.PaletteChange:
            self._restyle()
        super().changeEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ToolTip:
            source = self.model().mapToSource(self.indexAt(event.pos()))
            var = self._source().variable(source.row()) if source.isValid() else None
            if var is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), tooltip(var), self.viewport())
            return True
        return super().viewportEvent(event)
