"""Weights without TensorFlow: the checkpoint reader against ``tf.train.load_checkpoint`` bit for
bit, statistics against numpy, roles and parameter counts against Keras, the function library
against the proto, find, exports, and ``show --variables/--functions --json``."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from models_weights import build_dtypes, build_keras_trained, build_tf1_adam

from inspector_app.cli import main as cli_main
from inspector_app.errors import UserError
from inspector_app.savedmodel import load_model
from inspector_app.savedmodel.checkpoint import (
    OBJECT_GRAPH_KEY,
    CheckpointReader,
    all_stats,
    tensor_stats,
)
from inspector_app.savedmodel.functions import function_library
from inspector_app.savedmodel.layers import layer_summary
from inspector_app.savedmodel.search import build_index
from inspector_app.savedmodel.variable_roles import checkpoint_roles
from inspector_app.savedmodel.variables import parameter_counts, read_variables

pytestmark = pytest.mark.slow  # the models are built with TensorFlow


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("weights")
    return {
        "keras": build_keras_trained(root / "keras"),
        "keras_export": build_keras_trained(root / "keras_export", export=True),
        "dtypes": build_dtypes(root / "dtypes"),
        "tf1": build_tf1_adam(root / "tf1"),
    }


def _tf_reader(model: Path):
    import tensorflow as tf

    return tf.train.load_checkpoint(str(model / "variables" / "variables"))


@pytest.mark.parametrize("name", ["keras", "keras_export", "dtypes", "tf1"])
def test_every_tensor_bit_for_bit_as_tensorflow_reads_it(models, name) -> None:
    ours = CheckpointReader.for_model(models[name])
    theirs = _tf_reader(models[name])
    shapes = theirs.get_variable_to_shape_map()
    assert set(ours.keys()) == set(shapes)
    for key in shapes:
        raw = theirs.get_tensor(key)
        got = ours.read(key)
        if isinstance(raw, bytes):  # a scalar string (np.asarray would drop trailing NULs)
            assert got.shape == () and got.item() == raw, key
            continue
        expected = np.asarray(raw)  # other scalars come back as numpy scalars
        assert got.shape == expected.shape, key
        if expected.dtype == object:  # strings: bytes objects
            assert got.dtype == object and got.tolist() == expected.tolist(), key
            continue
        assert got.dtype == expected.dtype, key
        assert got.tobytes() == expected.tobytes(), key


def test_statistics_match_numpy(models) -> None:
    reader = CheckpointReader.for_model(models["dtypes"])
    stats = all_stats(reader)
    f32 = _tf_reader(models["dtypes"]).get_tensor("f32/.ATTRIBUTES/VARIABLE_VALUE")
    s = stats["f32/.ATTRIBUTES/VARIABLE_VALUE"]
    finite = f32[np.isfinite(f32)].astype(np.float64)
    assert (s.nan, s.inf, s.count) == (1, 1, 60)
    assert s.zeros == int(np.sum(f32 == 0)) >= 1
    assert s.min == finite.min() and s.max == finite.max()
    assert s.mean == pytest.approx(finite.mean(), rel=1e-6)
    assert s.std == pytest.approx(finite.std(), rel=1e-6)
    assert sum(s.hist) == finite.size and len(s.hist) == 64
    assert "text/.ATTRIBUTES/VARIABLE_VALUE" not in stats  # strings have none
    assert stats["empty/.ATTRIBUTES/VARIABLE_VALUE"].count == 0
    bf16 = stats["bf16/.ATTRIBUTES/VARIABLE_VALUE"]
    assert (bf16.min, bf16.max) == (-2.25, 3.0)
    flag = stats["flag/.ATTRIBUTES/VARIABLE_VALUE"]
    assert (flag.zeros, flag.mean) == (1, pytest.approx(2 / 3))


def test_blocked_statistics_match_one_pass(models) -> None:
    rng = np.random.default_rng(3)
    values = (rng.standard_normal(10_001) * 0.01 + 1000).astype(np.float32)
    values[::7] = 0
    blocked, whole = tensor_stats(values, block=1000), tensor_stats(values)
    exact = values.astype(np.float64)
    for s in (blocked, whole):
        assert s.mean == pytest.approx(exact.mean(), rel=1e-7)  # float32 inside a block
        assert s.std == pytest.approx(exact.std(), rel=1e-4)
        assert s.zeros == int(np.sum(values == 0))
    assert blocked.hist == whole.hist and sum(whole.hist) == values.size


def test_roles_and_parameters_of_a_trained_keras_model(models) -> None:
    info = load_model(models["keras"])
    variables = read_variables(info.model_dir, info.meta_graphs[0].proto)
    roles = {v.name: v.role for v in variables}
    keras_params = int((models["keras"] / "count_params.txt").read_text())
    counts = parameter_counts(variables)
    assert counts["weight"] == keras_params == 157
    assert roles["hidden/kernel"] == roles["bn/moving_mean"] == "weight"
    # Keras names the optimizer adam, adam_1... by how many this process made before
    adam = next(n for n in roles if n.endswith("/iteration")).rsplit("/", 1)[0]
    assert roles[f"{adam}/iteration"] == roles[f"{adam}/learning_rate"] == "bookkeeping"
    slots = [v for v in variables if v.role == "optimizer_slot"]
    assert len(slots) == 16  # momentum and velocity of the 8 trainable variables
    trainable = [v for v in variables if v.role == "weight" and v.trainable]
    assert counts["optimizer_slot"] == 2 * sum(v.params for v in trainable)
    assert {v.name for v in variables if v.trainable is False} >= {"bn/moving_mean"}


def test_roles_from_slot_variables_and_tf1_names(models) -> None:
    roles = checkpoint_roles(CheckpointReader.for_model(models["dtypes"])).roles
    assert roles["w/.ATTRIBUTES/VARIABLE_VALUE"] == "weight"
    slot_keys = [k for k, r in roles.items() if r == "optimizer_slot"]
    assert len(slot_keys) == 2 and all(".OPTIMIZER_SLOT" in k for k in slot_keys)
    assert roles["opt/beta1_power/.ATTRIBUTES/VARIABLE_VALUE"] == "bookkeeping"
    tf1 = checkpoint_roles(CheckpointReader.for_model(models["tf1"])).roles
    assert tf1["dense/kernel"] == "weight" and tf1["dense/kernel/Adam_1"] == "optimizer_slot"
    assert tf1["global_step"] == tf1["beta2_power"] == "bookkeeping"


def test_keras_export_counts_each_variable_once(models) -> None:
    info = load_model(models["keras_export"])
    variables = read_variables(info.model_dir, info.meta_graphs[0].proto)
    assert parameter_counts(variables) == {"weight": 157, "optimizer_slot": 0, "bookkeeping": 0}
    assert all(len(v.keys) == 2 for v in variables)


def test_layer_summary(models) -> None:
    info = load_model(models["keras"])
    rows = layer_summary(info.model_dir, read_variables(info.model_dir, info.meta_graphs[0].proto))
    by_name = {r.name: r for r in rows}
    assert [r.name for r in rows] == ["conv", "hidden", "bn", "out"]
    assert (by_name["conv"].type, by_name["conv"].params) == ("Conv1D?", 40)
    assert (by_name["hidden"].type, by_name["hidden"].output_shape) == ("Dense?", "(..., 5)")
    assert by_name["bn"].type == "BatchNormalization?"
    assert (by_name["bn"].params, by_name["bn"].trainable_params) == (20, 10)
    assert sum(r.params for r in rows) == 157


def test_function_library_matches_the_proto(models) -> None:
    for name in ("dtypes", "keras", "tf1"):
        proto = load_model(models[name]).meta_graphs[0].proto
        library = function_library(proto)
        assert sorted(f.name for f in library) == sorted(
            f.signature.name for f in proto.graph_def.library.function
        )
        for fn in library:
            fdef = next(f for f in proto.graph_def.library.function if f.signature.name == fn.name)
            assert len(fn.inputs) == len(fdef.signature.input_arg)
            assert len(fn.outputs) == len(fdef.signature.output_arg)
    library = function_library(load_model(models["dtypes"]).meta_graphs[0].proto)
    assert len(library) >= 6  # serve, its while body and cond, inner, cond branches, save/restore
    serve = next(f for f in library if "signatures.serving_default" in f.attached_to)
    assert serve.inputs[0].shape == [-1, 2] and serve.inputs[0].dtype == "float32"
    called = {c for f in library for c in f.calls}
    assert any("cond" in c or "true" in c for c in called)  # If/While branches are calls


def test_find_searches_the_data_not_the_tree(models) -> None:
    info = load_model(models["keras"])
    index = build_index(info)
    found, total = index.search("hidden/kernel", {"weight"})
    assert total >= 1 and found[0].name == "hidden/kernel" and found[0].kind == "weight"
    nodes, _ = index.search("MatMul", {"node"})
    assert any(r.function for r in nodes)  # nodes inside function bodies
    assert index.search("serving_default", {"signature"})[0][0].kind == "signature"
    assert index.counts()["function"] >= 4


def test_exports_npy_npz_atomic_and_never_into_the_model(models, tmp_path) -> None:
    from inspector_app.results.weights_export import export_npy, export_npz

    model = models["dtypes"]
    reader = CheckpointReader.for_model(model)
    key = "f32/.ATTRIBUTES/VARIABLE_VALUE"
    out = export_npy(reader, key, tmp_path / "f32.npy", model_dir=model)
    assert np.load(out).tobytes() == reader.read(key).tobytes()
    with pytest.raises(UserError, match="exists"):
        export_npy(reader, key, out, model_dir=model)
    with pytest.raises(UserError, match="model folder"):
        export_npy(reader, key, model / "f32.npy", model_dir=model)
    names = {k.split("/")[0]: k for k in reader.entries if k != OBJECT_GRAPH_KEY and "/" in k}
    npz = export_npz(reader, names, tmp_path / "all.npz", model_dir=model)
    with np.load(npz) as data:
        assert set(data.files) == set(names)
        assert data["text"].tolist() == reader.read(names["text"]).tolist()
        assert data["i32"].tobytes() == reader.read(names["i32"]).tobytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_show_variables_and_functions_json(models, capsys) -> None:
    assert cli_main(["show", str(models["keras"]), "--variables", "--functions", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["parameters"] == 157
    by_name = {v["name"]: v for v in data["variables"]}
    kernel = by_name["hidden/kernel"]
    assert kernel["role"] == "weight" and kernel["key"].endswith("/.ATTRIBUTES/VARIABLE_VALUE")
    expected = _tf_reader(models["keras"]).get_tensor(kernel["key"]).astype(np.float64)
    assert kernel["stats"]["min"] == expected.min() and kernel["stats"]["max"] == expected.max()
    assert kernel["stats"]["mean"] == pytest.approx(expected.mean(), rel=1e-6)
    assert kernel["stats"]["std"] == pytest.approx(expected.std(), rel=1e-5)
    iteration = next(n for n in by_name if n.endswith("/iteration"))  # adam, adam_1...
    assert by_name[iteration]["role"] == "bookkeeping"
    assert sum(v["role"] == "optimizer_slot" for v in data["variables"]) == 16
    proto = load_model(models["keras"]).meta_graphs[0].proto
    assert len(data["functions"]) == len(proto.graph_def.library.function)
    assert all({"name", "inputs", "outputs", "calls"} <= set(f) for f in data["functions"])


def test_tree_counts_weights_apart_and_lists_the_whole_library(models) -> None:
    from inspector_app.savedmodel import build_tree

    tree = build_tree(load_model(models["keras"]))
    variables = tree.find(lambda n: n.kind == "variables")
    variables.ensure_children()
    assert variables.summary.startswith("10 variables · 157 params · optimizer: 16 slots")
    assert variables.details["params"] == 157
    slot = tree.find(lambda n: n.kind == "variable" and n.details.get("role") == "optimizer_slot")
    assert slot is not None and slot.summary.startswith("[optimizer slot]")
    library = tree.find(lambda n: n.kind == "library")
    proto = load_model(models["keras"]).meta_graphs[0].proto
    assert len(library.ensure_children()) == len(proto.graph_def.library.function)
    assert all(c.kind == "library_function" and "->" in c.summary for c in library.children)
