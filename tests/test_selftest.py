"""``--self-test``: passes from the source tree; any failing step is one line and exit status 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from inspector_app import selftest

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "resources" / "demo_models" / "mnist_softmax"
STEPS = (
    "environment", "engine", "qt", "read model", "build input", "helpers", "worker", "load", "run",
)  # fmt: skip


@pytest.mark.skipif(not DEMO.is_dir(), reason=f"{DEMO} is not there yet (make_demo_models.py)")
def test_self_test_passes_from_the_source_tree() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "inspector_app", "--self-test"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert [line.split(":")[0] for line in lines[: len(STEPS)]] == list(STEPS)
    assert "10/10 digits right" in proc.stdout
    assert lines[-1].startswith("self-test passed")


class _FakeEngine:
    closed = False

    def close(self, graceful: bool = True) -> None:
        self.closed = True

    def log_tail(self, lines: int = 20) -> str:
        return "worker said this"


@pytest.fixture
def no_worker(monkeypatch: pytest.MonkeyPatch) -> _FakeEngine:
    """The self-test without a worker process and without Qt (steps replaced by stand-ins)."""
    engine = _FakeEngine()
    monkeypatch.setattr(selftest, "_start_engine", lambda: (engine, "fake"))
    monkeypatch.setattr(selftest, "_qt", lambda: (None, "skipped"))
    monkeypatch.setattr(selftest, "_wait_ready", lambda e: (None, "fake"))
    monkeypatch.setattr(selftest, "_load", lambda e, info: (None, "fake"))
    monkeypatch.setattr(selftest, "_helpers", lambda info: (None, "fake"))
    return engine


def _fails_with(capsys: pytest.CaptureFixture[str], expected: str) -> str:
    assert selftest.self_test() == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("self-test failed: "), err
    assert expected in err
    return err


def test_a_failing_step_is_one_line_and_status_1(
    no_worker: _FakeEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken() -> None:
        raise ValueError("the model folder is gone\nsecond line not shown")

    monkeypatch.setattr(selftest, "_read_model", broken)
    err = _fails_with(capsys, "self-test failed: read model: the model folder is gone")
    assert "second line" not in err and "worker said this" not in err
    assert no_worker.closed


def test_a_worker_failure_shows_the_worker_log(
    no_worker: _FakeEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def died(engine: object) -> None:
        raise RuntimeError("the model worker died (killed by signal 9)")

    monkeypatch.setattr(selftest, "_wait_ready", died)
    _fails_with(capsys, "worker: the model worker died (killed by signal 9) [worker log: worker")


@pytest.mark.skipif(not DEMO.is_dir(), reason=f"{DEMO} is not there yet (make_demo_models.py)")
def test_a_wrong_answer_fails(
    no_worker: _FakeEngine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    classes = np.arange(10)
    classes[3] = 8
    scores = np.eye(10, dtype=np.float32)[classes]
    fake = SimpleNamespace(outputs={"classes": classes, "scores": scores}, device="CPU:0")
    fake.timing = {"run_ms": 1.0}
    monkeypatch.setattr(selftest, "_run", lambda e, batch: (fake, "fake"))
    _fails_with(capsys, "check answer: predicted [0, 1, 2, 8, 4")
