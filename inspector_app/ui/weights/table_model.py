"""The variables of one model as a table: name, role, dtype, shape, values, bytes, statistics."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Name", "Role", "Dtype", "Shape", "Values", "Bytes", "Min", "Max", "Mean", "Std",
           "Zeros", "NaN/Inf")  # fmt: skip
COL_NAME, COL_ROLE, COL_DTYPE, COL_SHAPE, COL_VALUES, COL_BYTES = range(6)
COL_MIN, COL_MAX, COL_MEAN, COL_STD, COL_ZEROS, COL_BAD = range(6, 12)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
_DISPLAY, _SORT = int(Qt.ItemDataRole.DisplayRole), int(SORT_ROLE)
_ALIGN, _FOREGROUND = int(Qt.ItemDataRole.TextAlignmentRole), int(Qt.ItemDataRole.ForegroundRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
MAX_RUNS = 16  # dataChanged signals per batch of statistics at most
_ROLE_TEXT = {"weight": "weight", "optimizer_slot": "optimizer slot", "bookkeeping": "bookkeeping"}


def _shape(shape: list[int] | None) -> str:
    if shape is None:
        return "?"
    return "[" + ", ".join("?" if d < 0 else str(d) for d in shape) + "]" if shape else "scalar"


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


class WeightsTableModel(QAbstractTableModel):
    """Rows are ``VariableInfo``s; statistics (``TensorStats`` by checkpoint key) arrive later."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.variables: list[Any] = []
        self.stats: dict[str, Any] = {}
        self._rows: dict[str, int] = {}  # checkpoint key -> row
        self._cache: dict[int, list[tuple[str, Any]]] = {}  # row -> cells (see _cells)

    def set_variables(self, variables: list[Any]) -> None:
        self.beginResetModel()
        self.variables = list(variables)
        self.stats = {}
        self._rows = {v.key: i for i, v in enumerate(self.variables)}
        self._cache = {}
        self.endResetModel()

    def add_stats(self, stats: dict[str, Any]) -> None:
        """Statistics for some keys: one ``dataChanged`` per run of adjacent rows (one over
        them all when scattered in many runs), over the statistics columns only."""
        self.stats.update(stats)
        rows = sorted(self._rows[k] for k in stats if k in self._rows)
        for row in rows:
            self._cache.pop(row, None)
        runs: list[tuple[int, int]] = []
        for row in rows:
            if runs and row == runs[-1][1] + 1:
                runs[-1] = (runs[-1][0], row)
            else:
                runs.append((row, row))
        if len(runs) > MAX_RUNS:  # each signal costs the proxy a pass: one, wider, is cheaper
            runs = [(runs[0][0], runs[-1][1])]
        for top, bottom in runs:
            self.dataChanged.emit(self.index(top, COL_MIN), self.index(bottom, COL_BAD))

    def variable(self, row: int) -> Any | None:
        return self.variables[row] if 0 <= row < len(self.variables) else None

    def row_of(self, name_or_key: str) -> int:
        for i, v in enumerate(self.variables):
            if name_or_key == v.name or name_or_key in v.keys:
                return i
        return -1

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.variables)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def _value(self, var: Any, col: int) -> Any:
        """(display text, sort key) of one cell."""
        stats = self.stats.get(var.key)
        if col == COL_NAME:
            return var.name, var.name
        if col == COL_ROLE:
            return _ROLE_TEXT.get(var.role, var.role), var.role
        if col == COL_DTYPE:
            return var.dtype, var.dtype
        if col == COL_SHAPE:
            return _shape(var.shape), var.params
        if col == COL_VALUES:
            return f"{var.params:,}", var.params
        if col == COL_BYTES:
            return f"{var.size_bytes:,}", var.size_bytes
        if stats is None:
            return "", float("-inf")
        if col == COL_ZEROS:
            return f"{stats.zero_share:.1%}", stats.zero_share
        if col == COL_BAD:
            bad = stats.nan + stats.inf
            return (f"{stats.nan}/{stats.inf}" if bad else "0"), bad
        value = {COL_MIN: stats.min, COL_MAX: stats.max, COL_MEAN: stats.mean, COL_STD: stats.std}[
            col
        ]
        return _num(value), value if value is not None else float("-inf")

    def _cells(self, row: int) -> list[tuple[str, Any]]:
        """The row's (display text, sort key) per column, made once (again when its statistics
        arrive): a paint asks for every visible cell several times."""
        cells = self._cache.get(row)
        if cells is None:
            var = self.variables[row]
            cells = self._cache[row] = [self._value(var, col) for col in range(len(COLUMNS))]
        return cells

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        role = int(role)
        if role == _DISPLAY:
            return self._cells(index.row())[index.column()][0]
        if role == _SORT:
            return self._cells(index.row())[index.column()][1]
        if role == _ALIGN:
            return _RIGHT if index.column() >= COL_VALUES else None
        if role == _FOREGROUND:
            return self._foreground(index.row(), index.column())
        if role == _TOOLTIP:
            var = self.variables[index.row()]
            keys = "\n".join(var.keys)
            return f"{var.name}\ncheckpoint key{'s' if len(var.keys) > 1 else ''}:\n{keys}"
        return None

    def _foreground(self, row: int, col: int) -> Any:
        var = self.variables[row]
        if var.role != "weight":
            from PySide6.QtGui import QPalette
            from PySide6.QtWidgets import QApplication

            return QApplication.palette().color(QPalette.ColorRole.PlaceholderText)
        stats = self.stats.get(var.key) if col == COL_BAD else None
        if stats is not None and stats.nan + stats.inf:
            from PySide6.QtGui import QColor

            return QColor("#e05050")
        return None


class WeightsFilter(QSortFilterProxyModel):
    """Rows whose name or key holds the filter text, of the chosen role."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.role = ""
        self.text = ""
        self.setSortRole(SORT_ROLE)

    def set_filter(self, text: str, role: str) -> None:
        self.text, self.role = text.strip().lower(), role
        self.invalidateFilter()

    def filterAcceptsRow(self, row: int, parent: QModelIndex) -> bool:  # noqa: N802
        var = self.sourceModel().variable(row)
        if var is None:
            return False
        if self.role and var.role != self.role:
            return False
        return not self.text or self.text in var.name.lower() or self.text in var.key.lower()
