"""Image inputs: files decoded, resized and scaled by a preset to the input's dtype, and the
height/width inputs filled from the image's size."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel

from inspector_app.errors import UserError
from inspector_app.inputs import images
from inspector_app.inputs.validate import TensorSpec
from inspector_app.ui.editors.base import Editor, files_button


class ImageEditor(Editor):
    label = "Image"
    kind = "image"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.paths: list[str] = []
        self.files = QLabel("no image chosen", objectName="imageFiles", wordWrap=True)
        self.thumb = QLabel(objectName="imageThumb")
        pick = QHBoxLayout()
        pick.addWidget(files_button(self, "Choose images", self._filters(), True))
        pick.addWidget(self.files, 1)
        self.form.addRow(pick)
        self.form.addRow(self.thumb)
        defaults = images.default_options(spec)
        self.resize_combo = self._combo("resizeMode", images.RESIZE_MODES, defaults.resize)
        self.color_combo = self._combo("colorMode", images.COLOR_MODES, None)
        self.values_combo = self._combo("valuePreset", images.VALUE_PRESETS, defaults.values)
        self.form.addRow("Resize", self.resize_combo)
        self.form.addRow("Colour", self.color_combo)
        self.form.addRow("Values", self.values_combo)

    @staticmethod
    def _filters() -> str:
        return f"Images ({' '.join(images.image_file_suffixes())});;All files (*)"

    def _combo(self, name: str, choices: dict[str, str], current: str | None) -> QComboBox:
        combo = QComboBox(objectName=name)
        if current is None:
            combo.addItem("Auto", None)
        for key, text in choices.items():
            combo.addItem(text, key)
        if current is not None:
            combo.setCurrentIndex(combo.findData(current))
        combo.currentIndexChanged.connect(self.changed)
        return combo

    def set_paths(self, paths: Sequence[str]) -> None:
        self.paths = [str(p) for p in paths]
        names = ", ".join(Path(p).name for p in self.paths[:4])
        more = f" and {len(self.paths) - 4} more" if len(self.paths) > 4 else ""
        self.files.setText(names + more)
        self.thumb.clear()
        try:
            small = images.thumbnail(self.paths[0], 72)
            qimg = QImage(small.tobytes(), small.width, small.height, 3 * small.width,
                          QImage.Format.Format_RGB888).copy()  # fmt: skip
            self.thumb.setPixmap(QPixmap.fromImage(qimg))
        except (UserError, MemoryError, ValueError, OSError):
            pass  # the row's status line says what is wrong with the file
        self.changed.emit()

    def options(self) -> images.ImageOptions:
        return images.ImageOptions(
            resize=self.resize_combo.currentData(),
            color=self.color_combo.currentData(),
            values=self.values_combo.currentData(),
        )

    def set_options(self, options: dict[str, str]) -> None:
        """Choose the resize, colour and value presets by their keys (an input set's)."""
        for combo, field in ((self.resize_combo, "resize"), (self.color_combo, "color"),
                             (self.values_combo, "values")):  # fmt: skip
            if field in options:
                combo.setCurrentIndex(max(0, combo.findData(options[field])))

    def value(self) -> np.ndarray | None:
        if not self.paths:
            return None
        return images.build_image_batch(self.paths, self.spec, self.options())


class AutoSizeEditor(Editor):
    """A height or width input beside an image input: the builder fills it from the image."""

    label = "From the image size"
    kind = "autosize"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.current: np.ndarray | None = None
        self.note = QLabel("filled from the image input", objectName="autoSize")
        self.form.addRow(self.note)

    def set_current(self, value: np.ndarray) -> bool:
        """Take ``value``; False when it is the one already shown."""
        if self.current is not None and np.array_equal(self.current, value):
            return False
        self.current = value
        self.note.setText(f"{int(value.reshape(-1)[0])} (from the image)")
        return True

    def value(self) -> np.ndarray | None:
        return self.current
