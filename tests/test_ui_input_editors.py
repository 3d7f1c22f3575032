"""The input editors, one family per module, with the window's side of the dtype policy: a
typed array of another dtype waits for the row's one-click cast, a plain literal takes the
input's dtype, and an image preset builds the input's dtype (no cast)."""

from __future__ import annotations

import numpy as np
from models_inputs import spec, write_image

from inspector_app.ui.editors import EDITORS, ExpressionEditor, ImageEditor
from inspector_app.ui.input_builder import InputBuilder


def test_every_kind_has_its_editor() -> None:
    from inspector_app.inputs.editor_choice import editor_kinds

    kinds = set(editor_kinds(spec("x", "float32", [-1, 4]), False))
    kinds |= set(editor_kinds(spec("s", "string", [-1]), False))
    kinds |= set(editor_kinds(spec("height", "int32", []), True))
    assert kinds == set(EDITORS) and all(EDITORS[k].kind == k for k in kinds)


def test_window_dtype_policy(qtbot, tmp_path) -> None:
    w = InputBuilder([spec("image", "float32", [1, 16, 16, 3]), spec("x", "float32", [-1, 2])])
    qtbot.addWidget(w)
    w.set_input("image", str(write_image(tmp_path / "p.png")))  # uint8 file, float32 input
    assert isinstance(w.rows["image"].editor(), ImageEditor) and w.rows["image"].check.ready
    assert w.feeds()["image"].dtype == np.float32
    row = w.rows["x"]
    w.set_input("x", "[[1, 2.5]]")  # a literal: no dtype written
    assert isinstance(row.editor(), ExpressionEditor) and row.check.ready
    assert w.feeds()["x"].dtype == np.float32
    w.set_input("x", "np.ones((1, 2))")  # a float64 array: refused, the cast one click away
    assert not row.check.ready and "float64" in row.check.message
    assert row.fix_button.text() == "Cast to float32"
    row.fix_button.click()
    assert row.check.ready and row.editor().edit.text() == "np.ones((1, 2)).astype(np.float32)"
