"""Run follows the tree: a signature selected anywhere (another version of a base folder too)
is what Run, Ctrl+R and ``run()`` run, and what Results, the Run tab and the status bar name."""

from __future__ import annotations

import numpy as np
import pytest
from models_compare import expected, versions_base
from models_engine import build_tf2_model
from PySide6.QtCore import Qt

from inspector_app.ui import MainWindow

WAIT_MS = 90_000  # a worker's first start imports TensorFlow (slow on 2 busy cores)
X = np.array([1.0, 4.0], np.float32)


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    return versions_base(tmp_path_factory)  # versions 1, 2 and 3 (a copy of 2)


@pytest.fixture()
def window(qtbot):
    win = MainWindow(warm_up=True)
    win.show_error_dialogs = False
    qtbot.addWidget(win)
    win.resize(1024, 700)
    win.show()
    qtbot.waitUntil(lambda: win._runner is not None, timeout=20_000)
    yield win
    win.close()


def _signature_of_version(win: MainWindow, version: int):
    """The serving_default row under ``version`` of the open base folder (read on demand)."""
    (model,) = win.models()
    node = next(n for n in model.tree.children if n.kind == "version" and n.name == str(version))
    win.tree_model.fetchMore(win.tree_model.index_of(node))  # what expanding the row does
    stack = list(node.children)
    while stack:
        child = stack.pop()
        if child.kind == "signature" and child.details.get("key", child.name) == "serving_default":
            return child
        stack.extend(child.children)
    raise AssertionError(f"no serving_default under version {version}")


def _run_ctrl_r(qtbot, win: MainWindow):
    with qtbot.waitSignal(win.run_finished, timeout=WAIT_MS) as blocker:
        qtbot.keyClick(win, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    return blocker.args[0]


def test_selecting_another_versions_signature_makes_it_the_target(qtbot, window, base):
    win = window
    with qtbot.waitSignal(win.model_opened, timeout=20_000) as opened:
        win.open_model(base)
    assert opened.args[0].version == 3
    assert win.select_signature("serving_default")
    assert win.run_target() == (str(base), 3, ("serve",), "serving_default")

    with qtbot.waitSignal(win.model_opened, timeout=20_000) as opened:
        assert win.select_node(_signature_of_version(win, 2))
        # the target at once, while version 2 is read: Run waits and says why
        assert win.run_target() == (str(base), 2, ("serve",), "serving_default")
        assert "version 2 is being read" in win.runner.run_panel.status_label.text()
        assert not win.runner.run_panel.run_button.isEnabled()
    assert opened.args[0].version == 2  # that version is loaded
    qtbot.waitUntil(lambda: win.run_target() is not None and win.run_target()[1] == 2)
    assert win.run_target() == (str(base), 2, ("serve",), "serving_default")

    with qtbot.waitSignal(win.model_opened, timeout=20_000):
        win.select_node(_signature_of_version(win, 1))
    qtbot.waitUntil(lambda: win.run_target()[1] == 1)
    win.set_input("x", X)
    outputs = _run_ctrl_r(qtbot, win)
    assert isinstance(outputs, dict), outputs
    np.testing.assert_allclose(outputs["y"], expected(X, 1)["y"])  # version 1's answer
    record = win.runner.session.history[-1]
    assert (record.target.version, record.target.model_dir) == (1, str(base / "1"))
    named = f"{base.name} version 1 · serve · serving_default"
    assert win.runner.results.title_label.text().startswith(named)
    assert win.runner.run_panel.timing_label.text().startswith(named)
    assert win.runner.run_panel.status_label.text().startswith("Done in")
    assert win.statusBar().currentMessage().startswith(f"Run finished: {named}: ")


def test_switching_models_clears_results_and_run_tab(qtbot, window, base, tmp_path):
    win = window
    with qtbot.waitSignal(win.model_opened, timeout=20_000):
        win.open_model(base / "1")
    assert win.select_signature("serving_default")
    win.set_input("x", X)
    with qtbot.waitSignal(win.run_finished, timeout=WAIT_MS):
        assert win.run()
    panel, results = win.runner.run_panel, win.runner.results
    assert panel.outputs_table.rowCount() == 3 and results.output_list.count() == 3

    assert win.statusBar().currentMessage().startswith("Run finished: 1 · serve")
    with qtbot.waitSignal(win.model_opened, timeout=20_000):
        win.open_model(base / "2")
    assert win.select_signature("serving_default")
    named = "2 · serve · serving_default"
    assert "Run finished" not in win.statusBar().currentMessage()
    assert panel.outputs_table.rowCount() == 0 and not panel.values_view.toPlainText()
    assert results.output_list.count() == 0 and results.outputs == {}
    assert results.title_label.text() == named and panel.target_label.text() == named
    assert "ms" not in panel.timing_label.text()
    assert win.run_target() == (str(base / "2"), None, ("serve",), "serving_default")
    win.runner.run_tab.grab().save(str(tmp_path / "run_tab.png"))


def test_cancelled_refused_and_failed_runs_in_the_history(qtbot, window, tmp_path_factory):
    win = window
    model = build_tf2_model(tmp_path_factory.mktemp("run_history") / "m")
    with qtbot.waitSignal(win.model_opened, timeout=20_000):
        win.open_model(model)
    assert win.select_signature("serving_default")
    session, panel = win.runner.session, win.runner.run_panel
    with qtbot.waitSignal(win.run_finished, timeout=5000) as blocker:
        assert not win.run()  # x was never given: refused, and no history entry
    assert "not ready" in str(blocker.args[0]) and session.history == []
    assert "not ready" in win.statusBar().currentMessage()

    win.set_input("x", np.array([1.0, 2.0], np.float32))
    session.device = "GPU:7"  # no such device: the worker says so
    with qtbot.waitSignal(win.run_finished, timeout=WAIT_MS) as blocker:
        assert win.run()
    (failed,) = session.history
    assert failed.status == "failed" and "GPU:7" in failed.error
    assert str(blocker.args[0]) == failed.error  # the whole text, in the history entry too
    assert failed.error[:60] in panel.history_list.item(0).text()
    assert f"{model.name} · serve · serving_default on GPU:7" in panel.history_list.item(0).text()
    assert win.statusBar().currentMessage().startswith(f"Run failed: {model.name} · serve")

    session.device = "CPU:0"
    assert win.select_signature("forever")
    win.set_input("start", np.array(1, np.int32))
    assert win.run()
    qtbot.waitUntil(lambda: panel.cancel_button.isEnabled(), timeout=5000)
    with qtbot.waitSignal(win.run_finished, timeout=10_000) as blocker:
        panel.cancel_button.click()
    cancelled = session.history[-1]
    assert cancelled.status == "cancelled" and cancelled.result is None
    assert "cancel" in str(blocker.args[0]).lower()
    title = panel.history_list.item(0).text()
    assert f"{model.name} · serve · forever on CPU:0" in title and "cancelled" in title
    assert "ms →" not in title and len(session.history) == 2
