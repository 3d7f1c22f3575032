"""The input builder: one row per signature input, with an editor that fits it (image files,
array file, expression, fill, scalar, text lines, file bytes, tf.Example table), whether the row
is ready, and a one-click fix when the value almost fits.

Standalone: give it a signature's inputs (objects with name, dtype, shape); read ``feeds()``;
``ready_changed(bool)`` says when Run may be enabled.
"""

from __future__ import annotations

import html
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.errors import UserError
from inspector_app.inputs import (
    arrays,
    examples,
    expressions,
    fill,
    images,
    inputset,
    scalars,
    serving,
    strings,
    validate,
    warmup,
)
from inspector_app.inputs.validate import Check, TensorSpec, describe
from inspector_app.safeio import escape, one_line, refuse_message, special_kind
from inspector_app.ui.palette import problem_colour


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


class _Editor(QWidget):
    """One way to make a value; ``value()`` builds it (UserError when it cannot)."""

    changed = Signal()
    label = ""

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__()
        self.spec = spec
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)

    def value(self) -> np.ndarray | None:
        raise NotImplementedError


def _files_button(editor: _Editor, caption: str, filters: str, multi: bool) -> QPushButton:
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


class ImageEditor(_Editor):
    label = "Image"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.paths: list[str] = []
        self.files = QLabel("no image chosen", objectName="imageFiles", wordWrap=True)
        self.thumb = QLabel(objectName="imageThumb")
        pick = QHBoxLayout()
        pick.addWidget(_files_button(self, "Choose images", self._filters(), True))
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

    def value(self) -> np.ndarray | None:
        if not self.paths:
            return None
        return images.build_image_batch(self.paths, self.spec, self.options())


class FillEditor(_Editor):
    label = "Fill"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.kind = QComboBox(objectName="fillKind")
        for key, text in fill.FILL_KINDS.items():
            self.kind.addItem(text, key)
        self.constant = QLineEdit("0", objectName="fillValue")
        self.seed = QSpinBox(objectName="fillSeed", minimum=0, maximum=2**31 - 1)
        free = 0 if spec.shape is None else sum(d < 0 for d in spec.shape)
        self.dims = QLineEdit(", ".join(["1"] * free), objectName="fillDims")
        self.dims.setPlaceholderText("whole shape, e.g. 2, 3" if spec.shape is None else "")
        self.form.addRow("Fill", self.kind)
        self.form.addRow("Value", self.constant)
        self.form.addRow("Seed", self.seed)
        if spec.shape is None or free:
            self.form.addRow("Free dims" if free else "Shape", self.dims)
        for w in (self.kind.currentIndexChanged, self.constant.textChanged, self.seed.valueChanged,
                  self.dims.textChanged):  # fmt: skip
            w.connect(self.changed)

    def value(self) -> np.ndarray | None:
        text = self.dims.text().replace(",", " ").split()
        dims = [int(t) if t.lstrip("-").isdigit() else t for t in text]
        if self.spec.shape is None and not dims:  # an empty zero fill would look "ready"
            raise UserError("the input's shape is unknown: give the whole shape (e.g. 2, 3)")
        if (
            self.spec.shape is None
            and not dims
            or self.spec.shape is not None
            and not any(d < 0 for d in self.spec.shape)
        ):
            dims = None
        return fill.fill(self.spec, self.kind.currentData(), dims=dims,
                         value=self.constant.text(), seed=self.seed.value())  # fmt: skip


class ScalarEditor(_Editor):
    label = "Value"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.edit = QLineEdit(objectName="scalarValue")
        self.edit.setPlaceholderText(f"a {spec.dtype} value")
        self.edit.textChanged.connect(self.changed)
        self.form.addRow("Value", self.edit)

    def value(self) -> np.ndarray | None:
        if not self.edit.text().strip() and not validate.is_string_dtype(self.spec.dtype):
            return None
        return scalars.scalar_feed(self.edit.text(), self.spec)


class TextEditor(_Editor):
    label = "Text lines"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.edit = QPlainTextEdit(objectName="textLines")
        self.edit.setPlaceholderText("one string per line")
        self.edit.setMaximumHeight(90)
        self.edit.textChanged.connect(self.changed)
        self.form.addRow(self.edit)

    def value(self) -> np.ndarray | None:
        if not self.edit.toPlainText().strip():
            return None
        return strings.text_lines(self.edit.toPlainText(), self.spec)


