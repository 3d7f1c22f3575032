"""Numbers typed in: one value for a scalar-like input, or a whole tensor filled with zeros,
ones, a constant or random values."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QComboBox, QLineEdit, QSpinBox

from inspector_app.errors import UserError
from inspector_app.inputs import fill, scalars, validate
from inspector_app.inputs.validate import TensorSpec
from inspector_app.ui.editors.base import Editor


class FillEditor(Editor):
    label = "Fill"
    kind = "fill"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.fill_kind = QComboBox(objectName="fillKind")
        for key, text in fill.FILL_KINDS.items():
            self.fill_kind.addItem(text, key)
        self.constant = QLineEdit("0", objectName="fillValue")
        self.seed = QSpinBox(objectName="fillSeed", minimum=0, maximum=2**31 - 1)
        free = 0 if spec.shape is None else sum(d < 0 for d in spec.shape)
        self.dims = QLineEdit(", ".join(["1"] * free), objectName="fillDims")
        self.dims.setPlaceholderText("whole shape, e.g. 2, 3" if spec.shape is None else "")
        self.form.addRow("Fill", self.fill_kind)
        self.form.addRow("Value", self.constant)
        self.form.addRow("Seed", self.seed)
        if spec.shape is None or free:
            self.form.addRow("Free dims" if free else "Shape", self.dims)
        for w in (self.fill_kind.currentIndexChanged, self.constant.textChanged,
                  self.seed.valueChanged, self.dims.textChanged):  # fmt: skip
            w.connect(self.changed)

    def value(self) -> np.ndarray | None:
        text = self.dims.text().replace(",", " ").split()
        dims: list | None = [int(t) if t.lstrip("-").isdigit() else t for t in text]
        if self.spec.shape is None and not dims:  # an empty zero fill would look "ready"
            raise UserError("the input's shape is unknown: give the whole shape (e.g. 2, 3)")
        if self.spec.shape is not None and not any(d < 0 for d in self.spec.shape):
            dims = None
        return fill.fill(self.spec, self.fill_kind.currentData(), dims=dims,
                         value=self.constant.text(), seed=self.seed.value())  # fmt: skip


class ScalarEditor(Editor):
    label = "Value"
    kind = "scalar"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.edit = QLineEdit(objectName="scalarValue")
        self.edit.setPlaceholderText(f"a {spec.dtype} value")
        self.edit.textChanged.connect(self.changed)
        self.form.addRow("Value", self.edit)

    def set_text(self, text: str) -> None:
        self.edit.setText(text)

    def value(self) -> np.ndarray | None:
        if not self.edit.text().strip() and not validate.is_string_dtype(self.spec.dtype):
            return None
        return scalars.scalar_feed(self.edit.text(), self.spec)
