"""The Weights tab: every variable with its statistics and histogram, its values with a slice
picker, a Keras-style layer summary, and exports to .npy/.npz.

The list of variables and the values of the selected one are read in the thread pool
(``run_in_background``); the statistics come from a helper process (``StatsFeed``) a batch at a
time, so the rows fill in as they come while the event loop keeps turning. A newer model (or a
closed window) drops older answers.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

# Imported with the panel (on the GUI thread, once): an import in a reading thread would hold
# the interpreter lock, and stall the event loop, while it compiles or executes the module.
from inspector_app.savedmodel.checkpoint import CheckpointReader, is_numeric
from inspector_app.savedmodel.layers import layer_summary
from inspector_app.savedmodel.variables import read_variables
from inspector_app.ui.background import run_in_background
from inspector_app.ui.weights.exports import WeightsExports, safe_name
from inspector_app.ui.weights.histogram import HistogramView
from inspector_app.ui.weights.layers_view import LayersView
from inspector_app.ui.weights.stats_feed import StatsFeed
from inspector_app.ui.weights.steps import Steps
from inspector_app.ui.weights.summary import stats_text, summary_text
from inspector_app.ui.weights.table_model import COL_ROLE, WeightsFilter, WeightsTableModel
from inspector_app.ui.weights.values_view import SliceView
from inspector_app.ui.weights.variables_table import VariablesTable

MAX_VALUES_BYTES = 64 * 1024 * 1024  # larger string tensors: no values table (numbers: mapped)
ROLE_FILTERS = (("All variables", ""), ("Weights", "weight"),
                ("Optimizer slots", "optimizer_slot"), ("Bookkeeping", "bookkeeping"))  # fmt: skip


class WeightsPanel(QWidget):
    """``set_model(info)`` shows a model's weights; ``select_variable(name)`` picks one."""

    stats_done = Signal()  # every statistic of the current model is in (or failed: stats_note)
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
        self._stats_total = 0  # numeric variables of the current model
        self._answered = 0  # of which the statistics are in (or could not be read)
        self.stats_note = ""  # one line: the statistics failed, or where they come from now
        self._values_key = ""
        self.feed = StatsFeed(self)
        self.feed.arrived.connect(self._on_stats)
        self.feed.finished.connect(self._on_stats_finished)
        self.feed.failed.connect(self._on_stats_failed)
        self.feed.note.connect(self._on_stats_note)
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
        self.exports = WeightsExports(self)
        self.exports.exported.connect(self.exported)
        self.npy_button, self.npz_button = self.exports.npy_button, self.exports.npz_button
        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.role_combo)
        bar.addWidget(self.npy_button)
        bar.addWidget(self.npz_button)

        self.steps = Steps(self)  # the panel fills in steps, one per turn of the event loop
        self.model = WeightsTableModel(self, self.steps)
        self.proxy = WeightsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = VariablesTable(self.proxy)

        self.stats_label = QLabel("", objectName="weightsStats")
        self.stats_label.setWordWrap(True)
        self.stats_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.histogram = HistogramView()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.stats_label)
        left_layout.addWidget(self.histogram, 1)

        self.values = SliceView()
        self.values_model = self.values.values_model
        self.index_spins = self.values.index_spins
        right = self.values

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
        self.export_status = self.exports.status
        self.export_status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        vt.addWidget(self.export_status)

        self.layers_view = LayersView(steps=self.steps)
        self.layer_table = self.layers_view.layer_table
        layers_tab = self.layers_view

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
        self.npy_button.clicked.connect(lambda: self._ask_export(False))
        self.npz_button.clicked.connect(lambda: self._ask_export(True))

    # -- model ----------------------------------------------------------------------------
    def set_model(self, info: Any) -> None:
        """Show ``info``'s weights (a ``SavedModelInfo``; None clears). Returns at once."""
        if info is self.info:
            return
        self.info = info
        self._generation += 1
        generation = self._generation
        self.feed.stop()
        self._stats_total = self._answered = 0
        self.stats_note = ""
        self.reader = None
        self.variables, self.layers = [], []
        self.model.set_variables([])
        self.layers_view.set_layers([])
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
        """The list is in: its first rows now (the layer summary's rows too: its cells, in a
        hidden tab, come a chunk per step); the first row's statistics, histogram and values in
        a later turn of the event loop, so that each paint has a turn of its own."""
        if generation != self._generation:
            return
        self.reader, self.variables, self.layers = value
        self.model.set_variables(self.variables)
        self.layers_view.set_layers(self.layers)
        # The table's scroll bars and header now, not in a queued call after its first paint:
        # that call changed the geometry again and the tab was laid out and painted twice.
        self.table.executeDelayedItemsLayout()
        keys = [v.key for v in self.variables if is_numeric(v.dtype)]
        self._stats_total = len(keys)
        self._update_summary()
        if keys:
            self.feed.start(generation, self.reader, str(self.info.model_dir), keys)
        else:
            self.stats_done.emit()

        def select_first() -> None:
            if self.proxy.rowCount() and not self.table.currentIndex().isValid():
                self.table.setCurrentIndex(self.proxy.index(0, 0))

        def current() -> bool:  # no newer model meanwhile
            return generation == self._generation

        self.steps.add(select_first, when=current)

    def _update_summary(self) -> None:
        text = summary_text(
            self.variables, len(self.model.stats), self._stats_total - self._answered
        )
        note = f" · {html.escape(self.stats_note)}" if self.stats_note else ""
        self.summary.setText(text + note)

    def _on_stats(self, generation: int, stats: dict[str, Any]) -> None:
        if generation != self._generation:
            return
        self._answered = self.feed.answered
        self.model.add_stats(stats)
        self._update_summary()
        var = self.current_variable()
        if var is not None and var.key in stats:
            self._show_stats(var)

    def _on_stats_finished(self, generation: int) -> None:
        if generation == self._generation:
            self._answered = self._stats_total
            self._update_summary()
            self.stats_done.emit()

    def _on_stats_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self._answered, self.stats_note = self._stats_total, f"no statistics: {message}"
            self._update_summary()
            self.stats_done.emit()

    def _on_stats_note(self, message: str) -> None:
        self.stats_note = message  # the thread pool goes on: the count stays shown
        self._update_summary()

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
        self.stats_label.setText(stats_text(var, stats))
        self.histogram.set_stats(stats)

    def _clear_values(self) -> None:
        self._values_key = ""
        if self.values.array is not None:
            self.values.show_array(None)
        else:  # an empty table is not reset again (a paint less); a message goes
            self.values.set_message("")
        self.stats_label.setText("")
        self.histogram.set_stats(None)

    def _load_values(self, var: Any) -> None:
        numeric = is_numeric(var.dtype) and var.shape is not None
        if not numeric and var.size_bytes > MAX_VALUES_BYTES:
            self.values.set_message(f"{var.size_bytes:,} bytes: too large to show; export it")
            return
        self.values.set_message("reading…")
        reader, generation, key = self.reader, self._generation, var.key

        def read() -> np.ndarray:
            # Numbers through a memory map: only the cells on screen are ever read from disk.
            if numeric and var.dtype not in ("bfloat16",):
                return reader.mapped(key).reshape(var.shape)
            return reader.read(key)

        def shown(array: np.ndarray) -> None:
            if generation != self._generation or self.current_variable() is not var:
                return
            self._values_key = key
            self.values.show_array(array)
            self.values_shown.emit(key)

        run_in_background(
            read,
            shown,
            lambda err: self.values.set_message(f"cannot read: {err}"),
            receiver=self,
        )

    def set_slice(self, row_axis: int, col_axis: int, index: dict[int, int]) -> None:
        self.values.set_slice(row_axis, col_axis, index)

    def current_slice(self) -> np.ndarray:
        return self.values.current_slice()

    # -- export ---------------------------------------------------------------------------
    @property
    def last_export_error(self) -> str:
        return self.exports.last_error

    def export_npy(self, path: str | Path, *, overwrite: bool = False) -> None:
        """The selected variable as .npy, written off the GUI thread; ``exported`` follows."""
        var = self.current_variable()
        if var is None or self.reader is None:
            raise ValueError("select a variable first")
        self.exports.npy(self.reader, var.key, path, overwrite, self.info.model_dir)

    def export_npz(self, path: str | Path, *, overwrite: bool = False) -> None:
        """Every numeric and string variable (by name) in one .npz, off the GUI thread."""
        if self.reader is None:
            raise ValueError("no model")
        names = {v.name: v.key for v in self.variables}
        self.exports.npz(self.reader, names, path, overwrite, self.info.model_dir)

    def _ask_export(self, everything: bool) -> None:
        var = self.current_variable()
        if everything and self.info is not None:
            name = f"{safe_name(Path(self.info.model_dir).name)}_weights.npz"
            self.exports.ask(self, "Export all variables", "NumPy archive (*.npz)", name,
                             self.export_npz)  # fmt: skip
        elif not everything and var is not None:
            self.exports.ask(self, "Export variable", "NumPy array (*.npy)",
                             f"{safe_name(var.name)}.npy", self.export_npy)  # fmt: skip


__all__ = ["COL_ROLE", "WeightsPanel"]
