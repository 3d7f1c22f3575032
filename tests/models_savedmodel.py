"""Small SavedModels for the savedmodel and show tests, written with TensorFlow into tmp folders.

Each builder takes a destination folder and returns it. TensorFlow is imported inside the
builders so that importing this module stays cheap.
"""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path


def build_tf1_multi(path: Path) -> Path:
    """TF1 SavedModelBuilder export with three MetaGraphDefs: serve / serve,gpu / train."""
    import tensorflow as tf

    v1 = tf.compat.v1
    utils = v1.saved_model.signature_def_utils
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 3], name="x")
        ids = v1.placeholder(tf.int64, [None], name="ids")
        flag = v1.placeholder(tf.bool, [], name="flag")
        examples = v1.placeholder(tf.string, name="tf_example")  # unknown rank, like TF Serving
        with v1.variable_scope("dense"):
            kernel = v1.get_variable("kernel", [3, 2], initializer=v1.ones_initializer())
            bias = v1.get_variable("bias", [2], initializer=v1.zeros_initializer())
        probs = tf.nn.softmax(tf.matmul(x, kernel) + bias, name="probs")
        count = tf.identity(tf.size(ids, out_type=tf.int64), name="count")
        parsed = v1.parse_example(examples, {"x": v1.FixedLenFeature([3], tf.float32)})
        reg = tf.identity(tf.reduce_sum(parsed["x"], axis=1, keepdims=True), name="reg")
        predict = utils.predict_signature_def(inputs={"x": x}, outputs={"probs": probs})
        multi = utils.predict_signature_def(
            inputs={"ids": ids, "flag": flag}, outputs={"count": count}
        )
        regress = utils.regression_signature_def(examples=examples, predictions=reg)
        with v1.Session(graph=graph) as sess:
            sess.run(v1.global_variables_initializer())
            builder = v1.saved_model.Builder(str(path))
            builder.add_meta_graph_and_variables(
                sess,
                ["serve"],
                signature_def_map={
                    "serving_default": predict,
                    "multi": multi,
                    "regress_x": regress,
                },
            )
            builder.add_meta_graph(["serve", "gpu"], signature_def_map={"serving_default": predict})
            builder.add_meta_graph(["train"], signature_def_map={"train_probs": predict})
            builder.save()
    return path


def build_tf2(path: Path) -> Path:
    """tf.saved_model.save of a module with nested variables and several signatures."""
    import tensorflow as tf

    class Encoder(tf.Module):
        def __init__(self) -> None:
            super().__init__(name="encoder")
            self.kernel = tf.Variable(tf.ones([784, 16]), name="encoder/kernel")
            self.bias = tf.Variable(tf.zeros([16]), name="encoder/bias")

    class Model(tf.Module):
        def __init__(self) -> None:
            super().__init__(name="model")
            self.encoder = Encoder()
            self.scale = tf.Variable(0.5, name="scale")
            self.offset = tf.Variable(2.0, name="offset")

        @tf.function(input_signature=[tf.TensorSpec([None, 28, 28], tf.float32, name="image")])
        def classify(self, image):
            flat = tf.reshape(image, [-1, 784])
            logits = tf.matmul(flat, self.encoder.kernel) + self.encoder.bias
            return {"scores": tf.nn.softmax(logits), "label": tf.argmax(logits, axis=1)}

        @tf.function(
            input_signature=[
                tf.TensorSpec(None, tf.float32, name="x"),
                tf.TensorSpec([], tf.bool, name="flag"),
                tf.TensorSpec([None], tf.string, name="text"),
            ]
        )
        def mixed(self, x, flag, text):
            y = self.scale * x + self.offset
            return {"y": tf.where(flag, y, x), "n": tf.size(text)}

    model = Model()
    tf.saved_model.save(
        model,
        str(path),
        signatures={"serving_default": model.classify, "mixed": model.mixed},
    )
    return path


def build_keras3(path: Path) -> Path:
    """Keras 3 ``model.export(path)`` of a small Sequential model."""
    import keras

    model = keras.Sequential(
        [
            keras.Input((4,), name="features"),
            keras.layers.Dense(8, activation="relu", name="hidden"),
            keras.layers.Dense(3, activation="softmax", name="out"),
        ],
        name="tiny",
    )
    model.export(str(path), verbose=False)
    return path


