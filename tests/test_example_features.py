"""tf.Example features read from the graph: show lists them, run --input-examples checks them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector_app.cli import main
from inspector_app.errors import UserError
from inspector_app.inputs.examples import check_input_examples
from inspector_app.savedmodel import load_model
from inspector_app.savedmodel.example_features import signature_example_features

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def parsed_model(tmp_path_factory) -> Path:
    """TF2: a predict signature whose string input reaches ParseExampleV2 (dense with and
    without default, sparse, ragged), and one that reaches ParseSingleExample through a
    nested tf.function."""
    import tensorflow as tf

    spec = {
        "age": tf.io.FixedLenFeature([1], tf.int64),
        "scores": tf.io.FixedLenFeature([2], tf.float32, default_value=[0.5, 1.5]),
        "tags": tf.io.VarLenFeature(tf.string),
        "words": tf.io.RaggedFeature(tf.string),
    }
    module = tf.Module()

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="records")])
    def parse(records):
        f = tf.io.parse_example(records, spec)
        return {
            "age": f["age"],
            "total": tf.reduce_sum(f["scores"], axis=1),
            "n_tags": tf.size(f["tags"].values),
            "n_words": tf.size(f["words"].flat_values),
        }

    @tf.function
    def inner(record):
        return tf.io.parse_single_example(record, {"h": tf.io.FixedLenFeature([], tf.float32)})["h"]  # fmt: skip

    @tf.function(input_signature=[tf.TensorSpec([], tf.string, name="one")])
    def single(one):
        return {"h": inner(one)}

    module.parse, module.single = parse, single
    path = tmp_path_factory.mktemp("examples") / "model"
    tf.saved_model.save(module, str(path), signatures={"serving_default": parse, "single": single})
    return path


def _features(path: Path, key: str) -> list[dict] | None:
    info = load_model(path)
    mg = info.meta_graphs[0]
    found = signature_example_features(mg.proto, mg.signature(key))
    return None if found is None else [f.to_json() for f in found]


def test_parse_example_v2_features_through_a_function(parsed_model) -> None:
    by_name = {f["name"]: f for f in _features(parsed_model, "serving_default")}
    assert by_name["age"] == {"name": "age", "dtype": "int64", "shape": [1], "kind": "dense",
                              "default": None, "required": True, "input": "records"}  # fmt: skip
    assert by_name["scores"]["default"] == [0.5, 1.5] and not by_name["scores"]["required"]
    assert by_name["tags"]["kind"] == "sparse" and by_name["tags"]["dtype"] == "string"
    assert by_name["words"]["kind"] == "ragged" and by_name["words"]["shape"] is None


def test_parse_single_example_in_a_nested_function(parsed_model) -> None:
    assert _features(parsed_model, "single") == [
        {
            "name": "h",
            "dtype": "float32",
            "shape": [],
            "kind": "dense",
            "default": None,
            "required": True,
            "input": "one",
        }  # fmt: skip
    ]


def test_show_json_and_text_list_them(parsed_model, capsys) -> None:
    assert main(["show", str(parsed_model), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    sigs = {s["key"]: s for s in data["meta_graphs"][0]["signatures"]}
    assert [f["name"] for f in sigs["serving_default"]["example_features"]] == ["age", "scores", "tags", "words"]  # fmt: skip
    assert main(["show", str(parsed_model)]) == 0
    text = capsys.readouterr().out
    assert "Fed with tf.Example records ('records') with the features:" in text
    assert "    scores: float32 [2], dense, default [0.5, 1.5]" in text
    assert "    tags: string, sparse" in text


def test_tf1_parse_example_and_the_real_model(tmp_path) -> None:
    from models_savedmodel import build_tf1_multi

    path = build_tf1_multi(tmp_path / "tf1")
    assert _features(path, "regress_x") == [
        {
            "name": "x",
            "dtype": "float32",
            "shape": [3],
            "kind": "dense",
            "default": None,
            "required": True,
            "input": "inputs",
        }  # fmt: skip
    ]
    assert _features(path, "serving_default") is None


@pytest.mark.parametrize(
    ("examples", "message"),
    [
        ('records=[{"scores": [1.0, 2.0]}]', "lacks the feature 'age' that the graph requires"),
        ('records=[{"agee": [3]}]', "the graph parses no feature 'agee'; did you mean 'age'?"),
        ('records=[{"age": [3.5]}]', "feature 'age' is int64 in the graph, given float values"),
        ('records=[{"age": [3], "scores": [1.0]}]', "feature 'scores' needs 2 values"),
    ],
)
def test_input_examples_checked_before_the_run(parsed_model, examples, message) -> None:
    info = load_model(parsed_model)
    mg = info.meta_graphs[0]
    with pytest.raises(UserError, match=message.replace("?", r"\?")):
        check_input_examples(examples, mg.proto, mg.signature("serving_default"))
    good = 'records=[{"age": [3], "tags": ["a"], "words": ["b", "c"], "other": [1]}]'
    warnings: list[str] = []
    check_input_examples(good, mg.proto, mg.signature("serving_default"), warnings.append)
    assert warnings == ["--input-examples: 'records' example 1: feature 'other' is not parsed by the graph (ignored)"]  # fmt: skip


def test_run_names_the_feature_and_exits_2(parsed_model, capsys) -> None:
    code = main(["run", str(parsed_model), "--input-examples", 'records=[{"agee": [3]}]'])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "did you mean 'age'?" in err[0]
