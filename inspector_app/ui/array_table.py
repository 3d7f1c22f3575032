"""A 2-D numpy array as a table model: the Results tab's tensor table and the Weights tab's
values table. Kept apart from both (their image, export and slice code) so that either imports
only this."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

from inspector_app.results.tensors import as_text

_DISPLAY, _TOOLTIP = int(Qt.ItemDataRole.DisplayRole), int(Qt.ItemDataRole.ToolTipRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_Index = QModelIndex | QPersistentModelIndex


TEXT_CACHE = 20_000  # cell texts kept per array (dropped all at once beyond: a long scroll)


class ArrayTableModel(QAbstractTableModel):
    """A 2-D numpy array as a table, cells as ``results.tensors.as_text`` writes them (numbers to
    6 significant digits, bytes as text), answering a paint cheaply: the shape kept as ints, the
    role looked at first, each cell's text made once. A paint asks every visible cell for seven
    roles (``QStyledItemDelegate``): a model that formatted each cell on every ask took 7-11 ms
    of the GUI thread per paint of the Weights tab's values table, this one 3-4 ms."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._array: np.ndarray = np.zeros((0, 0))
        self._rows = self._cols = 0
        self._align: int | None = None
        self._text: dict[tuple[int, int], str] = {}

    def set_array(self, array: np.ndarray) -> None:
        self.beginResetModel()
        self._array = array
        self._rows, self._cols = (int(n) for n in array.shape[:2])
        self._align = _RIGHT if array.dtype.kind in "biufc" else None
        self._text = {}
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else self._cols

    def headerData(self, section: int, orientation: Any, role: int = _DISPLAY) -> Any:  # noqa: N802
        return str(section) if role == _DISPLAY else None

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if role == _DISPLAY:
            cell = (index.row(), index.column())
            text = self._text.get(cell)
            if text is None:
                if cell[0] < 0:
                    return None
                if len(self._text) >= TEXT_CACHE:
                    self._text = {}
                text = self._text[cell] = as_text(self._array[cell], 200)
            return text
        if role == _ALIGN:
            return self._align
        if role == _TOOLTIP and index.isValid():
            return as_text(self._array[index.row(), index.column()], 4000)
        return None
