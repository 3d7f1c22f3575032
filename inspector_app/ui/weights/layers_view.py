"""The Keras-style layer summary of a model's weights: layer, type, output shape, parameters."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector_app.ui.weights.steps import Steps
from inspector_app.ui.weights.summary import plural

CHUNK_ROWS = 40  # layer rows filled per step (200 cells, each a call into Qt: about 4 ms)
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class LayersView(QWidget):
    def __init__(self, parent: QWidget | None = None, steps: Steps | None = None) -> None:
        super().__init__(parent)
        self.steps = steps if steps is not None else Steps(self)  # where the chunks queue
        self._layers: list[Any] = []
        self._generation = 0
        self.layer_table = QTableWidget(0, 5, objectName="layerTable")
        self.layer_table.setHorizontalHeaderLabels(
            ["Layer", "Type", "Output shape", "Params", "Trainable"]
        )
        self.layer_table.verticalHeader().setVisible(False)
        self.layer_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.layer_table.horizontalHeader().setStretchLastSection(True)
        self.layer_table.horizontalHeader().resizeSection(0, 220)
        self.layer_table.horizontalHeader().resizeSection(1, 170)
        self.layer_note = QLabel("", objectName="layerNote")
        self.layer_note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.layer_table, 1)
        layout.addWidget(self.layer_note)

    def set_layers(self, layers: list[Any]) -> None:
        """Show ``layers``: the rows are filled a chunk per turn of the event loop (a model of
        a thousand layers is five thousand cells, each a call into Qt)."""
        self._layers = list(layers)
        self._generation += 1
        self.layer_table.setRowCount(len(layers))
        if layers:
            self.steps.add(lambda g=self._generation: self._fill(g, 0))
        self._note(layers)

    def _fill(self, generation: int, start: int) -> None:
        if generation != self._generation:
            return
        stop = min(start + CHUNK_ROWS, len(self._layers))
        for row in range(start, stop):
            layer = self._layers[row]
            cells = [layer.name, layer.type, layer.output_shape or "",
                     f"{layer.params:,}", f"{layer.trainable_params:,}"]  # fmt: skip
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col >= 3:
                    item.setTextAlignment(_RIGHT)
                self.layer_table.setItem(row, col, item)
        if stop < len(self._layers):
            self.steps.add(lambda: self._fill(generation, stop))

    def _note(self, layers: list[Any]) -> None:
        if not layers:
            self.layer_note.setText("")
            return
        total = sum(layer.params for layer in layers)
        inferred = any(layer.type.endswith("?") for layer in layers)
        note = f"{plural(len(layers), 'layer')} with weights, {total:,} parameters."
        if inferred:
            note += (" Types marked ? are told by the names and shapes of the weights (the"
                     " export has no keras_metadata.pb); output shapes show the axes the weights fix.")  # fmt: skip
        self.layer_note.setText(note)
