"""The Weights tab's statistics come from a helper process: equal to numpy's on a model made
here with TensorFlow, dropped when a newer model or a closed panel no longer wants them, and
computed in the window's process (with a one-line note) when the helper cannot run."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from models_weights import build_dtypes

from inspector_app.savedmodel import load_model
from inspector_app.savedmodel.checkpoint import OBJECT_GRAPH_KEY, CheckpointReader, is_numeric
from inspector_app.workflows import weight_stats_process as wsp

WAIT_MS = 30_000
pytestmark = pytest.mark.slow  # the models are built with TensorFlow


def _die(conn) -> None:
    """A helper process that ends at once (spawn target: a module-level function)."""
    os._exit(3)


def _slow_child(conn) -> None:
    """The helper, each job of which waits a second before it starts (in the helper process)."""
    import time

    compute = wsp._compute

    def slow(*args) -> None:
        time.sleep(1.0)
        compute(*args)

    wsp._compute = slow
    wsp._child_main(conn)


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    import tensorflow as tf

    root = tmp_path_factory.mktemp("weights_process")
    other = tf.Module()
    other.big = tf.Variable(np.arange(50_000, dtype=np.float32).reshape(250, 200), name="big")
    other.small = tf.Variable([1, 0, 2], name="small")
    tf.saved_model.save(other, str(root / "other"))
    return {"dtypes": build_dtypes(root / "dtypes"), "other": root / "other"}


def _numeric_keys(model: Path) -> set[str]:
    reader = CheckpointReader.for_model(model)
    return {k for k, e in reader.entries.items() if k != OBJECT_GRAPH_KEY and is_numeric(e.dtype)}


def _check_against_numpy(model: Path, stats: dict) -> None:
    import tensorflow as tf

    tf_reader = tf.train.load_checkpoint(str(model / "variables" / "variables"))
    for key, s in stats.items():
        values = np.asarray(tf_reader.get_tensor(key))
        if values.dtype.kind == "c":
            values = np.abs(values)
        values = values.astype(np.float64).reshape(-1)
        finite = values[np.isfinite(values)]
        assert s.count == values.size, key
        assert (s.nan, s.inf) == (int(np.isnan(values).sum()), int(np.isinf(values).sum())), key
        assert s.zeros == int(np.sum(values == 0)), key
        if finite.size:
            assert (s.min, s.max) == (finite.min(), finite.max()), key
            assert s.mean == pytest.approx(finite.mean(), rel=1e-5, abs=1e-9), key
            assert s.std == pytest.approx(finite.std(), rel=1e-4, abs=1e-9), key
            assert sum(s.hist) == finite.size and len(s.hist) == 64, key


def test_service_answers_from_another_process(models) -> None:
    import threading

    service = wsp.StatsService()
    got: dict = {}
    done, errors = threading.Event(), []
    try:
        keys = sorted(_numeric_keys(models["dtypes"]))
        job = service.submit(models["dtypes"], keys, on_stats=got.update, on_done=done.set,
                             on_error=lambda m, lost: errors.append((m, lost)))  # fmt: skip
        assert done.wait(WAIT_MS / 1000), errors
        assert job.pids == {service.process.pid} and os.getpid() not in job.pids
        assert set(got) == set(keys) and not errors
        _check_against_numpy(models["dtypes"], got)
        broken = Path(models["dtypes"]).parent / "no-such-model"
        done.clear()
        service.submit(broken, ["x"], on_stats=got.update, on_done=done.set,
                       on_error=lambda m, lost: (errors.append((m, lost)), done.set()))  # fmt: skip
        assert done.wait(WAIT_MS / 1000)
        ((message, lost),) = errors
        assert not lost and message.startswith("cannot read the checkpoint") and "\n" not in message
    finally:
        service.close()
    assert not service.alive


def test_panel_statistics_come_from_the_helper_and_equal_numpy(qtbot, models) -> None:
    from inspector_app.ui.weights import WeightsPanel

    panel = WeightsPanel()
    qtbot.addWidget(panel)
    with qtbot.waitSignal(panel.stats_done, timeout=WAIT_MS):
        panel.set_model(load_model(models["dtypes"]))
    service = wsp.stats_service()
    assert panel.feed.source == "process" and panel.stats_note == ""
    assert panel.feed.served_by == {service.process.pid} != {os.getpid()}
    stats = panel.model.stats
    assert set(stats) == _numeric_keys(models["dtypes"])
    _check_against_numpy(models["dtypes"], stats)
    assert "statistics:" not in panel.summary.text()  # all in: no count left
    assert not service.jobs


def test_a_newer_model_and_a_closed_panel_drop_older_answers(qtbot, models, monkeypatch):
    from inspector_app.ui.weights import WeightsPanel

    slow = wsp.StatsService(target=_slow_child)  # each job waits a second: still in hand
    monkeypatch.setattr(wsp, "_service", slow)
    panel = WeightsPanel()
    qtbot.addWidget(panel)
    arrived: list[int] = []
    panel.feed.arrived.connect(lambda generation, _stats: arrived.append(generation))
    first, second = load_model(models["dtypes"]), load_model(models["other"])
    try:
        panel.set_model(first)
        qtbot.waitUntil(lambda: panel.feed.job is not None, timeout=WAIT_MS)  # its job is asked
        old_job = panel.feed.job.id
        with qtbot.waitSignal(panel.stats_done, timeout=WAIT_MS):
            panel.set_model(second)
        assert old_job not in slow.jobs  # cancelled in the helper too
        assert set(panel.model.stats) == _numeric_keys(models["other"])  # none of the first's
        assert set(arrived) == {panel.feed.generation}
        _check_against_numpy(models["other"], panel.model.stats)

        panel.set_model(first)
        qtbot.waitUntil(lambda: panel.feed.job is not None, timeout=WAIT_MS)
        job_id = panel.feed.job.id
        panel.close()
        panel.deleteLater()
        qtbot.waitUntil(lambda: job_id not in slow.jobs, timeout=800)  # cancelled with it
        qtbot.wait(1500)  # a late answer would reach a deleted feed: dropped without an error
        assert slow.alive  # the helper stays for the next panel
    finally:
        slow.close()


def test_a_helper_that_dies_leaves_one_line_and_the_thread_pool(qtbot, models, monkeypatch):
    from inspector_app.ui.weights import WeightsPanel

    dying = wsp.StatsService(target=_die)
    monkeypatch.setattr(wsp, "_service", dying)
    panel = WeightsPanel()
    qtbot.addWidget(panel)
    try:
        with qtbot.waitSignal(panel.stats_done, timeout=WAIT_MS):
            panel.set_model(load_model(models["other"]))
    finally:
        dying.close()
    assert panel.feed.source == "threads"
    note = panel.stats_note
    assert "ended unexpectedly" in note and "exit code 3" in note and "\n" not in note
    assert "Traceback" not in panel.summary.text() and note.split(";")[0] in panel.summary.text()
    assert set(panel.model.stats) == _numeric_keys(models["other"])  # computed here instead
    _check_against_numpy(models["other"], panel.model.stats)


def test_the_helper_ends_with_the_window_process(tmp_path) -> None:
    """A parent killed outright (no atexit, no cleanup) takes its helper along: the helper
    reads its pipe on a thread of its own and exits when the pipe closes."""
    import signal
    import subprocess
    import sys
    import time

    repo = Path(__file__).resolve().parent.parent
    code = (
        "from inspector_app.workflows.weight_stats_process import stats_service\n"
        "s = stats_service(); s.start(); s.ready.wait(60)\n"
        "print(s.process.pid, flush=True)\n"
        "import time; time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(repo)})  # fmt: skip
    try:
        child = int(parent.stdout.readline())
        assert _running(child)  # alive while its parent is
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if not _running(child):
                break
            time.sleep(0.05)
        else:
            os.kill(child, signal.SIGKILL)
            pytest.fail("the helper outlived its parent")
    finally:
        parent.kill()


def _running(pid: int) -> bool:
    """The process exists and is not a zombie waiting for a reaper."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status
