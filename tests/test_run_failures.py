"""Issue 12, point 1: a failed run says TensorFlow's own reason (node, op, missing feature) and a
hint, on the command line in one line with exit 2; feeds are checked before the worker starts."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest
from models_engine import build_tf2_model
from models_issue12 import build_failing_model

from inspector_app import cli
from inspector_app.engine import Engine, EngineError, tf_errors
from inspector_app.errors import UserError

T = 120
REPO = __import__("pathlib").Path(__file__).resolve().parent.parent

# What TensorFlow 2.21 raises for these two runs (str(exc) of InvalidArgumentError).
MISSING_FEATURE = (
    "Graph execution error:\n\nDetected at node ParseExample/ParseExampleV2 defined at (most "
    "recent call last):\n<stack traces unavailable>\nName: <unknown>, Feature: age (data type: "
    "float) is required but could not be found.\n\t [[{{node ParseExample/ParseExampleV2}}]] "
    "[Op:__inference_signature_wrapper_parse_101]"
)
RESHAPE = (
    "Graph execution error:\n\nDetected at node Reshape defined at (most recent call last):\n"
    "<stack traces unavailable>\nInput to reshape is a tensor with 6 values, but the requested "
    "shape requires a multiple of 4\n\t [[{{node Reshape}}]] [Op:__inference_signature_wrapper_mm_129]"
)


class InvalidArgumentError(Exception):  # stands in for TensorFlow's, by name
    pass


def test_describe_keeps_the_reason_node_op_and_hint() -> None:
    text = tf_errors.describe(InvalidArgumentError(MISSING_FEATURE), {}.get)
    assert text.startswith("InvalidArgumentError at node ParseExample/ParseExampleV2")
    assert "Feature: age (data type: float) is required but could not be found" in text
    assert "hint: every tf.Example must carry feature 'age'" in text
    assert "stack traces" not in text and "\n" not in text

    ops = {"Reshape": "Reshape"}
    text = tf_errors.describe(InvalidArgumentError(RESHAPE), ops.get)
    assert "at node Reshape (op Reshape): Input to reshape is a tensor with 6 values" in text
    assert "hint: the input's shape" in text and "[Op:" not in text


def test_describe_plain_errors() -> None:
    assert tf_errors.describe(ValueError("bad value")) == "ValueError: bad value"
    assert tf_errors.first_line("<stack traces unavailable>\n\nreal one") == "real one"
    msg = "Op type not registered 'Foo' in binary running on host."
    assert "load it with --load-ops" in tf_errors.describe(RuntimeError(msg))


@pytest.fixture(scope="module")
def failing(tmp_path_factory):
    return build_failing_model(tmp_path_factory.mktemp("fail") / "m")


@pytest.fixture(scope="module")
def engine():
    eng = Engine()
    yield eng
    eng.close()


def test_engine_errors_name_node_op_and_feature(engine, failing) -> None:
    engine.load(failing).result(T)
    with pytest.raises(EngineError) as err:
        engine.run("parse", {"s": np.array([b""], object)}).result(T)
    text = str(err.value)
    assert "at node ParseExample/ParseExampleV2 (op ParseExampleV2)" in text
    assert "Feature: age" in text and "hint:" in text and "stack traces" not in text
    assert "Traceback" in err.value.details
    with pytest.raises(EngineError) as err:
        engine.run("reshape", {"x": np.ones((2, 3), np.float32)}).result(T)
    assert "at node Reshape (op Reshape): Input to reshape is a tensor with 6 values" in str(
        err.value
    )
    # the model still runs after a failure
    out = engine.run("reshape", {"x": np.ones((4, 3), np.float32)}).result(T).outputs["y"]
    assert out.shape == (3, 4)


def test_cli_failure_is_one_line_debug_adds_worker_traceback(failing, capsys) -> None:
    x = "x=np.ones((2,3), np.float32)"
    argv = ["run", str(failing), "--signature", "reshape", "--input-exprs", x]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: InvalidArgumentError at node Reshape")
    assert cli.main([*argv, "--debug"]) == 2
    err = capsys.readouterr().err
    assert "worker traceback:" in err and "Traceback (most recent call last)" in err
    assert err.strip().splitlines()[-1].startswith("error: InvalidArgumentError at node Reshape")


@pytest.fixture(scope="module")
def tf2_model(tmp_path_factory):
    return build_tf2_model(tmp_path_factory.mktemp("pre") / "tf2")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--input-exprs", "z=[1.0]"], "has no input 'z'; its inputs: x"),
        (["--input-exprs", "x=[[1.0]]"], "input 'x' of signature 'serving_default' takes shape [?], got [1, 1]"),
        (["--input-exprs", "x=['a']"], "input 'x' takes float32 values, got strings"),
        (["--input-exprs", "x=[1.5]", "--outdir", "{out}"], "y.npy exists; pass --overwrite"),
        (["--input-exprs", "x=[1.5]", "--outdir", "{file}"], "is a file, not a folder"),
    ],
)  # fmt: skip
def test_feed_mistakes_exit_before_the_worker_starts(
    tf2_model, tmp_path, monkeypatch, capsys, extra, message
) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "y.npy").write_bytes(b"")
    (tmp_path / "file").write_text("x")
    extra = [a.format(out=tmp_path / "out", file=tmp_path / "file") for a in extra]

    def no_engine(*args, **kwargs):
        raise AssertionError("the worker was started before the feeds were checked")

    monkeypatch.setattr("inspector_app.engine.Engine", no_engine)
    assert cli.main(["run", str(tf2_model), *extra]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def _timed(*argv: str) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "inspector_app", *argv], capture_output=True, text=True,
        cwd=REPO, timeout=60, env={**__import__("os").environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    return time.perf_counter() - start, proc


def test_feed_mistake_exits_in_well_under_a_second(tf2_model) -> None:
    show_took, _ = _timed("show", str(tf2_model), "--json")  # reads the model, no TensorFlow
    took, proc = _timed("run", str(tf2_model), "--input-exprs", "x=[[1]]")
    assert proc.returncode == 2 and "takes shape [?], got [1, 1]" in proc.stderr
    assert "tensorflow" not in proc.stderr.lower()
    # 0.6 s here when the machine is quiet (show: 0.4 s); a TensorFlow start takes seconds.
    # Against show, so that a loaded machine (3 s at a load average of 9) does not fail it.
    assert took < 2 * show_took + 0.5, f"run took {took:.2f} s, show {show_took:.2f} s"


def test_check_feeds_converts_like_the_worker() -> None:
    from inspector_app.cli.run import check_feeds
    from inspector_app.savedmodel.loader import SignatureInfo, TensorInfo

    sig = SignatureInfo("s", "", [TensorInfo("x", "float32", [-1, 2], "x:0")], [])
    out = check_feeds(sig, {"x": [[1, 2]]})
    assert out["x"].dtype == np.float32 and out["x"].tolist() == [[1.0, 2.0]]
    with pytest.raises(UserError, match=r"takes float32 \[\?, 2\], got float32 \[3\]"):
        check_feeds(sig, {"x": [1, 2, 3]})
