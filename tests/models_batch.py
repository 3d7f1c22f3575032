"""Small models and data sets for the batch-job tests, made in temporary folders.

The colour classifier answers by the mean of each channel, so its answers are known: a red
picture is class 0 ``red``, green 1, blue 2 (its label asset says so). The segmenter labels each
pixel by its strongest channel. TensorFlow is imported inside the builders.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

COLOURS = {"red": (220, 30, 30), "green": (30, 200, 40), "blue": (20, 40, 210)}
CLASS_NAMES = ("red", "green", "blue")


def build_colour_classifier(path: Path, size: int = 16, fail_on_white: bool = False) -> Path:
    """``serving_default``: images float32 [N, size, size, 3] (0-1) -> probabilities [N, 3].
    With ``fail_on_white`` the model raises on a batch holding a nearly white picture."""
    import tensorflow as tf

    class Model(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            labels = path.parent / f"{path.name}-labels.txt"
            labels.write_text("\n".join(CLASS_NAMES) + "\n")
            self.labels = tf.saved_model.Asset(str(labels))

        @tf.function(input_signature=[tf.TensorSpec([None, size, size, 3], tf.float32)])
        def serve(self, images):
            means = tf.reduce_mean(images, axis=[1, 2])
            if fail_on_white:
                tf.debugging.assert_less(
                    tf.reduce_min(means, axis=1), 0.9, message="a white picture"
                )
            return {"probabilities": tf.nn.softmax(means * 20.0, axis=-1)}

    model = Model()
    tf.saved_model.save(model, str(path), signatures={"serving_default": model.serve})
    return path


def build_segmenter(path: Path) -> Path:
    """``serving_default``: image uint8 [N, H, W, 3] of any size -> class map int32 [N, H, W]."""
    import tensorflow as tf

    class Model(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8)])
        def serve(self, image):
            return {"class_map": tf.argmax(image, axis=-1, output_type=tf.int32)}

    model = Model()
    tf.saved_model.save(model, str(path), signatures={"serving_default": model.serve})
    return path


def build_example_classifier(path: Path) -> Path:
    """``serving_default``: serialized tf.Example [N] with float feature ``x`` (3 values) ->
    probabilities [N, 3] (the largest value wins)."""
    import tensorflow as tf

    class Model(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def serve(self, examples):
            parsed = tf.io.parse_example(examples, {"x": tf.io.FixedLenFeature([3], tf.float32)})
            return {"probabilities": tf.nn.softmax(parsed["x"] * 10.0, axis=-1)}

    model = Model()
    tf.saved_model.save(model, str(path), signatures={"serving_default": model.serve})
    return path


def picture(colour: str, size: tuple[int, int] = (24, 20)) -> Image.Image:
    rng = np.random.default_rng(abs(hash((colour, size))) % 2**32)
    base = np.array(COLOURS[colour], dtype=np.int16)
    noise = rng.integers(-15, 16, size=(size[1], size[0], 3))
    return Image.fromarray(np.clip(base + noise, 0, 255).astype(np.uint8), "RGB")


def class_folders(root: Path, per_class: int = 3, wrong: int = 0) -> Path:
    """``root/red``, ``root/green``, ``root/blue`` with ``per_class`` pictures each; the first
    ``wrong`` of the blue folder are in fact red (mistakes the model must make)."""
    for name in CLASS_NAMES:
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            colour = "red" if name == "blue" and i < wrong else name
            ext = "png" if i % 2 else "jpg"
            picture(colour, (24 + i, 20 + 2 * i)).save(folder / f"{name}_{i}.{ext}")
    return root


def two_region_image(h: int, w: int, left: str, right: str) -> tuple[Image.Image, np.ndarray]:
    """A picture whose left half is ``left`` and right half ``right``; its true class map."""
    arr = np.zeros((h, w, 3), np.uint8)
    cut = w // 2
    arr[:, :cut] = COLOURS[left]
    arr[:, cut:] = COLOURS[right]
    truth = np.zeros((h, w), np.uint8)
    truth[:, :cut] = CLASS_NAMES.index(left)
    truth[:, cut:] = CLASS_NAMES.index(right)
    return Image.fromarray(arr, "RGB"), truth
