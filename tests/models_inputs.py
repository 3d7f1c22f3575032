"""Builders for the input tests: specs, small image files, and tiny SavedModels that take the
inputs the builders make (colour classifier, image + height + width, vocabulary lookup, mixed
dtypes). Models are written with TensorFlow into the folder given."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from inspector_app.savedmodel.loader import TensorInfo

COLOURS = {"red": (255, 0, 0), "green": (0, 255, 0), "blue": (0, 0, 255)}
VOCAB = ["cat", "dog", "fish"]


def spec(name: str, dtype: str, shape: list[int] | None) -> TensorInfo:
    return TensorInfo(name=name, dtype=dtype, shape=shape, tensor_name=f"{name}:0")


def write_image(path: Path, size: tuple[int, int] = (64, 48), colour=(255, 0, 0)) -> Path:
    """A one-colour image (width, height) in the format the suffix names."""
    mode = "L" if isinstance(colour, int) else "RGB"
    Image.new(mode, size, colour).save(path)
    return path


def build_colour_classifier(folder: Path) -> Path:
    """float32 [-1, 32, 32, 3] in 0..1 -> 'scores' [-1, 3] over red, green, blue (mean colour)."""
    import tensorflow as tf

    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None, 32, 32, 3], tf.float32, name="image")])
        def serve(self, image):
            return {"scores": tf.nn.softmax(10.0 * tf.reduce_mean(image, axis=[1, 2]))}

    m = M()
    path = folder / "colour"
    tf.saved_model.save(m, str(path), signatures={"serving_default": m.serve})
    return path


def build_image_height_width(folder: Path) -> Path:
    """The DeepLab serving pattern: uint8 image [1, ?, ?, 3] + int32 height + width; outputs the
    image size it saw and whether height/width agree with it."""
    import tensorflow as tf

    class M(tf.Module):
        @tf.function(
            input_signature=[
                tf.TensorSpec([1, None, None, 3], tf.uint8, name="image"),
                tf.TensorSpec([], tf.int32, name="height"),
                tf.TensorSpec([], tf.int32, name="width"),
            ]
        )
        def serve(self, image, height, width):
            shape = tf.shape(image)
            ok = tf.logical_and(tf.equal(shape[1], height), tf.equal(shape[2], width))
            return {"ok": ok, "size": tf.stack([height, width])}

    m = M()
    path = folder / "deeplab_like"
    tf.saved_model.save(m, str(path), signatures={"serving_default": m.serve})
    return path


def build_vocab_and_dtypes(folder: Path) -> Path:
    """Signatures: 'lookup' (string [-1] -> int64 ids over VOCAB) and 'mixed' (int64, bool,
    float64 in -> one float64 out)."""
    import tensorflow as tf

    class M(tf.Module):
        def __init__(self):
            super().__init__()
            self.table = tf.lookup.StaticHashTable(
                tf.lookup.KeyValueTensorInitializer(
                    tf.constant(VOCAB), tf.range(len(VOCAB), dtype=tf.int64)
                ),
                default_value=-1,
            )

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="words")])
        def lookup(self, words):
            return {"ids": self.table.lookup(words)}

        @tf.function(
            input_signature=[
                tf.TensorSpec([None], tf.int64, name="count"),
                tf.TensorSpec([None], tf.bool, name="flag"),
                tf.TensorSpec([None], tf.float64, name="value"),
            ]
        )
        def mixed(self, count, flag, value):
            return {"out": tf.cast(count, tf.float64) * value * tf.cast(flag, tf.float64)}

    m = M()
    path = folder / "vocab_dtypes"
    tf.saved_model.save(m, str(path), signatures={"lookup": m.lookup, "mixed": m.mixed})
    return path


def run_signature(model_dir: Path, key: str, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Run a signature in this (test) process, for checking builders against real models."""
    import tensorflow as tf

    fn = tf.saved_model.load(str(model_dir)).signatures[key]
    out = fn(**{k: tf.constant(v) for k, v in feeds.items()})
    return {k: v.numpy() for k, v in out.items()}
