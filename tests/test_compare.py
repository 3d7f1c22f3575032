"""Compare end to end: two versions of a base folder through engine workers, and the CLI.

Each test that runs models starts two workers (each imports TensorFlow); the rest stop before
any worker starts, which ``no_engines`` makes sure of.
"""

from __future__ import annotations

import json
from concurrent.futures import Future

import numpy as np
import pytest
from models_compare import expected, versions_base

from inspector_app import cli
from inspector_app.engine import Cancelled
from inspector_app.errors import UserError
from inspector_app.results.compare import per_class_iou
from inspector_app.workflows import compare_job as compare_run
from inspector_app.workflows.compare_job import ModelRef, compare_models, default_pair, prepare

X = np.array([1.0, 3.0, 5.0], np.float32)
X_EXPR = "x=[1.0, 3.0, 5.0]"


@pytest.fixture(scope="session")
def base(tmp_path_factory):
    return versions_base(tmp_path_factory)


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """``compare ARGS`` in this process: (exit status, stdout, stderr)."""
    if "compare" not in cli.SUBCOMMANDS:  # until the dispatcher lists the sub-command
        monkeypatch.setitem(cli.SUBCOMMANDS, "compare", "Compare two versions or two models.")

    def run(*args: str) -> tuple[int, str, str]:
        try:
            status = cli.main(["compare", *map(str, args)])
        except SystemExit as exc:  # argparse
            status = exc.code
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def no_engines(monkeypatch):
    def refuse():
        raise AssertionError("a worker was started for input that is known to be bad")

    monkeypatch.setattr(compare_run, "_default_engine", refuse)


def test_default_pair_is_the_two_highest_versions(base):
    assert default_pair(base) == (ModelRef(base, 2), ModelRef(base, 3))
    assert default_pair(base, version_a=1) == (ModelRef(base, 1), ModelRef(base, 3))
    assert default_pair(base, version_b=3) == (ModelRef(base, 2), ModelRef(base, 3))
    assert default_pair(base, 3, 1) == (ModelRef(base, 3), ModelRef(base, 1))
    with pytest.raises(UserError, match="no version 9 .*versions: 1, 2, 3"):
        default_pair(base, version_a=9)
    with pytest.raises(UserError, match="single SavedModel.*--other"):
        default_pair(base / "1")


def test_prepare_checks_signature_and_inputs(base):
    plan = prepare(ModelRef(base, 1), ModelRef(base / "2"), "serving_default")
    assert (plan.a.version, plan.b.version) == (1, None)
    assert plan.a.tags == ["serve"] and plan.b.model_dir == base / "2"
    plan.check_feeds({"x": X})
    with pytest.raises(UserError, match="needs input 'x'"):
        plan.check_feeds({})
    with pytest.raises(UserError, match="model A .* has no input 'y'; its inputs: x"):
        plan.check_feeds({"x": X, "y": X})
    with pytest.raises(UserError, match="model A .*no signature 'nope'; signatures: serving_default"):  # fmt: skip
        prepare(ModelRef(base, 1), ModelRef(base, 2), "nope")
    with pytest.raises(UserError, match="no MetaGraphDef with tag set 'gpu'"):
        prepare(ModelRef(base, 1), ModelRef(base, 2), "serving_default", ["gpu"])


def test_cli_default_versions_agree_exit_0(base, run_cli):
    # versions 2 and 3 (the two highest) hold the same model; one worker after the other
    status, out, err = run_cli(base, "--input-exprs", X_EXPR, "--one-worker")
    assert status == 0, err
    assert "A: compare_versions version 2" in out and "B: compare_versions version 3" in out
    assert "all 3 outputs agree" in out
    assert "DIFFERS" not in out


