"""Result views (pytest-qt, offscreen): known masks, scores with labels, switching, exports."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QPushButton
from results_data import grey_image, one_hot_scores, quadrant_mask, striped_mask

from inspector_app.results.labels import VOC_CLASSES, LabelMemory
from inspector_app.ui.results_mask import MaskView
from inspector_app.ui.results_scores import COL_LABEL, ScoresView
from inspector_app.ui.results_tensor import ImageView, TensorView
from inspector_app.ui.results_view import ResultsView


@pytest.fixture
def view(qtbot):
    w = ResultsView()
    qtbot.addWidget(w)
    w.resize(1000, 600)
    w.show()
    return w


def rgb(image, x, y):
    c = image.pixelColor(x, y)
    return (c.red(), c.green(), c.blue())


def hover(picture, x, y):
    """Send a mouse move over picture pixel (x, y) to a PictureView's viewport."""
    pos = QPointF(picture.mapFromScene(QPointF(x + 0.5, y + 0.5)))
    event = QMouseEvent(QEvent.Type.MouseMove, pos, picture.viewport().mapToGlobal(pos),
                        Qt.MouseButton.NoButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
    QApplication.sendEvent(picture.viewport(), event)


def test_segmentation_pixels_legend_and_hover(view, qtbot):
    # Mask 40x50 (class 15 in the left 10 columns) on a 80x100 grey image: resized x2.
    view.show_outputs(
        {"seg": striped_mask()}, {"image": grey_image(80, 100), "labels": list(VOC_CLASSES)}
    )
    mv = view.current_view()
    assert isinstance(mv, MaskView)
    assert view.reason_label.text() == (
        "segmentation: [1, 40, 50] int32, class ids 0..15, 1/2 the size of the input image (100×80)"
    )
    mask = mv.mask_image()
    assert (mask.width(), mask.height()) == (100, 80)
    assert rgb(mask, 19, 79) == (192, 128, 128)  # person, VOC colour
    assert rgb(mask, 20, 0) == (0, 0, 0)
    over = mv.overlay_image()
    assert rgb(over, 5, 5) == (146, 114, 114)  # (100 * 128 + colour * 128) >> 8
    assert rgb(over, 99, 79) == (50, 50, 50)
    mv.set_opacity(1.0)
    assert rgb(mv.overlay_image(), 5, 5) == (192, 128, 128)
    assert mv.legend_rows() == [
        (0, "background", pytest.approx(0.8)),
        (15, "person", pytest.approx(0.2)),
    ]
    with qtbot.waitSignal(
        mv.class_hovered,
        check_params_cb=lambda cid, name, x, y: (cid, name, x, y) == (15, "person", 12, 30),
    ):
        hover(mv.overlay_view, 12, 30)
    assert mv.hover_label.text() == "(12, 30): class 15 person"
    with qtbot.waitSignal(view.class_hovered) as blocker:
        hover(mv.mask_view, 60, 3)
    assert blocker.args == ["seg", 0, "background"]


def test_score_map_gets_voc_names_and_item_switch(view):
    maps = np.stack([quadrant_mask()[0], np.full((64, 64), 20)])
    view.show_outputs({"logits": one_hot_scores(maps, 21)}, {})
    mv = view.current_view()
    assert [r[1] for r in mv.legend_rows()] == ["background", "aeroplane", "bicycle", "bird"]
    assert [r[2] for r in mv.legend_rows()] == [0.25] * 4
    assert rgb(mv.mask_image(), 63, 63) == (128, 128, 0)
    mv.set_item(1)
    assert mv.legend_rows() == [(20, "tvmonitor", 1.0)]
    assert rgb(mv.mask_image(), 0, 0) == (0, 64, 128)
    assert not mv.opacity.isEnabled()  # no image: nothing to blend over


def test_scores_top1_label_k_item_softmax(view):
    logits = np.array([[0.0, 4.0, 1.0, -2.0], [3.0, 0.0, 0.0, 1.0]], np.float32)
    view.show_outputs({"logits": logits}, {"labels": ["cat", "dog", "eel", "fox"]})
    sv = view.current_view()
    assert isinstance(sv, ScoresView)
    assert not sv.softmax_check.isChecked()  # raw values until the user turns softmax on
    assert sv.model.rows()[0].score == 4.0
    assert sv.values_label.text().startswith("Raw:")
    sv.set_softmax(True)
    assert sv.values_label.text().startswith("Softmaxed:")
    rows = sv.model.rows()
    assert (rows[0].label, rows[0].class_id) == ("dog", 1)
    assert sv.model.index(0, COL_LABEL).data() == "dog"
    assert rows[0].score == pytest.approx(float(np.exp(4) / np.exp(logits[0]).sum()), rel=1e-5)
    sv.set_k(2)
    assert sv.model.rowCount() == 2
    sv.set_item(1)
    assert sv.model.rows()[0].label == "cat"
    sv.set_softmax(False)
    assert sv.model.rows()[0].score == 3.0


def test_1001_label_asset_for_1000_classes(view, tmp_path):
    assets = tmp_path / "assets"
    assets.mkdir()
    names = ["background"] + [f"n{i:04d} thing {i}" for i in range(1000)]
    (assets / "labels.txt").write_text("\n".join(names) + "\n", encoding="utf-8")
    logits = np.zeros((1, 1000), np.float32)
    logits[0, 207] = 12.0
    view.show_outputs({"predictions": logits}, {"assets_dir": str(assets)})
    sv = view.current_view()
    assert sv.model.rows()[0].label == "n0207 thing 207"
    assert "'background' dropped" in sv.info.text()


def test_classify_signature_classes_label_scores(view):
    outs = {
        "scores": np.array([[0.1, 0.6, 0.3]], np.float32),
        "classes": np.array([[b"a", b"b", b"c"]]),
    }
    view.show_outputs(outs, {"method_name": "tensorflow/serving/classify"})
    view.select_output("scores")
    assert view.current_view().model.rows()[0].label == "b"
    view.select_output("classes")
    assert isinstance(view.current_view(), TensorView)
    assert "class names" in view.reason_label.text()


def test_switching_views_and_tensor_slices(view):
    arr = np.arange(2 * 8 * 8, dtype=np.int64).reshape(2, 8, 8) % 5
    view.show_outputs({"m": arr, "t": np.arange(24.0).reshape(2, 3, 4)}, {})
    assert isinstance(view.current_view(), MaskView)
    assert [view.view_combo.itemData(i) for i in range(view.view_combo.count())] == [
        "mask",
        "image",
        "tensor",
    ]
    view.set_view("tensor")
    tv = view.current_view()
    assert isinstance(tv, TensorView) and "(your choice)" in view.reason_label.text()
    assert tv.model.rowCount() == 8 and tv.model.index(0, 1).data() == str(arr[0, 0, 1])
    view.set_view("image")
    assert isinstance(view.current_view(), ImageView)
    view.select_output("t")
    tv = view.current_view()
    assert tv.stats_label.text() == "[2, 3, 4] float64 · min 0 · max 23 · mean 11.5 · NaN 0 · Inf 0"
    tv.set_slice(0, 2, {1: 2})
    assert (tv.model.rowCount(), tv.model.columnCount()) == (2, 4)
    assert tv.model.index(1, 3).data() == "23"


def test_image_view_and_text(view):
    img = np.zeros((2, 6, 8, 3), np.float32)
    img[1, :, :, 0] = 1.0
    view.show_outputs({"img": img, "words": np.array([b"hello", "héllo".encode()])}, {})
    iv = view.current_view()
    iv.set_item(1)
    assert rgb(iv.picture.image(), 7, 5) == (255, 0, 0)
    view.select_output("words")
    assert view.current_view().text.toPlainText() == "hello\nhéllo"


def test_exports_through_dialog_and_run_json(view, tmp_path, monkeypatch):
    target = tmp_path / "run.json"
    monkeypatch.setattr(
        "inspector_app.ui.results_common.QFileDialog.getSaveFileName",
        lambda *a, **k: (str(target), ""),
    )
    view.show_outputs({"y": np.array([[0.2, 0.8]], np.float32)},
                      {"signature": "serving_default", "device": "cpu", "timings": {"run": 3.0}})  # fmt: skip
    view.findChild(QPushButton, "exportRunJsonButton").click()
    data = json.loads(target.read_text())
    assert data["signature"] == "serving_default" and data["outputs"]["y"]["view"] == "scores"
    target.write_text("old")  # the dialog confirmed replacing it, so the export overwrites
    view._export_run()
    assert json.loads(target.read_text())["device"] == "cpu"


def test_label_file_is_remembered_per_model(qtbot, tmp_path):
    labels = tmp_path / "names.txt"
    labels.write_text("zero\none\n", encoding="utf-8")
    memory = LabelMemory(tmp_path / "labels.json")
    w = ResultsView(label_memory=memory)
    qtbot.addWidget(w)
    ctx = {"model_path": str(tmp_path)}
    w.show_outputs({"p": np.array([[0.3, 0.7]], np.float32)}, ctx)
    w.set_labels(["zero", "one"], str(labels))
    assert w.current_view().model.rows()[0].label == "one"
    w2 = ResultsView(label_memory=memory)
    qtbot.addWidget(w2)
    w2.show_outputs({"p": np.array([[0.9, 0.1]], np.float32)}, ctx)
    assert w2.current_view().model.rows()[0].label == "zero"


def test_zoom_keeps_scale_after_redraw(view):
    view.show_outputs({"seg": quadrant_mask()}, {"image": grey_image(64, 64)})
    mv = view.current_view()
    before = mv.overlay_view.transform().m11()
    mv.overlay_view.zoom_by(2.0)
    mv.set_opacity(0.3)
    assert mv.overlay_view.transform().m11() == pytest.approx(before * 2)
    assert mv.mask_view.transform().m11() == pytest.approx(before * 2)


def test_opens_on_the_output_that_says_the_most(view):
    scores = np.full((1, 10), 0.01, np.float32)
    scores[0, 7] = 0.91
    view.show_outputs({"classes": np.array([7]), "scores": scores})
    assert view.current_output() == "scores"
    assert isinstance(view.current_view(), ScoresView)
    view.show_outputs({"a": np.arange(3), "b": np.arange(4)})
    assert view.current_output() == "a"  # nothing special: the first