class BytesEditor(_Editor):
    label = "File bytes"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.paths: list[str] = []
        self.files = QLabel("no file chosen", objectName="bytesFiles")
        self.form.addRow(_files_button(self, "Choose files", "All files (*)", True), self.files)

    def set_paths(self, paths: Sequence[str]) -> None:
        self.paths = [str(p) for p in paths]
        self.files.setText(", ".join(Path(p).name for p in self.paths))
        self.changed.emit()

    def value(self) -> np.ndarray | None:
        return strings.file_bytes(self.paths, self.spec) if self.paths else None


class ArrayEditor(_Editor):
    label = "Array file"

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
        self.form.addRow(_files_button(self, "Choose an array", filters, False), self.file)
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
        if self.path.endswith(".npz") and special_kind(self.path) is None:  # never a pipe
            try:
                with np.load(self.path, allow_pickle=False) as data:  # lists names, loads none
                    self.key.addItems(list(data.files))
            except (OSError, ValueError, zipfile.BadZipFile):
                pass  # value() says what is wrong with the file
        self.key.blockSignals(False)
        self.changed.emit()

    def value(self) -> np.ndarray | None:
        if not self.path:
            return None
        key = self.key.currentText()
        spec = f"{self.path}[{key}]" if key else self.path
        # The opt-in itself asked for confirmation; no second warning on every read.
        return arrays.load_array(spec, allow_pickle=self.allow_pickle.isChecked(), warn=_quiet)