def test_cli_json_names_differing_outputs_exit_1(base, run_cli):
    status, out, err = run_cli(base, "--version-a", 1, "--input-exprs", X_EXPR, "--json")
    assert status == 1, err
    doc = json.loads(out)
    assert (doc["a"]["version"], doc["b"]["version"]) == (1, 3)
    assert doc["agree"] is False and doc["differing"] == ["mask", "scores", "y"]
    outputs = {o["name"]: o for o in doc["outputs"]}
    a, b = expected(X, 1), expected(X, 3)
    assert outputs["y"]["view"] == "tensor"
    assert outputs["y"]["max_abs_diff"] == pytest.approx(1.0)
    assert outputs["scores"]["view"] == "scores"
    assert outputs["scores"]["top1_agreement"] == pytest.approx(2 / 3)  # x = 3 changes class
    mask = outputs["mask"]
    assert mask["view"] == "mask"
    assert mask["changed_pixels"] == int(np.count_nonzero(a["mask"] != b["mask"])) == 7
    want = per_class_iou(a["mask"], b["mask"])
    assert {int(k): v for k, v in mask["iou"].items()} == pytest.approx(want)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["{base}/1", "--input-exprs", X_EXPR], "single SavedModel"),
        (["{base}", "--version-a", "7", "--input-exprs", X_EXPR], "no version 7"),
        (["{base}", "--signature", "nope", "--input-exprs", X_EXPR], "no signature 'nope'"),
        (["{base}"], "needs input 'x'"),
        (["{base}", "--input-exprs", "y=[1.0]"], "has no input 'y'"),
        (["{base}", "--input-exprs", "x=__import__('os')"], "x"),
        (["{base}", "--other", "{base}/missing", "--input-exprs", X_EXPR], "missing"),
        (["{base}", "--atol", "-1", "--input-exprs", X_EXPR], "--atol"),
    ],
)
def test_cli_bad_input_exit_2(base, run_cli, no_engines, args, message):
    status, out, err = run_cli(*(a.format(base=base) for a in args))
    assert status == 2
    assert out == ""
    assert err.startswith("error: ") and message in err and len(err.strip().splitlines()) == 1


def test_cli_help_tells_exit_statuses(run_cli):
    status, out, _ = run_cli("--help")
    assert status == 0
    assert "0 when every output agrees within --atol, 1 when an output differs" in " ".join(
        out.split()
    )
    assert "--input-exprs" in out and "--other PATH2" in out


@pytest.mark.real_models
def test_real_two_versions_give_the_same_answer(real_models):
    # 00000123 and 00000124 hold byte-identical files: the two versions agree
    path = real_models / "saved_model_half_plus_two_2_versions"
    a, b = default_pair(path)
    assert (a.version, b.version) == (123, 124)
    feeds = {"x": np.array([1.0, 2.0, 5.0], np.float32)}
    comparison = compare_models(a, b, "serving_default", feeds)
    assert comparison.differing == []
    assert [(d.name, d.max_abs_diff) for d in comparison.outputs] == [("y", 0.0)]
    assert comparison.summary() == "the output agrees"


class HangingEngine:
    """Never answers until closed (a model that hangs), like ``Engine`` otherwise."""

    made: list[HangingEngine] = []

    def __init__(self) -> None:
        self.futures: list[Future] = []
        self.closed = False
        HangingEngine.made.append(self)

    def load(self, *args, **kwargs) -> Future:
        self.futures.append(Future())
        return self.futures[-1]

    run = load

    def close(self, graceful: bool = True) -> None:
        self.closed = True
        for fut in self.futures:
            fut.set_exception(Cancelled("the engine was closed"))


def test_cli_timeout_stops_the_workers_exit_2(base, run_cli, monkeypatch):
    HangingEngine.made.clear()
    monkeypatch.setattr(compare_run, "_default_engine", HangingEngine)
    status, out, err = run_cli(base, "--input-exprs", X_EXPR, "--timeout", "0.2")
    assert status == 2 and out == ""
    assert err == "error: timed out after 0.2 s; the workers were stopped\n"
    assert len(HangingEngine.made) == 2 and all(e.closed for e in HangingEngine.made)
