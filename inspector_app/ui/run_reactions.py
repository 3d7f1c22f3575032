"""What the window does around runs: it makes the run tabs once it shows, forwards the chosen
signature and closed models to the run controller, reports a finished run (status bar, the tab
to look at) and a worker that died (a box offering to reload the model)."""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox

from inspector_app import APP_NAME
from inspector_app.ui.background import run_in_background


class RunReactions(QObject):
    """Installed on the main window (``window``: its ``runner``, ``panels``, status bar)."""

    finished = Signal(object)  # dict of outputs, or the error: after the window has shown it

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.runner: Any = None  # the RunController, once made
        self.died_box: QMessageBox | None = None
        self._coming = False  # the run modules are being imported in the thread pool
        window.installEventFilter(self)

    def attach(self, runner: Any) -> None:
        """The window has made its run controller: follow it."""
        self.runner = runner
        runner.run_finished.connect(self._on_finished)
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

    def _on_finished(self, value: Any) -> None:
        status = self.window.statusBar()
        if isinstance(value, dict):
            self.window.panels.setCurrentWidget(self.runner.results)
            timing = self.runner.run_panel.timing_label.text()
            status.showMessage(f"Run finished: {timing}", 8000)
        else:
            status.showMessage(" ".join(str(value).split()), 8000)
            # the Run tab holds the whole message and the worker's traceback, to copy
            self.window.panels.setCurrentWidget(self.runner.run_tab)
        self.finished.emit(value)

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
