"""What the result views draw for masks from logits, detections, scores and vectors (pytest-qt).

No TensorFlow: outputs with the shapes real models give, whose right picture is known.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from results_data import one_hot_scores, quadrant_mask

from inspector_app.results.detection import coco_names
from inspector_app.ui import settings
from inspector_app.ui.results_detection import DetectionView, box_colour
from inspector_app.ui.results_mask import MaskView
from inspector_app.ui.results_scores import ScoresView
from inspector_app.ui.results_tensor import TensorView, VectorPlot
from inspector_app.ui.results_view import ResultsView


@pytest.fixture
def ini(tmp_path):
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "ini"))
    yield tmp_path
    settings.wait_for_writes()


@pytest.fixture
def view(qtbot, ini):
    w = ResultsView()
    qtbot.addWidget(w)
    w.resize(1024, 700)
    w.show()
    return w


def rgb(image, x, y):
    c = image.pixelColor(x, y)
    return (c.red(), c.green(), c.blue())


def photo(n=1, h=64, w=64):
    """A batch of flat grey pictures, item i at grey level 40 + 60 i."""
    return np.stack([np.full((h, w, 3), 40 + 60 * i, np.uint8) for i in range(n)])


def detections(n=2):
    boxes = np.tile(
        np.array([[[0.25, 0.25, 0.75, 0.5], [0.0, 0.6, 0.2, 0.9]]], np.float32), (n, 1, 1)
    )
    scores = np.array([[0.9, 0.3]] * n, np.float32)
    scores[1:, 0] = 0.2  # item 1: nothing above 0.5
    return {
        "detection_boxes": boxes,
        "detection_scores": scores,
        "detection_classes": np.array([[18, 1]] * n, np.float32),
        "num_detections": np.full((n,), 2.0, np.float32),
    }


def test_logits_4_classes_at_image_size_are_a_mask_that_fills_its_space(view, qtbot):
    # The case: [1, H, W, 4] float32 logits were shown as a pastel RGBA picture.
    logits = one_hot_scores(quadrant_mask(32, 32), 4)  # [1, 32, 32, 4]
    view.show_outputs({"output_0": logits}, {"inputs": {"image": photo(1, 64, 64)}})
    mv = view.current_view()
    assert isinstance(mv, MaskView)
    assert "1/2 the size of input 'image' (64×64)" in view.reason_label.text()
    assert "image" in [view.view_combo.itemData(i) for i in range(view.view_combo.count())]
    assert (mv.mask_image().width(), mv.mask_image().height()) == (64, 64)  # resized to image
    assert rgb(mv.mask_image(), 63, 63) == (128, 128, 0)  # class 3, bottom right
    qtbot.waitUntil(lambda: mv.mask_view.transform().m11() > 2.5)
    # Fitted: the 64-pixel picture spans (almost) the whole width or height of its view.
    port = mv.mask_view.viewport()
    scale = mv.mask_view.transform().m11()
    assert 64 * scale >= 0.95 * min(port.width(), port.height())
    # Zoom one picture: the other follows, in both directions.
    mv.mask_view.zoom_by(2.0)
    assert mv.overlay_view.transform().m11() == pytest.approx(mv.mask_view.transform().m11())
    mv.overlay_view.zoom_by(0.5)
    assert mv.mask_view.transform().m11() == pytest.approx(scale)
    mv.fit_pictures()
    assert mv.mask_view.auto_fit and mv.overlay_view.auto_fit


def test_detection_boxes_drawn_with_names_threshold_and_items(view):
    outs = detections()
    view.show_outputs(outs, {"inputs": {"input_tensor": photo(2, 100, 200)}})
    dv = view.current_view()
    assert isinstance(dv, DetectionView) and view.current_output() == "detection_boxes"
    assert [(b.label, b.score) for b in dv.boxes()] == [("dog", pytest.approx(0.9))]
    assert coco_names()[18] == "dog" and "COCO" in dv.info.text()
    picture = dv.rendered()
    assert (picture.width(), picture.height()) == (200, 100)
    colour = box_colour(18)
    edge = rgb(picture, 50, 50)  # the left edge: xmin 0.25 of 200 px, at mid height
    assert edge == (colour.red(), colour.green(), colour.blue())
    assert rgb(picture, 75, 60) == (40, 40, 40)  # inside the box: item 0's own image
    dv.set_threshold(0.25)
    assert [b.label for b in dv.boxes()] == ["dog", "person"]
    assert dv.model.rowCount() == 2 and dv.model.index(1, 1).data() == "person (1)"
    dv.set_item(1)
    assert [b.label for b in dv.boxes()] == ["person"]
    assert rgb(dv.rendered(), 10, 90) == (100, 100, 100)  # item 1's image


def test_detection_without_image_draws_on_a_canvas(view):
    view.show_outputs(detections(1), {})
    dv = view.current_view()
    assert "blank canvas" in dv.info.text() and dv.rendered().width() == 640


def test_view_choice_is_remembered_per_model_and_output(view, qtbot, ini):
    outs = {"m": quadrant_mask(), "probs": np.array([[0.2, 0.8]], np.float32)}
    ctx = {"model_path": str(ini / "model")}
    view.show_outputs(outs, ctx)
    view.select_output("m")
    view.set_view("tensor")
    settings.wait_for_writes()
    again = ResultsView()
    qtbot.addWidget(again)
    again.show_outputs(outs, ctx)
    again.select_output("m")
    assert isinstance(again.current_view(), TensorView)
    assert again.reason_label.text().endswith("(your choice, remembered for this model)")
    again.select_output("probs")
    assert isinstance(again.current_view(), ScoresView)  # other outputs keep their view
    other = ResultsView()
    qtbot.addWidget(other)
    other.show_outputs(outs, {"model_path": str(ini / "other")})
    assert isinstance(other.current_view(), MaskView)
    again.select_output("m")
    again.set_view("mask")  # back to the chosen view: forgotten
    settings.wait_for_writes()
    assert settings.remembered_view(str(ini / "model"), "m") is None


def test_scores_headline_raw_then_softmax_and_item_thumbnails(view):
    logits = np.array([[0.0, 3.0, 1.0], [2.0, 0.0, 0.0]], np.float32)
    view.show_outputs({"logits": logits}, {"inputs": {"images": photo(2)}, "labels": ["a", "b", "c"]})  # fmt: skip
    sv = view.current_view()
    assert isinstance(sv, ScoresView)
    assert sv.headline.text() == "b  score 3"
    assert sv.values_label.text().startswith("Raw:")
    sv.set_softmax(True)
    assert sv.headline.text() == f"b  {np.exp(3) / np.exp(logits[0]).sum():.1%}"
    assert rgb(sv.thumbnail.pixmap().toImage(), 10, 10) == (40, 40, 40)
    sv.set_item(1)
    assert sv.headline.text().startswith("a  ")
    assert rgb(sv.thumbnail.pixmap().toImage(), 10, 10) == (100, 100, 100)


def test_probabilities_shown_as_percentages(view):
    view.show_outputs({"out": np.array([[0.25, 0.75]], np.float32)}, {})
    sv = view.current_view()
    assert sv.headline.text() == "class 1  75.0%"
    assert sv.model.index(0, 3).data() == "0.7500  (75.0%)"


def test_embedding_is_values_with_a_plot(view):
    emb = np.linspace(-1, 1, 128, dtype=np.float32)[None]
    view.show_outputs({"embedding": emb, "mean_rgb": np.full((2, 3), 0.4, np.float32)}, {})
    view.select_output("embedding")
    tv = view.current_view()
    assert isinstance(tv, TensorView) and isinstance(tv.plot, VectorPlot)
    assert not tv.plot.bars and tv.plot.index_at(tv.plot.width() - 9) == 127
    picture = tv.plot.grab().toImage()
    assert picture.width() > 100
    view.select_output("mean_rgb")
    assert isinstance(view.current_view(), TensorView)
    assert "not class scores" in view.reason_label.text()
    assert view.current_view().plot is None  # a [2, 3] table, no plot


def test_values_and_pictures_show_their_batch_items_input(view):
    outs = {
        "features": np.zeros((2, 3, 4), np.float32),
        "picture": np.zeros((2, 8, 8, 3), np.uint8),
    }
    view.show_outputs(outs, {"inputs": {"image": photo(2)}})
    view.select_output("features")
    tv = view.current_view()
    assert isinstance(tv, TensorView) and tv.thumbnail.isVisible()
    assert rgb(tv.thumbnail.pixmap().toImage(), 5, 5) == (40, 40, 40)
    tv.set_slice(1, 2, {0: 1})
    assert rgb(tv.thumbnail.pixmap().toImage(), 5, 5) == (100, 100, 100)
    view.select_output("picture")
    iv = view.current_view()
    iv.set_item(1)
    assert rgb(iv.thumbnail.pixmap().toImage(), 5, 5) == (100, 100, 100)
