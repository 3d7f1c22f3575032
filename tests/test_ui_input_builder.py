"""The input builder widget, offscreen: rows, readiness, fixes, autofill, set_input."""

from __future__ import annotations

import numpy as np
import pytest
from models_inputs import spec, write_image

from inspector_app.errors import UserError
from inspector_app.ui.input_builder import (
    ArrayEditor,
    AutoSizeEditor,
    ExampleEditor,
    ExpressionEditor,
    FillEditor,
    ImageEditor,
    InputBuilder,
    TextEditor,
)


@pytest.fixture
def deeplab(qtbot):
    w = InputBuilder([spec("image", "uint8", [1, -1, -1, 3]), spec("height", "int32", []),
                      spec("width", "int32", [])])  # fmt: skip
    qtbot.addWidget(w)
    return w


def test_rows_editors_and_ready(deeplab, qtbot, tmp_path):
    assert deeplab.objectName() == "inputBuilder" and set(deeplab.rows) == {
        "image",
        "height",
        "width",
    }
    assert isinstance(deeplab.rows["image"].editor(), ImageEditor)
    assert isinstance(deeplab.rows["height"].editor(), AutoSizeEditor)
    assert not deeplab.is_ready()
    img = write_image(tmp_path / "p.png", (30, 20))
    with qtbot.waitSignal(deeplab.ready_changed, check_params_cb=lambda ok: ok):
        deeplab.set_input("image", str(img))
    feeds = deeplab.feeds()
    assert (
        feeds["image"].shape == (1, 20, 30, 3)
        and int(feeds["height"]) == 20
        and int(feeds["width"]) == 30
    )
    assert not deeplab.rows["image"].editor().thumb.pixmap().isNull()


def test_problem_and_one_click_fix(deeplab, qtbot):
    row = deeplab.rows["image"]
    deeplab.set_input("image", np.zeros((8, 8, 3), np.float32))
    assert row.status.text() == "expects uint8 [1, ?, ?, 3], got float32 [8, 8, 3]"
    assert (
        not row.fix_button.isHidden()
        and row.fix_button.text() == "Add the batch dimension and cast to uint8"
    )
    with qtbot.waitSignal(deeplab.ready_changed, check_params_cb=lambda ok: ok):
        row.fix_button.click()
    # the repaired values stay visible and editable, as an expression of the values
    assert isinstance(row.editor(), ExpressionEditor) and row.value().dtype == np.uint8
    assert row.editor().edit.text().startswith("np.array([[[[0, 0, 0]")
    assert row.editor().edit.text().endswith("dtype=np.uint8)")
    assert int(deeplab.feeds()["width"]) == 8
    row.editor().edit.setText(row.editor().edit.text().replace("[[[[0, 0, 0]", "[[[[7, 0, 0]", 1))
    assert row.check.ready and int(deeplab.feeds()["image"][0, 0, 0, 0]) == 7


def test_a_fix_rewrites_the_users_expression(qtbot):
    w = InputBuilder([spec("x", "float32", [-1, 3])])
    qtbot.addWidget(w)
    row = w.rows["x"]
    w.set_input("x", "np.arange(3)")
    assert isinstance(row.editor(), ExpressionEditor) and not row.check.ready
    assert row.fix_button.text() == "Add the batch dimension and cast to float32"
    row.fix_button.click()
    assert row.editor().edit.text() == "np.arange(3)[None].astype(np.float32)"
    assert row.check.ready and w.feeds()["x"].tolist() == [[0.0, 1.0, 2.0]]
    row.editor().edit.setText("np.arange(3) + 1")
    row.fix_button.click()
    assert row.editor().edit.text() == "(np.arange(3) + 1)[None].astype(np.float32)"


def test_a_fix_on_a_large_array_keeps_the_editor(qtbot, tmp_path):
    path = tmp_path / "big.npy"
    np.save(path, np.ones((64, 64, 3), np.float64))
    w = InputBuilder([spec("x", "float32", [1, 64, 64, 3])])
    qtbot.addWidget(w)
    row = w.rows["x"]
    w.set_input("x", str(path))
    row.fix_button.click()
    assert isinstance(row.editor(), ArrayEditor) and row.editor().path == str(path)
    assert row.check.ready and w.feeds()["x"].shape == (1, 64, 64, 3)
    assert row.fix_note.text() == "then: add the batch dimension and cast to float32"
    assert not row.undo_button.isHidden()
    row.undo_button.click()
    assert not row.check.ready and row.fix_note.isHidden()


