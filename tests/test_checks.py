"""Deployment checks: each check fires on a model made to trigger it and stays quiet on one
that does not; no false alarm on the real TF Serving models and the demo models."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import models_checks as mc
import pytest

from inspector_app.engine.op_registry import registered_op_names
from inspector_app.savedmodel import build_tree, load_model
from inspector_app.savedmodel import checks_registry as registry
from inspector_app.savedmodel.checks import (
    MB,
    CheckOptions,
    check_path,
    find_node,
    has_errors,
    ops_touching_files,
    run_checks,
)

REPO = Path(__file__).resolve().parent.parent
NO_ACCEL = {"CPU": 1, "GPU": 0, "TPU": 0}


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("checks")
    return {
        "clean": mc.build_clean(root / "clean"),
        "leftovers": mc.build_leftovers(root / "leftovers"),
        "switched": mc.build_switched_dropout(root / "switched"),
        "root": root,
    }


@pytest.fixture(scope="session")
def known_ops(built) -> frozenset[str]:
    """A stand-in registry: every op the test models use (the real one is tested once below)."""
    ops: set[str] = set()
    for key in ("clean", "leftovers", "switched"):
        for mg in load_model(built[key]).meta_graphs:
            ops.update(mg.op_counts)
    return frozenset(ops)


@pytest.fixture(scope="session")
def real_ops(tmp_path_factory) -> Iterator[frozenset[str]]:
    """The real registry, asked of TensorFlow in this test process (the engine worker's way)
    and stored in a temporary cache folder, left in SMI_CACHE_DIR for later child processes."""
    import tensorflow  # noqa: F401  (loaded already by the model builders)

    before = os.environ.get("SMI_CACHE_DIR")
    os.environ["SMI_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))
    assert registry.cached_registered_ops() is None
    registry.store_registered_ops(registered_op_names())
    ops = registry.cached_registered_ops()
    assert ops is not None
    yield ops
    if before is None:
        os.environ.pop("SMI_CACHE_DIR", None)
    else:
        os.environ["SMI_CACHE_DIR"] = before


def findings(path, known_ops, version=None, **kw):
    options = CheckOptions(registered_ops=known_ops, devices=kw.pop("devices", NO_ACCEL), **kw)
    return check_path(path, version=version, options=options)


def ids(found, severity=None):
    return {f.id for f in found if severity is None or f.severity == severity}


def alarms(found):
    return [f for f in found if f.severity in ("error", "warning")]


def variant(built, name, edit) -> Path:
    """A copy of the clean model with its saved_model.pb edited (once per session)."""
    dst = built["root"] / "variants" / name
    if not dst.exists():
        mc.edited_copy(built["clean"], dst, edit)
    return dst


def test_clean_model_has_no_alarm(built, known_ops):
    found = findings(built["clean"], known_ops)
    assert alarms(found) == []
    assert "size.ok" in ids(found)
    assert ops_touching_files(load_model(built["clean"])) == []


def test_training_leftovers(built, known_ops):
    found = findings(built["leftovers"], known_ops)
    warned = ids(found, "warning")
    for rule in (
        "training.optimizer_ops",
        "training.dropout",
        "training.queues_readers",
        "training.summaries",
        "ops.denylisted",
    ):
        assert rule in warned, rule
    optimizer = next(f for f in found if f.id == "training.optimizer_ops")
    assert "ResourceApplyGradientDescent" in optimizer.message
    assert optimizer.where == {"meta_graph": "serve", "op": "ResourceApplyGradientDescent"}
    assert optimizer.fix
    assert ops_touching_files(load_model(built["leftovers"])) == ["PrintV2", "ReadFile"]


def test_dropout_behind_a_switch_is_not_a_leftover(built, known_ops):
    assert "training.dropout" not in ids(findings(built["switched"], known_ops))


def test_denylist_is_changeable(built, known_ops):
    found = findings(built["leftovers"], known_ops, denylist=frozenset())
    assert "ops.denylisted" not in ids(found)
    found = findings(built["clean"], known_ops, denylist=frozenset({"MatMul"}))
    denied = next(f for f in found if f.id == "ops.denylisted")
    assert "MatMul" in denied.message
    assert ops_touching_files(load_model(built["clean"]), denylist=["MatMul"]) == ["MatMul"]
    assert {"ReadFile", "WriteFile", "PrintV2", "Print"} <= registry.default_denylist()


def test_checkpoint_and_event_files(built, known_ops, tmp_path):
    dst = shutil.copytree(built["clean"], tmp_path / "m")
    (dst / "checkpoint").write_text('model_checkpoint_path: "model.ckpt-100"\n')
    (dst / "model.ckpt-100.index").write_bytes(b"\0")
    (dst / "logs").mkdir()
    (dst / "logs" / "events.out.tfevents.1700000000.host").write_bytes(b"\0")
    found = findings(dst, known_ops)
    assert {"files.checkpoints", "files.events"} <= ids(found, "warning")
    ckpt = next(f for f in found if f.id == "files.checkpoints")
    assert "model.ckpt-100.index" in ckpt.message
    assert "variables" not in ckpt.message  # the model's own variables are no leftover


def test_size_limits_by_injected_size(built, known_ops):
    info = load_model(built["clean"])
    options = CheckOptions(registered_ops=known_ops, devices=NO_ACCEL)
    big = dataclasses.replace(
        info,
        size_bytes=700 * MB,
        breakdown={"graph": 1 * MB, "variables": 690 * MB, "assets": 9 * MB, "other": 0},
    )
    found = run_checks(big, options)
    legacy = next(f for f in found if f.id == "size.legacy_limit")
    assert legacy.severity == "warning"
    assert "variables 690.0 MB" in legacy.message and legacy.where == {"part": "variables"}
    assert "float16" in legacy.fix
    huge = dataclasses.replace(info, size_bytes=12_000 * MB, breakdown={"graph": 12_000 * MB})
    found = run_checks(huge, options)
    assert "size.compute_engine_limit" in ids(found, "error") and has_errors(found)


def test_size_limit_with_a_sparse_file(built, known_ops, tmp_path):
    dst = shutil.copytree(built["clean"], tmp_path / "m")
    with open(dst / "assets_big.bin", "wb") as fh:  # sparse: no 600 MB written
        fh.truncate(600 * MB)
    assert "size.legacy_limit" in ids(findings(dst, known_ops), "warning")


def test_no_serve_tag(built, known_ops):
    def edit(m):
        del m.meta_graphs[0].meta_info_def.tags[:]
        m.meta_graphs[0].meta_info_def.tags.append("train")

    found = findings(variant(built, "no_serve", edit), known_ops)
    assert "tags.no_serve" in ids(found, "error")


def test_no_serving_default(built, known_ops):
    def edit(m):
        sigs = m.meta_graphs[0].signature_def
        sigs["predict"].CopyFrom(sigs["serving_default"])
        del sigs["serving_default"]

    found = findings(variant(built, "no_default", edit), known_ops)
    assert "signatures.no_serving_default" in ids(found, "warning")


def test_unknown_method_name(built, known_ops):
    def edit(m):
        mc.serving_default(m).method_name = "my/own/method"

    found = findings(variant(built, "method", edit), known_ops)
    hit = next(f for f in found if f.id == "signatures.unknown_method")
    assert hit.severity == "error" and "my/own/method" in hit.message
    assert hit.where == {"meta_graph": "serve", "signature": "serving_default"}


def test_classify_without_classes_or_scores(built, known_ops):
    def edit(m):
        mc.serving_default(m).method_name = "tensorflow/serving/classify"

    assert "signatures.classify_outputs" in ids(
        findings(variant(built, "classify", edit), known_ops), "error"
    )


def test_regress_with_two_inputs(built, known_ops):
    def edit(m):
        sig = mc.serving_default(m)
        sig.method_name = "tensorflow/serving/regress"
        sig.inputs["x2"].CopyFrom(sig.inputs["x"])

    assert "signatures.regress_arity" in ids(
        findings(variant(built, "regress", edit), known_ops), "error"
    )


def test_fixed_batch_and_wide_dtypes(built, known_ops):
    def edit(m):
        sig = mc.serving_default(m)
        sig.inputs["x"].tensor_shape.dim[0].size = 8
        sig.outputs["y"].dtype = mc.dtype("DT_DOUBLE")

    found = findings(variant(built, "fixed_wide", edit), known_ops)
    fixed = next(f for f in found if f.id == "signatures.fixed_batch")
    assert fixed.severity == "warning"
    assert fixed.where == {
        "meta_graph": "serve",
        "signature": "serving_default",
        "side": "inputs",
        "tensor": "x",
    }
    wide = next(f for f in found if f.id == "signatures.wide_dtype")
    assert wide.severity == "warning" and "float64" in wide.message


def _rename_op(message, old: str, new: str) -> None:
    for function in message.meta_graphs[0].graph_def.library.function:
        for node in function.node_def:
            if node.op == old:
                node.op = new


def test_unknown_op_names_its_package(built, known_ops, monkeypatch):
    def edit(m):
        _rename_op(m, "MatMul", "TFText>WhitespaceTokenizeWithOffsetsV2")

    model = variant(built, "custom_op", edit)
    import importlib.util

    real_find_spec = importlib.util.find_spec
    # as where tensorflow-text is not installed
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "tensorflow_text" else real_find_spec(name, *a),
    )
    found = findings(model, known_ops)
    hit = next(f for f in found if f.id == "ops.unknown")
    assert hit.severity == "error"
    assert "TFText>WhitespaceTokenizeWithOffsetsV2" in hit.message
    assert "tensorflow-text" in hit.message
    monkeypatch.undo()
    if real_find_spec("tensorflow_text") is not None:  # installed: the engine imports it
        found = findings(model, known_ops)
        hit = next(f for f in found if f.id == "ops.custom_installed")
        assert hit.severity == "warning" and "imports tensorflow_text" in hit.message
    assert registry.op_package("Addons>Resampler") == "tensorflow-addons"
    assert registry.op_package("MyOwnOp") is None


def test_unknown_ops_skipped_without_a_registry(built, tmp_path, monkeypatch):
    monkeypatch.setattr(registry, "compute_registered_ops", lambda *a, **k: None)
    monkeypatch.setenv("SMI_CACHE_DIR", str(tmp_path))
    found = check_path(built["clean"], options=CheckOptions(devices=NO_ACCEL))
    assert "ops.registry_unknown" in ids(found, "info")


def test_real_registry(built, real_ops):
    assert {"MatMul", "ReadFile", "PrintV2"} <= real_ops
    assert list(Path(os.environ["SMI_CACHE_DIR"]).glob("registered_ops-tf*.json"))
    found = check_path(built["clean"], options=CheckOptions(devices=NO_ACCEL))
    assert "ops.unknown" not in ids(found) and "ops.registry_unknown" not in ids(found)
    edited = variant(built, "custom_op2", lambda m: _rename_op(m, "MatMul", "Addons>Foo"))
    assert "ops.unknown" in ids(check_path(edited, options=CheckOptions(devices=NO_ACCEL)))


def test_ops_pinned_to_missing_devices(built, known_ops):
    def edit(m):
        for node in m.meta_graphs[0].graph_def.node:
            node.device = "/job:localhost/replica:0/task:0/device:TPU:0"

    path = variant(built, "tpu", edit)
    hit = next(f for f in findings(path, known_ops) if f.id == "ops.device")
    assert hit.severity == "warning" and "TPU:0" in hit.message
    with_tpu = findings(path, known_ops, devices={"CPU": 1, "GPU": 0, "TPU": 1})
    assert "ops.device" not in ids(with_tpu)


def test_machine_devices_follow_cuda_visible_devices(monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    assert registry.machine_devices()["GPU"] == 0


def _base(root: Path, versions: dict[str, Path | None]) -> Path:
    root.mkdir()
    for name, src in versions.items():
        if src is None:
            (root / name).mkdir()
        else:
            shutil.copytree(src, root / name)
    return root


def test_base_folder_ignored_folders_and_empty_versions(built, known_ops, tmp_path):
    base = _base(
        tmp_path / "base",
        {"1": built["clean"], "3": None, "export_tmp": built["clean"], "notes": None},
    )
    found = findings(base, known_ops)
    ignored = {f.where["ignored"]: f.severity for f in found if f.id == "serving.ignored_folder"}
    assert ignored == {"export_tmp": "warning", "notes": "info"}
    assert "serving.version_without_model" in ids(found, "warning")
    clean = findings(_base(tmp_path / "ok", {"1": built["clean"]}), known_ops)
    assert alarms(clean) == [] and "serving.no_version" not in ids(clean)


def test_no_numeric_version(built, known_ops, tmp_path):
    base = _base(tmp_path / "base", {"export": built["clean"]})
    found = findings(base, known_ops)
    assert [f.id for f in found] == ["serving.no_version"] and has_errors(found)
    assert "serving.no_version" in ids(findings(built["clean"], known_ops), "info")


def test_breaking_change_between_versions(built, known_ops, tmp_path):
    def edit(m):
        sig = mc.serving_default(m)
        sig.inputs["features"].CopyFrom(sig.inputs["x"])
        del sig.inputs["x"]
        sig.outputs["y"].dtype = mc.dtype("DT_HALF")
        m.meta_graphs[0].signature_def["extra"].CopyFrom(sig)

    v2 = variant(built, "renamed", edit)
    base = _base(tmp_path / "base", {"1": built["clean"], "2": v2})
    found = findings(base, known_ops)
    breaking = [f.message for f in found if f.id == "serving.breaking_change"]
    assert any("input 'x'" in m and "renamed to 'features'" in m for m in breaking)
    assert any("float32 -> float16" in m for m in breaking)
    assert "serving.new_signature" in ids(found, "info")
    same = _base(tmp_path / "same", {"1": built["clean"], "2": built["clean"]})
    assert "serving.breaking_change" not in ids(findings(same, known_ops))
    # version 1 chosen: nothing older to compare with
    assert "serving.breaking_change" not in ids(findings(base, known_ops, version=1))


def test_find_node_resolves_where(built, known_ops):
    info = load_model(built["clean"])
    root = build_tree(info)
    node = find_node(
        root,
        {"meta_graph": "serve", "signature": "serving_default", "side": "inputs", "tensor": "x"},
    )
    assert (node.kind, node.name) == ("tensor", "x")
    assert find_node(root, {"meta_graph": "serve", "op": "MatMul"}).name == "MatMul"
    assert find_node(root, {}) is root
    base = build_tree(load_model(_base(built["root"] / "jump_base", {"1": built["clean"]})))
    node = find_node(base, {"meta_graph": "serve", "signature": "serving_default"})
    assert [n.name for n in node.path()][1:] == ["1", "serve", "serving_default"]


@pytest.mark.real_models
def test_no_false_alarm_on_real_models(real_models, real_ops):
    ops = real_ops
    for folder in sorted(real_models.glob("saved_model_*")):
        found = check_path(folder, options=CheckOptions(registered_ops=ops, devices=NO_ACCEL))
        if folder.name == "saved_model_half_plus_three":  # a real defect, found (issue 12)
            assert [f.id for f in alarms(found)] == ["signatures.dtype_mismatch"]
            continue
        assert alarms(found) == [], (folder.name, [f.text() for f in alarms(found)])
    gpu = check_path(
        real_models / "saved_model_half_plus_two_gpu",
        options=CheckOptions(registered_ops=ops, devices=NO_ACCEL),
    )
    assert "ops.device" in ids(gpu, "info")


def test_no_false_alarm_on_demo_models(real_ops):
    demos = sorted(p for p in (REPO / "resources" / "demo_models").glob("*") if p.is_dir())
    if not demos:
        pytest.skip("no demo models built")
    ops = real_ops
    for folder in demos:
        found = check_path(folder, options=CheckOptions(registered_ops=ops, devices=NO_ACCEL))
        assert alarms(found) == [], (folder.name, [f.text() for f in alarms(found)])


def test_checks_do_not_load_the_tf_runtime(built, tmp_path):
    """In a fresh process with an empty cache: the registry comes from a child Python, and
    the checking process never gets tensorflow.python."""
    code = (
        "import sys\n"
        "from inspector_app.savedmodel.checks import check_path, CheckOptions\n"
        "from inspector_app.savedmodel import checks_registry as r\n"
        "assert r.cached_registered_ops() is None\n"
        f"found = check_path({str(built['leftovers'])!r}, options=CheckOptions(compute_registry=True))\n"
        "assert 'MatMul' in r.cached_registered_ops()\n"
        "assert 'ops.registry_unknown' not in {f.id for f in found}\n"
        "bad = [m for m in sys.modules if m.startswith('tensorflow.python')]\n"
        "assert not bad, bad[:3]\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO), SMI_CACHE_DIR=str(tmp_path))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
