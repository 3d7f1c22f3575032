"""Which output gets which view, and the reason the window shows."""

from __future__ import annotations

import numpy as np
import pytest
from results_data import one_hot_scores, quadrant_mask

from inspector_app.results.interpret import (
    build_result,
    interpret,
    interpret_outputs,
    possible_views,
)
from inspector_app.results.masks import MaskResult
from inspector_app.results.scores import ScoresResult


def test_probabilities_are_scores_with_reason():
    probs = np.full((1, 10), 0.1, dtype=np.float32)
    it = interpret("probs", probs)
    assert it.view == "scores"
    assert it.reason == "scores: [1, 10] float32, 10 classes: rows sum to 1"
    assert it.options == ("scores", "tensor")


def test_logits_are_scores_by_name_without_softmax():
    it = interpret("logits", np.array([[-2.0, 0.5, 3.0]], dtype=np.float32))
    assert it.view == "scores"
    assert it.reason == (
        "scores: [1, 3] float32, 3 classes: the name 'logits' says scores; "
        "values -2..3 outside [0, 1]: logits"
    )
    assert "softmax" not in it.reason


def test_int_class_map_is_mask():
    it = interpret("mask", quadrant_mask())
    assert it.view == "mask"
    assert it.reason == "segmentation: [1, 64, 64] int64, class ids 0..3, the name 'mask' says so"


def test_score_map_is_mask_by_argmax():
    it = interpret("logits", one_hot_scores(quadrant_mask(), 21))
    assert it.view == "mask"
    assert "scores for 21 classes per pixel (the name 'logits' says so), argmax" in it.reason


def test_rgb_image_is_image_not_class_map():
    it = interpret("image", np.random.default_rng(0).random((1, 32, 48, 3), dtype=np.float32))
    assert it.view == "image"
    assert it.reason.startswith("image: [1, 32, 48, 3] float32, 3 channels")
    assert "0..1 mapped to 0..255" in it.reason


def test_three_class_probability_map_is_mask_not_image():
    probs = np.zeros((1, 8, 8, 3), dtype=np.float32)
    probs[..., 1] = 1.0
    assert interpret("p", probs).view == "mask"


def test_uint8_grey_photo_is_image_but_few_ids_are_mask():
    photo = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    assert interpret("grey", photo).view == "image"
    assert interpret("ids", (photo // 64).astype(np.uint8)).view == "mask"


def test_strings_and_bytes():
    assert (
        interpret("t", np.array([b"hello", b"world"], dtype=object)).reason
        == "text: [2] string, shown as text"
    )
    assert interpret("b", np.array([b"\xff\x00"])).reason.startswith("bytes: [1] string, not text")
    ctx = {"method_name": "tensorflow/serving/classify"}
    assert "class names" in interpret("classes", np.array([[b"a", b"b"]]), ctx).reason


@pytest.mark.parametrize(
    ("array", "reason"),
    [
        (np.float32(3.0), "scalar: [] float32"),
        (
            np.ones((2, 1), np.float32),
            "values: [2, 1] float32, one value per item, shown as a table",
        ),
        (np.ones((2, 3, 4, 5)), "values: [2, 3, 4, 5] float64, shown a 2-D slice at a time"),
        (
            np.full((1, 8, 8), -7, np.int32),
            "values: [1, 8, 8] int32, values -7..-7 are not class ids",
        ),
        (np.zeros((0, 3), np.float32), "empty: [0, 3] float32"),
    ],
)
def test_everything_else_is_a_tensor(array, reason):
    it = interpret("x", array)
    assert (it.view, it.reason) == ("tensor", reason)


def test_every_output_can_be_a_tensor_and_options_lead_with_choice():
    outs = {"b": quadrant_mask(), "a": np.ones((1, 5), np.float32)}
    its = interpret_outputs(outs)
    assert list(its) == ["a", "b"]
    for it in its.values():
        assert it.options[0] == it.view and "tensor" in it.options
    assert "mask" in possible_views(quadrant_mask()) and "image" in possible_views(quadrant_mask())


def test_build_result_uses_classify_classes_as_labels():
    outs = {
        "scores": np.array([[0.2, 0.7, 0.1]], np.float32),
        "classes": np.array([[b"cat", b"dog", b"eel"]], dtype=object),
    }
    res = build_result("scores", "scores", outs, {"method_name": "tensorflow/serving/classify"})
    assert isinstance(res, ScoresResult)
    assert res.top_k(0, 1)[0].label == "dog"


def test_build_result_mask_gets_voc_names_for_21_class_scores():
    res = build_result("seg", "mask", {"seg": one_hot_scores(quadrant_mask(), 21)})
    assert isinstance(res, MaskResult)
    assert res.labels.name(1) == "aeroplane" and "PASCAL VOC" in res.labels.source
    small = build_result("m", "mask", {"m": quadrant_mask()})
    assert small.labels.name(3) == "class 3"


def test_uint8_rgb_output_is_an_image():
    it = interpret("picture", np.zeros((2, 8, 8, 3), np.uint8))
    assert (it.view, it.reason) == (
        "image",
        "image: [2, 8, 8, 3] uint8, 3 channels (uint8 values shown as they are)",
    )


def test_view_fields_names_views_as_the_command_line_does():
    from inspector_app.results.interpret import view_fields

    outs = {
        "seg": quadrant_mask(),
        "words": np.array([b"a", b"b"], dtype=object),
        "y": np.arange(3.0),
        "ragged": [[1, 2], [3]],  # a composite output: not one array
    }
    fields = view_fields(outs, {"inputs": {"image": np.zeros((1, 64, 64, 3), np.uint8)}})
    assert {k: v["view"] for k, v in fields.items()} == {
        "seg": "segmentation",
        "words": "text",
        "y": "values",
        "ragged": "values",
    }
    assert "the size of input 'image' (64×64)" in fields["seg"]["view_reason"]
    shares = fields["seg"]["class_shares"]
    assert [s["class_id"] for s in shares] == [0, 1, 2, 3]
    assert [s["share"] for s in shares] == [0.25] * 4 and shares[0]["pixels"] == 1024
