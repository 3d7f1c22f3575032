"""--inputs files (.npy, .npz[key], pickles only on request) and --input-examples."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from inspector_app.errors import UserError
from inspector_app.inputs.arrays import parse_inputs
from inspector_app.inputs.examples import make_example, parse_input_examples
from inspector_app.savedmodel import protos


def test_npy_and_npz(tmp_path):
    np.save(tmp_path / "a.npy", np.arange(3))
    np.savez(tmp_path / "b.npz", x=np.ones(2), y=np.zeros(1))
    np.savez(tmp_path / "one.npz", only=np.ones(4))
    feeds = parse_inputs(f"a={tmp_path}/a.npy;b={tmp_path}/b.npz[y];c={tmp_path}/one.npz")
    assert feeds["a"].tolist() == [0, 1, 2] and feeds["b"].tolist() == [0.0]
    assert feeds["c"].shape == (4,)
    with pytest.raises(UserError, match="no array 'z'; arrays: x, y"):
        parse_inputs(f"b={tmp_path}/b.npz[z]")
    with pytest.raises(UserError, match="holds 2 arrays"):
        parse_inputs(f"b={tmp_path}/b.npz")
    with pytest.raises(UserError, match="no such file"):
        parse_inputs(f"a={tmp_path}/missing.npy")
    with pytest.raises(UserError, match="input_key=value"):
        parse_inputs("nonsense")


def test_pickle_needs_opt_in(tmp_path):
    with open(tmp_path / "p.pkl", "wb") as f:
        pickle.dump({"x": np.ones(2)}, f)
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(UserError, match="--allow-pickle"):
        parse_inputs(f"x={tmp_path}/p.pkl[x]")
    with pytest.raises(UserError, match="--allow-pickle"):
        parse_inputs(f"x={tmp_path}/obj.npy")
    warned = []
    feeds = parse_inputs(f"x={tmp_path}/p.pkl[x]", allow_pickle=True, warn=warned.append)
    assert feeds["x"].tolist() == [1.0, 1.0] and "pickle" in warned[0]


def test_examples_like_saved_model_cli():
    feeds = parse_input_examples('inputs=[{"x": [1.0], "n": [3], "s": ["hi"], "b": [b"\\x00"]}]')
    example = protos.module("example_pb2").Example.FromString(feeds["inputs"][0])
    f = example.features.feature
    assert list(f["x"].float_list.value) == [1.0] and list(f["n"].int64_list.value) == [3]
    assert list(f["s"].bytes_list.value) == [b"hi"] and list(f["b"].bytes_list.value) == [b"\x00"]
    with pytest.raises(UserError, match="must be a list"):
        make_example({"x": 1.0})
    with pytest.raises(UserError, match="not a list of dicts"):
        parse_input_examples("inputs=__import__('os')")
