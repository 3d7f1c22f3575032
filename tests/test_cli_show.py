"""``python -m inspector_app show``: text, --json (Contract 1), bad input, and saved_model_cli parity."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from models_savedmodel import built_models

from inspector_app.savedmodel.dtypes import dtype_name

REPO = Path(__file__).resolve().parent.parent
SAVED_MODEL_CLI = shutil.which("saved_model_cli")
_ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}


@pytest.fixture(scope="session")
def models(tmp_path_factory) -> dict[str, Path]:
    return built_models(tmp_path_factory)


def show(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "inspector_app", "show", *map(str, args)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env=_ENV,
    )


def show_json(*args: str | Path) -> dict:
    out = show(*args, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# ----------------------------------------------------------------------------- saved_model_cli


def parse_saved_model_cli(text: str) -> dict:
    """``saved_model_cli show --all`` output -> {tags tuple: {key: signature dict}}."""
    out: dict = {}
    sigs = sig = tensors = tensor = None
    for line in text.splitlines():
        if m := re.match(
            r"MetaGraphDef with tag-set: '(.*)' contains the following SignatureDefs", line
        ):
            sigs = out.setdefault(tuple(m.group(1).split(", ")), {})
        elif m := re.match(r"signature_def\['(.*)'\]:$", line):
            sig = sigs[m.group(1)] = {"inputs": {}, "outputs": {}, "method_name": None}
        elif m := re.match(r"\s+(inputs|outputs)\['(.*)'\] tensor_info:$", line):
            tensors = sig[m.group(1)]
            tensor = tensors[m.group(2)] = {}
        elif m := re.match(r"\s+dtype: (DT_\w+)$", line):
            tensor["dtype"] = m.group(1)
        elif m := re.match(r"\s+shape: (.*)$", line):
            shape = m.group(1)
            tensor["shape"] = (
                None
                if shape == "unknown_rank"
                else [int(d) for d in shape.strip("()").split(",") if d.strip()]
            )
        elif m := re.match(r"\s+name: (.*)$", line):
            tensor["tensor_name"] = m.group(1)
        elif m := re.match(r"\s+Method name is: ?(.*)$", line):
            sig["method_name"] = m.group(1)
    return out


def _ours_as_cli(data: dict) -> dict:
    from inspector_app.savedmodel import protos

    names: dict[str, str] = {}
    for enum_name, value in protos.types_pb2().DataType.items():  # DT_FLOAT before DT_FLOAT_REF
        names.setdefault(dtype_name(value), enum_name)
    out = {}
    for mg in data["meta_graphs"]:
        sigs = out[tuple(mg["tags"])] = {}
        for sig in mg["signatures"]:
            sigs[sig["key"]] = {
                "method_name": sig["method_name"],
                **{
                    side: {
                        t["name"]: {
                            "dtype": names[t["dtype"]],
                            "shape": t["shape"],
                            "tensor_name": t["tensor_name"],
                        }
                        for t in sig[side]
                    }
                    for side in ("inputs", "outputs")
                },
            }
    return out


@pytest.mark.skipif(
    SAVED_MODEL_CLI is None, reason="saved_model_cli (installed with tensorflow) is absent"
)
def test_same_as_saved_model_cli(models, real_models):
    targets = [
        models["tf1"],
        models["tf2"],
        models["keras3"],
        real_models / "saved_model_half_plus_two_cpu" / "00000123",
    ]
    # the saved_model_cli runs import TensorFlow (seconds each): run them side by side
    procs = [
        subprocess.Popen(
            [SAVED_MODEL_CLI, "show", "--all", "--dir", str(t)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=_ENV,
        )
        for t in targets
    ]
    for target, proc in zip(targets, procs, strict=True):
        text, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        theirs = parse_saved_model_cli(text)
        ours = show_json(target)
        assert [tuple(mg["tags"]) for mg in ours["meta_graphs"]] == list(theirs), target
        assert _ours_as_cli(ours) == theirs, target
        for mg in ours["meta_graphs"]:
            assert [s["key"] for s in mg["signatures"]] == sorted(
                s["key"] for s in mg["signatures"]
            )


# ----------------------------------------------------------------------------- output


def test_text_output(models):
    out = show(models["tf1"])
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "MetaGraphDef with tag-set: 'serve, gpu' contains the following SignatureDefs:" in text
    assert "signature_def['regress_x']:" in text
    assert "dtype: DT_STRING" in text and "shape: unknown_rank" in text
    assert "Method name is: tensorflow/serving/regress" in text


def test_text_output_tf2_functions_and_variables(models):
    out = show(models["tf2"], "--variables")
    assert out.returncode == 0, out.stderr
    assert "Function Name: 'mixed'" in out.stdout
    assert "x: TensorSpec(shape=None, dtype=tf.float32, name='x')" in out.stdout
    assert "encoder/kernel: float32 [784, 16], 12,544 params" in out.stdout


def test_json_versions(models):
    data = show_json(models["base"])
    assert (data["versions"], data["version"]) == ([1, 2, 10], 10)
    assert show_json(models["base"], "--version", "2")["version"] == 2
    assert data["size_bytes"] > 0 and data["path"] == str(models["base"])


def test_json_pbtxt_equals_pb(models):
    pb = show_json(models["tf2"] / "saved_model.pb")
    txt = show_json(models["pbtxt"])
    assert txt["meta_graphs"] == pb["meta_graphs"]


@pytest.mark.parametrize(
    "kind",
    [
        "empty_dir",
        "no_savedmodel",
        "truncated_pb",
        "random_pb",
        "empty_pb",
        "bad_pbtxt",
        "self_link",
    ],
)
def test_bad_input_exit_2_one_line(models, kind):
    out = show(models[kind])
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and str(models[kind]) in lines[0], out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""


def test_missing_path_and_bad_version(models, tmp_path):
    out = show(tmp_path / "nothing")
    assert out.returncode == 2 and "does not exist" in out.stderr
    out = show(models["base"], "--version", "7")
    assert out.returncode == 2 and "no version 7" in out.stderr


def test_missing_variables_is_shown_with_problem(models):
    data = show_json(models["missing_variables"])
    assert data["problems"] == ["variables/ is missing: the tree shows, running will fail"]
    out = show(models["missing_variables"])
    assert out.returncode == 0 and "error: variables/ is missing" in out.stdout


def test_show_does_not_import_tensorflow(models):
    code = (
        "import sys\nfrom inspector_app.cli import main\n"
        f"main(['show', {str(models['tf2'])!r}, '--json'])\n"
        "print([m for m in sys.modules if m.startswith('tensorflow.python')], file=sys.stderr)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0 and out.stderr.strip() == "[]", out.stderr


# ----------------------------------------------------------------------------- real models


def test_real_half_plus_two(real_models):
    data = show_json(real_models / "saved_model_half_plus_two_cpu" / "00000123")
    sigs = {s["key"]: s for s in data["meta_graphs"][0]["signatures"]}
    assert data["meta_graphs"][0]["tags"] == ["serve"]
    assert set(sigs) >= {"serving_default", "classify_x_to_y", "regress_x_to_y", "regress_x_to_y2"}
    example = sigs["regress_x_to_y2"]["inputs"][0]
    assert (example["dtype"], example["shape"]) == ("string", None)
    assert sigs["classify_x_to_y"]["method_name"] == "tensorflow/serving/classify"
    assert sigs["serving_default"]["inputs"][0]["dtype"] == "float32"


def test_real_half_plus_two_variables(real_models):
    """y = 0.5 x + 2: the checkpoint holds a = 0.5 and b = 2, read without TensorFlow."""
    from inspector_app.savedmodel.variables import read_variables

    for folder in ("saved_model_half_plus_two_cpu", "saved_model_half_plus_two_tf2_cpu"):
        from inspector_app.savedmodel import load_model

        info = load_model(real_models / folder / "00000123")
        values = {
            v.name: v.value for v in read_variables(info.model_dir, info.meta_graphs[0].proto)
        }
        assert values["a"] == [0.5] and values["b"] == [2.0] and values["c"] == [3.0]


def test_real_two_versions(real_models):
    base = real_models / "saved_model_half_plus_two_2_versions"
    data = show_json(base)
    assert (data["versions"], data["version"]) == ([123, 124], 124)
    assert data["model_dir"].endswith("00000124")
    assert show_json(base, "--version", "123")["model_dir"].endswith("00000123")


def test_real_models_all_open(real_models):
    from inspector_app.savedmodel import build_tree, load_model

    for folder in sorted(p for p in real_models.iterdir() if p.is_dir()):
        info = load_model(folder)
        assert info.version == max(info.versions) and info.problems == []
        stack = [build_tree(info)]
        while stack:
            node = stack.pop()
            assert node.kind != "problem", (folder, node.summary)
            stack.extend(node.ensure_children())
    tf2 = load_model(real_models / "saved_model_half_plus_two_tf2_cpu")
    assert [s.key for s in tf2.meta_graphs[0].signatures][0] == "__saved_model_init_op"
    three = build_tree(load_model(real_models / "saved_model_half_plus_three"))
    asset = three.find(lambda n: n.kind == "asset")
    assert asset is not None and asset.name == "assets/foo.txt"
