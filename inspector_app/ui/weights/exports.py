"""The Weights tab's exports: one variable to ``.npy`` or all of them to ``.npz``, written off the
GUI thread (``results.weights_export``), with the buttons and the status line that follow them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QWidget

from inspector_app.ui.background import run_in_background


def safe_name(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text) or "weights"


class WeightsExports(QObject):
    """Runs one export at a time; ``exported(path)`` when it is written."""

    exported = Signal(str)

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.npy_button = QPushButton("Export .npy…", objectName="exportNpyButton")
        self.npz_button = QPushButton("Export all .npz…", objectName="exportNpzButton")
        self.status = QLabel("", objectName="weightsExportStatus")
        self.last_error = ""

    def npy(self, reader: Any, key: str, path: str | Path, overwrite: bool, model_dir: Any) -> None:
        from inspector_app.results.weights_export import export_npy

        self._run(lambda: export_npy(reader, key, path, overwrite=overwrite, model_dir=model_dir))

    def npz(self, reader: Any, names: dict[str, str], path: str | Path, overwrite: bool,
            model_dir: Any) -> None:  # fmt: skip
        from inspector_app.results.weights_export import export_npz

        self._run(lambda: export_npz(reader, names, path, overwrite=overwrite, model_dir=model_dir))

    def _run(self, job: Callable[[], Any]) -> None:
        self.npy_button.setEnabled(False)
        self.npz_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText("Exporting…")

        def finish(result: Any, error: str = "") -> None:
            self.npy_button.setEnabled(True)
            self.npz_button.setEnabled(True)
            if error:
                self.last_error = error
                self.status.setStyleSheet("color: #e05050")
                self.status.setText(f"Export failed: {error}")
                return
            self.status.setStyleSheet("")
            self.status.setText(f"Wrote {result}")
            self.exported.emit(str(result))

        run_in_background(job, finish, lambda err: finish(None, str(err)), receiver=self)

    def ask(self, parent: QWidget, title: str, name_filter: str, suggested: str,
            write: Callable[..., None]) -> None:  # fmt: skip
        """Ask for a file, then ``write(path, overwrite=…)`` (the dialog asked about replacing)."""
        from inspector_app.ui.results_common import ask_save_path

        path = ask_save_path(parent, title, name_filter, suggested)
        if path:
            try:
                write(path, overwrite=os.path.exists(path))
            except ValueError as err:
                QMessageBox.warning(parent, title, str(err))
