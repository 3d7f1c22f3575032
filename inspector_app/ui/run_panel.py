"""The Run tab: device, repeat count, Run / Cancel, progress with elapsed time, timings, the
outputs of the last run (name, dtype, shape, statistics, values) and the run history."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QElapsedTimer, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.engine import Cancelled, DeviceInfo, EngineError, ModelInfo, RunResult
from inspector_app.errors import UserError
from inspector_app.ui.engine_bridge import EngineBridge

FeedsProvider = Callable[[], dict[str, Any]]
MAX_VALUES_CHARS = 200_000


@dataclass
class RunTarget:
    """What Run runs: a signature of a model folder loaded with a tag set."""

    folder: str
    tags: list[str]
    signature: str
    label: str = ""  # e.g. "half_plus_two 123 · serve · serving_default"


@dataclass
class RunRecord:
    """One finished run, kept in the history."""

    target: RunTarget
    device: str
    inputs: str  # a short summary of the feeds
    started: float
    result: RunResult | None = None
    error: str | None = None
    feeds: dict[str, Any] = field(default_factory=dict, repr=False)
    received: float = 0.0  # time.perf_counter() when the outputs reached the GUI thread
    details: str = ""  # the worker's traceback of a failed run (shown below the error)
    released: bool = False  # outputs and feeds dropped (see HISTORY_KEEP_RUNS)

    def title(self) -> str:
        when = time.strftime("%H:%M:%S", time.localtime(self.started))
        run_ms = f"{self.result.timing.get('run_ms', 0):.1f} ms" if self.result else ""
        error = self.error or ""
        what = (error[:80] + "…" if len(error) > 80 else error) or run_ms
        return f"{when}  {self.target.signature} on {self.device}  [{self.inputs}]  {what}"


def feeds_summary(feeds: dict[str, Any]) -> str:
    parts = []
    for name, value in feeds.items():
        arr = np.asarray(value) if not isinstance(value, np.ndarray) else value
        dtype = "string" if arr.dtype.kind in "OSU" else str(arr.dtype)
        parts.append(f"{name}: {dtype}{list(arr.shape)}")
    return ", ".join(parts) or "no inputs"


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


HISTORY_KEEP_RUNS = 10  # runs whose outputs the history keeps, the latest first
HISTORY_KEEP_BYTES = 64 * 2**20  # and at most this much of them (beyond the latest run)
PROGRESS_AFTER_MS = 300  # the busy bar and elapsed time show for runs longer than this
TICK_MS = 100  # Run greys out, Cancel lights up and "Running…" shows from the first tick on


class RunPanel(QWidget):
    """Runs the current signature through an :class:`EngineBridge`."""

    finished = Signal(object)  # RunRecord (record.result or record.error)
    busy_changed = Signal(bool)
    record_opened = Signal(object)  # RunRecord re-opened from the history

    def __init__(self, bridge: EngineBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="runPanel")
        self.bridge = bridge
        self.target: RunTarget | None = None
        self.feeds_provider: FeedsProvider = dict
        self.before_run: Callable[[], bool] = lambda: True  # the window asks about file ops here
        self.history: list[RunRecord] = []
        self._current: RunRecord | None = None
        self._clock = QElapsedTimer()
        self._ticker = QTimer(self, interval=TICK_MS)
        self._phase = ""
        self._build_ui()
        self._connect_callbacks()
        self._set_busy(False)
        if bridge.devices:
            self._fill_devices(bridge.devices)

    # ------------------------------------------------------------------ layout

    def _build_ui(self) -> None:
        self.target_label = QLabel("Select a signature in the tree.", objectName="runTarget")
        self.target_label.setWordWrap(True)
        self.target_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.device_combo = QComboBox(objectName="deviceCombo")
        self.device_combo.addItem("CPU:0 (starting the engine…)", "CPU:0")
        self.repeat_spin = QSpinBox(objectName="repeatSpin", minimum=1, maximum=100000, value=1)
        self.repeat_spin.setToolTip("Run the signature N times and report latency percentiles")
        self.run_button = QPushButton("Run", objectName="runButton")
        self.run_button.setToolTip("Run the selected signature (Ctrl+R)")
        self.cancel_button = QPushButton("Cancel", objectName="cancelButton")
        self.cancel_button.setToolTip("Stop the run at once: the worker is restarted (Esc)")
        self.progress = QProgressBar(objectName="runProgress", maximum=0, textVisible=False)
        self.progress.setMaximumHeight(8)
        self.status_label = QLabel("", objectName="runStatus")
        self.status_label.setWordWrap(True)  # an error's whole line, selectable to copy
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.timing_label = QLabel("", objectName="timingLabel")
        self.timing_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow("Device", self.device_combo)
        form.addRow("Repeat", self.repeat_spin)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)

        self.outputs_table = QTableWidget(0, 6, objectName="outputsTable")
        self.outputs_table.setHorizontalHeaderLabels(
            ["output", "dtype", "shape", "min", "max", "mean"]
        )
        self.outputs_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.outputs_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.outputs_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.values_view = QPlainTextEdit(objectName="valuesView", readOnly=True)
        self.values_view.setPlaceholderText("Select an output to see its values")
        self.history_list = QListWidget(objectName="historyList")
        self.history_list.setToolTip("Double-click a run to show its outputs again")

        split = QSplitter(Qt.Orientation.Vertical, objectName="runSplitter")
        split.addWidget(self.outputs_table)
        split.addWidget(self.values_view)
        history = QWidget()
        hl = QVBoxLayout(history)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(QLabel("History"))
        hl.addWidget(self.history_list)
        split.addWidget(history)
        split.setSizes([200, 150, 120])
        for part in (self.outputs_table, self.values_view, self.history_list):
            part.setMinimumHeight(40)  # the window still fits a small laptop screen

        layout = QVBoxLayout(self)
        layout.addWidget(self.target_label)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.timing_label)
        layout.addWidget(split, 1)

    def _connect_callbacks(self) -> None:
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self._ticker.timeout.connect(self._tick)
        self.bridge.devices_ready.connect(self._fill_devices)
        self.bridge.load_started.connect(self._on_load_started)
        self.bridge.loaded.connect(self._on_loaded)
        self.bridge.load_failed.connect(self._on_failed)
        self.bridge.run_done.connect(self._on_run_done)
        self.bridge.run_failed.connect(self._on_failed)
        self.bridge.worker_died.connect(self._on_worker_died)
        self.outputs_table.currentCellChanged.connect(lambda row, *_: self._show_values(row))
        self.history_list.itemActivated.connect(self._open_history_item)

    # ------------------------------------------------------------------ public

    @property
    def busy(self) -> bool:
        return self._current is not None

    def set_target(self, target: RunTarget | None) -> None:
        self.target = target
        self.target_label.setText(
            target.label or target.signature if target else "Select a signature in the tree."
        )
        self._set_busy(self.busy)

    def selected_device(self) -> str:
        return self.device_combo.currentData() or "CPU:0"

    def set_device(self, name: str) -> bool:
        index = self.device_combo.findData(
            name.upper(), Qt.ItemDataRole.UserRole, Qt.MatchFlag.MatchFixedString
        )
        if index >= 0:
            self.device_combo.setCurrentIndex(index)
        return index >= 0

    def run(self) -> bool:
        """Start the target signature; returns at once (``finished`` tells the outcome).
        False when nothing started: no target, a run going on, or ``before_run`` said no."""
        if self.target is None or self.busy or not self.before_run():
            return False
        try:
            feeds = self.feeds_provider()
        except UserError as err:
            self._finish_with_error(
                RunRecord(self.target, self.selected_device(), "", time.time()), str(err)
            )
            return True  # answered at once, with the error
        record = RunRecord(
            self.target, self.selected_device(), feeds_summary(feeds), time.time(), feeds=feeds
        )
        self._current = record
        self._clock.start()
        self._phase = "Running"
        # The request goes first, the window's own updates after, while the worker runs.
        self.bridge.run(
            self.target.folder,
            self.target.tags,
            self.target.signature,
            feeds,
            device=record.device,
            repeat=self.repeat_spin.value(),
        )
        if self._current is not record:
            return True  # answered at once (an error)
        # A warm run ends before the first tick: the panel changes only once, with the answer,
        # instead of repainting twice while the worker wants both cores of a small machine.
        # Longer runs grey Run out and show Cancel at the first tick, the busy bar later.
        self._set_busy(True, look=False)
        self._ticker.start()
        return True

    def cancel(self) -> None:
        """Stop a run at once (the worker is killed and the model loaded again)."""
        if self.busy:
            self.bridge.cancel()

    def show_record(self, record: RunRecord) -> None:
        self.outputs_table.setRowCount(0)
        self.values_view.clear()
        if record.result is None:
            self.timing_label.setText("")
            if record.error:  # the whole message, to read and copy (the traceback below it)
                more = f"\n\nWorker traceback:\n{record.details}" if record.details else ""
                self.values_view.setPlainText(f"{record.error}{more}")
            return
        t = record.result.timing
        text = f"{t.get('run_ms', 0):.2f} ms on {record.result.device}"
        if t.get("repeat", 1) > 1:
            text = (
                f"{int(t['repeat'])} runs on {record.result.device}: p50 {t['p50_ms']:.2f} ms · "
                f"p95 {t['p95_ms']:.2f} ms · min {t['min_ms']:.2f} ms · "
                f"{t.get('throughput_per_s', 0):.1f} runs/s"
            )
        if getattr(record.result, "load_path", "function") == "session":
            text += " · MetaGraphDef loaded into a TF1 session, as saved_model_cli does"
        self.timing_label.setText(text)
        outputs = record.result.outputs
        composites = getattr(record.result, "composites", None) or {}
        self.outputs_table.setRowCount(len(outputs) + len(composites))
        for row, (name, arr) in enumerate(outputs.items()):
            dtype = "string" if arr.dtype.kind in "OSU" else str(arr.dtype)
            cells = [name, dtype, str(list(arr.shape)), *tensor_stats(arr)]
            for col, text in enumerate(cells):
                self.outputs_table.setItem(row, col, QTableWidgetItem(text))
        for row, (name, value) in enumerate(composites.items(), start=len(outputs)):
            values = value.flat_values if value.kind == "ragged" else value.values
            cells = [name, f"{value.dtype} ({value.kind})", str(value.shape), *tensor_stats(values)]
            for col, text in enumerate(cells):
                self.outputs_table.setItem(row, col, QTableWidgetItem(text))
        self._shown = record
        if outputs or composites:
            self.outputs_table.blockSignals(True)  # the values are shown once, below
            self.outputs_table.selectRow(0)
            self.outputs_table.blockSignals(False)
            self._show_values(0)

    # ------------------------------------------------------------------ callbacks

    def _fill_devices(self, devices: list[DeviceInfo]) -> None:
        keep = self.device_combo.currentData()
        self.device_combo.clear()
        for dev in devices:
            self.device_combo.addItem(dev.label(), dev.name)
        gpu = next((d.name for d in devices if d.device_type == "GPU"), None)
        if not (keep and self.set_device(keep)) or (gpu and keep == "CPU:0"):
            self.set_device(gpu or "CPU:0")

    def _on_load_started(self, folder: str) -> None:
        self._phase = f"Loading {Path(folder).name}"
        self.status_label.setText(f"{self._phase}…")
        self._tick()

    def _on_loaded(self, info: ModelInfo) -> None:
        self._phase = "Running" if self.busy else ""
        if not self.busy:
            notes = "; ".join([*getattr(info, "custom_ops", []), *info.warnings])
            self.status_label.setText(
                f"Model loaded in {info.load_ms:.0f} ms" + (f" ({notes})" if notes else "")
            )

    def _on_run_done(self, result: RunResult) -> None:
        record = self._current
        if record is None:
            return
        record.received = time.perf_counter()
        record.result = result
        self._finish(record)
        self.status_label.setText(
            f"Done in {self._clock.elapsed() / 1000:.2f} s (run {result.timing.get('run_ms', 0):.1f} ms)"
        )

    def _on_failed(self, err: EngineError) -> None:
        record = self._current
        if record is None:  # e.g. a load failure with no run waiting
            self.status_label.setText(str(err))
            return
        text = "Cancelled" if isinstance(err, Cancelled) else str(err)
        record.details = "" if isinstance(err, Cancelled) else getattr(err, "details", "")
        self._finish_with_error(record, text)

    def _on_worker_died(self, message: str) -> None:
        self.status_label.setText(message)

    def _finish_with_error(self, record: RunRecord, message: str) -> None:
        record.error = message
        self._finish(record)
        self.status_label.setText(message)

    def _finish(self, record: RunRecord) -> None:
        self._current = None
        self._ticker.stop()
        self._set_busy(False)
        self.history.append(record)
        self._release_old_outputs()
        item = QListWidgetItem(record.title())
        item.setData(Qt.ItemDataRole.UserRole, len(self.history) - 1)
        self.history_list.insertItem(0, item)
        self.show_record(record)
        self.finished.emit(record)

    def _release_old_outputs(self) -> None:
        """Keep the arrays of the latest runs only, so that many runs do not fill the memory."""
        kept, total = 0, 0
        for record in reversed(self.history):
            if record.result is None or record.released:
                continue
            size = sum(np.asarray(a).nbytes for a in record.result.outputs.values())
            size += sum(
                c.nbytes for c in (getattr(record.result, "composites", None) or {}).values()
            )
            size += sum(np.asarray(a).nbytes for a in record.feeds.values())
            if kept >= HISTORY_KEEP_RUNS or (kept and total + size > HISTORY_KEEP_BYTES):
                record.result.outputs = {}
                record.result.composites = {}
                record.feeds = {}
                record.released = True
            else:
                kept, total = kept + 1, total + size

    def _open_history_item(self, item: QListWidgetItem) -> None:
        record = self.history[item.data(Qt.ItemDataRole.UserRole)]
        if record.released:
            self.status_label.setText(
                "The outputs of that run were let go to save memory; run it again to see them"
            )
            return
        self.show_record(record)
        self.record_opened.emit(record)

    def _show_values(self, row: int) -> None:
        record = getattr(self, "_shown", None)
        if record is None or record.result is None or row < 0:
            return
        if not self.values_view.isVisible():  # after a run the Results tab is in front
            self._values_row = row  # written out when the panel is shown
            return
        self._values_row = None
        outputs = record.result.outputs
        composites = getattr(record.result, "composites", None) or {}
        names = list(outputs) + list(composites)
        if row < len(outputs):
            self.values_view.setPlainText(values_text(outputs[names[row]]))
        elif row < len(names):
            from inspector_app.engine.composites import text as composite_text

            self.values_view.setPlainText(composite_text(composites[names[row]])[:MAX_VALUES_CHARS])

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if getattr(self, "_values_row", None) is not None:
            self._show_values(self._values_row)

    def _tick(self) -> None:
        if not self.busy:
            return
        if not self.cancel_button.isEnabled():
            self._look_busy(True)
            self.status_label.setText(f"{self._phase}…")
        if self._clock.elapsed() >= PROGRESS_AFTER_MS:
            self.progress.setVisible(True)
            self.status_label.setText(f"{self._phase}… {self._clock.elapsed() / 1000:.1f} s")

    def _set_busy(self, busy: bool, look: bool = True) -> None:
        if look or not busy:
            self._look_busy(busy)
        self.busy_changed.emit(busy)

    def _look_busy(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy and self.target is not None)
        self.cancel_button.setEnabled(busy)
        if not busy:
            self.progress.setVisible(False)
