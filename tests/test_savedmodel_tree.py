"""build_tree: the nodes the window shows, and the variables reader checked against TensorFlow."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from models_savedmodel import built_models

from inspector_app.savedmodel import build_tree, load_model
from inspector_app.savedmodel.bundle import BundleError, _snappy_decompress, read_bundle_index
from inspector_app.savedmodel.tree import TreeNode


@pytest.fixture(scope="session")
def models(tmp_path_factory) -> dict[str, Path]:
    return built_models(tmp_path_factory)


def _child(node: TreeNode, kind: str, name: str | None = None) -> TreeNode:
    for child in node.ensure_children():
        if child.kind == kind and (name is None or child.name == name):
            return child
    raise AssertionError(f"no {kind} {name} under {node.name}: {[c.name for c in node.children]}")


def test_tf1_tree(models):
    root = build_tree(load_model(models["tf1"]))
    assert root.kind == "model" and root.details["size_bytes"] > 0
    assert [c.name for c in root.children] == ["serve", "serve, gpu", "train"]
    serve = root.children[0]
    sig = _child(serve, "signature", "regress_x")
    assert sig.summary == "regress"
    assert sig.cli_command.endswith("--tag_set serve --signature_def regress_x")
    tensor = _child(_child(sig, "inputs"), "tensor", "inputs")
    assert tensor.summary == "string unknown rank" and tensor.copy_value == "tf_example:0"
    x = _child(_child(_child(serve, "signature", "serving_default"), "inputs"), "tensor", "x")
    assert x.summary == "float32 [?, 3]"
    gpu = root.children[1]
    assert "--tag_set serve,gpu" in _child(gpu, "signature").cli_command
    # TF1 graphs have no object graph: no Functions node
    assert not any(c.kind == "functions" for c in serve.children)
    variables = _child(serve, "variables")
    group = _child(variables, "variable_group", "dense")
    assert group.summary.startswith("2 variables · 8 params")
    kernel = _child(group, "variable", "kernel")
    assert kernel.details["shape"] == [3, 2] and kernel.details["value"] == [1.0] * 6


def test_tf2_tree(models):
    info = load_model(models["tf2"])
    root = build_tree(info)
    serve = _child(root, "meta_graph", "serve")
    sig = _child(serve, "signature", "serving_default")
    assert sig.summary == "predict"
    image = _child(_child(sig, "inputs"), "tensor", "image")
    assert image.summary == "float32 [?, 28, 28]"
    meta = sig.details["serving_metadata"]
    assert meta["model_spec"]["name"] == "tf2"
    body = meta["metadata"]["signature_def"]["signature_def"]["serving_default"]
    assert body["inputs"]["image"]["dtype"] == "DT_FLOAT"
    assert body["inputs"]["image"]["tensor_shape"]["dim"][0]["size"] == "-1"
    json.dumps(meta)  # serialisable as is
    x = _child(_child(_child(serve, "signature", "mixed"), "inputs"), "tensor", "x")
    assert x.summary == "float32 unknown rank"

    variables = _child(serve, "variables")
    assert variables.load_children is not None  # read lazily, on first expand
    encoder = _child(variables, "variable_group", "encoder")
    assert "12,560 params" in encoder.summary
    assert _child(variables, "variable", "scale").summary.startswith("float32 scalar = 0.5")
    assert variables.summary.startswith("4 variables · 12,562 params")

    functions = _child(serve, "functions")
    mixed = _child(functions, "function", "mixed")
    assert "x: TensorSpec(shape=None, dtype=tf.float32, name='x')" in mixed.summary
    classify = _child(functions, "function", "classify")
    assert "TensorSpec(shape=(None, 28, 28), dtype=tf.float32, name='image')" in classify.summary

    ops = _child(serve, "ops")
    assert _child(ops, "op", "MatMul").details["count"] >= 1
    facts = {f.name: f.summary for f in _child(serve, "facts").children}
    assert facts["TensorFlow version"].startswith("2.")
    assert facts["format"] == "saved_model.pb (binary)"
    assert "fingerprint saved_model_checksum" in facts
    assert int(facts["variables bytes"].replace(",", "")) == info.breakdown["variables"]


def test_keras3_variables_grouped_by_layer(models):
    serve = _child(build_tree(load_model(models["keras3"])), "meta_graph", "serve")
    variables = _child(serve, "variables")
    groups = {g.name: g for g in variables.ensure_children()}
    assert set(groups) == {"tiny/hidden", "tiny/out"}
    assert groups["tiny/hidden"].details["params"] == 4 * 8 + 8
    assert variables.details["params"] == 4 * 8 + 8 + 8 * 3 + 3  # each variable counted once


def test_versions_tree(models):
    root = build_tree(load_model(models["base"]))
    kinds = [(c.kind, c.name) for c in root.children]
    assert kinds == [
        ("version", "10"),
        ("version", "2"),
        ("version", "1"),
        ("ignored", "tmp-export"),
    ]
    loaded, other = root.children[0], root.children[1]
    assert loaded.summary == "latest, loaded" and loaded.children
    assert other.load_children is not None and not other.children
    assert _child(other, "meta_graph", "serve")  # loads version 2 on expand
    assert "ignored" in root.children[3].summary


def test_assets_and_assets_extra(models, tmp_path):
    model = shutil.copytree(models["tf2"], tmp_path / "m")
    (model / "assets").mkdir(exist_ok=True)
    (model / "assets" / "labels.txt").write_text("cat\ndog\n")
    (model / "assets.extra").mkdir()
    (model / "assets.extra" / "tf_serving_warmup_requests").write_bytes(b"x" * 100)
    serve = _child(build_tree(load_model(model)), "meta_graph", "serve")
    assets = _child(serve, "assets")
    names = {a.name: a for a in assets.children}
    assert names["assets/labels.txt"].summary == "8 B"
    assert names["assets.extra/tf_serving_warmup_requests"].details["bytes"] == 100


def test_problem_nodes(models):
    root = build_tree(load_model(models["missing_variables"]))
    problem = root.children[0]
    assert problem.kind == "problem" and problem.severity == "error"
    assert "running will fail" in problem.summary
    serve = _child(root, "meta_graph", "serve")
    assert _child(serve, "variables").summary.startswith("none")


def test_broken_index_becomes_problem_row(models, tmp_path):
    model = shutil.copytree(models["tf2"], tmp_path / "m")
    (model / "variables" / "variables.index").write_bytes(b"garbage" * 20)
    variables = _child(_child(build_tree(load_model(model)), "meta_graph"), "variables")
    rows = variables.ensure_children()
    assert [r.kind for r in rows] == ["problem"] and "magic" in rows[0].summary


@pytest.mark.parametrize("name", ["tf1", "tf2", "keras3"])
def test_bundle_reader_matches_tensorflow(models, name):
    import tensorflow as tf

    prefix = str(models[name] / "variables" / "variables")
    expected = dict(tf.train.list_variables(prefix))
    _, entries = read_bundle_index(models[name] / "variables" / "variables.index")
    assert {e.key: e.shape for e in entries} == expected


def test_snappy_blocks():
    # literal "abcd" then a copy of 8 bytes at offset 4 -> "abcdabcdabcd"
    data = bytes([12, 3 << 2]) + b"abcd" + bytes([((8 - 4) << 2) | 1, 4])
    assert _snappy_decompress(data) == b"abcdabcdabcd"
    with pytest.raises(BundleError):
        _snappy_decompress(bytes([5, 1 << 2 | 1, 9]))
