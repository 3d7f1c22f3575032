"""Models with weights for the checkpoint, weights and find tests, written with TensorFlow into
tmp folders. TensorFlow is imported inside the builders so that importing this module is cheap."""

from __future__ import annotations

from pathlib import Path


def build_keras_trained(path: Path, *, export: bool = False) -> Path:
    """A small Keras model (Dense, BatchNormalization, Conv1D) compiled with Adam and fitted one
    step, so the checkpoint holds optimizer slots and counters; ``model.export`` or
    ``tf.saved_model.save``."""
    import keras
    import numpy as np
    import tensorflow as tf

    keras.utils.set_random_seed(0)
    inp = keras.Input((6, 3), name="x")
    h = keras.layers.Conv1D(4, 3, name="conv")(inp)
    h = keras.layers.Flatten(name="flat")(h)
    h = keras.layers.Dense(5, activation="relu", name="hidden")(h)
    h = keras.layers.BatchNormalization(name="bn")(h)
    out = keras.layers.Dense(2, name="out")(h)
    model = keras.Model(inp, out)
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    rng = np.random.default_rng(0)
    model.fit(rng.random((8, 6, 3), dtype=np.float32), rng.random((8, 2), dtype=np.float32),
              epochs=1, batch_size=8, verbose=0)  # fmt: skip
    if export:
        model.export(str(path), verbose=False)
    else:
        tf.saved_model.save(model, str(path))
    path.joinpath("count_params.txt").write_text(str(model.count_params()))
    return path


def build_dtypes(path: Path) -> Path:
    """A module holding variables of many dtypes and ranks (NaN and Inf included), a nested
    tf.function with control flow, and a TF1-style optimizer whose slots are in the object graph."""
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(1)
    module = tf.Module()
    f = rng.standard_normal((3, 4, 5)).astype(np.float32)
    f[0, 0, 0], f[1, 1, 1], f[2, 2, 2] = np.nan, np.inf, 0.0
    module.f32 = tf.Variable(f, name="f32")
    module.f64 = tf.Variable(rng.standard_normal(7), name="f64")
    module.f16 = tf.Variable(rng.standard_normal((2, 3)).astype(np.float16), name="f16")
    module.bf16 = tf.Variable(tf.constant([1.5, -2.25, 3.0], tf.bfloat16), name="bf16")
    module.i32 = tf.Variable(rng.integers(-9, 9, (4, 4), dtype=np.int32), name="i32")
    module.i64 = tf.Variable(np.int64(2**40 + 3), name="i64")
    module.u8 = tf.Variable(np.arange(10, dtype=np.uint8), name="u8")
    module.flag = tf.Variable([True, False, True], name="flag")
    module.c64 = tf.Variable(np.array([1 + 2j, -3j], np.complex64), name="c64")
    module.text = tf.Variable([b"alpha", b"", "\u00e9t\u00e9".encode(), b"x" * 300], name="text")
    module.empty = tf.Variable(np.zeros((0, 3), np.float32), name="empty")
    module.w = tf.Variable([[1.0, 2.0], [3.0, 4.0]], name="w")
    module.opt = tf.compat.v1.train.AdamOptimizer(0.1)
    module.opt.minimize(lambda: tf.reduce_sum(module.w * module.w), var_list=[module.w])

    @tf.function
    def inner(x):
        return tf.cond(tf.reduce_sum(x) > 0, lambda: x * 2.0, lambda: x - 1.0)

    @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
    def serve(x):
        i = tf.constant(0)
        y = tf.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, inner(y)), (i, x))[1]
        return {"y": tf.matmul(y, module.w)}

    module.serve = serve
    tf.saved_model.save(module, str(path), signatures={"serving_default": serve})
    return path


def build_tf1_adam(path: Path) -> Path:
    """A TF1 graph trained one step with tf.compat.v1.train.AdamOptimizer: slots named
    ``.../Adam``, ``.../Adam_1``, and ``beta1_power``, ``beta2_power``, ``global_step``."""
    import tensorflow as tf

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        with v1.variable_scope("dense"):
            kernel = v1.get_variable("kernel", [3, 2], initializer=v1.ones_initializer())
            bias = v1.get_variable("bias", [2], initializer=v1.zeros_initializer())
        y = tf.matmul(x, kernel) + bias
        step = v1.train.get_or_create_global_step()
        train = v1.train.AdamOptimizer(0.1).minimize(tf.reduce_sum(y * y), global_step=step)
        sig = v1.saved_model.signature_def_utils.predict_signature_def({"x": x}, {"y": y})
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            sess.run(train, {x: [[1.0, 2.0, 3.0]]})
            builder = v1.saved_model.Builder(str(path))
            builder.add_meta_graph_and_variables(sess, ["serve"], {"serving_default": sig})
            builder.save()
    return path
