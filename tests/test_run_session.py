"""The run flow without a window: target, inputs, the run going on, history records."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from inspector_app.engine import Cancelled, EngineError, RunResult
from inspector_app.errors import UserError
from inspector_app.workflows import run_session as rs
from inspector_app.workflows.run_session import RunSession, RunTarget, StaticInputs


class FakeEngine:
    """Answers when the test says so, like the worker on its reader thread."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self.pending: list[Future] = []
        self.cancels = 0

    def run(self, folder, tags, signature, feeds, *, device=None, repeat=1) -> Future:
        self.calls.append((folder, tuple(tags or ()), signature, dict(feeds), device, repeat))
        fut: Future = Future()
        self.pending.append(fut)
        return fut

    def cancel(self) -> None:
        self.cancels += 1
        for fut in self.pending:
            if not fut.done():
                fut.set_exception(Cancelled("cancelled; the worker was stopped"))

    def answer(self, outputs: dict[str, np.ndarray], run_ms: float = 1.5) -> None:
        self.pending[-1].set_result(RunResult("sig", outputs, {"run_ms": run_ms}, "CPU:0"))

    def fail(self, err: BaseException) -> None:
        self.pending[-1].set_exception(err)


class Inputs:
    def __init__(self, problems: list[str] | None = None, error: str = "") -> None:
        self._problems = problems or []
        self.error = error

    def problems(self) -> list[str]:
        return list(self._problems)

    def feeds(self) -> dict[str, Any]:
        if self.error:
            raise UserError(self.error)
        return {"x": np.ones((2, 3), np.float32)}


def _target(version: int | None = 2, signature: str = "serving_default", name: str = "hp2"):
    folder = f"/models/{name}" + (f"/{version}" if version is not None else "")
    return RunTarget(f"/models/{name}", folder, version, ("serve",), signature)


def _session(events: list | None = None) -> tuple[RunSession, FakeEngine]:
    engine = FakeEngine()
    session = RunSession(engine)
    if events is not None:
        for name in ("target_changed", "started", "finished", "refused", "shown_changed"):
            getattr(session, name).subscribe(lambda v, n=name: events.append((n, v)))
    return session, engine


def test_a_run_goes_to_the_engine_and_is_recorded_with_its_target():
    events: list = []
    session, engine = _session(events)
    session.set_target(_target())
    session.set_inputs(Inputs())
    session.device, session.repeat = "GPU:0", 3
    record = session.run()
    assert record is not None and session.busy and record.status == "running"
    assert engine.calls == [
        ("/models/hp2/2", ("serve",), "serving_default", {"x": engine.calls[0][3]["x"]}, "GPU:0", 3)
    ]
    engine.answer({"y": np.array([2.5, 3.0], np.float32)})
    assert not session.busy and session.history == [record]
    assert record.status == "done" and record.error is None
    assert record.inputs == "x: float32[2, 3]" and record.outputs_text() == "y: float32[2]"
    title = record.title()
    assert "hp2 version 2 · serve · serving_default on GPU:0" in title
    assert "[x: float32[2, 3]]" in title and "1.5 ms → y: float32[2]" in title
    assert record.timing_text() == "1.50 ms on CPU:0"
    assert session.shown is record
    assert [n for n, _ in events] == ["target_changed", "started", "shown_changed", "finished"]


def test_a_cancelled_run_is_recorded_as_cancelled_not_finished():
    session, engine = _session()
    session.set_target(_target())
    record = session.run()
    assert session.cancel() and engine.cancels == 1
    assert record.status == "cancelled" and record.result is None
    assert "cancelled" in record.title() and "ms →" not in record.title()
    assert not session.cancel()  # nothing is going on any more


def test_a_failed_run_keeps_its_whole_error_text():
    session, engine = _session()
    session.set_target(_target())
    record = session.run()
    line = "InvalidArgumentError at node Reshape (op Reshape): " + "Input to reshape " * 8
    engine.fail(EngineError(line, details="Traceback (most recent call last): ..."))
    assert record.status == "failed" and record.error == line
    assert record.details.startswith("Traceback")
    assert "failed: InvalidArgumentError at node Reshape" in record.title()
    assert rs.run_error(record).details == record.details and str(rs.run_error(record)) == line


@pytest.mark.parametrize(
    ("inputs", "reason"),
    [
        (Inputs(problems=["x: expected 3 values, got 2"]), "inputs are not ready: x: expected 3"),
        (Inputs(error="x.npy: no such file"), "x.npy: no such file"),
    ],
)
def test_a_refused_run_adds_no_history_entry(inputs, reason):
    events: list = []
    session, engine = _session(events)
    session.set_target(_target())
    session.set_inputs(inputs)
    assert session.run() is None
    assert session.history == [] and engine.calls == [] and not session.busy
    refusal = events[-1][1]
    assert events[-1][0] == "refused" and reason in refusal.reason and not refusal.silent
    assert refusal.target == _target()


