"""The variables of one model as a table: name, role, dtype, shape, values, bytes, statistics.

The table is a ``QStandardItemModel`` whose cells are written once (again when a variable's
statistics arrive): a paint then asks Qt's own model for each visible cell and role, and never
calls into Python. A model written in Python answered seven roles per cell through the sort
proxy, some 3,000 calls and 10-15 ms of the GUI thread per paint of the table. The rows are
written a chunk per turn of the event loop, so that a model of thousands of variables does
not hold the loop either; filtering is a regular expression over a hidden role (Qt's, not a
Python ``filterAcceptsRow`` per row).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRegularExpression, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QStandardItemModel

from inspector_app.ui.weights.steps import Steps

COLUMNS = ("Name", "Role", "Dtype", "Shape", "Values", "Bytes", "Min", "Max", "Mean", "Std",
           "Zeros", "NaN/Inf")  # fmt: skip
COL_NAME, COL_ROLE, COL_DTYPE, COL_SHAPE, COL_VALUES, COL_BYTES = range(6)
COL_MIN, COL_MAX, COL_MEAN, COL_STD, COL_ZEROS, COL_BAD = range(6, 12)
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
FILTER_ROLE = Qt.ItemDataRole.UserRole + 2  # on the Name cell: "role\x1fname\x1fkey", lower case
_DISPLAY, _SORT, _FILTER = int(Qt.ItemDataRole.DisplayRole), int(SORT_ROLE), int(FILTER_ROLE)
_ALIGN, _FOREGROUND = int(Qt.ItemDataRole.TextAlignmentRole), int(Qt.ItemDataRole.ForegroundRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_SEP = "\x1f"
MAX_RUNS = 16  # dataChanged signals per batch of statistics at most
FIRST_ROWS = 40  # rows written at once (more than a window shows)
CHUNK_ROWS = 60  # then rows written per turn of the event loop (about 5 ms of the GUI thread)
STATS_ROWS = 120  # rows whose statistics cells are written per turn (about 5 ms)
_ROLE_TEXT = {"weight": "weight", "optimizer_slot": "optimizer slot", "bookkeeping": "bookkeeping"}
_BAD_COLOUR = QColor("#e05050")  # a NaN/Inf count (readable on light and dark palettes)
_MISSING = float("-inf")  # the sort key of a statistic not (yet) known


def _shape(shape: list[int] | None) -> str:
    if shape is None:
        return "?"
    return "[" + ", ".join("?" if d < 0 else str(d) for d in shape) + "]" if shape else "scalar"


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.6g}"


def row_cells(var: Any) -> list[tuple[str, Any]]:
    """(display text, sort key) of a variable's columns before its statistics."""
    return [
        (var.name, var.name),
        (_ROLE_TEXT.get(var.role, var.role), var.role),
        (var.dtype, var.dtype),
        (_shape(var.shape), var.params),
        (f"{var.params:,}", var.params),
        (f"{var.size_bytes:,}", var.size_bytes),
    ]


def stats_cells(stats: Any) -> list[tuple[str, Any]]:
    """(display text, sort key) of the statistics columns (``stats`` None: not known)."""
    if stats is None:
        return [("", _MISSING)] * 6
    bad = stats.nan + stats.inf
    return [
        *((_num(v), _MISSING if v is None else v)
          for v in (stats.min, stats.max, stats.mean, stats.std)),
        (f"{stats.zero_share:.1%}", stats.zero_share),
        ((f"{stats.nan}/{stats.inf}" if bad else "0"), bad),
    ]  # fmt: skip


def tooltip(var: Any) -> str:
    keys = "\n".join(var.keys)
    return f"{var.name}\ncheckpoint key{'s' if len(var.keys) > 1 else ''}:\n{keys}"


