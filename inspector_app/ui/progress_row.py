"""The row of a dialog that runs a job: Start and Cancel, a progress bar, and a status line under
them (the Batch and Compare dialogs).

Progress is cheap for the event loop: ``QProgressBar.setValue`` paints the bar at once (a
synchronous repaint whenever the bar moves by a pixel); here the bar is only marked for the
next paint, which Qt joins with the other updates of the same turn of the event loop, and the
status line is set only when its text changes.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from inspector_app.ui.palette import problem_colour


class ProgressRow(QWidget):
    """``start_button``, ``cancel_button``, ``bar`` and ``status_label``; ``names`` gives their
    object names (start, cancel, bar, status). ``one_line``: the status stays one line that never
    resizes the dialog (its tooltip has it all); else it wraps."""

    def __init__(
        self,
        start_text: str,
        cancel_text: str,
        names: tuple[str, str, str, str],
        *,
        one_line: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        start_name, cancel_name, bar_name, status_name = names
        self.start_button = QPushButton(start_text, objectName=start_name)
        self.start_button.setDefault(True)
        self.cancel_button = QPushButton(cancel_text, objectName=cancel_name)
        self.bar = QProgressBar(objectName=bar_name)
        self.status_label = QLabel("", objectName=status_name)
        self._one_line = one_line
        if one_line:
            self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        else:
            self.status_label.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.start_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.bar, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.status_label)
        self._error = False
        self.set_running(False)

    def set_running(self, running: bool) -> None:
        """Start while idle, Cancel while a job runs."""
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def set_progress(self, value: int, maximum: int | None = None) -> None:
        """Move the bar (and change its range) without painting it now."""
        bar = self.bar
        if (maximum is None or maximum == bar.maximum()) and value == bar.value():
            return
        bar.setUpdatesEnabled(False)  # setValue's own repaint does nothing meanwhile...
        if maximum is not None:
            bar.setRange(0, maximum)
        bar.setValue(value)
        bar.setUpdatesEnabled(True)  # ...and this asks for one paint with the next ones

    def set_status(self, text: str, error: bool = False) -> None:
        """The status line (in the problem colour for an error)."""
        if error != self._error:
            self._error = error
            self.status_label.setStyleSheet(f"color: {problem_colour(self)};" if error else "")
        if text != self.status_label.text():
            self.status_label.setText(text)
            if self._one_line:
                self.status_label.setToolTip(text)

    def status(self) -> str:
        return self.status_label.text()
