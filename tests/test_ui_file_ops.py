"""Running a model whose ops read or write files asks first, from every way of running."""

from __future__ import annotations

import pytest
from models_checks import build_clean, build_leftovers

from inspector_app.ui import MainWindow


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    base = tmp_path_factory.mktemp("file_ops")
    return build_leftovers(base / "touchy"), build_clean(base / "clean")


def _open(qtbot, win, path):
    with qtbot.waitSignal(win.model_opened, timeout=20_000):
        win.open_model(path)
    assert win.select_signature("serving_default")


def test_run_asks_before_ops_that_touch_files(qtbot, models):
    touchy, clean = models
    win = MainWindow()
    win.show_error_dialogs = False
    qtbot.addWidget(win)
    win.runner.run_panel.set_device("CPU:0")
    asked: list[str] = []
    answers = [False, False, True]
    win.confirm = lambda text: asked.append(text) or answers.pop(0)
    _open(qtbot, win, touchy)
    assert win.run() is False  # declined: nothing runs
    assert "ReadFile" in asked[0] and "PrintV2" in asked[0]
    assert not win.runner.run_panel.busy and win.runner.session.history == []
    win.runner.run_panel.run_button.setEnabled(True)
    win.runner.run_panel.run_button.click()  # the button asks too
    assert len(asked) == 2 and win.runner.session.history == []
    with qtbot.waitSignal(win.run_finished, timeout=90_000) as blocker:
        assert win.run()  # accepted: it runs, and its ReadFile fails in the worker
    assert "does-not-matter.txt" in str(blocker.args[0])
    assert len(win.runner.session.history) == 1
    with qtbot.waitSignal(win.run_finished, timeout=90_000):
        win.run()
    assert len(asked) == 3  # asked once the user said yes

    _open(qtbot, win, clean)
    with qtbot.waitSignal(win.run_finished, timeout=90_000):
        win.run()
    assert len(asked) == 3  # a clean model runs without a question
