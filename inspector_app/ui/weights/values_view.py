"""The values of one variable as a table, with a slice picker for more than two axes: which axis
runs down the rows, which across the columns, and where the others stand."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector_app.results.tensors import slice_2d
from inspector_app.ui.array_table import ArrayTableModel


class NumberHeader(QHeaderView):
    """A header of section numbers whose size comes from the font and the largest number.

    Qt's own size hint asks the model about the first and last hundred sections, several roles
    each, after every new array: some 5,000 calls into Python and 30 ms of the GUI thread."""

    def sizeHint(self) -> QSize:  # noqa: N802
        fm = self.fontMetrics()
        margin = 2 * self.style().pixelMetric(self.style().PixelMetric.PM_HeaderMargin, None, self)
        width = fm.horizontalAdvance(str(max(self.count() - 1, 0))) + margin + 8
        return QSize(width, fm.height() + margin + 4)


class SliceView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._values: np.ndarray | None = None
        self.values_model = ArrayTableModel(self)
        self.values_table = QTableView(objectName="weightsValues")
        self.values_table.setVerticalHeader(NumberHeader(Qt.Orientation.Vertical))
        self.values_table.setHorizontalHeader(NumberHeader(Qt.Orientation.Horizontal))
        self.values_table.setModel(self.values_model)
        self.values_table.horizontalHeader().setDefaultSectionSize(78)
        self.values_table.verticalHeader().setDefaultSectionSize(20)
        self.slice_bar = QHBoxLayout()
        self.slice_label = QLabel("", objectName="weightsSliceLabel")
        self.row_axis = QComboBox(objectName="weightsRowAxis")
        self.col_axis = QComboBox(objectName="weightsColAxis")
        self.index_spins: list[QSpinBox] = []  # the same list object throughout (panels share it)
        self.rows_label, self.cols_label = QLabel("rows"), QLabel("columns")
        self.slice_bar.addWidget(self.slice_label)
        for widget in (self.rows_label, self.row_axis, self.cols_label, self.col_axis):
            widget.setVisible(False)
            self.slice_bar.addWidget(widget)
        self.slice_bar.addStretch(1)
        for combo in (self.row_axis, self.col_axis):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._show_slice)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.slice_bar)
        self.index_bar = QHBoxLayout()
        self.index_bar.addStretch(1)
        layout.addLayout(self.index_bar)
        layout.addWidget(self.values_table, 1)

    @property
    def array(self) -> np.ndarray | None:
        """The array shown (None: none)."""
        return self._values

    def set_message(self, text: str) -> None:
        self.slice_label.setText(text)

    def show_array(self, array: np.ndarray | None) -> None:
        """Show ``array`` (None clears)."""
        self._values = array
        self.slice_label.setText("")
        self._set_axes(0 if array is None else array.ndim)
        self._show_slice()

    def set_slice(self, row_axis: int, col_axis: int, index: dict[int, int]) -> None:
        for axis, pos in index.items():
            self.index_spins[axis].setValue(pos)
        self.row_axis.setCurrentIndex(row_axis)
        self.col_axis.setCurrentIndex(col_axis)
        self._show_slice()

    def current_slice(self) -> np.ndarray:
        array = self._values
        if array is None:
            return np.zeros((0, 0))
        if array.ndim <= 2:
            return slice_2d(array)
        rows, cols = self.row_axis.currentIndex(), self.col_axis.currentIndex()
        if rows == cols or rows < 0 or cols < 0:
            rows, cols = array.ndim - 2, array.ndim - 1
        for axis, spin in enumerate(self.index_spins):
            spin.setEnabled(axis not in (rows, cols))
        index = {a: s.value() for a, s in enumerate(self.index_spins) if a not in (rows, cols)}
        return slice_2d(array, rows, cols, index)

    def _show_slice(self) -> None:
        self.values_model.set_array(self.current_slice())
        # Its headers sized now, not in a queued call after the first paint (a second layout
        # and paint of the table).
        self.values_table.executeDelayedItemsLayout()

    def _set_axes(self, ndim: int) -> None:
        for spin in self.index_spins:
            self.index_bar.removeWidget(spin)
            spin.hide()  # at once: deleteLater waits for the event loop (not processEvents)
            spin.deleteLater()
        self.index_spins.clear()
        for widget in (self.rows_label, self.row_axis, self.cols_label, self.col_axis):
            widget.setVisible(ndim > 2 and self._values is not None)
        for combo in (self.row_axis, self.col_axis):
            combo.blockSignals(True)
            combo.clear()
        if ndim <= 2 or self._values is None:
            for combo in (self.row_axis, self.col_axis):
                combo.blockSignals(False)
            return
        shape = self._values.shape
        for combo, default in ((self.row_axis, ndim - 2), (self.col_axis, ndim - 1)):
            combo.addItems([f"axis {a} ({shape[a]})" for a in range(ndim)])
            combo.setCurrentIndex(default)
            combo.blockSignals(False)
        for axis in range(ndim):
            spin = QSpinBox(objectName=f"weightsIndex{axis}")
            spin.setRange(0, max(0, shape[axis] - 1))
            spin.setPrefix(f"axis {axis} at ")
            spin.setMinimumWidth(96)
            spin.valueChanged.connect(self._show_slice)
            self.index_spins.append(spin)
            self.index_bar.insertWidget(axis, spin)
