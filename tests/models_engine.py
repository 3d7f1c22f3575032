"""Small SavedModels for the engine and `run` tests (built with TensorFlow in tmp folders)."""

from __future__ import annotations

from pathlib import Path


def build_tf2_model(folder: Path) -> Path:
    """One TF2 export with signatures: double (x float32[-1] -> y = 2x), no_input, counter
    (stateful: +1 per call), forever (a while_loop that never ends), big (a 25 MB output),
    slow (a matmul chain that takes tens of ms)."""
    import tensorflow as tf

    class M(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            self.count = tf.Variable(0, dtype=tf.int64)
            self.w = tf.Variable(tf.random.stateless_normal((512, 512), seed=(1, 2)) / 25.0)

        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
        def double(self, x):
            return {"y": x * 2.0}

        @tf.function(input_signature=[])
        def no_input(self):
            return {"answer": tf.constant([42.0, 7.0])}

        @tf.function(input_signature=[])
        def counter(self):
            self.count.assign_add(1)
            return {"count": self.count.read_value()}

        @tf.function(input_signature=[tf.TensorSpec([], tf.int32)])
        def forever(self, start):
            i = tf.while_loop(lambda i: i > 0, lambda i: tf.maximum(i + 1, 1), [start])
            return {"i": i[0] if isinstance(i, (list, tuple)) else i}

        @tf.function(input_signature=[tf.TensorSpec([], tf.float32)])
        def big(self, scale):
            return {"big": tf.reshape(tf.range(25 * 2**18, dtype=tf.float32), [-1, 1024]) * scale}

        @tf.function(input_signature=[tf.TensorSpec([None, 512], tf.float32)])
        def slow(self, x):
            for _ in range(40):
                x = tf.tanh(tf.matmul(x, self.w))
            return {"out": x}

    m = M()
    sigs = {
        "serving_default": m.double, "no_input": m.no_input, "counter": m.counter,
        "forever": m.forever, "big": m.big, "slow": m.slow,
    }  # fmt: skip
    tf.saved_model.save(m, str(folder), signatures=sigs)
    return folder


def build_tf1_multi(folder: Path) -> Path:
    """A TF1 export with two MetaGraphDefs: tags [serve] (y = x + 1) and [serve, gpu] (y = x + 2)."""
    import tensorflow as tf

    v1 = tf.compat.v1
    builder = v1.saved_model.Builder(str(folder))
    for i, tags in enumerate((["serve"], ["serve", "gpu"])):
        with tf.Graph().as_default() as g, v1.Session(graph=g) as sess:
            x = v1.placeholder(tf.float32, [None], name="x")
            k = v1.get_variable("k", initializer=tf.constant(1.0), use_resource=False)
            y = tf.identity(x + k * float(i + 1), name="y")  # the variable is saved once
            sess.run(v1.global_variables_initializer())
            sig = v1.saved_model.signature_def_utils.predict_signature_def({"x": x}, {"y": y})
            if i == 0:
                builder.add_meta_graph_and_variables(sess, tags, {"serving_default": sig})
            else:
                builder.add_meta_graph(tags, {"serving_default": sig})
    builder.save()
    return folder
