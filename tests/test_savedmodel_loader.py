"""load_model on TF1, TF2, Keras 3, pbtxt, base folders, and every kind of broken input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from models_savedmodel import built_models

from inspector_app.errors import UserError
from inspector_app.savedmodel import ModelError, load_model, loader

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def models(tmp_path_factory) -> dict[str, Path]:
    return built_models(tmp_path_factory)


def _sig(info, key, tags=("serve",)):
    mg = next(m for m in info.meta_graphs if m.tags == list(tags))
    return mg.signature(key)


def test_tf1_several_meta_graphs(models):
    info = load_model(models["tf1"])
    assert [mg.tags for mg in info.meta_graphs] == [["serve"], ["serve", "gpu"], ["train"]]
    serve = info.meta_graphs[0]
    assert [s.key for s in serve.signatures] == ["multi", "regress_x", "serving_default"]
    x = _sig(info, "serving_default").inputs[0]
    assert (x.name, x.dtype, x.shape, x.tensor_name) == ("x", "float32", [-1, 3], "x:0")
    multi = {t.name: (t.dtype, t.shape) for t in _sig(info, "multi").inputs}
    assert multi == {"flag": ("bool", []), "ids": ("int64", [-1])}
    regress = _sig(info, "regress_x")
    assert regress.method_name == "tensorflow/serving/regress"
    assert (regress.inputs[0].dtype, regress.inputs[0].shape) == ("string", None)
    assert _sig(info, "train_probs", ("train",)).outputs[0].tensor_name == "probs:0"
    assert info.format == "pb" and info.versions is None and info.problems == []
    assert serve.op_counts["MatMul"] >= 1


def test_tf2_signatures_and_sizes(models):
    info = load_model(models["tf2"])
    sig = _sig(info, "serving_default")
    assert sig.method_name == "tensorflow/serving/predict"
    assert [(t.name, t.dtype, t.shape) for t in sig.inputs] == [("image", "float32", [-1, 28, 28])]
    assert [t.name for t in sig.outputs] == ["label", "scores"]
    mixed = {t.name: (t.dtype, t.shape) for t in _sig(info, "mixed").inputs}
    assert mixed == {"x": ("float32", None), "flag": ("bool", []), "text": ("string", [-1])}
    assert info.breakdown["variables"] > 784 * 16 * 4
    assert info.breakdown["graph"] == (models["tf2"] / "saved_model.pb").stat().st_size
    assert info.size_bytes == sum(info.breakdown.values())
    # the variable ops live in the function library: they are counted
    assert info.meta_graphs[0].op_counts.get("VarHandleOp", 0) >= 4


def test_keras3_export(models):
    info = load_model(models["keras3"])
    sig = _sig(info, "serving_default")
    assert [(t.name, t.dtype, t.shape) for t in sig.inputs] == [("features", "float32", [-1, 4])]
    assert sig.outputs[0].shape == [-1, 3]


def test_pb_file_and_pbtxt(models):
    by_file = load_model(models["tf2"] / "saved_model.pb")
    assert by_file.model_dir == models["tf2"] and by_file.path.endswith("saved_model.pb")
    text = load_model(models["pbtxt"])
    assert text.format == "pbtxt" and text.pb_path.name == "saved_model.pbtxt"
    assert text.to_json()["meta_graphs"] == by_file.to_json()["meta_graphs"]
    assert load_model(models["pbtxt"] / "saved_model.pbtxt").format == "pbtxt"


def test_versions_base_folder(models):
    info = load_model(models["base"])
    assert info.versions == [1, 2, 10]  # sorted as numbers, not as text
    assert info.version == 10 and info.model_dir == models["base"] / "10"
    assert info.ignored == ["tmp-export"]
    assert load_model(models["base"], version=2).model_dir.name == "2"
    with pytest.raises(ModelError, match="no version 5; versions here: 1, 2, 10; choose"):
        load_model(models["base"], version=5)
    with pytest.raises(ModelError, match="--version"):
        load_model(models["tf2"], version=1)


def test_json_contract(models):
    data = load_model(models["base"]).to_json()
    assert {"path", "versions", "version", "meta_graphs", "size_bytes"} <= set(data)
    assert data["path"] == str(models["base"])
    tensor = data["meta_graphs"][0]["signatures"][-1]["inputs"][0]
    assert set(tensor) == {"name", "dtype", "shape", "tensor_name"}


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("empty_dir", "the folder is empty"),
        ("no_savedmodel", "found 3 files, 1 folder; no saved_model.pb or saved_model.pbtxt"),
        ("many_no_savedmodel", "found 3000 files, 0 folders"),
        ("truncated_pb", "truncated or corrupt"),
        ("random_pb", "truncated or corrupt|holds no MetaGraphDef"),
        ("empty_pb", "the file is empty"),
        ("bad_pbtxt", r"syntax error at line 4, column \d+"),
        ("self_link", "symbolic link loop"),
    ],
)
def test_bad_input_is_one_line(models, kind, message):
    with pytest.raises(ModelError, match=message) as caught:
        load_model(models[kind])
    text = str(caught.value)
    assert isinstance(caught.value, UserError)
    assert "\n" not in text and text.startswith(str(models[kind]))


def test_missing_path(tmp_path):
    with pytest.raises(ModelError, match="does not exist"):
        load_model(tmp_path / "nope")


def test_nested_model_hint(tmp_path, models):
    os.symlink(models["tf2"], tmp_path / "export")
    with pytest.raises(ModelError, match="sub-folder 'export' holds one"):
        load_model(tmp_path)


def test_missing_variables_still_loads(models):
    info = load_model(models["missing_variables"])
    assert info.problems == ["variables/ is missing: the tree shows, running will fail"]
    assert info.problem_severity[info.problems[0]] == "error"


def test_symlink_loops_are_not_followed(models):
    info = load_model(models["symlink_loop"])
    assert any("not followed" in p and "assets/up" in p for p in info.problems)
    assert info.size_bytes < 10 * load_model(models["tf2"]).size_bytes


def test_thousands_of_files(models):
    info = load_model(models["many_files"])
    assert info.breakdown["assets"] == 3000 * 10 and info.size_complete


def test_size_walk_is_bounded(models, monkeypatch):
    monkeypatch.setattr(loader, "folder_sizes", _limited(loader.folder_sizes, 100))
    info = load_model(models["many_files"])
    assert not info.size_complete
    assert any("sizes count the first" in p for p in info.problems)


def _limited(func, limit):
    return lambda folder, name: func(folder, name, limit=limit)


def test_unreadable_file(models, monkeypatch):
    """Simulated (tests run as root here, where chmod 000 does not stop reading)."""

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    from inspector_app import safeio

    monkeypatch.setattr(safeio, "open_regular", denied)  # the loader reads through safeio
    with pytest.raises(ModelError, match="permission denied: cannot read the file"):
        load_model(models["tf2"])


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_for_real(tmp_path, models):
    import shutil

    copy = shutil.copytree(models["tf2"], tmp_path / "m")
    (copy / "saved_model.pb").chmod(0)
    with pytest.raises(ModelError, match="permission denied"):
        load_model(copy)


def test_no_tensorflow_runtime_loaded(models):
    code = (
        "import sys; from inspector_app.savedmodel import load_model, build_tree\n"
        f"root = build_tree(load_model({str(models['tf2'])!r}))\n"
        "stack = [root]\n"
        "while stack:\n"
        "    stack.extend(stack.pop().ensure_children())\n"
        "bad = [m for m in sys.modules if m.startswith('tensorflow') or m.startswith('PySide6')]\n"
        "print(bad)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_highest_version_without_model_is_skipped(tmp_path, models):
    import shutil

    base = tmp_path / "base"
    shutil.copytree(models["tf2"], base / "7")
    (base / "9").mkdir()  # an export still being written: no saved_model.pb yet
    info = load_model(base)
    assert (info.versions, info.version) == ([7, 9], 7)
    assert info.problems == ["version 9 holds no saved_model.pb: TF Serving cannot load it"]
    with pytest.raises(ModelError, match="no saved_model.pb or saved_model.pbtxt in this version"):
        load_model(base, version=9)


def test_pbtxt_nesting_and_enum_errors(tmp_path):
    folder = tmp_path / "m"
    folder.mkdir()
    pbtxt = folder / "saved_model.pbtxt"
    pbtxt.write_text('meta_graphs { signature_def { key: "a" value { method_name: 3x } } }')
    with pytest.raises(ModelError, match=r"syntax error at line 1, column \d+"):
        load_model(folder)
    pbtxt.write_text("meta_graphs { graph_def { node { " * 400 + "}}}" * 400)
    with pytest.raises(ModelError) as caught:
        load_model(folder)
    assert "\n" not in str(caught.value)
