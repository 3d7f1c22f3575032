"""Small SavedModels for issue 12 (failures explained, custom ops, session fallback, composite
tensors, dtypes as written), built with TensorFlow in tmp folders."""

from __future__ import annotations

from pathlib import Path


def build_failing_model(folder: Path) -> Path:
    """``parse``: a tf.Example with required float feature ``age``; ``reshape``: x [-1, 3] to
    [-1, 4], which fails at run time unless the element count divides by 4."""
    import tensorflow as tf

    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def parse(self, s):
            f = tf.io.parse_example(s, {"age": tf.io.FixedLenFeature([1], tf.float32)})
            return {"age": f["age"]}

        @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32)])
        def reshape(self, x):
            return {"y": tf.reshape(x, [-1, 4])}

    m = M()
    tf.saved_model.save(m, str(folder), signatures={"parse": m.parse, "reshape": m.reshape})
    return folder


def build_composite_model(folder: Path) -> Path:
    """``split``: string sentences -> ``words`` (ragged), ``lens`` (dense), ``grid`` (sparse);
    ``deep``: a two-level ragged output; ``takes``: a ragged and a sparse input (which the
    signature takes as their components), dense sums out."""
    import tensorflow as tf

    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def split(self, s):
            words = tf.strings.split(s)
            grid = tf.sparse.from_dense(tf.constant([[0, 2, 0], [3, 0, 0]]))
            return {"words": words, "lens": words.row_lengths(), "grid": grid}

        @tf.function(input_signature=[])
        def deep(self):
            return {"nested": tf.ragged.constant([[[1, 2], [3]], [[4, 5, 6]]], dtype=tf.int32)}

        @tf.function(
            input_signature=[
                tf.RaggedTensorSpec([None, None], tf.float32),
                tf.SparseTensorSpec([None, 4], tf.int64),
            ]
        )
        def takes(self, r, s):
            return {"sum": tf.reduce_sum(r, axis=1), "ssum": tf.sparse.reduce_sum(s, axis=1)}

    m = M()
    sigs = {"split": m.split, "deep": m.deep, "takes": m.takes}
    tf.saved_model.save(m, str(folder), signatures=sigs)
    return folder


def build_slot_failure_model(folder: Path) -> Path:
    """A TF2 export whose object graph ``tf.saved_model.load`` cannot revive, as Keras 2.4-era
    exports with optimizer slot variables: a plain object (revived as ``_UserObject``) claims a
    slot variable, so loading stops at "'_UserObject' object has no attribute 'add_slot'".
    The MetaGraphDef and the variables are sound: ``serving_default`` is y = x @ [[2], [3]] + 1.
    """
    import tensorflow as tf

    from inspector_app.savedmodel import protos

    class M(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a_opt = tf.Module()
            self.b_w = tf.Variable([[2.0], [3.0]])
            self.c_slot = tf.Variable([[0.0], [0.0]])

        @tf.function(input_signature=[tf.TensorSpec([None, 2], tf.float32)])
        def f(self, x):
            return {"y": tf.matmul(x, self.b_w) + 1.0}

    m = M()
    tf.saved_model.save(m, str(folder), signatures={"serving_default": m.f})
    pb = folder / "saved_model.pb"
    model = protos.saved_model_pb2().SavedModel()
    model.ParseFromString(pb.read_bytes())
    graph = model.meta_graphs[0].object_graph_def
    ids = {c.local_name: c.node_id for c in graph.nodes[0].children}
    ref = graph.nodes[ids["a_opt"]].slot_variables.add()
    ref.original_variable_node_id = ids["b_w"]
    ref.slot_variable_node_id = ids["c_slot"]
    ref.slot_name = "m"
    pb.write_bytes(model.SerializeToString())
    return folder


def build_text_model(folder: Path) -> Path:
    """A tensorflow-text tokenizer (its WhitespaceTokenizeWithOffsetsV2 op lives in
    tensorflow-text's library): sentences -> ``tokens`` (ragged strings), ``count`` (dense)."""
    import tensorflow as tf
    import tensorflow_text as text

    class M(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            self.tokenizer = text.WhitespaceTokenizer()

        @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
        def tokenize(self, s):
            tokens = self.tokenizer.tokenize(s)
            return {"tokens": tokens, "count": tokens.row_lengths()}

    m = M()
    tf.saved_model.save(m, str(folder), signatures={"serving_default": m.tokenize})
    return folder


def build_ref_model(folder: Path) -> Path:
    """A TF1 export whose ``serving_default`` output ``w`` is a reference variable
    (DT_FLOAT_REF, as written by TF1's tensor_info of a VariableV2), y = x * w."""
    import tensorflow as tf

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None], name="x")
        w = v1.Variable(3.0, name="w", use_resource=False)
        y = tf.multiply(x, w, name="y")
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            builder = v1.saved_model.Builder(str(folder))
            info = v1.saved_model.utils.build_tensor_info
            sig = v1.saved_model.signature_def_utils.build_signature_def(
                inputs={"x": info(x)},
                outputs={"y": info(y), "w": info(w._variable)},
                method_name="tensorflow/serving/predict",
            )
            builder.add_meta_graph_and_variables(
                sess, ["serve"], signature_def_map={"serving_default": sig}
            )
            builder.save()
    return folder


def build_tf1_sparse_model(folder: Path) -> Path:
    """A TF1 export with a sparse input ``sp`` (float32 [-1, 4], a COO TensorInfo) and outputs
    ``total`` (row sums, dense) and ``doubled`` (sparse)."""
    import tensorflow as tf

    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        sp = v1.sparse_placeholder(tf.float32, [None, 4], name="sp")
        total = tf.sparse.reduce_sum(sp, axis=1, name="total")
        doubled = tf.sparse.SparseTensor(sp.indices, sp.values * 2.0, sp.dense_shape)
        with v1.Session(graph=graph) as sess:
            builder = v1.saved_model.Builder(str(folder))
            info = v1.saved_model.utils.build_tensor_info
            sig = v1.saved_model.signature_def_utils.build_signature_def(
                inputs={"sp": info(sp)},
                outputs={"total": info(total), "doubled": info(doubled)},
                method_name="tensorflow/serving/predict",
            )
            builder.add_meta_graph_and_variables(
                sess, ["serve"], signature_def_map={"serving_default": sig}
            )
            builder.save()
    return folder
