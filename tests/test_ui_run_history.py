"""The Run tab over a run session: history entries name their run and how it ended; reopening
one shows it again unless its outputs were let go; another target clears what is shown."""

from __future__ import annotations

import numpy as np
from test_run_session import FakeEngine, Inputs, _target

from inspector_app.engine import EngineError
from inspector_app.ui import run_panel as rp
from inspector_app.ui.engine_bridge import EngineBridge
from inspector_app.workflows import run_session as rs


def _panel(qtbot) -> tuple[rp.RunPanel, rs.RunSession, FakeEngine]:
    engine = FakeEngine()
    session = rs.RunSession(engine)
    panel = rp.RunPanel(session, EngineBridge(warm_up=False))
    qtbot.addWidget(panel)
    panel.show()
    session.set_target(_target())
    session.set_inputs(Inputs())
    return panel, session, engine


def _titles(panel: rp.RunPanel) -> list[str]:
    return [panel.history_list.item(i).text() for i in range(panel.history_list.count())]


def test_history_names_each_run_and_how_it_ended(qtbot) -> None:
    panel, session, engine = _panel(qtbot)
    session.run()
    engine.answer({"y": np.array([2.5], np.float32)})
    assert panel.outputs_table.rowCount() == 1
    assert panel.timing_label.text().startswith("hp2 version 2 · serve · serving_default: 1.50 ms")
    session.run()
    panel.cancel_button.setEnabled(True)
    panel.cancel_button.click()
    session.run()
    engine.fail(EngineError("InvalidArgumentError: Input to reshape is a tensor with 3 values"))
    session.set_inputs(Inputs(problems=["x: expected 3 values"]))
    panel.run_button.setEnabled(True)
    panel.run_button.click()  # refused: the same door as Ctrl+R, and no entry
    assert "inputs are not ready" in panel.status_label.text()
    newest, cancelled, done = _titles(panel)
    assert "hp2 version 2 · serve · serving_default on CPU:0" in done and "1.5 ms → y" in done
    assert "cancelled" in cancelled and "ms →" not in cancelled
    assert "failed: InvalidArgumentError: Input to reshape" in newest
    assert "Input to reshape" in panel.values_view.toPlainText()  # the failure is shown


def test_another_target_clears_outputs_and_names_itself(qtbot) -> None:
    panel, session, engine = _panel(qtbot)
    session.run()
    engine.answer({"y": np.array([2.5], np.float32)})
    session.set_target(_target(version=1, signature="classify", name="other"))
    assert panel.outputs_table.rowCount() == 0 and not panel.values_view.toPlainText()
    assert panel.target_label.text() == "other version 1 · serve · classify"
    assert "1.50 ms" not in panel.timing_label.text()
    panel._open_history_item(panel.history_list.item(0))  # the old run, named as such
    assert panel.timing_label.text().startswith("hp2 version 2")


def test_old_outputs_are_let_go(qtbot) -> None:
    panel, session, engine = _panel(qtbot)
    for _ in range(rs.HISTORY_KEEP_RUNS + 1):
        session.run()
        engine.answer({"y": np.zeros(4, np.float32)})
    oldest = panel.history_list.item(panel.history_list.count() - 1)
    panel._open_history_item(oldest)
    assert "run it again" in panel.status_label.text()
