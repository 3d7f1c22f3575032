"""The input builder: one row per signature input, with an editor that fits it (image files,
array file, expression, fill, scalar, text lines, file bytes, tf.Example table), whether the row
is ready, and a one-click fix when the value almost fits.

Standalone: give it a signature's inputs (objects with name, dtype, shape); read ``feeds()``;
``ready_changed(bool)`` says when Run may be enabled. The editors are in ``ui.editors`` (one
family per module), a row in ``ui.input_row``, the "Inputs…" menu in ``ui.input_menu``; which
editor fits an input, and where a path goes, is decided in ``inputs.editor_choice``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from inspector_app.errors import UserError
from inspector_app.inputs import (
    editor_choice,
    feed_policy,
    images,
    inputset,
    scalars,
    serving,
    warmup,
)
from inspector_app.inputs.validate import Check, TensorSpec
from inspector_app.safeio import one_line
from inspector_app.ui.editors import (
    ArrayEditor,
    ArrayValueEditor,
    AutoSizeEditor,
    BytesEditor,
    ExampleEditor,
    ExpressionEditor,
    FillEditor,
    ImageEditor,
    ScalarEditor,
    TextEditor,
)
from inspector_app.ui.editors.arrays import confirm_pickle
from inspector_app.ui.input_menu import InputsMenu
from inspector_app.ui.input_row import InputRow, editor_kinds


class InputBuilder(QWidget):
    """All inputs of one signature; ``feeds()`` and ``ready_changed(bool)``."""

    ready_changed = Signal(bool)
    feeds_changed = Signal()
    message = Signal(str)  # a confirmation for the status bar

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
        self.more = InputsMenu(self)
        self.model_warmup_action = self.more.model_warmup_action
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
        for name, value in scalars.autofill_dimensions(self._specs, self.feeds()).items():
            editor = self.rows[name].editor()
            if isinstance(editor, AutoSizeEditor) and editor.set_current(value):
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
            feed_policy.check_names(self.signature, list(self.rows), [name], require_all=False)
        return self.rows[name]

    def set_input(self, name: str, value: Any) -> None:
        """Set an input from a numpy array, an image/array/other file path, or a string.

        Raises only UserError; the row then shows that error, not the one before."""
        row = self.row(name)
        try:
            if isinstance(value, np.ndarray) or not isinstance(value, (str, Path)):
                row.use(ArrayValueEditor).set_array(np.asarray(value))  # type: ignore[attr-defined]
                return
            text = str(value)
            editor: Any = row.use(editor_choice.route_text(text, row.kinds()))
            if hasattr(editor, "set_paths"):
                editor.set_paths([text])
            else:
                editor.set_text(text)
        except Exception as exc:  # noqa: BLE001 - MemoryError, RecursionError, ValueError...
            why = str(exc) if isinstance(exc, UserError) else editor_choice.explain(exc)
            row.show_error(one_line(why))
            self._update_ready()
            if isinstance(exc, UserError):
                raise
            raise UserError(f"{name}: {one_line(why)}") from None

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

    def set_model(self, name: str, key: str, model_dir: str | Path | None) -> None:
        """Name the model whose signature the rows are for; offers its own warmup requests."""
        self.model_name, self.model_key = name, key
        self.more.set_model_dir(model_dir)

    def refuse_unless_ready(self, what: str) -> None:
        bad = [f"{n}: {r.check.message}" for n, r in self.rows.items() if not r.check.ready]
        if bad:
            raise UserError(f"cannot {what} while inputs are not ready ({'; '.join(bad)})")

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
                editor.set_options(dict(value.options))  # type: ignore[attr-defined]
                editor.set_paths(list(value.paths))  # type: ignore[attr-defined]
            else:
                spec = next((s for s in self._specs if s.name == key), None)
                self.set_input(key, inputset.materialize(value, spec))


__all__ = [
    "ArrayEditor",
    "ArrayValueEditor",
    "AutoSizeEditor",
    "BytesEditor",
    "ExampleEditor",
    "ExpressionEditor",
    "FillEditor",
    "ImageEditor",
    "InputBuilder",
    "InputRow",
    "ScalarEditor",
    "TextEditor",
    "confirm_pickle",
    "editor_kinds",
]