class WeightsTableModel(QStandardItemModel):
    """Rows are ``VariableInfo``s; statistics (``TensorStats`` by checkpoint key) arrive later.

    ``set_variables`` makes every row at once (empty) and writes the first ``FIRST_ROWS``; the
    rest follow a chunk per turn of the event loop (``steps``: ``filled`` once all are
    written)."""

    filled = Signal()  # every row of the current variables is written

    def __init__(self, parent: Any = None, steps: Steps | None = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.steps = steps if steps is not None else Steps(self)  # where the chunks queue
        self.setHorizontalHeaderLabels(list(COLUMNS))
        self.variables: list[Any] = []
        self.stats: dict[str, Any] = {}
        self.filled_rows = 0  # rows 0 .. filled_rows - 1 are written
        self._rows: dict[str, int] = {}  # checkpoint key -> row
        self._stats_rows: list[int] = []  # rows whose statistics cells are still to write
        self._generation = 0
        self._dim = QBrush(QColor("#808080"))  # rows other than weights (see set_dim_colour)

    def set_variables(self, variables: list[Any]) -> None:
        self._generation += 1
        self.beginResetModel()
        self.variables = list(variables)
        self.stats = {}
        self._rows = {v.key: i for i, v in enumerate(self.variables)}
        self.filled_rows = 0
        self._stats_rows = []
        self.blockSignals(True)  # inside the reset: the views read the model once it ends
        try:
            self.setRowCount(0)
            self.setRowCount(len(self.variables))
        finally:
            self.blockSignals(False)
        self.endResetModel()
        self._fill(self._generation, FIRST_ROWS)

    def fill_all(self) -> None:
        """Write the rows not written yet now (the chunks still planned then find none left)."""
        while self.filled_rows < len(self.variables):
            self._write_rows(self.filled_rows, len(self.variables))

    def _fill(self, generation: int, count: int = CHUNK_ROWS) -> None:
        if generation != self._generation:
            return
        stop = min(self.filled_rows + count, len(self.variables))
        if stop > self.filled_rows:
            self._write_rows(self.filled_rows, stop)
        if self.filled_rows < len(self.variables):
            self.steps.add(lambda: self._fill(generation))
        else:
            self.filled.emit()

    def _write_rows(self, start: int, stop: int) -> None:
        index, put = self.index, self.setData
        dim = self._dim
        self.blockSignals(True)
        try:
            for row in range(start, stop):
                var = self.variables[row]
                cells = row_cells(var) + stats_cells(self.stats.get(var.key))
                weight = var.role == "weight"
                for col, (text, key) in enumerate(cells):
                    cell = index(row, col)
                    put(cell, text, _DISPLAY)
                    put(cell, key, _SORT)
                    if col >= COL_VALUES:
                        put(cell, _RIGHT, _ALIGN)
                    if not weight:
                        put(cell, dim, _FOREGROUND)
                put(index(row, COL_NAME), _SEP.join((var.role, var.name.lower(), var.key.lower())),
                    _FILTER)  # fmt: skip
                self._mark_bad(row, self.stats.get(var.key))
        finally:
            self.blockSignals(False)
        self.filled_rows = stop
        self.dataChanged.emit(self.index(start, 0), self.index(stop - 1, len(COLUMNS) - 1))

    def _mark_bad(self, row: int, stats: Any) -> None:
        if stats is not None and stats.nan + stats.inf:
            self.setData(self.index(row, COL_BAD), QBrush(_BAD_COLOUR), _FOREGROUND)

    def set_dim_colour(self, colour: QColor) -> None:
        """The text colour of rows other than weights (the palette's placeholder colour)."""
        self._dim = QBrush(colour)
        rows = [r for r in range(self.filled_rows) if self.variables[r].role != "weight"]
        if not rows:
            return
        self.blockSignals(True)
        try:
            for row in rows:
                bad = self.stats.get(self.variables[row].key)
                for col in range(len(COLUMNS)):
                    self.setData(self.index(row, col), self._dim, _FOREGROUND)
                self._mark_bad(row, bad)
        finally:
            self.blockSignals(False)
        self.dataChanged.emit(self.index(rows[0], 0), self.index(rows[-1], len(COLUMNS) - 1))

    def add_stats(self, stats: dict[str, Any]) -> None:
        """Statistics for some keys (``stats`` at once; rows not written yet take theirs when
        they are). Their cells: up to ``STATS_ROWS`` rows now, more a chunk per step (a helper's
        batch can hold thousands of small tensors); one ``dataChanged`` per run of adjacent
        rows (one over them all when scattered in many runs), over the statistics columns."""
        self.stats.update(stats)
        rows = [r for k in stats if (r := self._rows.get(k, -1)) >= 0 and r < self.filled_rows]
        if not rows:
            return
        if not self._stats_rows:  # no chunk queued: these now (and the rest queued)
            self._stats_rows.extend(rows)
            self._write_stats(self._generation)
        else:
            self._stats_rows.extend(rows)

    def _write_stats(self, generation: int) -> None:
        if generation != self._generation:
            return
        rows = sorted(self._stats_rows[:STATS_ROWS])
        del self._stats_rows[:STATS_ROWS]
        if self._stats_rows:
            self.steps.add(lambda: self._write_stats(generation))
        index, put = self.index, self.setData
        self.blockSignals(True)
        try:
            for row in rows:
                row_stats = self.stats[self.variables[row].key]
                for col, (text, key) in enumerate(stats_cells(row_stats), COL_MIN):
                    cell = index(row, col)
                    put(cell, text, _DISPLAY)
                    put(cell, key, _SORT)
                self._mark_bad(row, row_stats)
        finally:
            self.blockSignals(False)
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


class WeightsFilter(QSortFilterProxyModel):
    """Rows whose name or key holds the filter text, of the chosen role (a regular expression
    over the Name cell's ``FILTER_ROLE``, matched by Qt)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.role = ""
        self.text = ""
        self.setSortRole(SORT_ROLE)
        self.setFilterRole(FILTER_ROLE)
        self.setFilterKeyColumn(COL_NAME)

    def set_filter(self, text: str, role: str) -> None:
        self.text, self.role = text.strip().lower().replace(_SEP, ""), role
        if not self.text and not self.role:
            self.setFilterRegularExpression(QRegularExpression())
            return
        role_part = QRegularExpression.escape(role) if role else f"[^{_SEP}]*"
        needle = QRegularExpression.escape(self.text)
        # The text within the name or within the key, never across the separator between them.
        within = f"[^{_SEP}]*{needle}"
        pattern = f"^{role_part}{_SEP}(?:{within}|[^{_SEP}]*{_SEP}{within})"
        self.setFilterRegularExpression(
            QRegularExpression(pattern, QRegularExpression.PatternOption.DotMatchesEverythingOption)
        )
