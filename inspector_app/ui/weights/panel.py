"""The Weights tab: every variable with its statistics and histogram, its values with a slice
picker, a Keras-style layer summary, and exports to .npy/.npz.

Everything that reads the checkpoint runs in the thread pool (``run_in_background``): the list
first, then the statistics in batches of about 64 MB so the rows fill in as they come, and the
values of the selected variable. A newer model (or a closed window) drops older answers.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.ui.background import run_in_background
from inspector_app.ui.weights.histogram import HistogramView
from inspector_app.ui.weights.table_model import COL_ROLE, SORT_ROLE, WeightsTableModel

STATS_BATCH_BYTES = 64 * 1024 * 1024
MAX_VALUES_BYTES = 64 * 1024 * 1024  # larger string tensors: no values table (numbers: mapped)
ROLE_FILTERS = (("All variables", ""), ("Weights", "weight"),
                ("Optimizer slots", "optimizer_slot"), ("Bookkeeping", "bookkeeping"))  # fmt: skip


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


class _Proxy(QSortFilterProxyModel):
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


class WeightsPanel(QWidget):
    """``set_model(info)`` shows a model's weights; ``select_variable(name)`` picks one."""

    stats_done = Signal()  # every statistic of the current model is in
    values_shown = Signal(str)  # the checkpoint key whose values the table now shows
    exported = Signal(str)  # the path written

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("weightsPanel")
        self.info: Any = None
        self.reader: Any = None
        self.variables: list[Any] = []
        self.layers: list[Any] = []
        self._generation = 0
        self._pending: list[list[str]] = []
        self._values: np.ndarray | None = None
        self._values_key = ""
        self._build()
        self._connect_callbacks()

    # -- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.summary = QLabel("Open a model to see its weights.", objectName="weightsSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.filter_edit = QLineEdit(objectName="weightsFilter")
        self.filter_edit.setPlaceholderText("Filter variables")
        self.filter_edit.setClearButtonEnabled(True)
        self.role_combo = QComboBox(objectName="weightsRoleCombo")
        for label, role in ROLE_FILTERS:
            self.role_combo.addItem(label, role)
        self.npy_button = QPushButton("Export .npy…", objectName="exportNpyButton")
        self.npz_button = QPushButton("Export all .npz…", objectName="exportNpzButton")
        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.role_combo)
        bar.addWidget(self.npy_button)
        bar.addWidget(self.npz_button)

        self.model = WeightsTableModel(self)
        self.proxy = _Proxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(objectName="weightsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((260, 96, 66, 90, 80, 84, 84, 84, 84, 84, 60, 64)):
            header.resizeSection(col, width)
        header.setStretchLastSection(True)

        self.stats_label = QLabel("", objectName="weightsStats")
        self.stats_label.setWordWrap(True)
        self.stats_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.histogram = HistogramView()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.stats_label)
        left_layout.addWidget(self.histogram, 1)

        from inspector_app.ui.results_tensor import ArrayTableModel

        self.values_model = ArrayTableModel(self)
        self.values_table = QTableView(objectName="weightsValues")
        self.values_table.setModel(self.values_model)
        self.values_table.horizontalHeader().setDefaultSectionSize(78)
        self.values_table.verticalHeader().setDefaultSectionSize(20)
        self.slice_bar = QHBoxLayout()
        self.slice_label = QLabel("", objectName="weightsSliceLabel")
        self.row_axis = QComboBox(objectName="weightsRowAxis")
        self.col_axis = QComboBox(objectName="weightsColAxis")
        self.index_spins: list[QSpinBox] = []
        self.rows_label, self.cols_label = QLabel("rows"), QLabel("columns")
        self.slice_bar.addWidget(self.slice_label)
        for widget in (self.rows_label, self.row_axis, self.cols_label, self.col_axis):
            widget.setVisible(False)
            self.slice_bar.addWidget(widget)
        self.slice_bar.addStretch(1)
        for combo in (self.row_axis, self.col_axis):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(self.slice_bar)
        self.index_bar = QHBoxLayout()
        self.index_bar.addStretch(1)
        right_layout.addLayout(self.index_bar)
        right_layout.addWidget(self.values_table, 1)

        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(left)
        bottom.addWidget(right)
        left.setMinimumWidth(260)
        bottom.setStretchFactor(0, 2)
        bottom.setStretchFactor(1, 3)
        split = QSplitter(Qt.Orientation.Vertical, objectName="weightsSplitter")
        split.addWidget(self.table)
        split.addWidget(bottom)
        split.setSizes([320, 260])
        variables_tab = QWidget()
        vt = QVBoxLayout(variables_tab)
        vt.setContentsMargins(0, 4, 0, 0)
        vt.addLayout(bar)
        vt.addWidget(split, 1)
        self.export_status = QLabel("", objectName="weightsExportStatus")
        self.export_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        vt.addWidget(self.export_status)

        self.layer_table = QTableWidget(0, 5, objectName="layerTable")
        self.layer_table.setHorizontalHeaderLabels(
            ["Layer", "Type", "Output shape", "Params", "Trainable"]
        )
        self.layer_table.verticalHeader().setVisible(False)
        self.layer_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.layer_table.horizontalHeader().setStretchLastSection(True)
        self.layer_table.horizontalHeader().resizeSection(0, 220)
        self.layer_table.horizontalHeader().resizeSection(1, 170)
        self.layer_note = QLabel("", objectName="layerNote")
        self.layer_note.setWordWrap(True)
        layers_tab = QWidget()
        lt = QVBoxLayout(layers_tab)
        lt.setContentsMargins(0, 4, 0, 0)
        lt.addWidget(self.layer_table, 1)
        lt.addWidget(self.layer_note)

        self.tabs = QTabWidget(objectName="weightsTabs")
        self.tabs.addTab(variables_tab, "Variables")
        self.tabs.addTab(layers_tab, "Layers")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)

    def _connect_callbacks(self) -> None:
        self.filter_edit.textChanged.connect(self._apply_filter)
        self.role_combo.currentIndexChanged.connect(self._apply_filter)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)
        self.npy_button.clicked.connect(self._ask_export_npy)
        self.npz_button.clicked.connect(self._ask_export_npz)
        self.row_axis.currentIndexChanged.connect(self._show_slice)
        self.col_axis.currentIndexChanged.connect(self._show_slice)

    # -- model ----------------------------------------------------------------------------
    def set_model(self, info: Any) -> None:
        """Show ``info``'s weights (a ``SavedModelInfo``; None clears). Returns at once."""
        if info is self.info:
            return
        self.info = info
        self._generation += 1
        generation = self._generation
        self._pending = []
        self.reader = None
        self.variables, self.layers = [], []
        self.model.set_variables([])
        self.layer_table.setRowCount(0)
        self._clear_values()
        if info is None:
            self.summary.setText("Open a model to see its weights.")
            return
        model_dir = Path(info.model_dir)
        if not (model_dir / "variables" / "variables.index").is_file():
            self.summary.setText("This model has no variables (no variables/variables.index).")
            return
        self.summary.setText("Reading variables.index…")
        proto = info.meta_graphs[0].proto if info.meta_graphs else None

        def read() -> tuple[Any, list[Any], list[Any]]:
            from inspector_app.savedmodel.checkpoint import CheckpointReader
            from inspector_app.savedmodel.layers import layer_summary
            from inspector_app.savedmodel.variables import read_variables

            variables = read_variables(model_dir, proto)
            return (
                CheckpointReader.for_model(model_dir),
                variables,
                layer_summary(model_dir, variables),
            )

        run_in_background(
            read,
            lambda value: self._on_read(generation, value),
            lambda err: self._on_error(generation, f"cannot read the variables: {err}"),
            receiver=self,
        )

    def _on_error(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self.summary.setText(message)

    def _on_read(self, generation: int, value: tuple[Any, list[Any], list[Any]]) -> None:
        if generation != self._generation:
            return
        from inspector_app.savedmodel.checkpoint import is_numeric

        self.reader, self.variables, self.layers = value
        self.model.set_variables(self.variables)
        self._fill_layers()
        self._update_summary()
        batch: list[str] = []
        size = 0
        for var in sorted(self.variables, key=lambda v: v.size_bytes):
            if not is_numeric(var.dtype):
                continue
            batch.append(var.key)
            size += var.size_bytes
            if size >= STATS_BATCH_BYTES:
                self._pending.append(batch)
                batch, size = [], 0
        if batch:
            self._pending.append(batch)
        self._next_stats(generation)
        if self.proxy.rowCount() and not self.table.currentIndex().isValid():
            self.table.setCurrentIndex(self.proxy.index(0, 0))

    def _update_summary(self) -> None:
        from inspector_app.savedmodel.variables import parameter_counts

        counts = parameter_counts(self.variables)
        n = {r: sum(1 for v in self.variables if v.role == r) for r in counts}
        trainable = sum(v.params for v in self.variables if v.role == "weight" and v.trainable)
        text = f"<b>{counts['weight']:,} parameters</b> in {_n(n['weight'], 'weight variable')}"
        if any(v.trainable is not None for v in self.variables):
            text += f" ({trainable:,} trainable, {counts['weight'] - trainable:,} not)"
        apart = []
        if n["optimizer_slot"]:
            apart.append(
                f"optimizer slots: {_n(n['optimizer_slot'], 'variable')}, "
                f"{counts['optimizer_slot']:,} values"
            )
        if n["bookkeeping"]:
            apart.append(
                f"bookkeeping: {_n(n['bookkeeping'], 'variable')}, {counts['bookkeeping']:,} values"
            )
        if apart:
            text += " — not counted: " + "; ".join(apart)
        left = sum(len(b) for b in self._pending)
        if left:
            text += f" · statistics: {len(self.model.stats)} of {len(self.model.stats) + left}…"
        self.summary.setText(text)

    def _next_stats(self, generation: int) -> None:
        if generation != self._generation:
            return
        if not self._pending:
            self._update_summary()
            self.stats_done.emit()
            return
        keys = self._pending.pop(0)
        reader = self.reader

        def compute() -> dict[str, Any]:
            from inspector_app.savedmodel.checkpoint import all_stats

            return all_stats(
                reader, keys, cancelled=lambda: generation != self._generation, background=True
            )

        def done(stats: dict[str, Any]) -> None:
            if generation != self._generation:
                return
            self.model.add_stats(stats)
            self._update_summary()
            var = self.current_variable()
            if var is not None and var.key in stats:
                self._show_stats(var)
            self._next_stats(generation)

        run_in_background(
            compute, done, lambda err: self._on_error(generation, str(err)), receiver=self
        )

    def _fill_layers(self) -> None:
        self.layer_table.setRowCount(len(self.layers))
        for row, layer in enumerate(self.layers):
            cells = [layer.name, layer.type, layer.output_shape or "",
                     f"{layer.params:,}", f"{layer.trainable_params:,}"]  # fmt: skip
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col >= 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.layer_table.setItem(row, col, item)
        total = sum(layer.params for layer in self.layers)
        inferred = any(layer.type.endswith("?") for layer in self.layers)
        note = f"{_n(len(self.layers), 'layer')} with weights, {total:,} parameters."
        if inferred:
            note += (" Types marked ? are told by the names and shapes of the weights (the"
                     " export has no keras_metadata.pb); output shapes show the axes the weights fix.")  # fmt: skip
        self.layer_note.setText(note)

    # -- selection ------------------------------------------------------------------------
    def _apply_filter(self) -> None:
        self.proxy.set_filter(self.filter_edit.text(), self.role_combo.currentData() or "")

    def current_variable(self) -> Any | None:
        index = self.proxy.mapToSource(self.table.currentIndex())
        return self.model.variable(index.row()) if index.isValid() else None

    def select_variable(self, name_or_key: str) -> bool:
        """Select a variable by name or checkpoint key (clearing a filter that hides it)."""
        row = self.model.row_of(name_or_key)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            self.filter_edit.clear()
            self.role_combo.setCurrentIndex(0)
            index = self.proxy.mapFromSource(self.model.index(row, 0))
        self.tabs.setCurrentIndex(0)
        self.table.setCurrentIndex(index)
        self.table.scrollTo(index)
        return True

    @property
    def values_key(self) -> str:
        """The checkpoint key whose values the table shows ("" while reading or none)."""
        return self._values_key

    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        var = self.model.variable(self.proxy.mapToSource(current).row())
        self._clear_values()
        if var is None:
            return
        self._show_stats(var)
        self._load_values(var)

    def _show_stats(self, var: Any) -> None:
        stats = self.model.stats.get(var.key)
        role = {"optimizer_slot": " · optimizer slot", "bookkeeping": " · bookkeeping"}.get(
            var.role, ""
        )
        head = f"<b>{var.name}</b>{role}<br>{var.dtype} {var.shape} · {var.params:,} values"
        if stats is None:
            self.stats_label.setText(head + "<br>statistics: computing…")
            self.histogram.set_stats(None)
            return
        fmt = lambda v: "-" if v is None else f"{v:.6g}"  # noqa: E731
        self.stats_label.setText(
            f"{head}<br>min {fmt(stats.min)} · max {fmt(stats.max)} · mean {fmt(stats.mean)}"
            f" · std {fmt(stats.std)}<br>zeros {stats.zero_share:.2%} · NaN {stats.nan:,}"
            f" · Inf {stats.inf:,}"
        )
        self.histogram.set_stats(stats)

    def _clear_values(self) -> None:
        self._values, self._values_key = None, ""
        self.values_model.set_array(np.zeros((0, 0)))
        self.slice_label.setText("")
        self.stats_label.setText("")
        self.histogram.set_stats(None)
        self._set_axes(0)

    def _load_values(self, var: Any) -> None:
        from inspector_app.savedmodel.checkpoint import is_numeric

        numeric = is_numeric(var.dtype) and var.shape is not None
        if not numeric and var.size_bytes > MAX_VALUES_BYTES:
            self.slice_label.setText(f"{var.size_bytes:,} bytes: too large to show; export it")
            return
        self.slice_label.setText("reading…")
        reader, generation, key = self.reader, self._generation, var.key

        def read() -> np.ndarray:
            # Numbers through a memory map: only the cells on screen are ever read from disk.
            if numeric and var.dtype not in ("bfloat16",):
                return reader.mapped(key).reshape(var.shape)
            return reader.read(key)

        def shown(array: np.ndarray) -> None:
            if generation != self._generation or self.current_variable() is not var:
                return
            self._values, self._values_key = array, key
            self.slice_label.setText("")
            self._set_axes(array.ndim)
            self._show_slice()
            self.values_shown.emit(key)

        run_in_background(
            read,
            shown,
            lambda err: self.slice_label.setText(f"cannot read: {err}"),
            receiver=self,
        )

    def _set_axes(self, ndim: int) -> None:
        for spin in self.index_spins:
            self.index_bar.removeWidget(spin)
            spin.deleteLater()
        self.index_spins = []
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

    def set_slice(self, row_axis: int, col_axis: int, index: dict[int, int]) -> None:
        for axis, pos in index.items():
            self.index_spins[axis].setValue(pos)
        self.row_axis.setCurrentIndex(row_axis)
        self.col_axis.setCurrentIndex(col_axis)
        self._show_slice()

    def current_slice(self) -> np.ndarray:
        from inspector_app.results.tensors import slice_2d

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

    # -- export ---------------------------------------------------------------------------
    def export_npy(self, path: str | Path, *, overwrite: bool = False) -> None:
        """The selected variable as .npy, written off the GUI thread; ``exported`` follows."""
        var = self.current_variable()
        if var is None or self.reader is None:
            raise ValueError("select a variable first")
        from inspector_app.results.weights_export import export_npy

        reader, model_dir = self.reader, self.info.model_dir
        self._export(lambda: export_npy(reader, var.key, path, overwrite=overwrite,
                                        model_dir=model_dir))  # fmt: skip

    def export_npz(self, path: str | Path, *, overwrite: bool = False) -> None:
        """Every numeric and string variable (by name) in one .npz, off the GUI thread."""
        if self.reader is None:
            raise ValueError("no model")
        from inspector_app.results.weights_export import export_npz

        reader, model_dir = self.reader, self.info.model_dir
        names = {v.name: v.key for v in self.variables}
        self._export(lambda: export_npz(reader, names, path, overwrite=overwrite,
                                        model_dir=model_dir))  # fmt: skip

    def _export(self, job: Any) -> None:
        self.npy_button.setEnabled(False)
        self.npz_button.setEnabled(False)
        self.export_status.setStyleSheet("")
        self.export_status.setText("Exporting…")

        def finish(result: Any, error: str = "") -> None:
            self.npy_button.setEnabled(True)
            self.npz_button.setEnabled(True)
            if error:
                self.last_export_error = error
                self.export_status.setStyleSheet("color: #e05050")
                self.export_status.setText(f"Export failed: {error}")
                return
            self.export_status.setStyleSheet("")
            self.export_status.setText(f"Wrote {result}")
            self.exported.emit(str(result))

        run_in_background(job, finish, lambda err: finish(None, str(err)), receiver=self)

    last_export_error = ""

    def _ask_export_npy(self) -> None:
        var = self.current_variable()
        if var is None:
            return
        self._ask(
            "Export variable", "NumPy array (*.npy)", f"{_safe(var.name)}.npy", self.export_npy
        )

    def _ask_export_npz(self) -> None:
        if self.info is None:
            return
        name = f"{_safe(Path(self.info.model_dir).name)}_weights.npz"
        self._ask("Export all variables", "NumPy archive (*.npz)", name, self.export_npz)

    def _ask(self, title: str, name_filter: str, suggested: str, write: Any) -> None:
        from inspector_app.ui.results_common import ask_save_path

        path = ask_save_path(self, title, name_filter, suggested)
        if path:
            try:
                write(path, overwrite=os.path.exists(path))
            except ValueError as err:
                QMessageBox.warning(self, title, str(err))


def _safe(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text) or "weights"


__all__ = ["COL_ROLE", "WeightsPanel"]
