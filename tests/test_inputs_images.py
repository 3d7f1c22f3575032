"""Image inputs: decoding, resizing, colour, value presets, layout, batches, bad files."""

from __future__ import annotations

import numpy as np
import pytest
from models_inputs import spec, write_image
from PIL import Image

from inspector_app.errors import UserError
from inspector_app.inputs import images
from inspector_app.inputs.images import ImageOptions, build_image_batch, image_layout


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("img")
    out = {
        fmt: write_image(d / f"red.{fmt}", (64, 48))
        for fmt in ("png", "jpg", "bmp", "tiff", "webp")
    }
    out["wide"] = write_image(d / "wide.png", (100, 50), (0, 0, 255))
    out["gray"] = write_image(d / "gray.png", (20, 20), 128)
    (d / "text.jpg").write_text("this is not an image")
    out["text"] = d / "text.jpg"
    return out


@pytest.mark.parametrize("fmt", ["png", "jpg", "bmp", "tiff", "webp"])
def test_formats_decode_to_the_model_size(files, fmt):
    arr = build_image_batch([files[fmt]], spec("x", "uint8", [-1, 32, 32, 3]))
    assert arr.shape == (1, 32, 32, 3) and arr.dtype == np.uint8
    assert abs(int(arr[0, 16, 16, 0]) - 255) <= 3 and int(arr[0, 16, 16, 2]) <= 3


def test_free_size_keeps_the_image_size(files):
    arr = build_image_batch([files["png"]], spec("x", "uint8", [1, -1, -1, 3]))
    assert arr.shape == (1, 48, 64, 3)


def test_one_free_side_keeps_the_aspect(files):
    arr = build_image_batch([files["wide"]], spec("x", "uint8", [1, 25, -1, 3]))
    assert arr.shape == (1, 25, 50, 3)


def test_pad_and_crop(files):
    s = spec("x", "uint8", [1, 50, 50, 3])
    padded = build_image_batch([files["wide"]], s, ImageOptions(resize="pad"))
    assert padded[0, 0, 25].tolist() == [0, 0, 0]  # top band is padding
    assert padded[0, 25, 25].tolist() == [0, 0, 255]
    cropped = build_image_batch([files["wide"]], s, ImageOptions(resize="crop"))
    assert (cropped[0, :, :, 2] == 255).all()


def test_value_presets_and_bgr(files):
    s = spec("x", "float32", [1, 8, 8, 3])
    unit = build_image_batch([files["png"]], s, ImageOptions(values="unit"))
    assert unit.dtype == np.float32 and np.allclose(unit[0, 4, 4], [1, 0, 0], atol=0.02)
    signed = build_image_batch([files["png"]], s, ImageOptions(values="signed"))
    assert np.allclose(signed[0, 4, 4], [1, -1, -1], atol=0.02)
    bgr = build_image_batch([files["png"]], s, ImageOptions(values="raw", color="bgr"))
    assert np.allclose(bgr[0, 4, 4], [0, 0, 255], atol=3)
    net = build_image_batch([files["png"]], s, ImageOptions(values="imagenet"))
    expect = (np.array([1, 0, 0]) - images.IMAGENET_MEAN) / images.IMAGENET_STD
    assert np.allclose(net[0, 4, 4], expect, atol=0.05)


def test_nchw_grayscale_and_unbatched(files):
    nchw = build_image_batch([files["png"]], spec("x", "float32", [-1, 3, 16, 16]))
    assert nchw.shape == (1, 3, 16, 16) and nchw[0, 0].min() > 0.95
    gray = build_image_batch([files["gray"]], spec("x", "float32", [-1, 10, 10, 1]))
    assert gray.shape == (1, 10, 10, 1) and np.allclose(gray, 128 / 255, atol=0.01)
    gray3 = build_image_batch(
        [files["png"]], spec("x", "uint8", [1, 4, 4, 3]), ImageOptions(color="gray")
    )
    assert (gray3[0, 0, 0, 0] == gray3[0, 0, 0]).all()
    hwc = build_image_batch([files["png"]], spec("x", "uint8", [16, 16, 3]))
    assert hwc.shape == (16, 16, 3)


