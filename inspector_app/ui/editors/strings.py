"""String inputs: one string per line, or the bytes of files (an encoded image, audio...)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import QLabel, QPlainTextEdit

from inspector_app.inputs import strings
from inspector_app.inputs.validate import TensorSpec
from inspector_app.ui.editors.base import Editor, files_button


class TextEditor(Editor):
    label = "Text lines"
    kind = "text"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.edit = QPlainTextEdit(objectName="textLines")
        self.edit.setPlaceholderText("one string per line")
        self.edit.setMaximumHeight(90)
        self.edit.textChanged.connect(self.changed)
        self.form.addRow(self.edit)

    def set_text(self, text: str) -> None:
        self.edit.setPlainText(text)

    def value(self) -> np.ndarray | None:
        if not self.edit.toPlainText().strip():
            return None
        return strings.text_lines(self.edit.toPlainText(), self.spec)


class BytesEditor(Editor):
    label = "File bytes"
    kind = "bytes"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.paths: list[str] = []
        self.files = QLabel("no file chosen", objectName="bytesFiles")
        self.form.addRow(files_button(self, "Choose files", "All files (*)", True), self.files)

    def set_paths(self, paths: Sequence[str]) -> None:
        self.paths = [str(p) for p in paths]
        self.files.setText(", ".join(Path(p).name for p in self.paths))
        self.changed.emit()

    def value(self) -> np.ndarray | None:
        return strings.file_bytes(self.paths, self.spec) if self.paths else None
