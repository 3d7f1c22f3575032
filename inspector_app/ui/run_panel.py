"""The Run tab: which signature Run runs (model, version, tags, signature), device, repeat count,
Run / Cancel, progress with elapsed time, the outputs of the run shown and the run history.

The panel holds no run state: it observes the :class:`RunSession` (target, the run going on,
the history, the run shown) and the engine bridge (devices, loading), and its buttons call the
session, the same door as Ctrl+R and ``MainWindow.run()``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.engine import DeviceInfo, EngineError, ModelInfo
from inspector_app.ui.engine_bridge import EngineBridge
from inspector_app.ui.run_outputs import RunOutputsView
from inspector_app.workflows.run_session import RunRecord, RunSession, RunTarget

PROGRESS_AFTER_MS = 300  # the busy bar and elapsed time show for runs longer than this
TICK_MS = 100  # Run greys out, Cancel lights up and "Running…" shows from the first tick on
NO_TARGET_TEXT = "Select a signature in the tree."
HISTORY_ROLE = Qt.ItemDataRole.UserRole


class RunPanel(QWidget):
    """The Run tab's widgets over a :class:`RunSession`."""

    def __init__(
        self, session: RunSession, bridge: EngineBridge, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, objectName="runPanel")
        self.session = session
        self.bridge = bridge
        self._ready = True  # the inputs can be fed (the session's last word on them)
        self._clock = QElapsedTimer()
        self._ticker = QTimer(self, interval=TICK_MS)
        self._phase = ""
        self._build_ui()
        self._connect_callbacks()
        self._look_busy(False)
        if bridge.devices:
            self._fill_devices(bridge.devices)

    # ------------------------------------------------------------------ layout

    def _build_ui(self) -> None:
        self.target_label = QLabel(NO_TARGET_TEXT, objectName="runTarget")
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
        self.outputs = RunOutputsView()
        self.history_list = QListWidget(objectName="historyList")
        self.history_list.setToolTip("Double-click a run to show its outputs again")

        form = QFormLayout()
        form.addRow("Device", self.device_combo)
        form.addRow("Repeat", self.repeat_spin)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        history = QWidget()
        hl = QVBoxLayout(history)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(QLabel("History"))
        hl.addWidget(self.history_list)
        self.history_list.setMinimumHeight(40)
        split = QSplitter(Qt.Orientation.Vertical, objectName="runSplitter")
        split.addWidget(self.outputs)
        split.addWidget(history)
        split.setSizes([350, 120])

        layout = QVBoxLayout(self)
        layout.addWidget(self.target_label)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(split, 1)

    # the outputs' widgets, by the names tests and the window know
    @property
    def outputs_table(self) -> QTableWidget:
        return self.outputs.table

    @property
    def values_view(self) -> QPlainTextEdit:
        return self.outputs.values_view

    @property
    def timing_label(self) -> QLabel:
        return self.outputs.timing_label

    def _connect_callbacks(self) -> None:
        session = self.session
        self.run_button.clicked.connect(lambda: session.run())
        self.cancel_button.clicked.connect(lambda: session.cancel())
        self.device_combo.currentIndexChanged.connect(
            lambda _i: setattr(session, "device", self.selected_device())
        )
        self.repeat_spin.valueChanged.connect(lambda n: setattr(session, "repeat", n))
        self._ticker.timeout.connect(self._tick)
        self.history_list.itemActivated.connect(self._open_history_item)
        self.bridge.devices_ready.connect(self._fill_devices)
        self.bridge.load_started.connect(self._on_load_started)
        self.bridge.loaded.connect(self._on_loaded)
        self.bridge.load_failed.connect(self._on_load_failed)
        self.bridge.worker_died.connect(self.say)
        session.target_changed.subscribe(self._on_target)
        session.readiness.subscribe(self._on_readiness)
        session.started.subscribe(self._on_started)
        session.finished.subscribe(self._on_finished)
        session.refused.subscribe(lambda refusal: self.say(refusal.reason))
        session.shown_changed.subscribe(self._on_shown)

    # ------------------------------------------------------------------ public

    @property
    def busy(self) -> bool:
        return self.session.busy

    def say(self, text: str) -> None:
        """One line under the buttons (selectable, to copy)."""
        self.status_label.setText(text)

    def selected_device(self) -> str:
        return self.device_combo.currentData() or "CPU:0"

    def set_device(self, name: str) -> bool:
        index = self.device_combo.findData(
            name.upper(), Qt.ItemDataRole.UserRole, Qt.MatchFlag.MatchFixedString
        )
        if index >= 0:
            self.device_combo.setCurrentIndex(index)
        return index >= 0

    # ------------------------------------------------------------------ the session

    def _on_target(self, target: RunTarget | None) -> None:
        self.target_label.setText(target.label() if target is not None else NO_TARGET_TEXT)
        self.say("")
        self._look_busy(self.busy)

    def _on_readiness(self, problems: list[str]) -> None:
        self._ready = not problems
        if not self.busy:
            self._look_busy(False)
        if self.session.target is None:
            return
        if problems:
            self.say(f"Not ready: {problems[0]}")
        elif not self.busy:
            self.say("Ready (Ctrl+R runs)")

    def _on_started(self, record: RunRecord) -> None:
        # A warm run ends before the first tick: the panel changes only once, with the answer,
        # instead of repainting twice while the worker wants both cores of a small machine.
        # Longer runs grey Run out and show Cancel at the first tick, the busy bar later.
        self._clock.start()
        if not self._phase.startswith("Loading"):  # the model loads first: that is shown
            self._phase = f"Running {record.target.signature}"
        self._ticker.start()

    def _on_finished(self, record: RunRecord) -> None:
        self._ticker.stop()
        self._phase = ""
        self._look_busy(False)
        if record.status == "done":
            run_ms = record.result.timing.get("run_ms", 0) if record.result else 0
            self.say(f"Done in {record.elapsed_s:.2f} s (run {run_ms:.1f} ms)")
        elif record.status == "cancelled":
            self.say(f"Cancelled: {record.target.label()}")
        else:
            self.say(record.error or "the run failed")
        item = QListWidgetItem(record.title())
        item.setData(HISTORY_ROLE, len(self.session.history) - 1)
        item.setToolTip(record.error or record.title())
        self.history_list.insertItem(0, item)

    def _on_shown(self, record: RunRecord | None) -> None:
        if record is None:
            self.outputs.clear()
        else:
            self.outputs.show_record(record)

    def _open_history_item(self, item: QListWidgetItem) -> None:
        record = self.session.history[item.data(HISTORY_ROLE)]
        if not self.session.show(record):
            self.say("The outputs of that run were let go to save memory; run it again to see them")

    # ------------------------------------------------------------------ the engine

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
        self.say(f"{self._phase}…")
        self._tick()

    def _on_loaded(self, info: ModelInfo) -> None:
        current = self.session.current
        self._phase = f"Running {current.target.signature}" if current is not None else ""
        if current is None:
            notes = "; ".join([*getattr(info, "custom_ops", []), *info.warnings])
            self.say(f"Model loaded in {info.load_ms:.0f} ms" + (f" ({notes})" if notes else ""))

    def _on_load_failed(self, err: EngineError) -> None:
        if not self.busy:  # a run waiting on the load ends with this reason (the session's)
            self.say(str(err))

    def _tick(self) -> None:
        if not self.busy:
            return
        if not self.cancel_button.isEnabled():
            self._look_busy(True)
            self.say(f"{self._phase}…")
        if self._clock.elapsed() >= PROGRESS_AFTER_MS:
            self.progress.setVisible(True)
            self.say(f"{self._phase}… {self._clock.elapsed() / 1000:.1f} s")

    def _look_busy(self, busy: bool) -> None:
        self.run_button.setEnabled(not busy and self.session.target is not None and self._ready)
        self.cancel_button.setEnabled(busy)
        if not busy:
            self.progress.setVisible(False)