def test_several_images_form_the_batch(files):
    arr = build_image_batch([files["png"], files["wide"]], spec("x", "uint8", [-1, 8, 8, 3]))
    assert arr.shape == (2, 8, 8, 3) and arr[1, 4, 4].tolist() == [0, 0, 255]
    with pytest.raises(UserError, match="takes one image"):
        build_image_batch([files["png"], files["wide"]], spec("x", "uint8", [8, 8, 3]))
    with pytest.raises(UserError, match="exactly 1"):
        build_image_batch([files["png"], files["wide"]], spec("x", "uint8", [1, 8, 8, 3]))


def test_is_image_spec_and_layout():
    assert images.is_image_spec(spec("x", "uint8", [1, -1, -1, 3]))
    assert images.is_image_spec(spec("x", "float32", [-1, 3, 224, 224]))
    assert images.is_image_spec(spec("x", "float32", [28, 28, 1]))
    assert not images.is_image_spec(spec("x", "int64", [1, 8, 8, 3]))
    assert not images.is_image_spec(spec("x", "float32", [-1, 10]))
    assert not images.is_image_spec(spec("x", "float32", None))
    assert image_layout(spec("x", "float32", [-1, 3, 224, 224])).name == "NCHW"
    with pytest.raises(UserError, match="cannot hold images"):
        image_layout(spec("x", "float32", [-1, 10]))
    flat = image_layout(spec("x", "float32", [-1, 784]))  # MNIST: 28x28 gray, row by row
    assert (flat.flat, flat.height, flat.width, flat.channels) == (True, 28, 28, 1)
    assert image_layout(spec("x", "float32", [3072])).channels == 3  # 32x32 RGB, no batch
    assert not images.is_image_spec(spec("x", "float32", [-1, 784]))  # offered, not the default


def test_flattened_square_image(tmp_path):
    from PIL import Image

    pixels = np.zeros((56, 56), np.uint8)
    pixels[:28, 28:] = 255  # top right quarter white
    Image.fromarray(pixels).save(tmp_path / "digit.png")
    x = build_image_batch([tmp_path / "digit.png"] * 2, spec("images", "float32", [-1, 784]))
    assert x.shape == (2, 784) and x.dtype == np.float32
    square = x[0].reshape(28, 28)
    assert square[2:12, 16:26].min() == 1.0 and square[16:, :].max() == 0.0
    with pytest.raises(UserError, match="flattened square image"):
        build_image_batch([tmp_path / "digit.png"], spec("x", "float32", [-1, 10]))


def test_not_an_image(files):
    with pytest.raises(UserError, match="not an image pillow can read") as err:
        build_image_batch([files["text"]], spec("x", "uint8", [1, 8, 8, 3]))
    assert "text.jpg" in str(err.value)
    with pytest.raises(UserError, match="no such file"):
        build_image_batch([files["text"].with_name("missing.png")])


def test_decompression_bomb_limit(files, monkeypatch):
    small = write_image(files["png"].with_name("small.png"), (40, 30))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(UserError, match="decompression-bomb limit"):
        build_image_batch([small])  # 1200 > 1000: pillow itself would only warn
    with pytest.raises(UserError, match="decompression-bomb limit"):
        build_image_batch([files["wide"]])  # 5000 > 2 x 1000: pillow's own error
    arr = build_image_batch([files["wide"]], options=ImageOptions(max_pixels=10_000))
    assert arr.shape == (1, 50, 100, 3) and Image.MAX_IMAGE_PIXELS == 1000


def test_integer_input_needs_the_raw_preset(files):
    with pytest.raises(UserError, match="0–255"):
        build_image_batch(
            [files["png"]], spec("x", "uint8", [1, 8, 8, 3]), ImageOptions(values="unit")
        )


def test_bytes_source_thumbnail_and_size(files):
    data = files["jpg"].read_bytes()
    assert build_image_batch([data], spec("x", "uint8", [1, 4, 4, 3])).shape == (1, 4, 4, 3)
    assert images.image_size(files["wide"]) == (50, 100)
    assert max(images.thumbnail(files["wide"], 32).size) == 32
