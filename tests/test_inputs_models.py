"""The builders' feeds run on real models (run here with TensorFlow in the test process)."""

from __future__ import annotations

import numpy as np
import pytest
from models_inputs import (
    VOCAB,
    build_colour_classifier,
    build_image_height_width,
    build_vocab_and_dtypes,
    run_signature,
    spec,
    write_image,
)

from inspector_app.inputs import fill, scalars, strings, validate, warmup
from inspector_app.inputs.images import ImageOptions, build_image_batch

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    pytest.importorskip("tensorflow")
    d = tmp_path_factory.mktemp("models_inputs")
    return {
        "colour": build_colour_classifier(d),
        "deeplab": build_image_height_width(d),
        "vocab": build_vocab_and_dtypes(d),
        "dir": d,
    }


def test_one_colour_image_gives_that_class(models):
    s = spec("image", "float32", [-1, 32, 32, 3])
    for index, colour in enumerate([(255, 0, 0), (0, 255, 0), (0, 0, 255)]):
        img = write_image(models["dir"] / f"c{index}.jpg", (50, 40), colour)
        feed = build_image_batch([img], s, ImageOptions(values="unit"))
        assert validate.check_feed(feed, s).ready
        assert (
            int(
                np.argmax(
                    run_signature(models["colour"], "serving_default", {"image": feed})["scores"]
                )
            )
            == index
        )


def test_image_height_width_with_only_the_image(models):
    specs = [
        spec("image", "uint8", [1, -1, -1, 3]),
        spec("height", "int32", []),
        spec("width", "int32", []),
    ]
    feeds = {"image": build_image_batch([write_image(models["dir"] / "p.png", (30, 20))], specs[0])}
    feeds.update(scalars.autofill_dimensions(specs, feeds))
    assert validate.all_ready(validate.check_feeds(feeds, specs))
    out = run_signature(models["deeplab"], "serving_default", feeds)
    assert bool(out["ok"]) and out["size"].tolist() == [20, 30]


def test_text_lines_and_dtypes_run(models):
    words = strings.text_lines("dog\nfish\nbird\n", spec("words", "string", [-1]))
    assert run_signature(models["vocab"], "lookup", {"words": words})["ids"].tolist() == [1, 2, -1]
    assert VOCAB[0] == "cat"
    feeds = {
        "count": scalars.scalar_feed("3", spec("count", "int64", [-1])),
        "flag": scalars.scalar_feed("true", spec("flag", "bool", [-1])),
        "value": fill.fill(spec("value", "float64", [-1]), "constant", value=0.5),
    }
    assert run_signature(models["vocab"], "mixed", feeds)["out"].tolist() == [1.5]


def test_warmup_written_by_us_replays_to_the_same_outputs(models, tmp_path):
    feeds = {"words": strings.text_lines("cat\ndog", spec("words", "string", [-1]))}
    path = warmup.write_warmup(tmp_path / "warm", feeds, signature_name="lookup")
    record = warmup.read_warmup(path)[0]
    first = run_signature(models["vocab"], "lookup", feeds)["ids"]
    again = run_signature(models["vocab"], record.signature_name, record.feeds)["ids"]
    assert first.tolist() == again.tolist() == [0, 1]


@pytest.mark.real_models
def test_tf1_classify_from_the_feature_table(real_models):
    model = real_models / "saved_model_half_plus_two_cpu" / "00000123"
    rows = [
        [strings.parse_feature("x", "float", "2.0")],
        [strings.parse_feature("x", "float", "4")],
    ]
    inputs = strings.serialized_examples(rows, spec("inputs", "string", None))
    out = run_signature(model, "regress_x_to_y", {"inputs": inputs})
    assert np.allclose(out["outputs"].reshape(-1), [3.0, 4.0])
    scores = run_signature(model, "classify_x_to_y", {"inputs": inputs})["scores"]
    assert np.allclose(scores.reshape(-1), [3.0, 4.0])
