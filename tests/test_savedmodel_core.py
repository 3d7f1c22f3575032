"""The object-graph walk, the checkpoint reader and the model's variables, on TF Serving's real
test models (no TensorFlow): one walk names checkpoint keys and function attachments alike, and
every tensor, small values included, is read through ``CheckpointReader``, which refuses a pipe
among the shards instead of hanging on it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from inspector_app.savedmodel import build_tree, load_model
from inspector_app.savedmodel.checkpoint import CheckpointError, CheckpointReader
from inspector_app.savedmodel.functions import function_library
from inspector_app.savedmodel.object_graph import (
    checkpoint_names,
    function_attachments,
    variable_specs,
)
from inspector_app.savedmodel.variables import read_variables

TF2 = "saved_model_half_plus_two_tf2_cpu"
KEYS = [
    "a/.ATTRIBUTES/VARIABLE_VALUE",
    "b/.ATTRIBUTES/VARIABLE_VALUE",
    "c/.ATTRIBUTES/VARIABLE_VALUE",
]


def test_one_walk_names_keys_specs_and_attachments(real_models: Path) -> None:
    info = load_model(real_models / TF2)
    mg = info.meta_graphs[0].proto
    names = checkpoint_names(mg)
    assert names == dict(zip(KEYS, "abc", strict=True))
    reader = CheckpointReader.for_model(info.model_dir)
    assert set(names) <= set(reader.keys())  # every key the walk names is in the index
    assert variable_specs(mg) == {"a": ("float32", []), "b": ("float32", []), "c": ("float32", [])}
    attached = function_attachments(mg)
    assert attached["__inference_signature_wrapper_predict_245"] == ["signatures.serving_default"]
    assert attached["__inference_predict_235"] == ["predict", "predict.trace_0"]
    library = {f.name: f for f in function_library(mg)}
    assert library["__inference_predict_235"].attached_to == ["predict", "predict.trace_0"]


def test_small_values_come_through_the_reader(real_models: Path) -> None:
    info = load_model(real_models / TF2)
    reader = CheckpointReader.for_model(info.model_dir)
    assert reader.small_values() == {KEYS[0]: [0.5], KEYS[1]: [2.0], KEYS[2]: [3.0]}
    variables = read_variables(info.model_dir, info.meta_graphs[0].proto)
    assert [(v.name, v.value, v.role, v.trainable) for v in variables] == [
        ("a", [0.5], "weight", True),
        ("b", [2.0], "weight", True),
        ("c", [3.0], "weight", True),
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_among_the_shards_is_refused_not_read(real_models: Path, tmp_path: Path) -> None:
    model = tmp_path / "m"
    shutil.copytree(load_model(real_models / TF2).model_dir, model)
    shard = model / "variables" / "variables.data-00000-of-00001"
    shard.unlink()
    os.mkfifo(shard)  # reading it would block forever
    reader = CheckpointReader.for_model(model)
    with pytest.raises(CheckpointError, match="not a regular file|pipe"):
        reader.read(KEYS[0])
    assert reader.small_values() == {}
    info = load_model(model)
    variables = read_variables(model, info.meta_graphs[0].proto)
    assert [(v.name, v.value) for v in variables] == [("a", None), ("b", None), ("c", None)]
    tree = build_tree(info)
    (serve,) = [n for n in tree.children if n.kind == "meta_graph"]
    (row,) = [n for n in serve.ensure_children() if n.kind == "variables"]
    (problem,) = row.ensure_children()
    assert problem.kind == "problem" and "pipe" in problem.summary
