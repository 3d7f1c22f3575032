"""Issue 12, points 3 to 5: the session fallback when the object graph cannot be loaded, ragged
and sparse tensors (show, run, --json, --outdir), dtypes as written and as the graph needs."""

from __future__ import annotations

import json

import numpy as np
import pytest
from models_issue12 import (
    build_composite_model,
    build_ref_model,
    build_slot_failure_model,
    build_tf1_sparse_model,
)

from inspector_app.cli import build_parser
from inspector_app.engine import Engine
from inspector_app.engine.composites import RaggedValue, SparseValue
from inspector_app.savedmodel import load_model
from inspector_app.savedmodel.checks import check_signature_dtypes

T = 120


@pytest.fixture(scope="module")
def engine():
    eng = Engine()
    yield eng
    eng.close()


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("i12")
    return {
        "slot": build_slot_failure_model(root / "slot"),
        "composite": build_composite_model(root / "composite"),
        "ref": build_ref_model(root / "ref"),
        "tf1_sparse": build_tf1_sparse_model(root / "tf1_sparse"),
    }


def run_cli(engine, *argv):
    parser, module = build_parser("run")
    return module.execute(parser.parse_args([str(a) for a in argv]), engine=engine)


def saved_model_cli_run(path, feeds: dict, signature="serving_default", tags=("serve",)):
    """What ``saved_model_cli run`` does: the MetaGraphDef in a Session, fetch the outputs."""
    import tensorflow as tf

    v1 = tf.compat.v1
    with v1.Session(graph=tf.Graph()) as sess:
        meta = v1.saved_model.loader.load(sess, list(tags), str(path))
        sig = meta.signature_def[signature]
        keys = sorted(sig.outputs)
        values = sess.run(
            [sig.outputs[k].name for k in keys],
            feed_dict={sig.inputs[k].name: v for k, v in feeds.items()},
        )
    return dict(zip(keys, values, strict=True))