def test_no_target_busy_and_declined_runs_are_refused():
    events: list = []
    session, engine = _session(events)
    assert session.run() is None and "no signature" in events[-1][1].reason
    session.set_target(_target())
    session.permit = lambda target: False
    assert session.run() is None and events[-1][1].silent and engine.calls == []
    session.permit = lambda target: True
    assert session.run() is not None
    assert session.run() is None and events[-1][1].silent and len(engine.calls) == 1
    assert "is going on" in events[-1][1].reason and session.history == []


def test_changing_the_target_clears_the_outputs_shown():
    events: list = []
    session, engine = _session(events)
    session.set_target(_target(version=1))
    session.run()
    engine.answer({"y": np.zeros(2, np.float32)})
    assert session.shown is not None
    events.clear()
    session.set_target(_target(version=1))  # the same target again: nothing changes
    assert events == [] and session.shown is not None
    session.set_target(_target(version=2))
    assert session.shown is None
    assert events == [("shown_changed", None), ("target_changed", _target(version=2))]


def test_an_answer_for_an_old_target_goes_to_the_history_only():
    session, engine = _session()
    session.set_target(_target(name="a"))
    record = session.run()
    session.set_target(_target(name="b"))
    engine.answer({"y": np.zeros(1, np.float32)})
    assert session.history == [record] and session.shown is None
    assert "a version 2" in record.title()


def test_a_load_failure_ends_the_waiting_run_once():
    session, engine = _session()
    session.set_target(_target())
    record = session.run()
    session.engine_failed(EngineError("/models/hp2/2: saved_model.pb is cut short"))
    engine.fail(EngineError("no model is loaded; load one first"))  # the run's own answer
    assert session.history == [record] and record.error.endswith("cut short")


def test_an_engine_that_raises_still_ends_the_run():
    session, engine = _session()
    engine.run = lambda *a, **k: (_ for _ in ()).throw(OSError("pipe closed"))
    session.set_target(_target())
    record = session.run()
    assert record.status == "failed" and record.error == "OSError: pipe closed"


def test_answers_reach_the_owner_thread_through_post():
    posted: list = []
    engine = FakeEngine()
    session = RunSession(engine, post=posted.append)
    session.set_target(_target())
    record = session.run()
    worker = threading.Thread(target=engine.answer, args=({"y": np.zeros(1)},))
    worker.start()
    worker.join()
    assert record.status == "running" and len(posted) == 1  # nothing changed on that thread
    posted[0]()
    assert record.status == "done" and record.received > 0 and record.elapsed_s >= 0


def test_old_outputs_are_let_go_and_cannot_be_shown_again():
    session, engine = _session()
    session.set_target(_target())
    session.set_inputs(StaticInputs({"x": np.zeros(4, np.float32)}))
    for _ in range(rs.HISTORY_KEEP_RUNS + 3):
        session.run()
        engine.answer({"y": np.zeros(2**18, np.float32)})  # 1 MB
    kept = [r for r in session.history if not r.released]
    assert len(kept) == rs.HISTORY_KEEP_RUNS
    assert all(r.released for r in session.history[:3])  # the oldest went first
    assert session.history[0].result.outputs == {} and session.history[0].feeds == {}
    assert "→ y: float32[262144]" in session.history[0].title()  # its summary stays
    big = rs.HISTORY_KEEP_BYTES // 2**20 + 1
    session.run()
    engine.answer({"y": np.zeros(big * 2**18, np.float32)})  # over the budget: only it is kept
    assert [r.released for r in session.history[-2:]] == [True, False]
    assert not session.show(session.history[0])
    assert session.show(session.history[-1]) and session.shown is session.history[-1]


def test_target_names_model_version_tags_and_signature():
    info = SimpleNamespace(path="/m/base", model_dir="/m/base/2", version=2)
    sig = SimpleNamespace(key="predict", method_name="tensorflow/serving/predict")
    target = RunTarget.of(info, ["serve", "gpu"], sig)
    assert target.as_tuple() == ("/m/base", 2, ("serve", "gpu"), "predict")
    assert target.label() == "base version 2 · serve,gpu · predict"
    plain = RunTarget("/m/plain", "/m/plain", None, ("serve",), "s")
    assert plain.label() == "plain · serve · s"
    assert target == RunTarget("/m/base", "/m/base/2", 2, ("serve", "gpu"), "predict")
