"""A string input fed serialized tf.train.Example records: a table of features, pre-filled
with the ones the graph's parse op reads when they were found."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem

from inspector_app.inputs import examples, strings
from inspector_app.inputs.validate import TensorSpec
from inspector_app.ui.editors.base import Editor


class ExampleEditor(Editor):
    label = "tf.Example table"
    kind = "example"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.features: list | None = None  # what the graph parses, when it was found
        self.table = QTableWidget(1, 3, objectName="featureTable")
        self.table.setHorizontalHeaderLabels(["Feature", "Kind (float/int64/bytes)", "Values"])
        self.table.setItem(0, 1, QTableWidgetItem("float"))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(90)
        self.table.setMaximumHeight(200)
        self.table.setToolTip("One tf.train.Example: a feature per row, values separated by "
                              "commas (float and int64 also by spaces)")  # fmt: skip
        self.table.itemChanged.connect(self.changed)
        add = QPushButton("Add feature", objectName="addFeature")
        add.setToolTip("Add a row for another feature")
        add.clicked.connect(lambda: self.table.insertRow(self.table.rowCount()))
        self.found = QLabel(objectName="featuresFound", wordWrap=True, visible=False)
        self.form.addRow(self.found)
        self.form.addRow(self.table)
        self.form.addRow(add)

    def prefill(self, features: list) -> None:
        """One row per feature the graph parses: its name, kind and default (required dense
        features of up to 1024 values start as zeros)."""
        self.features = list(features)
        self.table.blockSignals(True)
        self.table.setRowCount(0)
        for row, feature in enumerate(self.features):
            values = examples.default_values_text(feature)
            self.set_feature(row, feature.name, feature.list_kind, values)
            how = "required" if feature.required else feature.kind
            shape = feature.shape if feature.shape is not None else ""
            for col in range(3):
                self.table.item(row, col).setToolTip(
                    f"{feature.name}: {feature.dtype} {shape} ({how}), read from the graph"
                )
        self.table.blockSignals(False)
        self.found.setText(
            f"Features read from the graph's parse op: {len(self.features)} "
            f"({sum(f.required for f in self.features)} required)"
        )
        self.found.setVisible(True)
        self.changed.emit()

    def set_feature(self, row: int, name: str, kind: str, values: str) -> None:
        while self.table.rowCount() <= row:
            self.table.insertRow(self.table.rowCount())
        for col, text in enumerate((name, kind, values)):
            self.table.setItem(row, col, QTableWidgetItem(text))

    def value(self) -> np.ndarray | None:
        features = []
        for r in range(self.table.rowCount()):
            cells = [
                self.table.item(r, c).text() if self.table.item(r, c) else "" for c in range(3)
            ]
            known = next((f for f in self.features or () if f.name == cells[0].strip()), None)
            if known is not None and not known.required and not cells[2].strip():
                continue  # an optional feature left empty is left out of the record
            if cells[0].strip():
                features.append(
                    strings.parse_feature(cells[0], cells[1].strip() or "float", cells[2])
                )
        if features and self.features:  # name a missing or misshapen feature now
            record = {f.name: list(f.values) for f in features}
            examples.check_examples(self.spec.name, [record], self.features)
        return strings.serialized_examples([features], self.spec) if features else None