def test_unknown_shape_is_not_ready_until_given_one(qtbot):
    w = InputBuilder([spec("x", "float32", None)])
    qtbot.addWidget(w)
    row = w.rows["x"]
    assert isinstance(row.editor(), FillEditor) and not row.check.ready
    assert "shape is unknown" in row.status.text() and not w.is_ready()
    row.editor().dims.setText("2, 3")
    assert row.check.ready and w.feeds()["x"].shape == (2, 3)


def test_copy_and_write_refuse_invalid_inputs_and_confirm(qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QApplication, QFileDialog, QMainWindow

    window = QMainWindow()
    w = InputBuilder([spec("x", "float32", [-1, 2])])
    window.setCentralWidget(w)
    qtbot.addWidget(window)
    QApplication.clipboard().setText("before")
    w.set_input("x", "[[1, 2, 3]]")  # the wrong shape, and no fix for it
    with pytest.raises(UserError, match="cannot copy the REST body while inputs are not ready"):
        w.more._copy_body()
    assert QApplication.clipboard().text() == "before"
    w.set_input("x", "[[1.0, 2.0]]")
    w.rows["x"].fix_button.click()
    with qtbot.waitSignal(w.message) as said:
        w.more._copy_body()
    assert said.args[0].startswith("Copied the REST body")
    assert window.statusBar().currentMessage() == said.args[0]
    assert (
        '"instances"' in QApplication.clipboard().text()
        or '"inputs"' in QApplication.clipboard().text()
    )
    target = tmp_path / "warm"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    with qtbot.waitSignal(w.message) as said:
        w.more._write_warmup()
    assert target.is_file() and said.args[0] == f"Wrote a warmup record to {target}"


def test_bad_image_file_shows_on_the_row(deeplab, tmp_path):
    bad = tmp_path / "not.png"
    bad.write_text("text")
    deeplab.set_input("image", str(bad))
    assert "not an image pillow can read" in deeplab.rows["image"].status.text()
    assert not deeplab.is_ready()
    with pytest.raises(UserError, match="has no input .*; its inputs: "):
        deeplab.set_input("nope", 1)


def test_strings_fill_and_examples(qtbot):
    w = InputBuilder([spec("words", "string", [-1]), spec("x", "float32", [-1, 3]),
                      spec("inputs", "string", None)])  # fmt: skip
    qtbot.addWidget(w)
    w.set_input("words", "cat\ndog")
    assert isinstance(w.rows["words"].editor(), TextEditor)
    assert w.feeds()["words"].tolist() == [b"cat", b"dog"]
    fill_editor = w.rows["x"].use(FillEditor)
    fill_editor.dims.setText("2")
    assert w.feeds()["x"].shape == (2, 3)
    ex = w.rows["inputs"].use(ExampleEditor)
    ex.set_feature(0, "x", "float", "2.0")
    assert w.rows["inputs"].check.ready and w.feeds()["inputs"].shape == (1,)
    assert w.is_ready()
    w.set_specs([])
    assert w.rows == {} and w.is_ready()


def test_rest_body_warmup_and_input_sets(qtbot, tmp_path):
    from inspector_app.inputs import inputset, warmup

    specs = [spec("image", "uint8", [1, -1, -1, 3]), spec("k", "int64", [-1])]
    w = InputBuilder(specs)
    qtbot.addWidget(w)
    assert w.load_request_body('{"signature_name": "s", "inputs": {"k": [1, 2]}}') == "s"
    assert w.feeds()["k"].tolist() == [1, 2] and w.feeds()["k"].dtype == np.int64
    # the pasted values are the user's to edit
    assert w.rows["k"].editor().edit.text() == "np.array([1, 2], dtype=np.int64)"
    w.set_input("image", str(write_image(tmp_path / "p.png", (6, 4))))
    assert '"k":[1,2]' in w.request_body()
    path = warmup.write_warmup(tmp_path / "warm", w.feeds())
    other = InputBuilder(specs)
    qtbot.addWidget(other)
    other.load_warmup_record(warmup.read_warmup(path)[0])
    assert other.is_ready() and other.feeds()["image"].shape == (1, 4, 6, 3)
    saved = inputset.save_input_set(w.input_set("mine"), tmp_path)
    third = InputBuilder(specs)
    qtbot.addWidget(third)
    third.apply_input_set(inputset.load_input_set(saved))
    assert isinstance(third.rows["image"].editor(), ImageEditor) and third.is_ready()
    assert third.feeds()["k"].tolist() == [1, 2]


def test_the_models_own_warmup_requests_are_offered(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from inspector_app.inputs import warmup

    specs = [spec("k", "int64", [-1])]
    w = InputBuilder(specs)
    qtbot.addWidget(w)
    w.set_model("m", str(tmp_path / "m"), tmp_path / "m")
    assert not w.model_warmup_action.isVisible()  # the folder has none
    extra = tmp_path / "m" / "assets.extra"
    extra.mkdir(parents=True)
    warmup.write_warmup(extra / "tf_serving_warmup_requests", {"k": np.array([7, 8], np.int64)})
    w.set_model("m", str(tmp_path / "m"), tmp_path / "m")
    assert w.model_warmup_action.isVisible()
    chosen = []

    def pick(_parent, _title, _label, titles, *_args):
        chosen.extend(titles)
        return titles[0], True

    monkeypatch.setattr(QInputDialog, "getItem", pick)
    w.model_warmup_action.trigger()
    assert chosen == ["warmup record 1: predict serving_default"]
    assert w.feeds()["k"].tolist() == [7, 8]


def test_copy_body_action_puts_curl_on_the_clipboard(qtbot):
    from PySide6.QtWidgets import QApplication

    w = InputBuilder([spec("k", "int64", [-1])])
    qtbot.addWidget(w)
    w.model_name = "half"
    w.set_input("k", np.array([3], np.int64))
    actions = [a for a in w.more.menu().actions() if a.isVisible()]
    assert len(actions) == 6
    actions[1].trigger()
    text = QApplication.clipboard().text()
    assert (
        text.startswith("curl -X POST http://localhost:8501/v1/models/half:predict")
        and "[3]" in text
    )


def test_array_files_npz_keys_and_the_pickle_opt_in(qtbot, tmp_path, monkeypatch):
    import pickle

    from inspector_app.ui.editors import arrays as ib

    w = InputBuilder([spec("x", "float32", [-1, 2])])
    qtbot.addWidget(w)
    np.save(tmp_path / "a.npy", np.ones((3, 2), np.float32))
    w.set_input("x", str(tmp_path / "a.npy"))
    assert w.is_ready() and w.feeds()["x"].shape == (3, 2)

    np.savez(tmp_path / "b.npz", first=np.zeros((1, 2), np.float32), second=np.ones((4, 2)))
    w.set_input("x", str(tmp_path / "b.npz"))
    editor = w.rows["x"].editor()
    assert [editor.key.itemText(i) for i in range(editor.key.count())] == ["first", "second"]
    assert w.is_ready() and w.feeds()["x"].shape == (1, 2)
    editor.key.setCurrentText("second")  # float64: the row offers the cast
    assert not w.is_ready() and w.rows["x"].check.fix.label == "Cast to float32"

    marker = tmp_path / "ran"
    with open(tmp_path / "evil.npy", "wb") as f:  # a pickle that would create a file
        pickle.dump(np.ones((1, 2), np.float32), f)
    editor.set_paths([str(tmp_path / "evil.npy")])
    assert not w.rows["x"].check.ready and "pickle" in w.rows["x"].check.message
    monkeypatch.setattr(ib, "confirm_pickle", lambda *_: False)
    editor.allow_pickle.setChecked(True)
    assert not editor.allow_pickle.isChecked()  # declined: stays off
    monkeypatch.setattr(ib, "confirm_pickle", lambda *_: True)
    editor.allow_pickle.setChecked(True)
    assert w.rows["x"].check.ready and w.feeds()["x"].shape == (1, 2)
    assert not marker.exists()


def test_expression_size_limit_can_be_raised(qtbot):
    from inspector_app.ui.input_builder import ExpressionEditor

    w = InputBuilder([spec("x", "float64", [-1])])
    qtbot.addWidget(w)
    editor = w.rows["x"].use(ExpressionEditor)
    editor.edit.setText("np.zeros(1000000)")  # 8 MB
    editor.limit.setValue(1)
    assert not w.rows["x"].check.ready and "limit" in w.rows["x"].check.message
    editor.limit.setValue(64)
    assert w.rows["x"].check.ready and w.feeds()["x"].shape == (1000000,)


def test_a_picture_feeds_a_flattened_input(qtbot):
    from inspector_app.resources import sample_path

    w = InputBuilder([spec("images", "float32", [-1, 784])])
    qtbot.addWidget(w)
    row = w.rows["images"]
    assert not isinstance(row.editor(), ImageEditor)  # offered, not the default, for [?, 784]
    w.set_input("images", str(sample_path("digit_3.png")))
    assert isinstance(row.editor(), ImageEditor) and w.is_ready()
    np.testing.assert_allclose(w.feeds()["images"], np.load(sample_path("digit_3.npy")), rtol=1e-6)
    assert not w.feeds()["images"].flags.writeable  # the engine may send it as a reference
