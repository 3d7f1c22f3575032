"""How the window reports a problem: one line in the status bar, and for the serious ones a
non-modal message box that never blocks (several at once are listed in one box)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QStatusBar, QWidget

from inspector_app import APP_NAME

MAX_ERROR_LINES = 8


class ErrorReporter(QObject):
    """Shows one-line errors; ``shown`` carries every one of them."""

    shown = Signal(str)

    def __init__(
        self, window: QWidget, status: QStatusBar, dialogs: Callable[[], bool] = lambda: True
    ) -> None:
        super().__init__(window)
        self.window = window
        self.status = status
        self.dialogs = dialogs  # False: the status bar only (tests turn the boxes off)
        self.last_error: str | None = None
        self.box: QMessageBox | None = None
        self._lines: list[str] = []

    def show(self, message: str, *, dialog: bool = True) -> None:
        """One line in the status bar, and (``dialog``) the message box."""
        message = " ".join(message.split())
        self.last_error = message
        self.status.showMessage(message)
        if dialog and self.dialogs():
            if self.box is None:
                self.box = QMessageBox(self.window)
                self.box.setObjectName("errorBox")
                self.box.setIcon(QMessageBox.Icon.Warning)
                self.box.setWindowTitle(f"{APP_NAME}: cannot open")
                self.box.setWindowModality(Qt.WindowModality.NonModal)
            # Several bad folders dropped at once: one box listing them all.
            lines = self._lines if self.box.isVisible() else []
            self._lines = [*lines, message][-MAX_ERROR_LINES:]
            self.box.setText("\n\n".join(self._lines))
            self.box.show()
        self.shown.emit(message)

    def close(self) -> None:
        if self.box is not None:
            self.box.close()
