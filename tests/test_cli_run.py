"""``python -m inspector_app run``: saved_model_cli's flags, safe inputs, outputs, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from models_engine import build_tf2_model

from inspector_app.cli import build_parser
from inspector_app.engine import Engine
from inspector_app.errors import UserError

REPO = __import__("pathlib").Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def engine():
    eng = Engine()
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def tf2_model(tmp_path_factory):
    return build_tf2_model(tmp_path_factory.mktemp("cli") / "tf2")


def run_cli(engine, *argv):
    parser, module = build_parser("run")
    return module.execute(parser.parse_args([str(a) for a in argv]), engine=engine)


@pytest.mark.real_models
def test_half_plus_two_text_json_examples(engine, real_models, capsys):
    path = real_models / "saved_model_half_plus_two_cpu"
    assert (
        run_cli(engine, path, "--signature_def", "serving_default", "--input_exprs", "x=[1,2,5]")
        == 0
    )
    assert "Result for output key y:\n[2.5 3.  4.5]" in capsys.readouterr().out
    rc = run_cli(engine, path, "--signature", "regress_x_to_y", "--json",
                 "--input-examples", 'inputs=[{"x":[1.0]}]')  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert rc == 0 and data["outputs"]["outputs"]["values"] == [[2.5]]
    assert data["outputs"]["outputs"]["dtype"] == "float32" and "run_ms" in data["timing_ms"]


def test_outdir_inputs_and_overwrite(engine, tf2_model, tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.array([1.0, 2.0], np.float32))
    out = tmp_path / "out"
    assert run_cli(engine, tf2_model, "--inputs", f"x={tmp_path}/x.npy", "--outdir", out) == 0
    assert np.load(out / "y.npy").tolist() == [2.0, 4.0]
    with pytest.raises(UserError, match="exists; pass --overwrite"):
        run_cli(engine, tf2_model, "--input-exprs", "x=[3.0]", "--outdir", out)
    assert (
        run_cli(engine, tf2_model, "--input-exprs", "x=[3.0]", "--outdir", out, "--overwrite") == 0
    )
    assert np.load(out / "y.npy").tolist() == [6.0]
    assert sorted(p.name for p in out.iterdir()) == ["y.npy"]  # no temp files left
    assert run_cli(engine, tf2_model, "--signature", "no_input", "--json") == 0
    capsys.readouterr()
    big = run_cli(engine, tf2_model, "--signature", "big", "--input-exprs", "scale=1.0", "--json")
    data = json.loads(capsys.readouterr().out)
    assert big == 0 and data["outputs"]["big"]["truncated"] is True


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--signature", "nope", "--input-exprs", "x=[1.0]"], "no signature 'nope'.*signatures: big, counter"),
        (["--input-exprs", "z=[1.0]"], "no input 'z'; its inputs: x"),
        ([], "needs input 'x'"),
        (["--tag-set", "train", "--input-exprs", "x=[1.0]"], "no MetaGraphDef with tag set 'train'; tag sets: serve"),
        (["--input-exprs", "x=__import__('os')"], "not allowed"),
        (["--input-exprs", "x=np.zeros((100000,100000))"], "80.0 GB"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line(engine, tf2_model, argv, message):
    with pytest.raises(UserError, match=message):
        run_cli(engine, tf2_model, *argv)


def test_gpu_missing(engine, tf2_model):
    with pytest.raises(UserError, match="no device GPU:0"):
        run_cli(engine, tf2_model, "--input-exprs", "x=[1.0]", "--device", "gpu:0")


def test_subprocess_no_tf_in_parent_and_timeout(tf2_model):
    code = (
        "import sys; from inspector_app.cli import main; "
        "rc = main(sys.argv[1:]); print('TF-LOADED' if 'tensorflow.python' in sys.modules else 'NO-TF', rc)"
    )
    env = {**__import__("os").environ, "PYTHONPATH": str(REPO)}
    ok = subprocess.run(
        [sys.executable, "-c", code, "run", str(tf2_model), "--input-exprs", "x=[1.0, 2.0]", "--json"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert ok.stdout.strip().endswith("NO-TF 0"), ok.stderr
    assert json.loads(ok.stdout.splitlines()[0])["outputs"]["y"]["values"] == [2.0, 4.0]
    hang = subprocess.run(
        [sys.executable, "-m", "inspector_app", "run", str(tf2_model), "--signature", "forever",
         "--input-exprs", "start=1", "--timeout", "20"],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert hang.returncode == 2 and "timed out after 20 s" in hang.stderr
    assert len(hang.stderr.strip().splitlines()) == 1
