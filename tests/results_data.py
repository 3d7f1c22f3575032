"""Synthetic outputs whose right answer is known, shared by the results tests."""

from __future__ import annotations

import numpy as np


def quadrant_mask(h: int = 64, w: int = 64) -> np.ndarray:
    """[1, h, w] int64: top-left 0, top-right 1, bottom-left 2, bottom-right 3 (shares 1/4 each)."""
    m = np.zeros((1, h, w), dtype=np.int64)
    m[0, : h // 2, w // 2 :] = 1
    m[0, h // 2 :, : w // 2] = 2
    m[0, h // 2 :, w // 2 :] = 3
    return m


def striped_mask(h: int = 40, w: int = 50) -> np.ndarray:
    """[1, h, w] int32: class 15 (person) in the left 10 columns, class 0 elsewhere (share 0.2)."""
    m = np.zeros((1, h, w), dtype=np.int32)
    m[0, :, :10] = 15
    return m


def one_hot_scores(class_map: np.ndarray, num_classes: int) -> np.ndarray:
    """[N, H, W] ids -> [N, H, W, C] float32 scores whose argmax is the map."""
    return np.eye(num_classes, dtype=np.float32)[class_map] * 5.0 - 1.0


def grey_image(h: int, w: int, value: int = 100) -> np.ndarray:
    return np.full((h, w, 3), value, dtype=np.uint8)
