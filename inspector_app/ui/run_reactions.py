"""What the window does around runs: it makes the run tabs once it shows, forwards the chosen
signature and closed models to the run controller, reports a finished run (status bar naming
the model, version and signature, the tab to look at; cleared when the target changes) and a
worker that died (a box offering to reload the model)."""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox

from inspector_app import APP_NAME
from inspector_app.ui.background import run_in_background

RUN_MESSAGE_MS = 8000


class RunReactions(QObject):
    """Installed on the main window (``window``: its ``runner``, ``panels``, status bar)."""

    finished = Signal(object)  # dict of outputs, or the error: after the window has shown it

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.runner: Any = None  # the RunController, once made
        self.died_box: QMessageBox | None = None
        self._run_message = ""  # the status bar's line about the last run
        self._coming = False  # the run modules are being imported in the thread pool
        window.installEventFilter(self)

    def attach(self, runner: Any) -> None:
        """The window has made its run controller: follow it."""
        self.runner = runner
        runner.record_finished.connect(self._on_record)
        runner.refused.connect(self._on_refused)
        runner.target_changed.connect(self._on_target)
        runner.run_finished.connect(self.finished)
        runner.bridge.worker_died.connect(self._on_worker_died)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        first_show = watched is self.window and event.type() == QEvent.Type.Show
        if first_show and self.runner is None and not self._coming:
            # After the first paint, and with its modules (pillow, the input and result views)
            # imported off the GUI thread: the event loop must not stall on them.
            self._coming = True
            run_in_background(
                lambda: importlib.import_module("inspector_app.ui.run_controller"),
                lambda _module: self.window.runner,
                lambda _err: self.window.runner,  # the import fails again here, saying why
                receiver=self,
            )
        return False

    def signature_selected(self, _info: Any, selection: Any) -> None:
        if self.runner is not None:
            self.runner.set_signature(selection)

    def model_closed(self, info: Any) -> None:
        if self.runner is not None:
            self.runner.model_closed(info)

    def _on_record(self, record: Any) -> None:
        """A run ended (before ``run_finished``): the status bar names the run and how it went;
        the Results tab comes in front, or the Run tab with a failure's whole message."""
        label = record.target.label()
        if record.status == "done":
            self.window.panels.setCurrentWidget(self.runner.results)
            text = f"Run finished: {label}: {record.timing_text()}"
        else:
            self.window.panels.setCurrentWidget(self.runner.run_tab)
            why = " ".join((record.error or "").split())
            text = (
                f"Run {record.status}: {label}: {why}" if why else f"Run {record.status}: {label}"
            )
        self._show_run_message(text)

    def _on_refused(self, reason: str) -> None:
        """Run did not start (no signature, inputs not ready): the Run tab shows why."""
        self.window.panels.setCurrentWidget(self.runner.run_tab)
        self._show_run_message(" ".join(reason.split()))

    def _on_target(self, _target: Any) -> None:
        """Another target: a message about the previous one's run goes."""
        status = self.window.statusBar()
        if self._run_message and status.currentMessage() == self._run_message:
            status.clearMessage()
        self._run_message = ""

    def _show_run_message(self, text: str) -> None:
        self._run_message = text
        self.window.statusBar().showMessage(text, RUN_MESSAGE_MS)

    def _on_worker_died(self, message: str) -> None:
        self.window.statusBar().showMessage(message)
        box = QMessageBox(self.window)
        box.setObjectName("workerDiedBox")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(f"{APP_NAME}: the model worker stopped")
        box.setText(message)
        reload_button = box.addButton("Reload model", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.setWindowModality(Qt.WindowModality.NonModal)
        reload_button.clicked.connect(self.reload_worker)
        self.died_box = box
        if self.window.show_error_dialogs:
            box.show()

    def reload_worker(self) -> None:
        """Load the current model again in a fresh worker (after a crash, or to reset state)."""
        runner = self.window.runner
        selection = self.window.current_signature()
        if selection is None:
            self.window.statusBar().showMessage("Select a signature first", 4000)
            return
        runner.bridge.load(selection.info.model_dir, list(selection.tags))
        self.window.statusBar().showMessage(f"Reloading {selection.info.model_dir}...", 4000)
