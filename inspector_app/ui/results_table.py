"""What the result views share: a read-only table of rows under fixed headers, and the header
every picture view starts with (batch item, a 0..1 slider, the Labels… button, an info line)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QSpinBox, QVBoxLayout, QWidget

from inspector_app.ui.results_common import export_button

_Index = QModelIndex | QPersistentModelIndex


class RowsTableModel(QAbstractTableModel):
    """Rows (any objects) under ``headers``; ``cell(row, column, role)`` says what a cell shows."""

    def __init__(
        self,
        headers: Sequence[str],
        cell: Callable[[Any, int, int], Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.headers = tuple(headers)
        self.cell = cell
        self._rows: list[Any] = []

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.headers)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        return self.cell(self._rows[index.row()], index.column(), role)


def batch_item_spin(num_items: int) -> QSpinBox:
    """The "Batch item" box: 0 .. num_items - 1."""
    spin = QSpinBox()
    spin.setObjectName("batchItemSpin")
    spin.setRange(0, max(0, num_items - 1))
    return spin


def fraction_slider(name: str) -> QSlider:
    """A horizontal slider over 0..100 (hundredths), at 50."""
    slider = QSlider(Qt.Orientation.Horizontal)
    slider.setObjectName(name)
    slider.setRange(0, 100)
    slider.setValue(50)
    return slider


def labels_button(choose: Callable[[], None]) -> QWidget:
    """The "Labels…" button: choose a label file for the class ids."""
    return export_button("Labels…", "chooseLabelsButton", choose)


def info_label(name: str) -> QLabel:
    """The line under a view's bar that says what is shown."""
    label = QLabel()
    label.setObjectName(name)
    label.setWordWrap(True)
    return label


def picture_header(
    view: QWidget,
    item_spin: QSpinBox,
    slider_title: str,
    slider: QSlider,
    widgets: Sequence[QWidget],
    info: QLabel,
) -> QVBoxLayout:
    """Lay ``view`` out as: Batch item, the slider and ``widgets`` in a bar, ``info`` under it;
    returns the layout, for the body to be added (with stretch)."""
    bar = QHBoxLayout()
    bar.addWidget(QLabel("Batch item"))
    bar.addWidget(item_spin)
    bar.addWidget(QLabel(slider_title))
    bar.addWidget(slider, 1)
    for widget in widgets:
        bar.addWidget(widget)
    layout = QVBoxLayout(view)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addLayout(bar)
    layout.addWidget(info)
    return layout
