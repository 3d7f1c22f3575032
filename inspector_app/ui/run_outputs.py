"""The outputs of one run in the Run tab: which run (model, version, signature) and its timing,
a table of outputs (name, dtype, shape, statistics) and the chosen output's values; a failed or
cancelled run shows its whole reason (and the worker's traceback) to read and copy."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.workflows.run_records import RunRecord

MAX_VALUES_CHARS = 200_000
NO_RUN_TEXT = "No run of this signature yet."


def tensor_stats(arr: np.ndarray) -> tuple[str, str, str]:
    """min, max, mean as text ('' for strings and empty tensors)."""
    if arr.size == 0 or arr.dtype.kind not in "biuf":
        return "", "", ""
    if arr.dtype.kind == "f":
        finite = arr[np.isfinite(arr)] if not np.isfinite(arr).all() else arr
        if finite.size == 0:
            return "nan", "nan", "nan"
        return f"{finite.min():.6g}", f"{finite.max():.6g}", f"{finite.mean():.6g}"
    return str(arr.min()), str(arr.max()), f"{arr.mean():.6g}"


def values_text(arr: np.ndarray) -> str:
    with np.printoptions(threshold=2000, edgeitems=10, linewidth=100):
        text = np.array2string(arr) if arr.dtype.kind != "O" else repr(arr.tolist())
    return text[:MAX_VALUES_CHARS]


class RunOutputsView(QWidget):
    """Shows one :class:`RunRecord` (``show_record``) or nothing (``clear``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="runOutputs")
        self.record: RunRecord | None = None
        self._pending_row: int | None = None  # values written out when the tab shows
        self.timing_label = QLabel(NO_RUN_TEXT, objectName="timingLabel")
        self.timing_label.setWordWrap(True)
        self.timing_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, 6, objectName="outputsTable")
        self.table.setHorizontalHeaderLabels(["output", "dtype", "shape", "min", "max", "mean"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.values_view = QPlainTextEdit(objectName="valuesView", readOnly=True)
        self.values_view.setPlaceholderText("Select an output to see its values")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.values_view)
        split.setSizes([200, 150])
        for part in (self.table, self.values_view):
            part.setMinimumHeight(40)  # the window still fits a small laptop screen
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.timing_label)
        layout.addWidget(split, 1)
        self.table.currentCellChanged.connect(lambda row, *_: self.show_values(row))

    def clear(self, text: str = NO_RUN_TEXT) -> None:
        self.record = None
        self._pending_row = None
        self.table.setRowCount(0)
        self.values_view.clear()
        self.timing_label.setText(text)

    def show_record(self, record: RunRecord) -> None:
        """The run's outputs, named by its model, version and signature."""
        self.clear(f"{record.target.label()}: {record.timing_text() or record.outcome()}")
        self.record = record
        result = record.result
        if result is None:  # the whole message, to read and copy (the traceback below it)
            more = f"\n\nWorker traceback:\n{record.details}" if record.details else ""
            self.values_view.setPlainText(f"{record.error or record.outcome()}{more}")
            return
        composites = result.composites or {}
        rows: list[list[str]] = []
        for name, arr in result.outputs.items():
            dtype = "string" if arr.dtype.kind in "OSU" else str(arr.dtype)
            rows.append([name, dtype, str(list(arr.shape)), *tensor_stats(arr)])
        for name, value in composites.items():
            flat = value.flat_values if value.kind == "ragged" else value.values
            rows.append(
                [name, f"{value.dtype} ({value.kind})", str(value.shape), *tensor_stats(flat)]
            )
        self.table.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        if rows:
            self.table.blockSignals(True)  # the values are shown once, below
            self.table.selectRow(0)
            self.table.blockSignals(False)
            self.show_values(0)

    def show_values(self, row: int) -> None:
        record = self.record
        if record is None or record.result is None or row < 0:
            return
        if not self.values_view.isVisible():  # after a run the Results tab is in front
            self._pending_row = row
            return
        self._pending_row = None
        outputs = record.result.outputs
        composites = record.result.composites or {}
        names = list(outputs) + list(composites)
        if row < len(outputs):
            self.values_view.setPlainText(values_text(outputs[names[row]]))
        elif row < len(names):
            from inspector_app.engine.composites import text as composite_text

            self.values_view.setPlainText(composite_text(composites[names[row]])[:MAX_VALUES_CHARS])

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._pending_row is not None:
            self.show_values(self._pending_row)
