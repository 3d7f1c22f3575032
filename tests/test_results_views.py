"""The view chosen for real output conventions, from tiny TensorFlow models (issue 15).

Keras segmentation heads (2-21 classes, logits and softmax, channels last and first), a
DeepLab-style graph (image + height + width -> [H, W] int32), a detection signature, and
regression / embedding heads that must not be taken for class scores. The command line's
``run --json`` gets the same judgement (``view_fields``).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")

from models_views import (  # noqa: E402
    DeepLab,
    Detector,
    keras_head,
    keras_segmentation_head,
    numpy_outputs,
    save_deeplab,
    save_detector,
)

from inspector_app.results.detection import DetectionResult  # noqa: E402
from inspector_app.results.interpret import (  # noqa: E402
    build_result,
    interpret_outputs,
    view_fields,
)
from inspector_app.results.masks import MaskResult  # noqa: E402

RNG = np.random.default_rng(0)
IMAGE = RNG.integers(0, 256, (1, 32, 32, 3), dtype=np.uint8)


@pytest.mark.parametrize("classes", [2, 3, 4, 7, 21])
@pytest.mark.parametrize("activation", [None, "softmax"])
def test_keras_segmentation_heads_are_masks(classes, activation):
    model = keras_segmentation_head(classes, activation)
    out = model(IMAGE.astype(np.float32) / 255.0).numpy()
    outputs = {"output_0": out}  # the name Keras exports give: nothing to go by but the size
    it = interpret_outputs(outputs, {"inputs": {"input_1": IMAGE}})["output_0"]
    assert it.view == "mask", it.reason
    assert f"scores for {classes} classes per pixel" in it.reason
    assert "the size of input 'input_1' (32×32)" in it.reason
    mask = build_result("output_0", "mask", outputs, {"image": IMAGE}, it.class_axis)
    assert isinstance(mask, MaskResult) and mask.num_classes == classes
    np.testing.assert_array_equal(mask.class_map(0), out[0].argmax(-1))
    if classes == 21:
        assert mask.labels.name(15) == "person"  # PASCAL VOC names for 21 classes


def test_channels_first_logits_are_masks_over_axis_1():
    model = keras_segmentation_head(5, None)
    out = np.transpose(model(IMAGE.astype(np.float32)).numpy(), (0, 3, 1, 2))  # [1, 5, 32, 32]
    it = interpret_outputs({"logits": out}, {"inputs": {"images": IMAGE}})["logits"]
    assert (it.view, it.class_axis) == ("mask", 1)
    assert "channels first" in it.reason
    mask = build_result("logits", "mask", {"logits": out}, {"image": IMAGE}, it.class_axis)
    assert mask.num_classes == 5
    np.testing.assert_array_equal(mask.class_map(0), out[0].argmax(0))


def test_feature_map_without_size_or_name_is_values_with_mask_offered():
    # 6x6 is neither the image's 32x32 nor a fraction of it (1/4 = 8, 1/8 = 4).
    out = keras_segmentation_head(16, None, side=6)(np.ones((1, 6, 6, 3), np.float32)).numpy()
    it = interpret_outputs({"conv2d_1": out}, {"inputs": {"image": IMAGE}})["conv2d_1"]
    assert it.view == "tensor" and "mask" in it.options
    assert "neither an input's size nor the name says segmentation" in it.reason


def test_deeplab_graph_class_map_at_height_width():
    module = DeepLab(classes=21, stride=8)
    image = RNG.integers(0, 256, (1, 48, 64, 3), dtype=np.uint8)
    outs = numpy_outputs(module.serve(image, tf.constant(48), tf.constant(64)))
    seg = outs["semantic_predictions"]
    assert seg.shape == (48, 64) and seg.dtype == np.int32
    ctx = {"inputs": {"image": image, "height": np.int32(48), "width": np.int32(64)}}
    it = interpret_outputs(outs, ctx)["semantic_predictions"]
    assert it.view == "mask" and it.options == ("mask", "tensor")
    assert "the size of input 'image' (64×48)" in it.reason
    # Renamed and fed at a fraction of the image (the map at 1/8), the sizes still tell.
    low = module.logits(image).numpy().argmax(-1)[0].astype(np.int32)  # [6, 8]
    it_low = interpret_outputs({"output": low}, ctx)["output"]
    assert it_low.view == "mask" and "1/8 the size of input 'image'" in it_low.reason
    mask = build_result("output", "mask", {"output": low}, ctx)
    assert mask.display_map(0).shape == (48, 64)  # resized to the image, nearest neighbour


def test_detection_signature_boxes_scores_classes():
    image = RNG.integers(0, 256, (2, 40, 50, 3), dtype=np.uint8)
    detector = Detector()
    outs = numpy_outputs(detector.serve(image))
    its = interpret_outputs(outs, {"inputs": {"input_tensor": image}})
    assert {n: it.view for n, it in its.items()} == dict.fromkeys(outs, "detection")
    assert "boxes (ymin, xmin, ymax, xmax)" in its["detection_boxes"].reason
    assert "scores" not in its["detection_scores"].options[:1]  # not class scores
    det = build_result("detection_boxes", "detection", outs, {"inputs": {"input_tensor": image}})
    assert isinstance(det, DetectionResult) and det.num_items == 2
    assert [(b.label, round(b.score, 2)) for b in det.item_boxes(0, 0.5)] == [
        ("person", 0.95),
        ("dog", 0.8),
    ]
    assert [b.label for b in det.item_boxes(1, 0.5)] == ["person", "dog"]
    np.testing.assert_array_equal(det.image(1), image[1])
    fields = view_fields(outs, {"inputs": {"input_tensor": image}})
    boxes = fields["detection_boxes"]["boxes"]
    assert [[b["label"] for b in item] for item in boxes] == [["person", "dog"]] * 2
    assert boxes[0][0]["box"] == pytest.approx([0.1, 0.1, 0.5, 0.4])
    assert fields["num_detections"]["view"] == "detection"


@pytest.mark.parametrize(
    ("name", "units", "activation", "normalize", "view"),
    [
        ("output_0", 1, None, False, "tensor"),  # regression: one value
        ("output_0", 3, None, False, "tensor"),  # regression: three targets
        ("embedding", 64, None, True, "tensor"),  # L2-normalised embedding
        ("mean_rgb", 3, "sigmoid", False, "tensor"),  # values in 0..1 that are not scores
        ("output_0", 10, "softmax", False, "scores"),  # rows sum to 1
        ("logits", 10, None, False, "scores"),  # the name says scores
    ],
)
def test_dense_heads_scores_only_when_scores(name, units, activation, normalize, view):
    out = keras_head(units, activation, normalize)(RNG.standard_normal((2, 16))).numpy()
    it = interpret_outputs({name: out})[name]
    assert it.view == view, it.reason
    fields = view_fields({name: out})[name]
    assert fields["view"] == ("values" if view == "tensor" else "scores")
    if view == "scores":
        top = fields["top5"][0]
        assert [t["class_id"] for t in top] == list(np.argsort(-out[0], kind="stable")[:5])
        assert top[0]["score"] == pytest.approx(float(out[0].max()))  # raw: no softmax
        assert fields["softmax"] is False


@pytest.mark.slow
def test_run_json_views_for_saved_models(tmp_path, capsys):
    from PIL import Image

    from inspector_app.cli import build_parser

    photo = tmp_path / "photo.png"
    Image.fromarray(RNG.integers(0, 256, (40, 56, 3), dtype=np.uint8)).save(photo)
    deeplab = save_deeplab(tmp_path / "deeplab")
    detector = save_detector(tmp_path / "detector")
    parser, module = build_parser("run")
    docs = []
    for model, key in ((deeplab, "image"), (detector, "input_tensor")):
        args = parser.parse_args([str(model), "--image", f"{key}={photo}", "--json"])
        assert module.execute(args) == 0
        docs.append(json.loads(capsys.readouterr().out))
    seg = docs[0]["outputs"]["semantic_predictions"]
    assert seg["view"] == "segmentation"
    assert seg["view_reason"].startswith("segmentation: [40, 56] int32, class ids")
    assert "the size of input 'image' (56×40)" in seg["view_reason"]
    assert sum(s["pixels"] for s in seg["class_shares"]) == 40 * 56
    assert sum(s["share"] for s in seg["class_shares"]) == pytest.approx(1.0, abs=1e-5)
    det = docs[1]["outputs"]
    assert {k: v["view"] for k, v in det.items()} == dict.fromkeys(det, "detection")
    assert [b["label"] for b in det["detection_boxes"]["boxes"][0]] == ["person", "dog"]
