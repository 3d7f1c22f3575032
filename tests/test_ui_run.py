"""Contract 2 end to end: a window opens a model, takes inputs, runs in the worker, cancels."""

from __future__ import annotations

import time

import numpy as np
import pytest
from models_engine import build_tf2_model

from inspector_app.ui import MainWindow

WAIT_MS = 90_000  # a worker's first start imports TensorFlow (slow on 2 busy cores)


@pytest.fixture(scope="module")
def engine_model(tmp_path_factory):
    return build_tf2_model(tmp_path_factory.mktemp("ui_run") / "model")


@pytest.fixture(scope="module")
def window(engine_model):
    win = MainWindow(warm_up=True)
    win.show_error_dialogs = False
    yield win
    win.close()


def _open(qtbot, win, path):
    with qtbot.waitSignal(win.model_opened, timeout=20_000):
        win.open_model(path)


def test_run_cancel_and_recover(qtbot, window, engine_model):
    win = window
    _open(qtbot, win, engine_model)
    assert win.select_signature("serving_default", tags=["serve"])
    assert win.runner.session.target.signature == "serving_default"
    win.set_input("x", np.array([1.0, 2.5, -3.0], np.float32))
    assert win.runner.inputs.is_ready()
    with qtbot.waitSignal(win.run_finished, timeout=WAIT_MS) as blocker:
        assert win.run()
    outputs = blocker.args[0]
    assert isinstance(outputs, dict), outputs
    np.testing.assert_array_equal(outputs["y"], np.array([2.0, 5.0, -6.0], np.float32))
    assert win.panels.currentWidget() is win.runner.results
    assert win.runner.run_panel.outputs_table.rowCount() == 1
    assert win.runner.run_panel.history_list.count() == 1

    # A signature that never returns: cancelled within 2 s, the window stays responsive.
    assert win.select_signature("forever")
    win.set_input("start", np.array(1, np.int32))
    panel = win.runner.run_panel
    win.run()
    assert panel.busy and panel.run_button.isEnabled()  # a short run would not flicker
    qtbot.waitUntil(lambda: panel.cancel_button.isEnabled(), timeout=1000)
    assert not panel.run_button.isEnabled() and "Running" in panel.status_label.text()
    qtbot.wait(1500)  # it is running by now
    assert panel.busy and not panel.progress.isHidden()  # the bar, once the Run tab shows
    started = time.perf_counter()
    with qtbot.waitSignal(win.run_finished, timeout=5000) as blocker:
        win.cancel()
    assert time.perf_counter() - started < 2.0
    assert "cancel" in str(blocker.args[0]).lower()
    assert not win.runner.run_panel.busy

    # The model is loaded again in a fresh worker and runs.
    assert win.select_signature("counter")
    with qtbot.waitSignal(win.run_finished, timeout=WAIT_MS) as blocker:
        win.run()
    assert int(blocker.args[0]["count"]) == 1
    with qtbot.waitSignal(win.run_finished, timeout=WAIT_MS) as blocker:
        win.run()
    assert int(blocker.args[0]["count"]) == 2  # state kept between runs

    # The inputs of the first run come back when its signature is selected again.
    assert win.select_signature("serving_default")
    assert "last run" in win.runner.run_panel.status_label.text()
    np.testing.assert_array_equal(win.runner.inputs.feeds()["x"], [1.0, 2.5, -3.0])


def test_worker_death_is_reported(qtbot, window, engine_model):
    win = window
    if not win.models():
        _open(qtbot, win, engine_model)
    assert win.select_signature("no_input")
    with qtbot.waitSignal(win.run_finished, timeout=WAIT_MS):
        win.run()
    with qtbot.waitSignal(win.runner.bridge.worker_died, timeout=10_000):
        win.runner.bridge.engine.kill_worker()
    assert "died" in win.statusBar().currentMessage()
    assert win.run_reactions.died_box.text()
    win.run_reactions.reload_worker()
    with qtbot.waitSignal(win.run_finished, timeout=WAIT_MS) as blocker:
        win.run()
    np.testing.assert_array_equal(blocker.args[0]["answer"], np.array([42.0, 7.0], np.float32))


def test_run_without_signature_says_so(qtbot):
    win = MainWindow()
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.run_finished, timeout=2000) as blocker:
        assert not win.run()
    assert "no signature" in str(blocker.args[0])
    assert not win.runner.bridge.started  # nothing was started for nothing
