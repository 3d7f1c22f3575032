"""The Batch dialog's choices: the items (a folder of images or .npy files, or a TFRecord file),
their labels, the model's class names, the batch size, the image options and the CSV file."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from inspector_app.errors import UserError
from inspector_app.inputs import images

KIND_TEXT = {"images": "Images folder", "arrays": ".npy folder", "examples": "TFRecord file"}


@dataclass(frozen=True)
class BatchChoice:
    """What the form says, checked: ready for ``prepare_batch``."""

    kind: str
    path: str
    labels: str | None  # "folders", a CSV path, or None
    label_names: list[str] | None
    batch_size: int | None  # None: what the signature allows
    options: images.ImageOptions
    csv_path: str | None


class BatchForm(QWidget):
    """The form's widgets keep the object names tests and users' scripts find them by."""

    def __init__(self, options: images.ImageOptions | None = None,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.kind_combo = QComboBox(objectName="batchKind")
        for key, text in KIND_TEXT.items():
            self.kind_combo.addItem(text, key)
        self.path_edit = QLineEdit(objectName="batchPath")
        self.path_edit.setPlaceholderText("a folder (searched recursively) or a .tfrecord file")
        self.browse_button = QPushButton("Browse…", objectName="batchBrowse")
        self.labels_combo = QComboBox(objectName="batchLabels")
        self.labels_combo.addItem("No labels", None)
        self.labels_combo.addItem("A folder per class", "folders")
        self.labels_combo.addItem("CSV file,label…", "csv")
        self.labels_edit = QLineEdit(objectName="batchLabelsCsv")
        self.labels_edit.setPlaceholderText("labels.csv")
        self.names_edit = QLineEdit(objectName="batchClassNames")
        self.names_edit.setPlaceholderText("model's class names file (default: its label asset)")
        self.names_edit.setToolTip("one class name per line, in class-id order")
        self.batch_spin = QSpinBox(objectName="batchSize")
        self.batch_spin.setRange(0, 4096)
        self.batch_spin.setSpecialValueText("auto")
        self.batch_spin.setToolTip("items per run; auto: what the signature allows, else 32")
        self.csv_edit = QLineEdit(objectName="batchCsv")
        self.csv_edit.setPlaceholderText("optional: write the rows to this CSV file as they come")
        defaults = options or images.ImageOptions()
        self.resize_combo = _combo("batchResize", images.RESIZE_MODES, defaults.resize)
        self.color_combo = _combo("batchColour", images.COLOR_MODES, defaults.color, auto=True)
        self.values_combo = _combo("batchValues", images.VALUE_PRESETS, defaults.values, auto=True)
        self._lay_out()
        self.browse_button.clicked.connect(self._browse)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.labels_combo.currentIndexChanged.connect(lambda _i: self._labels_changed())
        self._kind_changed()

    def _lay_out(self) -> None:
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        source = QHBoxLayout()
        source.addWidget(self.kind_combo)
        source.addWidget(self.path_edit, 1)
        source.addWidget(self.browse_button)
        form.addRow("Items:", source)
        labels = QHBoxLayout()
        labels.addWidget(self.labels_combo)
        labels.addWidget(self.labels_edit, 1)
        labels.addWidget(self.names_edit, 1)
        form.addRow("Labels:", labels)
        opts = QHBoxLayout()
        for text, widget in (("Batch", self.batch_spin), ("Resize", self.resize_combo),
                             ("Colour", self.color_combo), ("Values", self.values_combo)):  # fmt: skip
            opts.addWidget(QLabel(text))
            opts.addWidget(widget)
        opts.addStretch(1)
        form.addRow("Options:", opts)
        form.addRow("CSV:", self.csv_edit)

    def set_source(self, kind: str, path: str | os.PathLike, labels: str | None = None) -> None:
        """Choose the items: ``kind`` images/arrays/examples, and labels (``folders``, a CSV)."""
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
        self.path_edit.setText(str(path))
        if labels == "folders":
            self.labels_combo.setCurrentIndex(1)
        elif labels:
            self.labels_combo.setCurrentIndex(2)
            self.labels_edit.setText(str(labels))
        else:
            self.labels_combo.setCurrentIndex(0)

    def image_options(self) -> images.ImageOptions:
        return images.ImageOptions(
            resize=self.resize_combo.currentData(),
            color=self.color_combo.currentData(),
            values=self.values_combo.currentData(),
        )

    def choice(self) -> BatchChoice:
        """The choices, or a UserError (one line) saying what is missing."""
        labels = self.labels_combo.currentData()
        if labels == "csv":
            labels = self.labels_edit.text().strip()
            if not labels:
                raise UserError("choose the CSV file of file,label rows")
        path = self.path_edit.text().strip()
        if not path:
            raise UserError("choose a folder of items or a TFRecord file")
        names = None
        if self.names_edit.text().strip():
            from inspector_app.results.labels import read_label_file

            names = read_label_file(os.path.expanduser(self.names_edit.text().strip()))
        return BatchChoice(self.kind_combo.currentData(), os.path.expanduser(path), labels,
                           names, self.batch_spin.value() or None, self.image_options(),
                           self.csv_edit.text().strip() or None)  # fmt: skip

    def _kind_changed(self) -> None:
        images_kind = self.kind_combo.currentData() == "images"
        for w in (self.resize_combo, self.color_combo, self.values_combo):
            w.setEnabled(images_kind)
        self.labels_combo.model().item(1).setEnabled(self.kind_combo.currentData() != "examples")

    def _labels_changed(self) -> None:
        csv = self.labels_combo.currentData() == "csv"
        self.labels_edit.setEnabled(csv)
        if csv and not self.labels_edit.text():
            path, _ = QFileDialog.getOpenFileName(self, "Labels: a CSV of file,label rows",
                                                  self.path_edit.text(), "CSV (*.csv);;All files (*)")  # fmt: skip
            if path:
                self.labels_edit.setText(path)

    def _browse(self) -> None:
        start = self.path_edit.text() or str(Path.home())
        if self.kind_combo.currentData() == "examples":
            path, _ = QFileDialog.getOpenFileName(self, "A TFRecord file of tf.Example records",
                                                  start, "TFRecord (*.tfrecord *.tfrecords *.rio);;All files (*)")  # fmt: skip
        else:
            path = QFileDialog.getExistingDirectory(self, "A folder of items", start)
        if path:
            self.path_edit.setText(path)


def _combo(
    name: str, choices: dict[str, str], current: str | None, auto: bool = False
) -> QComboBox:
    combo = QComboBox(objectName=name)
    if auto:
        combo.addItem("Auto", None)
    for key, text in choices.items():
        combo.addItem(text, key)
    index = combo.findData(current)
    combo.setCurrentIndex(max(0, index))
    return combo
