"""Masks (colour map, colourise, overlay, resize, legend, class at) and images."""

from __future__ import annotations

import numpy as np
import pytest
from results_data import grey_image, one_hot_scores, quadrant_mask, striped_mask

from inspector_app.results.images import ImageResult, to_uint8
from inspector_app.results.masks import (
    MaskResult,
    blend,
    class_at,
    colourise,
    legend,
    overlay,
    resize_nearest,
    to_class_maps,
    voc_colormap,
)


def test_voc_colormap_known_entries():
    cmap = voc_colormap()
    assert cmap.shape == (256, 3) and cmap.dtype == np.uint8
    assert cmap[0].tolist() == [0, 0, 0]
    assert cmap[1].tolist() == [128, 0, 0]
    assert cmap[15].tolist() == [192, 128, 128]  # person
    assert cmap[20].tolist() == [0, 64, 128]  # tvmonitor
    assert cmap[255].tolist() == [224, 224, 192]  # void


def test_to_class_maps_variants():
    m = quadrant_mask()
    assert to_class_maps(m) is m
    assert np.array_equal(to_class_maps(one_hot_scores(m, 5)), m)
    assert np.array_equal(to_class_maps(m[..., None]), m)
    assert to_class_maps(m[0]).shape == (1, 64, 64)


def test_colourise_pixels():
    rgb = colourise(quadrant_mask()[0])
    assert rgb.shape == (64, 64, 3)
    assert rgb[0, 0].tolist() == [0, 0, 0]
    assert rgb[0, 63].tolist() == [128, 0, 0]
    assert rgb[63, 0].tolist() == [0, 128, 0]
    assert rgb[63, 63].tolist() == [128, 128, 0]
    assert colourise(np.array([[256 + 1, -255]])).tolist() == [[[128, 0, 0], [128, 0, 0]]]


def test_blend_and_overlay_values():
    img = grey_image(64, 64, 100)
    out = overlay(img, quadrant_mask()[0], 0.5)
    assert out[0, 0].tolist() == [50, 50, 50]
    assert out[0, 63].tolist() == [114, 50, 50]  # (100 + 128) / 2
    assert np.array_equal(blend(img, colourise(quadrant_mask()[0]), 0.0), img)
    assert blend(img, colourise(quadrant_mask()[0]), 1.0)[63, 63].tolist() == [128, 128, 0]


def test_resize_nearest_to_image_size():
    small = quadrant_mask(4, 4)[0]
    big = resize_nearest(small, (64, 32))
    assert big.shape == (64, 32)
    assert big[0, 0] == 0 and big[0, 31] == 1 and big[63, 0] == 2 and big[63, 31] == 3
    assert resize_nearest(np.array([[300, -1]]), (1, 4)).tolist() == [[300, 300, -1, -1]]


def test_legend_shares_and_order():
    rows = legend(striped_mask()[0])
    assert [(r.class_id, r.pixels) for r in rows] == [(0, 1600), (15, 400)]
    assert rows[1].share == pytest.approx(0.2)
    assert rows[1].colour == (192, 128, 128)
    neg = legend(np.array([[-1, -1, 2]]))
    assert [(r.class_id, r.pixels) for r in neg] == [(-1, 2), (2, 1)]


def test_class_at():
    m = quadrant_mask()[0]
    assert class_at(m, 40, 10) == 1
    assert class_at(m, 10, 40) == 2
    assert class_at(m, 64, 0) is None


def test_mask_result_with_smaller_mask_than_image():
    res = MaskResult(quadrant_mask(8, 8), image=grey_image(64, 48)[None])
    assert res.display_map(0).shape == (64, 48)
    assert res.class_at(0, 47, 63) == 3
    assert res.overlay(0, 1.0)[63, 47].tolist() == [128, 128, 0]
    shares = {r.class_id: r.share for r in res.legend(0)}
    assert shares == {0: 0.25, 1: 0.25, 2: 0.25, 3: 0.25}
    assert MaskResult(quadrant_mask()).overlay(0, 0.5) is None


def test_mask_result_from_scores_knows_class_count():
    res = MaskResult(one_hot_scores(quadrant_mask(), 21), image=np.zeros((64, 64, 3), np.float32))
    assert res.num_classes == 21 and res.from_scores
    assert res.colourised(0)[63, 63].tolist() == [128, 128, 0]


def test_to_uint8_ranges():
    assert to_uint8(np.array([0.0, 0.5, 1.0]))[0].tolist() == [0, 128, 255]
    assert to_uint8(np.array([-1.0, 1.0]))[0].tolist() == [0, 255]
    out, how = to_uint8(np.array([10.0, 1010.0, np.nan]))
    assert out.tolist() == [0, 255, 0] and "stretched" in how
    assert to_uint8(np.array([3, 200], np.int32))[0].tolist() == [3, 200]


def test_image_result_items_share_one_mapping():
    arr = np.stack([np.zeros((4, 4, 1)), np.full((4, 4, 1), 500.0)])
    res = ImageResult(arr)
    assert res.num_items == 2
    assert res.item(0).max() == 0 and res.item(1).min() == 255
    with pytest.raises(ValueError):
        ImageResult(np.zeros((1, 4, 4, 2)))


@pytest.mark.parametrize("opacity", [0.0, 0.3, 0.5, 0.77, 1.0])
def test_overlay_bands_equal_plain_blend(opacity):
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (301, 517, 3), dtype=np.uint8)  # odd sizes: a partial last band
    cm = rng.integers(-3, 300, (301, 517))
    expected = blend(img, colourise(cm), opacity)
    assert np.array_equal(overlay(img, cm, opacity), expected)
