"""The main window's reactions that involve the engine, the checks and the Help menu.

Kept apart from ``main_window`` (tree, loading, drag and drop, settings) so each file stays
readable; ``MainWindow`` mixes this in.
"""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QTimer, qVersion
from PySide6.QtWidgets import QMessageBox

from inspector_app import APP_NAME, __version__
from inspector_app.ui.background import run_in_background

CHECKS_DELAY_MS = 150  # a model's checks start this long after it is shown


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


class WindowActionsMixin:
    """Run, checks, worker faults, About. Expects the attributes ``MainWindow`` defines."""

    # ------------------------------------------------------------------ signatures and runs

    def _on_signature_selected(self, _info: Any, selection: Any) -> None:
        if self._runner is not None:
            self._runner.set_signature(selection)

    def _on_model_closed(self, info: Any) -> None:
        if self._runner is not None:
            self._runner.model_closed(info)

    def _on_run_finished(self, value: Any) -> None:
        if isinstance(value, dict):
            self.panels.setCurrentWidget(self._runner.results)
            timing = self._runner.run_panel.timing_label.text()
            self.statusBar().showMessage(f"Run finished: {timing}", 8000)
        else:
            self.statusBar().showMessage(" ".join(str(value).split()), 8000)
            # the Run tab holds the whole message and the worker's traceback, to copy
            self.panels.setCurrentWidget(self._runner.run_tab)
        self.run_finished.emit(value)

    def _confirm_current_run(self) -> bool:
        """Asked by the run panel before every run (Run button, Ctrl+R and ``run()`` alike)."""
        selection = self._current_signature
        if selection is None or self._confirm_file_ops(selection):
            return True
        self.statusBar().showMessage("Run cancelled: the model's ops touch files", 5000)
        return False

    def _drop_closed_models(self) -> None:
        """Forget findings and answers of models no longer open (their graphs can be large)."""
        open_infos = [m.info for m in self.models()]
        for cache in (self._findings_by_model, self._file_ops_answers):
            for key in [
                k for k, (info, _v) in cache.items() if not any(info is o for o in open_infos)
            ]:
                del cache[key]

    def _confirm_file_ops(self, selection: Any) -> bool:
        """Ask once per opened model and tag set; the graph is walked once, not on every run."""
        from inspector_app.savedmodel.checks import ops_touching_files

        key = (id(selection.info), tuple(selection.tags))
        self._drop_closed_models()
        memo = self._file_ops_answers
        if key in memo and memo[key][0] is selection.info:
            return memo[key][1]
        try:
            ops = ops_touching_files(selection.info, tags=list(selection.tags))
        except Exception:  # noqa: BLE001 - a check that cannot read the graph must not block runs
            ops = []
        allowed = True
        if ops:
            shown = ", ".join(sorted(set(ops))[:6])
            allowed = self.confirm(
                f"This model's graph has ops that read or write files or print ({shown}). "
                "Running it may touch files on this machine. Run it anyway?"
            )
        if allowed:  # a "no" is asked again next time
            memo[key] = (selection.info, True)
        return allowed

    def _confirm_dialog(self, text: str) -> bool:
        answer = QMessageBox.question(
            self,
            f"{APP_NAME}: run a model that touches files?",
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _on_worker_died(self, message: str) -> None:
        self.statusBar().showMessage(message)
        box = QMessageBox(self)
        box.setObjectName("workerDiedBox")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(f"{APP_NAME}: the model worker stopped")
        box.setText(message)
        reload_button = box.addButton("Reload model", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        box.setWindowModality(Qt.WindowModality.NonModal)
        reload_button.clicked.connect(self._reload_worker)
        self.worker_died_box = box
        if self.show_error_dialogs:
            box.show()

    def _reload_worker(self) -> None:
        """Load the current model again in a fresh worker (after a crash, or to reset state)."""
        runner = self.runner
        selection = self._current_signature
        if selection is None:
            self.statusBar().showMessage("Select a signature first", 4000)
            return
        runner.bridge.load(selection.info.model_dir, list(selection.tags))
        self.statusBar().showMessage(f"Reloading {selection.info.model_dir}...", 4000)

    def _edit_custom_ops(self) -> None:
        """Run > Custom ops: modules and op libraries the worker loads before a model."""
        from inspector_app.ui import settings
        from inspector_app.ui.custom_ops_dialog import CustomOpsDialog

        dialog = CustomOpsDialog(settings.custom_ops(), self)
        self.custom_ops_dialog = dialog  # tests fill it in and accept it
        if dialog.exec() != CustomOpsDialog.DialogCode.Accepted:
            return
        self.set_custom_ops(dialog.items())

    def set_custom_ops(self, items: list[str]) -> None:
        from inspector_app.ui import settings

        settings.set_custom_ops(items)
        self.runner.bridge.set_load_ops(items)
        shown = ", ".join(items) or "none"
        self.statusBar().showMessage(f"Custom ops: {shown} (loaded with the next run)", 6000)

    def _on_registered_ops(self, ops: frozenset) -> None:
        """The worker has said which ops its TensorFlow registers: checks that could not look
        for unknown ops run again with the list (the bundle has no other way to learn it)."""
        self._engine_ops = ops
        stale = [
            entry[0]
            for entry in self._findings_by_model.values()
            if any(f.id == "ops.registry_unknown" for f in entry[1])
        ]
        for info in stale:
            self._findings_by_model.pop(id(info), None)
            if info is self._checks_target():
                self._checks_info = None
                self._start_checks(info)

    # ------------------------------------------------------------------ checks

    def _show_checks_for(self, info: Any) -> None:
        """Show the findings of the model the selection is in (checked once per opened model)."""
        if info is getattr(self, "_checks_info", None):
            return
        self._drop_closed_models()
        cache = self._findings_by_model
        if id(info) in cache and cache[id(info)][0] is info:
            self._checks_info = info
            self.checks_panel.show_findings(cache[id(info)][1], Path(info.path).name)
        elif info is not getattr(self, "_checks_waiting", None):
            # Not at once: a model just opened is painted first. The checks are Python in a
            # pool thread and would take the interpreter from the painting for tens of ms.
            self._checks_waiting = info
            QTimer.singleShot(CHECKS_DELAY_MS, self, lambda: self._start_waiting_checks(info))

    def _start_waiting_checks(self, info: Any) -> None:
        if info is not getattr(self, "_checks_waiting", None):
            return  # another model was selected meanwhile; its own timer starts its checks
        self._checks_waiting = None
        if info is self._checks_target():
            self._start_checks(info)

    def _start_checks(self, info: Any) -> None:
        def work() -> list:
            from inspector_app.savedmodel.checks import CheckOptions, run_checks

            return run_checks(info, CheckOptions(registered_ops=ops))

        ops = getattr(self, "_engine_ops", None)  # from the worker; None: the cached list

        def done(findings: list) -> None:
            cache = self._findings_by_model
            cache[id(info)] = (info, findings)  # the info kept alive: its id stays unique
            if info is not self._checks_target():
                return  # the user has moved to another model meanwhile
            self.checks_panel.show_findings(findings, Path(info.path).name)
            self._checks_info = info
            errors = sum(f.severity == "error" for f in findings)
            warnings = sum(f.severity == "warning" for f in findings)
            if errors or warnings:
                self.statusBar().showMessage(
                    f"Checks: {errors} error(s), {warnings} warning(s) (see the Checks tab)", 6000
                )
            self.checks_done.emit(findings)

        def failed(err: BaseException) -> None:
            self.statusBar().showMessage(f"Checks could not run: {err}", 6000)

        run_in_background(work, done, failed, receiver=self)

    def _checks_target(self) -> Any:
        """The model whose findings the Checks tab should show: the selected one, else the last."""
        node = self.current_node()
        model = self._model_of(node) if node is not None else None
        if model is None and self.models():
            model = self.models()[-1]
        return model.info if model is not None else None

    def _jump_to(self, where: Any) -> None:
        from inspector_app.savedmodel.checks import find_node

        info = getattr(self, "_checks_info", None)
        model = next((m for m in self.models() if m.info is info), None)
        if model is None:
            return
        node = find_node(model.tree, where)
        if node is not None:
            self.select_node(node)

    # ------------------------------------------------------------------ compare and help

    def _open_compare(self) -> None:
        selection = self._current_signature
        if selection is None:
            self._show_error("select a signature to compare first", dialog=False)
            return
        from inspector_app.ui.compare_dialog import CompareDialog

        feeds = self.runner.inputs.feeds() if self.runner.inputs.is_ready() else {}
        dialog = CompareDialog(
            selection.info, selection.signature.key, feeds, list(selection.tags), self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()

    def _open_demo_models(self) -> None:
        from inspector_app.ui.app import demo_model_paths

        paths = demo_model_paths()
        if not paths:
            self._show_error("the demo models are not installed with this copy of the app")
            return
        self.open_paths(paths)

    def about_text(self) -> str:
        devices = "starting..."
        if self._runner is not None and self._runner.bridge.devices:
            devices = ", ".join(d.label() for d in self._runner.bridge.devices)
        return "\n".join(
            [
                f"{APP_NAME} {__version__}",
                f"TensorFlow {_package_version('tensorflow')} (in the worker process)",
                f"Qt {qVersion()}, PySide6 {pyside_version}",
                f"Python {platform.python_version()} ({sys.executable})",
                f"Devices: {devices}",
                f"Settings: {Path(self._settings_file()).as_posix()}",
            ]
        )

    def _settings_file(self) -> str:
        from inspector_app.ui.settings import open_settings

        return open_settings().fileName()

    def _show_about(self) -> None:
        box = QMessageBox(self)
        box.setObjectName("aboutBox")
        box.setWindowTitle(f"About {APP_NAME}")
        box.setText(self.about_text())
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.show()