def build_versions(base: Path, model: Path) -> Path:
    """A TF Serving base folder: versions 1, 2 and 10 (10 is the highest), plus ignored folders."""
    base.mkdir(parents=True)
    for version in ("1", "2", "10"):
        shutil.copytree(model, base / version)
    (base / "tmp-export").mkdir()
    (base / "README.txt").write_text("not a version\n")
    return base


def write_pbtxt(src_model: Path, dest: Path) -> Path:
    """A copy of ``src_model`` with saved_model.pbtxt instead of saved_model.pb."""
    from google.protobuf import text_format

    from inspector_app.savedmodel import protos

    shutil.copytree(src_model, dest)
    message = protos.saved_model_pb2().SavedModel.FromString((dest / "saved_model.pb").read_bytes())
    (dest / "saved_model.pb").unlink()
    (dest / "saved_model.pbtxt").write_text(text_format.MessageToString(message))
    return dest


def build_broken(root: Path, good: Path) -> dict[str, Path]:
    """Each broken kind, in its own folder under ``root``; ``good`` is a valid TF2 model."""
    root.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    pb = (good / "saved_model.pb").read_bytes()

    out["empty_dir"] = root / "empty_dir"
    out["empty_dir"].mkdir()

    nosm = root / "no_savedmodel"
    nosm.mkdir()
    for name in ("a.txt", "b.bin", "model.h5"):
        (nosm / name).write_bytes(b"x")
    (nosm / "checkpoints").mkdir()
    out["no_savedmodel"] = nosm

    for kind, data in (
        ("truncated_pb", pb[: len(pb) // 2 + 7]),
        ("random_pb", random.Random(7).randbytes(4096)),
        ("empty_pb", b""),
    ):
        folder = root / kind
        folder.mkdir()
        (folder / "saved_model.pb").write_bytes(data)
        out[kind] = folder

    bad_txt = root / "bad_pbtxt"
    bad_txt.mkdir()
    (bad_txt / "saved_model.pbtxt").write_text(
        "saved_model_schema_version: 1\nmeta_graphs {\n  meta_info_def {\n    tags: serve\n  }\n}\n"
    )
    out["bad_pbtxt"] = bad_txt

    novars = root / "missing_variables"
    shutil.copytree(good, novars)
    shutil.rmtree(novars / "variables")
    out["missing_variables"] = novars

    loop = root / "symlink_loop"
    shutil.copytree(good, loop)
    (loop / "assets").mkdir(exist_ok=True)
    os.symlink("..", loop / "assets" / "up")  # assets/up -> the model folder itself
    os.symlink("self", loop / "self")  # a link to itself: ELOOP on every stat
    out["symlink_loop"] = loop

    self_link = root / "self_link"
    os.symlink(self_link, self_link)
    out["self_link"] = self_link

    many = root / "many_files"
    shutil.copytree(good, many)
    extra = many / "assets.extra"
    extra.mkdir()
    for i in range(3000):
        (extra / f"f{i:05d}.txt").write_bytes(b"0123456789")
    out["many_files"] = many

    many_nosm = root / "many_no_savedmodel"
    many_nosm.mkdir()
    for i in range(3000):
        (many_nosm / f"img{i:05d}.jpg").write_bytes(b"")
    out["many_no_savedmodel"] = many_nosm
    return out


_BUILT: dict[str, Path] = {}


def built_models(tmp_path_factory) -> dict[str, Path]:
    """Every fixture model, built once per test session (shared by the test modules)."""
    if _BUILT:
        return _BUILT
    root = tmp_path_factory.mktemp("savedmodels")
    models = {
        "tf1": build_tf1_multi(root / "tf1"),
        "tf2": build_tf2(root / "tf2"),
        "keras3": build_keras3(root / "keras3"),
    }
    models["base"] = build_versions(root / "base", models["tf2"])
    models["pbtxt"] = write_pbtxt(models["tf2"], root / "pbtxt")
    models.update(build_broken(root / "broken", models["tf2"]))
    _BUILT.update(models)
    return _BUILT
