"""The dialogs the window opens from its menus: About, Compare, Batch, Custom ops, and the demo
models of the Help menu."""

from __future__ import annotations

import importlib
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QObject, Qt, qVersion
from PySide6.QtWidgets import QMessageBox

from inspector_app import APP_NAME, __version__
from inspector_app.ui import settings
from inspector_app.ui.app_resources import demo_model_paths


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def about_text(devices: list[Any] | None) -> str:
    """What About says: versions, the worker's devices (None: not known yet), settings file."""
    shown = ", ".join(d.label() for d in devices) if devices else "starting..."
    return "\n".join(
        [
            f"{APP_NAME} {__version__}",
            f"TensorFlow {_package_version('tensorflow')} (in the worker process)",
            f"Qt {qVersion()}, PySide6 {pyside_version}",
            f"Python {platform.python_version()} ({sys.executable})",
            f"Devices: {shown}",
            f"Settings: {Path(settings.open_settings().fileName()).as_posix()}",
        ]
    )


class DialogLauncher(QObject):
    """Opens the dialogs for ``window`` (its current signature, runner, errors, status bar)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.custom_ops_dialog: Any = None  # the last one opened (tests fill it in)

    def about_text(self) -> str:
        runner = self.window.run_reactions.runner
        return about_text(runner.bridge.devices if runner is not None else None)

    def show_about(self) -> None:
        box = QMessageBox(self.window)
        box.setObjectName("aboutBox")
        box.setWindowTitle(f"About {APP_NAME}")
        box.setText(self.about_text())
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.show()

    def open_compare(self) -> None:
        selection = self.window.current_signature()
        if selection is None:
            self.window.errors.show("select a signature to compare first", dialog=False)
            return
        from inspector_app.ui.compare_dialog import CompareDialog

        inputs = self.window.runner.inputs
        feeds = inputs.feeds() if inputs.is_ready() else {}
        dialog = CompareDialog(
            selection.info, selection.signature.key, feeds, list(selection.tags), self.window
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def open_batch(self) -> None:
        importlib.import_module("inspector_app.ui.batch_dialog").open_for_window(self.window)

    def open_demo_models(self) -> None:
        paths = demo_model_paths()
        if not paths:
            self.window.errors.show("the demo models are not installed with this copy of the app")
            return
        self.window.open_paths(paths)

    def edit_custom_ops(self) -> None:
        """Run > Custom ops: modules and op libraries the worker loads before a model."""
        from inspector_app.ui.custom_ops_dialog import CustomOpsDialog

        dialog = CustomOpsDialog(settings.custom_ops(), self.window)
        self.custom_ops_dialog = dialog
        if dialog.exec() != CustomOpsDialog.DialogCode.Accepted:
            return
        self.set_custom_ops(dialog.items())

    def set_custom_ops(self, items: list[str]) -> None:
        settings.set_custom_ops(items)
        self.window.runner.bridge.set_load_ops(items)
        shown = ", ".join(items) or "none"
        self.window.statusBar().showMessage(f"Custom ops: {shown} (loaded with the next run)", 6000)
