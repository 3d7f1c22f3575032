"""``run --image``: image files decoded for the input's spec, height/width filled from them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from inspector_app.cli import main
from inspector_app.resources import demo_model_paths, sample_path

SHAPES = next((p for p in demo_model_paths() if p.name == "shapes_segmentation"), None)
pytestmark = pytest.mark.skipif(SHAPES is None, reason="the demo models are not in this checkout")


def test_image_feeds_the_deeplab_signature(tmp_path, capsys):
    out = tmp_path / "out"
    argv = [
        "run",
        str(SHAPES),
        "--image",
        f"image={sample_path('shapes_3.png')}",
        "--outdir",
        str(out),
    ]
    assert main(argv) == 0
    mask = np.load(out / "segmentation.npy")
    truth = np.load(sample_path("shapes_3_mask.npy"))
    assert mask.shape == (1, *truth.shape)  # height and width came from the image (192 x 192)
    assert (mask[0] == truth).mean() > 0.95


def test_image_feeds_a_flattened_input(capsys):
    """The MNIST demo takes [?, 784]: a 28x28 digit picture becomes its 784 values in [0, 1]."""
    from models_inputs import spec

    from inspector_app.inputs.images import build_image_batch

    picture = sample_path("digit_7.png")
    feed = build_image_batch([picture], spec("images", "float32", [-1, 784]))
    np.testing.assert_allclose(feed, np.load(sample_path("digit_7.npy")), rtol=1e-6)
    mnist = next(p for p in demo_model_paths() if p.name == "mnist_softmax")
    assert main(["run", str(mnist), "--image", f"images={picture}", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["outputs"]["classes"]["values"] == [7]


@pytest.mark.parametrize(
    ("image_arg", "message"),
    [
        ("image", "--image takes KEY=FILE"),
        ("nope=x.png", "has no input 'nope'"),
        ("image={readme}", "not an image"),
        ("image=/no/such/file.png", "file.png"),
    ],
)
def test_bad_image_arguments_are_one_line(image_arg, message, capsys):
    readme = sample_path("README.md")
    argv = ["run", str(SHAPES), "--image", image_arg.format(readme=readme)]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err
    assert len(err.splitlines()) == 1 and "Traceback" not in err
