"""Asked before a run: a model whose graph has ops that read or write files (or print) runs only
once the user says yes, asked once per opened model and tag set."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from inspector_app import APP_NAME
from inspector_app.ui.open_models import OpenModels


def ask_dialog(parent: QWidget, text: str) -> bool:
    """The question as a Yes/No box (No by default)."""
    answer = QMessageBox.question(
        parent,
        f"{APP_NAME}: run a model that touches files?",
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class FileOpsGuard:
    """``allows(selection)``: True when the selection's ops touch no files, or the user agreed."""

    def __init__(
        self, models: OpenModels, ask: Callable[[str], bool], refused: Callable[[str], None]
    ) -> None:
        self.models = models
        self.ask = ask  # the question -> the answer
        self.refused = refused  # told why a run does not start
        self._answers: dict[tuple, Any] = {}  # (id(info), tags) -> the info, once allowed

    def allows(self, selection: Any) -> bool:
        """Ask once per opened model and tag set; the graph is walked once, not on every run."""
        if selection is None:
            return True
        from inspector_app.savedmodel.checks import ops_touching_files

        key = (id(selection.info), tuple(selection.tags))
        for old in [k for k, info in self._answers.items() if not self.models.is_open(info)]:
            del self._answers[old]  # models closed meanwhile
        if self._answers.get(key) is selection.info:
            return True
        try:
            ops = ops_touching_files(selection.info, tags=list(selection.tags))
        except Exception:  # noqa: BLE001 - a check that cannot read the graph must not block runs
            ops = []
        allowed = True
        if ops:
            shown = ", ".join(sorted(set(ops))[:6])
            allowed = self.ask(
                f"This model's graph has ops that read or write files or print ({shown}). "
                "Running it may touch files on this machine. Run it anyway?"
            )
        if allowed:  # a "no" is asked again next time
            self._answers[key] = selection.info
        else:
            self.refused("Run cancelled: the model's ops touch files")
        return allowed
