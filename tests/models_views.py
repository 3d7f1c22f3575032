"""Tiny models with the output conventions the result views must recognise (TensorFlow, tests only).

Each ``*_fn`` returns a callable giving numpy outputs by name, for tests that need no SavedModel;
``save_deeplab`` and ``save_detector`` write SavedModels for the command line.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

keras = tf.keras


def keras_segmentation_head(classes: int, activation: str | None, side: int = 32) -> keras.Model:
    """A Keras segmentation head: [N, side, side, 3] -> [N, side, side, classes] per-pixel scores."""
    keras.utils.set_random_seed(classes)
    inputs = keras.Input((side, side, 3))
    x = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.Conv2D(classes, 1, activation=activation)(x)
    return keras.Model(inputs, x)


def keras_head(units: int, activation: str | None = None, normalize: bool = False) -> keras.Model:
    """Dense head on [N, 16] features: regression (units 1..3), embedding (normalize), classifier."""
    keras.utils.set_random_seed(units)
    inputs = keras.Input((16,))
    x = keras.layers.Dense(units, activation=activation)(inputs)
    if normalize:
        x = keras.layers.UnitNormalization()(x)
    return keras.Model(inputs, x)


class DeepLab(tf.Module):
    """The TF Serving tutorial's DeepLab signature: image + height + width -> [H, W] int32 ids
    (scores computed at 1/``stride`` of the image, resized to height x width, argmax)."""

    def __init__(self, classes: int = 21, stride: int = 8) -> None:
        super().__init__()
        self.stride = stride
        rng = np.random.default_rng(1)
        self.kernel = tf.Variable(rng.standard_normal((1, 1, 3, classes)).astype(np.float32))

    def logits(self, image: tf.Tensor) -> tf.Tensor:
        x = tf.cast(image, tf.float32) / 255.0
        return tf.nn.conv2d(
            tf.nn.avg_pool2d(x, self.stride, self.stride, "SAME"), self.kernel, 1, "SAME"
        )

    @tf.function(
        input_signature=[
            tf.TensorSpec([1, None, None, 3], tf.uint8, name="image"),
            tf.TensorSpec([], tf.int32, name="height"),
            tf.TensorSpec([], tf.int32, name="width"),
        ]
    )
    def serve(self, image: tf.Tensor, height: tf.Tensor, width: tf.Tensor) -> dict:
        scores = tf.image.resize(self.logits(image), tf.stack([height, width]))
        return {"semantic_predictions": tf.argmax(scores, axis=-1, output_type=tf.int32)[0]}


BOXES = np.array(
    [[0.1, 0.1, 0.5, 0.4], [0.5, 0.5, 0.9, 0.95], [0.0, 0.6, 0.3, 1.0], [0.2, 0.2, 0.3, 0.3]],
    np.float32,
)
SCORES = np.array([0.95, 0.8, 0.4, 0.1], np.float32)
CLASSES = np.array([1, 18, 3, 62], np.float32)  # person, dog, car, chair


class Detector(tf.Module):
    """The TF Object Detection API signature: detection_boxes [N, K, 4] (0..1), detection_scores,
    detection_classes (1-based float ids) and num_detections, for a known set of boxes."""

    @tf.function(
        input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8, name="input_tensor")]
    )
    def serve(self, input_tensor: tf.Tensor) -> dict:
        n = tf.shape(input_tensor)[0]
        # Item i's scores fade by i / 10, so each batch item has its own boxes above 0.5.
        fade = 1.0 - tf.cast(tf.range(n), tf.float32)[:, None] / 10.0
        return {
            "detection_boxes": tf.tile(tf.constant(BOXES)[None], [n, 1, 1]),
            "detection_scores": tf.constant(SCORES)[None] * fade,
            "detection_classes": tf.tile(tf.constant(CLASSES)[None], [n, 1]),
            "num_detections": tf.fill([n], tf.constant(4.0)),
        }


def save_deeplab(folder: Path) -> Path:
    module = DeepLab()
    tf.saved_model.save(module, str(folder), signatures={"serving_default": module.serve})
    return folder


def save_detector(folder: Path) -> Path:
    module = Detector()
    tf.saved_model.save(module, str(folder), signatures={"serving_default": module.serve})
    return folder


def numpy_outputs(outputs: dict) -> dict[str, np.ndarray]:
    return {k: np.asarray(v) for k, v in outputs.items()}
