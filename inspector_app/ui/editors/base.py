"""What every input editor shares: ``value()`` builds the input's value (UserError when it
cannot, None while there is none) and ``changed`` says when it may have changed."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QFormLayout, QPushButton, QWidget

from inspector_app.inputs.validate import TensorSpec


class Editor(QWidget):
    """One way to make a value; ``kind`` names it in ``inputs.editor_choice``."""

    changed = Signal()
    label = ""
    kind = ""

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__()
        self.spec = spec
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)

    def value(self) -> np.ndarray | None:
        raise NotImplementedError


def files_button(editor: Any, caption: str, filters: str, multi: bool) -> QPushButton:
    """A "Choose…" button that hands the chosen files to ``editor.set_paths``."""
    button = QPushButton("Choose…", objectName="chooseFiles")

    def choose() -> None:
        if multi:
            paths, _ = QFileDialog.getOpenFileNames(editor, caption, "", filters)
        else:
            path, _ = QFileDialog.getOpenFileName(editor, caption, "", filters)
            paths = [path] if path else []
        if paths:
            editor.set_paths(paths)

    button.clicked.connect(choose)
    return button


def frozen(value: Any, copy: bool = False) -> Any:
    """A read-only array of ``value``'s values (a copy when asked, else a view): the engine
    sends a read-only array it has sent before as a reference to the worker's copy."""
    if not isinstance(value, np.ndarray) or not value.flags.writeable:
        return value
    out = value.copy() if copy else value.view()
    out.setflags(write=False)
    return out
