"""Small SavedModels for the window tests, written with TensorFlow into tmp folders.

TensorFlow is imported inside the builder so that importing this module stays cheap.
"""

from __future__ import annotations

from pathlib import Path


def build_two_tag_sets(path: Path) -> Path:
    """TF1 export: tag sets ``serve`` (serving_default, double) and ``serve,gpu``
    (serving_default only), one dense layer's variables."""
    import tensorflow as tf

    v1 = tf.compat.v1
    utils = v1.saved_model.signature_def_utils
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        with v1.variable_scope("dense"):
            kernel = v1.get_variable("kernel", [3, 2], initializer=v1.ones_initializer())
            bias = v1.get_variable("bias", [2], initializer=v1.zeros_initializer())
        probs = tf.nn.softmax(tf.matmul(x, kernel) + bias, name="probs")
        doubled = tf.identity(x * 2.0, name="doubled")
        predict = utils.predict_signature_def(inputs={"x": x}, outputs={"probs": probs})
        double = utils.predict_signature_def(inputs={"x": x}, outputs={"y": doubled})
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            builder = v1.saved_model.Builder(str(path))
            builder.add_meta_graph_and_variables(
                sess, ["serve"], signature_def_map={"serving_default": predict, "double": double}
            )
            builder.add_meta_graph(["serve", "gpu"], signature_def_map={"serving_default": predict})
            builder.save()
    return path