class ExpressionEditor(_Editor):
    label = "Expression"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.edit = QLineEdit(objectName="expression")
        self.edit.setPlaceholderText("np.ones((1, 3))")
        self.edit.textChanged.connect(self.changed)
        self.limit = QSpinBox(objectName="expressionLimit", minimum=1, maximum=1 << 20)
        self.limit.setValue(expressions.DEFAULT_MAX_BYTES // 2**20)
        self.limit.setSuffix(" MiB")
        self.limit.setToolTip(
            "The largest array an expression may make (checked before it is made)"
        )
        self.limit.valueChanged.connect(self.changed)
        self.form.addRow("Expression", self.edit)
        self.form.addRow("Size limit", self.limit)

    def value(self) -> np.ndarray | None:
        text = self.edit.text().strip()
        if not text:
            return None
        return expressions.evaluate(text, max_bytes=self.limit.value() * 2**20)


class ExampleEditor(_Editor):
    label = "tf.Example table"

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
            if feature.default is not None:
                values = ", ".join(str(v) for v in feature.default)
            elif feature.required and feature.shape is not None and all(d >= 0 for d in feature.shape):  # fmt: skip
                count = int(np.prod(feature.shape)) if feature.shape else 1
                zero = "0.0" if feature.list_kind == "float" else "0"
                values = ", ".join([zero] * count) if count <= 1024 and feature.list_kind != "bytes" else ""  # fmt: skip
            else:
                values = ""
            self.set_feature(row, feature.name, feature.list_kind, values)
            how = "required" if feature.required else feature.kind
            for col in range(3):
                self.table.item(row, col).setToolTip(
                    f"{feature.name}: {feature.dtype} {feature.shape if feature.shape is not None else ''} ({how}), read from the graph"  # fmt: skip
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


class AutoSizeEditor(_Editor):
    label = "From the image size"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.current: np.ndarray | None = None
        self.note = QLabel("filled from the image input", objectName="autoSize")
        self.form.addRow(self.note)

    def value(self) -> np.ndarray | None:
        return self.current


class ArrayValueEditor(_Editor):
    label = "Array (set)"

    def __init__(self, spec: TensorSpec) -> None:
        super().__init__(spec)
        self.array: np.ndarray | None = None
        self.summary = QLabel("", objectName="arraySummary")
        self.form.addRow(self.summary)

    def set_array(self, array: np.ndarray) -> None:
        self.array = _frozen(np.asarray(array), copy=True)
        self.summary.setText(describe(validate.dtype_name(self.array), self.array.shape))
        self.changed.emit()

    def value(self) -> np.ndarray | None:
        return self.array


def _why(exc: BaseException) -> str:
    if isinstance(exc, MemoryError):
        return "too large for memory; use a smaller value"
    if isinstance(exc, RecursionError):
        return "nested too deeply; simplify it"
    return f"{type(exc).__name__}: {exc}"


def _frozen(value: Any, copy: bool = False) -> Any:
    """A read-only array of ``value``'s values (a copy when asked, else a view): the engine
    sends a read-only array it has sent before as a reference to the worker's copy."""
    if not isinstance(value, np.ndarray) or not value.flags.writeable:
        return value
    frozen = value.copy() if copy else value.view()
    frozen.setflags(write=False)
    return frozen


def editor_kinds(spec: TensorSpec, has_image_input: bool) -> list[type[_Editor]]:
    """The editors that fit an input, the best first."""
    kinds: list[type[_Editor]] = []
    string = validate.is_string_dtype(spec.dtype)
    scalar_like = spec.shape is not None and (len(spec.shape) == 0 or spec.shape in ([1], [-1]))
    if has_image_input and spec.name in scalars.dimension_inputs([spec]):
        kinds.append(AutoSizeEditor)
    if images.is_image_spec(spec):
        kinds.append(ImageEditor)
    if string:
        kinds += [TextEditor, ExampleEditor, BytesEditor]
    elif scalar_like:
        kinds.append(ScalarEditor)
    if not string:
        kinds.append(FillEditor)
        if ImageEditor not in kinds and spec.dtype in images.IMAGE_DTYPES:
            kinds.append(ImageEditor)  # any input the user points at an image
    kinds.append(ArrayEditor)
    kinds.append(ExpressionEditor)
    kinds.append(ArrayValueEditor)
    return kinds


class InputRow(QFrame):
    """Name, dtype and shape; the editor kind; the editor; ready or the problem + fix."""

    changed = Signal()

    def __init__(self, spec: TensorSpec, has_image_input: bool) -> None:
        super().__init__(objectName=f"inputRow:{spec.name}")
        self.spec = spec
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.check = Check(False, "no value yet")
        self._value: np.ndarray | None = None
        name = html.escape(escape(spec.name))  # a name from the model: no markup, no escapes
        self.title = QLabel(f"<b>{name}</b>  {describe(spec.dtype, spec.shape)}",
                            objectName="inputTitle")  # fmt: skip
        self.kind_combo = QComboBox(objectName="editorKind")
        self.stack = QStackedWidget(objectName="editorStack")
        # Each kind of editor is made when it is first chosen: a signature with many inputs
        # would otherwise build every editor of every row at once, on the GUI thread.
        self.editors: dict[type[_Editor], _Editor | None] = {}
        for cls in editor_kinds(spec, has_image_input):
            self.editors[cls] = None
            self.stack.addWidget(QWidget())  # stands in until the editor is made
            self.kind_combo.addItem(cls.label, cls.__name__)
        self._make(0)
        self.stack.setCurrentIndex(0)
        self.status = QLabel(objectName="inputStatus", wordWrap=True)
        self.fix_button = QPushButton(objectName="fixButton", visible=False)
        self.fix_button.setToolTip("Repair the value; the expression or editor stays editable")
        self.fix_button.clicked.connect(self.apply_fix)
        self.fixes: list[validate.Fix] = []  # repairs applied after an editor that cannot show them
        self.fix_note = QLabel(objectName="fixNote", visible=False)
        self.undo_button = QPushButton("Undo fix", objectName="undoFix", visible=False)
        self.undo_button.setToolTip("Feed the editor's value as it is, without the repair")
        self.undo_button.clicked.connect(self.undo_fixes)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.kind_combo)
        foot = QHBoxLayout()
        foot.addWidget(self.status, 1)
        foot.addWidget(self.fix_note)
        foot.addWidget(self.undo_button)
        foot.addWidget(self.fix_button)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.stack)
        layout.addLayout(foot)
        self.refresh()

    def editor(self) -> _Editor:
        return self.stack.currentWidget()  # type: ignore[return-value]

    def _make(self, index: int) -> _Editor:
        cls = list(self.editors)[index]
        editor = self.editors[cls]
        if editor is None:
            editor = cls(self.spec)
            stand_in = self.stack.widget(index)
            self.stack.insertWidget(index, editor)
            self.stack.removeWidget(stand_in)
            stand_in.deleteLater()
            self.editors[cls] = editor
            editor.changed.connect(self.refresh)
        return editor

    def use(self, cls: type[_Editor]) -> _Editor:
        if cls not in self.editors:
            raise UserError(f"{self.spec.name} cannot take a value of that kind ({cls.label})")
        index = list(self.editors).index(cls)
        editor = self._make(index)
        if self.kind_combo.currentIndex() == index:
            self.stack.setCurrentIndex(index)
        else:
            self.kind_combo.setCurrentIndex(index)
        return editor

    def _kind_changed(self, index: int) -> None:
        self.fixes.clear()
        self._make(index)
        self.stack.setCurrentIndex(index)
        self.refresh()

    def value(self) -> np.ndarray | None:
        return self._value

    def refresh(self) -> None:
        try:
            value = self.editor().value()
            if self.fixes and not validate.check_feed(value, self.spec).ready:
                for fix in self.fixes:  # repairs applied after the user's editor
                    value = fix.apply(value)
            elif self.fixes:
                self.fixes.clear()  # the editor's own value fits now: no repair needed
            self._value = _frozen(value)
            self.check = validate.check_feed(self._value, self.spec)
        except UserError as exc:
            self._value = None
            self.check = Check(False, one_line(str(exc)))
        except (MemoryError, RecursionError, ValueError, TypeError, OverflowError) as exc:
            self._value = None  # never an exception out of an editor: a message on the row
            self.check = Check(False, one_line(f"cannot use this value: {_why(exc)}"))
        ok = self.check.ready
        self.status.setText("✓ ready" if ok else self.check.message)
        self.status.setStyleSheet("" if ok else f"color: {problem_colour(self.status)};")
        self.fix_note.setText(
            "then: " + "; ".join(f.label.lower() for f in self.fixes) if self.fixes else ""
        )
        self.fix_note.setVisible(bool(self.fixes))
        self.undo_button.setVisible(bool(self.fixes))
        self.fix_button.setVisible(self.check.fix is not None)
        if self.check.fix is not None:
            self.fix_button.setText(self.check.fix.label)
        self.changed.emit()

    def apply_fix(self) -> None:
        """Repair the value so that it stays the user's: an expression is rewritten
        (``x`` -> ``x[None]``), a small array becomes an editable expression of its values,
        and any other editor keeps its settings with the repair applied after it."""
        fix = self.check.fix
        if fix is None or self._value is None:
            return
        editor = self.editor()
        if isinstance(editor, ExpressionEditor) and fix.rewrite is not None:
            editor.edit.setText(fix.rewrite(editor.edit.text()))
            return
        fixed = fix.apply(self._value)
        text = expressions.to_expression(fixed)
        if text is not None:
            self.use(ExpressionEditor).edit.setText(text)  # type: ignore[attr-defined]
            return
        self.fixes.append(fix)
        self.refresh()

    def set_values(self, array: np.ndarray) -> None:
        """Fill the row with ``array`` as editable text (an expression of its values), or as a
        set array when it is too large to show."""
        text = expressions.to_expression(array)
        if text is not None and ExpressionEditor in self.editors:
            self.use(ExpressionEditor).edit.setText(text)  # type: ignore[attr-defined]
        else:
            self.use(ArrayValueEditor).set_array(array)  # type: ignore[attr-defined]

    def undo_fixes(self) -> None:
        self.fixes.clear()
        self.refresh()


