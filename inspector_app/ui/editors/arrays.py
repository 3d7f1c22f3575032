"""Arrays: read from a .npy/.npz file (pickles only on a confirmed opt-in), written as a safe
numpy expression, or set from code (an input set, a REST body, a test)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from inspector_app.inputs import arrays, editor_choice, expressions, feed_policy, validate
from inspector_app.inputs.validate import TensorSpec, describe
from inspector_app.ui.editors.base import Editor, files_button, frozen
from inspector_app.units import MB


def _quiet(_message: str) -> None:
    """No warning on each read: the pickle opt-in asked for confirmation once."""


def confirm_pickle(parent: QWidget, path: str) -> bool:
    """Ask before unpickling is allowed (tests replace this)."""
    answer = QMessageBox.warning(
        parent,
        "Allow pickle?",
        f"Unpickling {Path(path).name or 'a file'} can run any code it holds. "
        "Allow it only for files you trust.",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class ArrayEditor(Editor):
    label = "Array file"
    kind = "array_file"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.path = ""
        self.file = QLabel("no file chosen", objectName="arrayFile")
        self.key = QComboBox(objectName="npzKey")
        self.key.currentIndexChanged.connect(self.changed)
        self.allow_pickle = QCheckBox("Allow pickle (trusted files only)", objectName="allowPickle")
        self.allow_pickle.setToolTip("Unpickling a file can run any code it holds")
        self.allow_pickle.toggled.connect(self._pickle_toggled)
        filters = "Arrays (*.npy *.npz);;Pickles (*.pkl *.pickle);;All files (*)"
        self.form.addRow(files_button(self, "Choose an array", filters, False), self.file)
        self.form.addRow("Key", self.key)
        self.form.addRow("", self.allow_pickle)

    def _pickle_toggled(self, on: bool) -> None:
        if on and not confirm_pickle(self, self.path):
            self.allow_pickle.blockSignals(True)
            self.allow_pickle.setChecked(False)
            self.allow_pickle.blockSignals(False)
            return
        self.changed.emit()

    def set_paths(self, paths: Sequence[str]) -> None:
        self.path = str(paths[0])
        self.file.setText(Path(self.path).name)
        self.key.blockSignals(True)
        self.key.clear()
        self.key.addItems(editor_choice.npz_keys(self.path))  # lists names, loads none
        self.key.blockSignals(False)
        self.changed.emit()

    def value(self) -> np.ndarray | None:
        if not self.path:
            return None
        spec = editor_choice.array_reference(self.path, self.key.currentText())
        # The opt-in itself asked for confirmation; no second warning on every read.
        return arrays.load_array(spec, allow_pickle=self.allow_pickle.isChecked(), warn=_quiet)


class ExpressionEditor(Editor):
    label = "Expression"
    kind = "expression"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.edit = QLineEdit(objectName="expression")
        self.edit.setPlaceholderText("np.ones((1, 3))")
        self.edit.textChanged.connect(self.changed)
        self.limit = QSpinBox(objectName="expressionLimit", minimum=1, maximum=1 << 20)
        self.limit.setValue(expressions.DEFAULT_MAX_BYTES // MB)
        self.limit.setSuffix(" MB")
        self.limit.setToolTip(
            "The largest array an expression may make (checked before it is made)"
        )
        self.limit.valueChanged.connect(self.changed)
        self.form.addRow("Expression", self.edit)
        self.form.addRow("Size limit", self.limit)

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def value(self) -> np.ndarray | None:
        text = self.edit.text().strip()
        if not text:
            return None
        value = expressions.evaluate(text, max_bytes=self.limit.value() * MB)
        if expressions.is_literal(text):  # no dtype written: the input's, as on the command line
            return feed_policy.adopt_literal(value, self.spec.dtype)
        return value


class ArrayValueEditor(Editor):
    label = "Array (set)"
    kind = "array_value"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.array: np.ndarray | None = None
        self.summary = QLabel("", objectName="arraySummary")
        self.form.addRow(self.summary)

    def set_array(self, array: np.ndarray) -> None:
        self.array = frozen(np.asarray(array), copy=True)
        self.summary.setText(describe(validate.dtype_name(self.array), self.array.shape))
        self.changed.emit()

    def value(self) -> np.ndarray | None:
        return self.array