def test_object_graph_failure_falls_back_to_a_session(engine, models, capsys) -> None:
    import tensorflow as tf

    with pytest.raises(AttributeError, match="add_slot"):  # the failure class reproduced
        tf.saved_model.load(str(models["slot"]))
    info = engine.load(models["slot"]).result(T)
    assert info.backend == "session"
    assert "add_slot" in info.warnings[0] and "saved_model_cli" in info.warnings[0]
    x = np.array([[1.0, 2.0], [0.5, -1.0]], np.float32)
    result = engine.run("serving_default", {"x": x}).result(T)
    assert result.load_path == "session"
    want = saved_model_cli_run(models["slot"], {"x": x})
    assert result.outputs["y"].tobytes() == want["y"].tobytes()  # bit for bit
    assert result.outputs["y"].tolist() == [[9.0], [-1.0]]

    assert run_cli(engine, models["slot"], "--input-exprs", "x=[[1.0, 2.0]]", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["load_path"] == "session" and data["outputs"]["y"]["values"] == [[9.0]]


def test_show_reports_composites(models) -> None:
    info = load_model(models["composite"])
    split = info.meta_graphs[0].signature("split")
    outs = {t.name: t.to_json() for t in split.outputs}
    assert outs["words"]["kind"] == "ragged" and outs["words"]["dtype"] == "string"
    assert outs["words"]["shape"] == [-1, -1]
    assert outs["grid"]["kind"] == "sparse" and outs["grid"]["dtype"] == "int32"
    assert outs["grid"]["shape"] == [2, 3] and "kind" not in outs["lens"]
    nested = info.meta_graphs[0].signature("deep").outputs[0].to_json()
    assert nested["kind"] == "ragged" and nested["shape"] == [2, -1, -1]


def test_composite_outputs_run_without_losing_the_others(engine, models, tmp_path, capsys):
    import tensorflow as tf

    path = models["composite"]
    engine.load(path).result(T)
    sentences = np.array([b"the cat sat", b"hi"], object)
    result = engine.run("split", {"s": sentences}).result(T)
    assert result.outputs["lens"].tolist() == [3, 1]
    words, grid = result.composites["words"], result.composites["grid"]
    assert isinstance(words, RaggedValue) and isinstance(grid, SparseValue)
    plain = tf.saved_model.load(str(path)).signatures["split"](s=tf.constant(sentences))
    assert words.to_list() == plain["words"].to_list()
    assert grid.dense().tolist() == tf.sparse.to_dense(plain["grid"]).numpy().tolist()
    nested = engine.run("deep", {}).result(T).composites["nested"]
    assert nested.to_list() == [[[1, 2], [3]], [[4, 5, 6]]] and nested.shape == [2, -1, -1]
    # a ragged and a sparse input, fed through the components the signature takes
    feeds = {
        "r": np.array([1.0, 2.0, 4.0], np.float32), "r_1": np.array([0, 2, 3]),
        "s": np.array([[0, 1], [1, 3]]), "s_1": np.array([5, 6]), "s_2": np.array([2, 4]),
    }  # fmt: skip
    sums = engine.run("takes", feeds).result(T).outputs
    assert sums["sum"].tolist() == [3.0, 4.0] and sums["ssum"].tolist() == [5, 6]

    out = tmp_path / "out"
    argv = [path, "--signature", "split", "--input-exprs", "s=['the cat sat', 'hi']"]
    assert run_cli(engine, *argv, "--json", "--outdir", out) == 0
    data = json.loads(capsys.readouterr().out)  # valid JSON, all three outputs
    assert data["outputs"]["words"] == {
        "kind": "ragged", "dtype": "string", "shape": [2, -1],
        "row_lengths": [[3, 1]], "values": [["the", "cat", "sat"], ["hi"]],
    }  # fmt: skip
    assert data["outputs"]["grid"]["indices"] == [[0, 1], [1, 0]]
    assert data["outputs"]["grid"]["values"] == [2, 3]
    assert data["outputs"]["grid"]["dense_shape"] == [2, 3]
    assert data["outputs"]["lens"]["values"] == [3, 1]
    files = sorted(p.name for p in out.iterdir())
    assert files == [
        "grid.dense_shape.npy", "grid.indices.npy", "grid.values.npy", "lens.npy",
        "words.flat_values.npy", "words.row_splits.npy",
    ]  # fmt: skip
    assert np.load(out / "words.row_splits.npy").tolist() == [0, 3, 4]
    assert run_cli(engine, *argv) == 0
    text = capsys.readouterr().out
    assert "row 0 (3): ['the', 'cat', 'sat']" in text and "[1, 0] -> 3" in text


def test_ref_dtypes_as_written_and_run(engine, models, capsys) -> None:
    from inspector_app.cli import show

    path = models["ref"]
    outs = {t.name: t for t in load_model(path).meta_graphs[0].signature("serving_default").outputs}
    assert outs["w"].to_json()["dtype"] == "float32_ref" and outs["w"].dtype == "float32"
    parser, _ = build_parser("show")
    assert show.execute(parser.parse_args([str(path)])) == 0
    assert "dtype: DT_FLOAT_REF" in capsys.readouterr().out
    x = np.array([1.0, 2.0], np.float32)
    engine.load(path).result(T)
    out = engine.run("serving_default", {"x": x}).result(T).outputs
    want = saved_model_cli_run(path, {"x": x})
    assert out["y"].tolist() == want["y"].tolist() == [3.0, 6.0]
    assert float(out["w"]) == float(want["w"]) == 3.0


@pytest.mark.real_models
def test_half_plus_three_regress_runs_like_saved_model_cli(engine, real_models, capsys) -> None:
    path = real_models / "saved_model_half_plus_three"
    findings = check_signature_dtypes(load_model(path))
    assert [f.id for f in findings] == ["signatures.dtype_mismatch"]
    assert "declared DT_FLOAT" in findings[0].message and "is DT_STRING" in findings[0].message
    examples = 'inputs=[{"x":[1.0]},{"x":[3.0]}]'
    argv = [path, "--signature", "tensorflow/serving/regress", "--input-examples", examples]
    assert run_cli(engine, *argv, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outputs"]["outputs"]["values"] == [[3.5], [4.5]]  # saved_model_cli: 0.5x + 3

    from inspector_app.inputs.examples import parse_input_examples

    feeds = parse_input_examples(examples)
    want = saved_model_cli_run(path / "00000123", feeds, "tensorflow/serving/regress")
    assert want["outputs"].tolist() == [[3.5], [4.5]]


def test_tf1_sparse_input_and_output(engine, models, capsys) -> None:
    path = models["tf1_sparse"]
    sig = load_model(path).meta_graphs[0].signature("serving_default")
    assert sig.inputs[0].to_json()["kind"] == "sparse"
    engine.load(path).result(T)
    value = SparseValue(np.array([[0, 1], [1, 3]]), np.array([1.0, 2.0], np.float32),
                        np.array([2, 4]))  # fmt: skip
    result = engine.run("serving_default", {"sp": value}).result(T)
    assert result.outputs["total"].tolist() == [1.0, 2.0]
    assert result.composites["doubled"].values.tolist() == [2.0, 4.0]
    # a dense array for a sparse input: its non-zero entries are fed
    assert (
        run_cli(engine, path, "--input-exprs", "sp=[[0, 1.0, 0, 0], [0, 0, 0, 2.0]]", "--json") == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["outputs"]["doubled"]["indices"] == [[0, 1], [1, 3]]
    assert data["outputs"]["total"]["values"] == [1.0, 2.0]