class InputBuilder(QWidget):
    """All inputs of one signature; ``feeds()`` and ``ready_changed(bool)``."""

    ready_changed = Signal(bool)
    feeds_changed = Signal()

    def __init__(self, specs: Sequence[TensorSpec] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="inputBuilder")
        self.rows: dict[str, InputRow] = {}
        self._ready = False
        self._specs: list[TensorSpec] = []
        self.empty = QLabel("This signature takes no inputs.", objectName="noInputs")
        self.body = QWidget()
        self.rows_layout = QVBoxLayout(self.body)
        self.rows_layout.addStretch(1)
        scroll = QScrollArea(objectName="inputScroll", widgetResizable=True)
        scroll.setWidget(self.body)
        self.config_dir: Path | None = None  # input sets; None: the user's config folder
        self.signature = "serving_default"
        self.model_name = "model"  # TF Serving's model name (the folder name), for REST bodies
        self.model_key: str | None = None  # the model's path: last-used sets are kept per model
        self.model_dir: Path | None = None  # where the model's own warmup requests are looked for
        self.more = QToolButton(objectName="inputActions", text="Inputs…")
        self.more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more)
        self.model_warmup_action = menu.addAction(
            "Warmup requests in the model (assets.extra)…",
            lambda: self._guarded(self._load_model_warmup),
        )
        self.model_warmup_action.setVisible(False)
        for text, slot in (
            ("Paste a TF Serving REST body…", self._paste_body),
            ("Copy the REST body and curl command", self._copy_body),
            ("Load a warmup file…", self._load_warmup),
            ("Write a warmup file…", self._write_warmup),
            ("Save the inputs as a set…", self._save_set),
            ("Load an input set…", self._load_set),
        ):
            menu.addAction(text, lambda slot=slot: self._guarded(slot))
        self.more.setMenu(menu)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.more)
        layout.addWidget(self.empty)
        layout.addWidget(scroll, 1)
        self.set_specs(specs)

    def set_specs(self, specs: Sequence[TensorSpec]) -> None:
        """Show the inputs of another signature (rows start empty)."""
        for row in self.rows.values():
            row.setParent(None)
            row.deleteLater()
        self.rows.clear()
        self._specs = list(specs)
        has_image = any(images.is_image_spec(s) for s in specs)
        for spec in sorted(specs, key=lambda s: s.name):
            row = InputRow(spec, has_image)
            row.changed.connect(lambda name=spec.name: self._row_changed(name))
            self.rows[spec.name] = row
            self.rows_layout.insertWidget(self.rows_layout.count() - 1, row)
        self.empty.setVisible(not specs)
        self._update_ready(force=True)

    def specs(self) -> list[TensorSpec]:
        return list(self._specs)

    def _row_changed(self, name: str) -> None:
        if not isinstance(self.rows[name].editor(), AutoSizeEditor):
            self._autofill()
        self._update_ready()
        self.feeds_changed.emit()

    def _autofill(self) -> None:
        filled = scalars.autofill_dimensions(self._specs, self.feeds())
        for name, value in filled.items():
            editor = self.rows[name].editor()
            if isinstance(editor, AutoSizeEditor) and not np.array_equal(editor.current, value):
                editor.current = value
                editor.note.setText(f"{int(value.reshape(-1)[0])} (from the image)")
                self.rows[name].refresh()

    def _update_ready(self, force: bool = False) -> None:
        ready = all(r.check.ready for r in self.rows.values())
        if ready != self._ready or force:
            self._ready = ready
            self.ready_changed.emit(ready)

    def is_ready(self) -> bool:
        return self._ready

    def checks(self) -> dict[str, Check]:
        return {name: row.check for name, row in self.rows.items()}

    def feeds(self) -> dict[str, np.ndarray]:
        """The current value of every input that has one."""
        return {n: r.value() for n, r in self.rows.items() if r.value() is not None}

    def row(self, name: str) -> InputRow:
        if name not in self.rows:
            known = ", ".join(self.rows) or "none"
            raise UserError(f"the signature has no input named {name!r} (inputs: {known})")
        return self.rows[name]

    def set_input(self, name: str, value: Any) -> None:
        """Set an input from a numpy array, an image/array/other file path, or a string.

        Raises only UserError; the row then shows that error, not the one before."""
        row = self.row(name)
        try:
            self._set_input(row, name, value)
        except Exception as exc:  # noqa: BLE001 - MemoryError, RecursionError, ValueError...
            message = one_line(str(exc) if isinstance(exc, UserError) else _why(exc))
            row._value = None
            row.check = Check(False, message)
            row.status.setText(message)
            row.status.setStyleSheet("color: #b00020;")
            self._update_ready()
            if isinstance(exc, UserError):
                raise
            raise UserError(f"{name}: {message}") from None

    def _set_input(self, row: InputRow, name: str, value: Any) -> None:
        if isinstance(value, np.ndarray) or not isinstance(value, (str, Path)):
            row.use(ArrayValueEditor).set_array(np.asarray(value))  # type: ignore[attr-defined]
            return
        text = str(value)
        path = Path(text)
        kind = special_kind(text) if len(text) < 4096 and "\n" not in text else None
        if kind is not None and kind != "a folder":  # a pipe or a device: never opened
            raise UserError(f"{escape(text)}: {refuse_message(kind, 'a file')}")
        is_file = len(text) < 4096 and "\n" not in text and path.is_file()
        if is_file and path.suffix.lower() in (".npy", ".npz"):
            row.use(ArrayEditor).set_paths([text])  # type: ignore[attr-defined]
        elif is_file and images.is_image_path(path) and ImageEditor in row.editors:
            row.use(ImageEditor).set_paths([text])  # type: ignore[attr-defined]
        elif is_file and BytesEditor in row.editors:
            row.use(BytesEditor).set_paths([text])  # type: ignore[attr-defined]
        elif TextEditor in row.editors:
            row.use(TextEditor).edit.setPlainText(text)  # type: ignore[attr-defined]
        elif ScalarEditor in row.editors:
            row.use(ScalarEditor).edit.setText(text)  # type: ignore[attr-defined]
        else:
            expr = ExpressionEditor in row.editors
            if not expr:
                raise UserError(f"{name}: cannot make a {row.spec.dtype} tensor from {text!r}")
            row.use(ExpressionEditor).edit.setText(text)  # type: ignore[attr-defined]

    def set_example_features(self, features: list | None, fed_examples: bool = False) -> None:
        """Rows of string inputs whose records the graph parses open the tf.Example table
        pre-filled with the features (``fed_examples``: a classify/regress signature, whose
        string input takes tf.Example records even when the parse op was not found)."""
        for name, row in self.rows.items():
            ours = [f for f in features or () if f.input in ("", name)]
            if ExampleEditor not in row.editors or not (ours or fed_examples):
                continue
            editor = row.use(ExampleEditor)
            if ours:
                editor.prefill(ours)  # type: ignore[attr-defined]

    def set_feeds(self, feeds: dict[str, np.ndarray]) -> None:
        """Fill several inputs from arrays (an input set, a warmup record, a REST body)."""
        for name, value in feeds.items():
            self.row(name).set_values(np.asarray(value))

    # TF Serving bodies, warmup records and input sets (Qt-free logic in inspector_app.inputs)

    def _guarded(self, slot) -> None:
        try:
            slot()
        except UserError as exc:
            QMessageBox.warning(self, "Inputs", one_line(str(exc), 600))
        except Exception as exc:  # noqa: BLE001 - a hostile body or file: a message, never a crash
            QMessageBox.warning(self, "Inputs", one_line(_why(exc), 600))

    def _paste_body(self) -> None:
        text, ok = QInputDialog.getMultiLineText(self, "REST body", "Paste a predict body:")
        if ok and text.strip():
            self.load_request_body(text)

    message = Signal(str)  # a confirmation for the status bar

    def _say(self, text: str) -> None:
        self.message.emit(text)
        window = self.window()
        bar = getattr(window, "statusBar", None)
        if callable(bar):
            bar().showMessage(text, 10000)

    def _refuse_unless_ready(self, what: str) -> None:
        bad = [f"{name}: {row.check.message}" for name, row in self.rows.items() if not row.check.ready]  # fmt: skip
        if bad:
            raise UserError(f"cannot {what} while inputs are not ready ({'; '.join(bad)})")

    def _copy_body(self) -> None:
        self._refuse_unless_ready("copy the REST body")
        body = self.request_body(self.signature)
        cmd = serving.curl_command(self.model_name, body)
        QApplication.clipboard().setText(cmd)
        self._say(f"Copied the REST body ({len(body):,} bytes) and curl command for "
                  f"{self.model_name!r}, signature {self.signature!r}")  # fmt: skip

    def set_model(self, name: str, key: str, model_dir: str | Path | None) -> None:
        """Name the model whose signature the rows are for; offers its own warmup requests."""
        self.model_name, self.model_key = name, key
        self.model_dir = Path(model_dir) if model_dir is not None else None
        found = warmup.find_warmup_file(self.model_dir) if self.model_dir is not None else None
        self.model_warmup_action.setVisible(found is not None)

    def _load_model_warmup(self) -> None:
        found = warmup.find_warmup_file(self.model_dir) if self.model_dir is not None else None
        if found is None:
            raise UserError("this model has no assets.extra/tf_serving_warmup_requests")
        self._choose_warmup_record(str(found))

    def _load_warmup(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Warmup file", "", "All files (*)")
        if path:
            self._choose_warmup_record(path)

    def _choose_warmup_record(self, path: str) -> None:
        records = warmup.read_warmup(path)
        if not records:
            raise UserError("the warmup file holds no records", path=path)
        titles = [r.title for r in records]
        title, ok = QInputDialog.getItem(self, "Warmup record", "Record:", titles, 0, False)
        if ok:
            self.load_warmup_record(records[titles.index(title)])

    def _write_warmup(self) -> None:
        self._refuse_unless_ready("write a warmup file")
        path, _ = QFileDialog.getSaveFileName(
            self, "Write warmup file", "tf_serving_warmup_requests"
        )
        if path:  # the dialog already asked before replacing a file
            written = warmup.write_warmup(path, self.feeds(), model_name=self.model_name,
                                          signature_name=self.signature, overwrite=True)  # fmt: skip
            self._say(f"Wrote a warmup record to {written or path}")

    def _save_set(self) -> None:
        name, ok = QInputDialog.getText(self, "Save input set", "Name:")
        if ok and name.strip():
            path = inputset.save_input_set(self.input_set(name, self.signature), self.config_dir)
            inputset.remember_last(self.config_dir, self.signature, path, self.model_key)
            self._say(f"Saved the input set {name.strip()!r} to {path}")

    def _load_set(self) -> None:
        folder = str(self.config_dir or inputset.default_config_dir())
        path, _ = QFileDialog.getOpenFileName(self, "Load input set", folder, "Input sets (*.json)")
        if path:
            self.apply_input_set(inputset.load_input_set(path))
            inputset.remember_last(self.config_dir, self.signature, path, self.model_key)

    def load_request_body(self, body: str) -> str | None:
        """Fill the inputs from a REST predict body; returns its signature_name, if any."""
        feeds, signature = serving.parse_request(body, self._specs)
        self.set_feeds(feeds)
        return signature

    def request_body(self, signature_name: str | None = None) -> str:
        """The current inputs as a REST predict body (JSON text)."""
        return serving.request_json(self.feeds(), signature_name=signature_name)

    def load_warmup_record(self, record: warmup.WarmupRecord) -> None:
        self.set_feeds(record.feeds_for(self._specs))

    def input_set(self, name: str, signature: str = "serving_default") -> inputset.InputSet:
        """The current inputs as a named set (image rows as references to their files)."""
        values: dict[str, Any] = {}
        for key, row in self.rows.items():
            editor = row.editor()
            if isinstance(editor, ImageEditor) and editor.paths:
                opts = {k: v for k, v in vars(editor.options()).items() if v is not None}
                values[key] = inputset.file_ref("image", editor.paths, options=opts)
            elif row.value() is not None and not isinstance(editor, AutoSizeEditor):
                values[key] = row.value()
        return inputset.InputSet(name, signature, values)

    def apply_input_set(self, input_set: inputset.InputSet) -> None:
        for key, value in input_set.values.items():
            if isinstance(value, inputset.FileRef) and value.kind == "image" and key in self.rows:
                editor = self.row(key).use(ImageEditor)
                for combo, field in ((editor.resize_combo, "resize"),
                                     (editor.color_combo, "color"),
                                     (editor.values_combo, "values")):  # fmt: skip
                    if field in value.options:
                        combo.setCurrentIndex(max(0, combo.findData(value.options[field])))
                editor.set_paths(list(value.paths))  # type: ignore[attr-defined]
            else:
                spec = next((s for s in self._specs if s.name == key), None)
                self.set_input(key, inputset.materialize(value, spec))


__all__ = ["InputBuilder", "InputRow", "editor_kinds"]
