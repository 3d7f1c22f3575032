"""Small SavedModels for the deployment checks: a clean one, one full of training leftovers,
and variants made by editing a copy's saved_model.pb (fast: no TensorFlow save per variant)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from inspector_app.savedmodel import protos


def build_clean(folder: Path) -> Path:
    """TF2 model: serving_default(x float32 [None, 3]) -> y float32 [None, 1], one variable."""
    import tensorflow as tf

    class Linear(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = tf.Variable(tf.ones([3, 1]), name="w")

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="x")])
        def serve(self, x: Any) -> dict:
            return {"y": tf.matmul(x, self.w)}

    module = Linear()
    tf.saved_model.save(module, str(folder), signatures={"serving_default": module.serve})
    return folder


def build_switched_dropout(folder: Path) -> Path:
    """TF1-style graph whose dropout sits behind a learning-phase switch (not a leftover)."""
    import tensorflow as tf

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        training = v1.placeholder_with_default(False, [], name="keras_learning_phase")
        y = tf.cond(training, lambda: tf.nn.dropout(x, rate=0.5), lambda: tf.identity(x))
        _save_v1(graph, folder, {"x": x}, {"y": y})
    return folder


def build_leftovers(folder: Path) -> Path:
    """TF1-style serve graph with what training code leaves behind: an optimizer update,
    active dropout, a queue and a reader, a summary, ReadFile and PrintV2."""
    import tensorflow as tf

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        w = v1.get_variable("w", [3, 1], initializer=v1.ones_initializer())
        hidden = tf.nn.dropout(x, rate=0.5)
        y = tf.matmul(hidden, w)
        loss = tf.reduce_mean(tf.square(y))
        train = v1.train.GradientDescentOptimizer(0.1).minimize(loss)
        v1.summary.scalar("loss", loss)
        queue = v1.FIFOQueue(4, [tf.string])
        reader = v1.TFRecordReader()
        record = reader.read(queue)[1]
        contents = tf.io.read_file("/tmp/does-not-matter.txt")
        printed = tf.print("y", y)
        extra = {"record": record, "contents": contents}
        with tf.control_dependencies([printed, train]):
            y = tf.identity(y, name="y")
        _save_v1(graph, folder, {"x": x}, {"y": y, **extra})
    return folder


def _save_v1(graph: Any, folder: Path, inputs: dict, outputs: dict) -> None:
    import tensorflow as tf

    v1 = tf.compat.v1
    with v1.Session(graph=graph) as sess:
        sess.run(v1.global_variables_initializer())
        builder = v1.saved_model.Builder(str(folder))
        sig = v1.saved_model.predict_signature_def(inputs, outputs)
        builder.add_meta_graph_and_variables(
            sess, [v1.saved_model.tag_constants.SERVING], {"serving_default": sig}
        )
        builder.save()


def edited_copy(src: Path, dst: Path, edit: Callable[[Any], None]) -> Path:
    """Copy a model folder and rewrite its saved_model.pb with ``edit(saved_model_message)``."""
    shutil.copytree(src, dst)
    pb = dst / "saved_model.pb"
    message = protos.saved_model_pb2().SavedModel()
    message.ParseFromString(pb.read_bytes())
    edit(message)
    pb.write_bytes(message.SerializeToString())
    return dst


def serving_default(message: Any) -> Any:
    return message.meta_graphs[0].signature_def["serving_default"]


def dtype(name: str) -> int:
    return protos.types_pb2().DataType.Value(name)
