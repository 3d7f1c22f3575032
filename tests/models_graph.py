"""Small models for the graph view tests: a TF1 graph with name scopes and a while loop, a TF2
module with nested functions, ``tf.cond`` (If) and ``tf.while_loop`` (While).

TensorFlow is imported inside the builders so that importing this module stays cheap.
"""

from __future__ import annotations

from pathlib import Path


def build_tf1_scoped(path: Path) -> Path:
    """serve: ``probs = softmax(dense2(relu(dense1(x))))`` in scopes, plus an unused branch
    ``unused`` that pruning must drop, a control dependency and a v1 while loop."""
    import tensorflow as tf

    v1 = tf.compat.v1
    with tf.Graph().as_default() as graph:
        x = v1.placeholder(tf.float32, [None, 4], name="x")
        with v1.variable_scope("dense1"):
            w1 = v1.get_variable("w", [4, 8], initializer=v1.ones_initializer())
            h = tf.nn.relu(tf.matmul(x, w1), name="relu")
        with v1.variable_scope("dense2"):
            w2 = v1.get_variable("w", [8, 3], initializer=v1.ones_initializer())
            logits = tf.matmul(h, w2, name="logits")
        with tf.name_scope("loop"):
            counter = v1.while_loop(lambda i: i < 3, lambda i: i + 1, [tf.constant(0)])
        with tf.control_dependencies([counter]):
            probs = tf.nn.softmax(logits, name="probs")
        tf.reduce_sum(x, name="unused")
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            builder = v1.saved_model.Builder(str(path))
            sig = v1.saved_model.predict_signature_def({"x": x}, {"probs": probs})
            builder.add_meta_graph_and_variables(
                sess, ["serve"], signature_def_map={"serving_default": sig}
            )
            builder.save()
    return path


def build_tf2_nested(path: Path) -> Path:
    """serving_default(x) calls ``outer``, which calls ``inner`` and branches with tf.cond and
    loops with tf.while_loop; everything in name scopes."""
    import tensorflow as tf

    class Model(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = tf.Variable(tf.ones([4, 3]), name="w")

        @tf.function
        def inner(self, x):
            with tf.name_scope("inner_scope"):
                return tf.matmul(x, self.w) + 1.0

        @tf.function(input_signature=[tf.TensorSpec([None, 4], tf.float32, name="x")])
        def outer(self, x):
            with tf.name_scope("block"):
                y = self.inner(x)
                total = tf.reduce_sum(y)
                z = tf.cond(total > 0.0, lambda: y * 2.0, lambda: y - 1.0)
                n = tf.while_loop(lambda i: i < 5, lambda i: i + 1, [tf.constant(0)])[0]
            return {"scores": tf.nn.softmax(z, name="softmax"), "steps": n}

    model = Model()
    tf.saved_model.save(model, str(path), signatures={"serving_default": model.outer})
    return path


_BUILT: dict[str, Path] = {}


def graph_models(tmp_path_factory) -> dict[str, Path]:
    """Both models, built once per test session (shared by the test modules)."""
    if not _BUILT:
        root = tmp_path_factory.mktemp("graph_models")
        _BUILT["tf1"] = build_tf1_scoped(root / "tf1")
        _BUILT["tf2"] = build_tf2_nested(root / "tf2")
    return _BUILT
