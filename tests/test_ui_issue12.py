"""Issue 12 in the window: errors to read and copy, ragged and sparse outputs shown, the Custom
ops setting, and the unknown-op check fed by the worker's op list (no command line needed)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from test_run_session import FakeEngine

from inspector_app.engine import EngineError
from inspector_app.engine.composites import RaggedValue, SparseValue
from inspector_app.engine.protocol import RunResult
from inspector_app.ui import run_panel as rp
from inspector_app.ui.engine_bridge import EngineBridge
from inspector_app.workflows.run_session import RunSession, RunTarget


def _panel(qtbot) -> tuple[rp.RunPanel, FakeEngine]:
    engine = FakeEngine()
    session = RunSession(engine)
    panel = rp.RunPanel(session, EngineBridge(warm_up=False))
    qtbot.addWidget(panel)
    panel.show()
    session.set_target(RunTarget("/m", "/m", None, ("serve",), "split"))
    return panel, engine


def test_composite_outputs_in_the_outputs_table(qtbot) -> None:
    panel, engine = _panel(qtbot)
    words = RaggedValue(np.array([b"the", b"cat", b"hi"], object), [np.array([0, 2, 3])])
    grid = SparseValue(np.array([[0, 1], [1, 0]]), np.array([2, 3], np.int32), np.array([2, 3]))
    panel.session.run()
    engine.pending[-1].set_result(RunResult(
        "split", {"lens": np.array([2, 1])}, {"run_ms": 1.0}, "CPU:0",
        load_path="session", composites={"words": words, "grid": grid},
    ))  # fmt: skip
    table = panel.outputs_table
    rows = [[table.item(r, c).text() for c in range(3)] for r in range(table.rowCount())]
    assert rows == [
        ["lens", "int64", "[2]"],
        ["words", "string (ragged)", "[2, -1]"],
        ["grid", "int32 (sparse)", "[2, 3]"],
    ]
    assert "TF1 session" in panel.timing_label.text()
    assert "words: string ragged[2, -1]" in panel.history_list.item(0).text()
    panel.outputs.show_values(1)
    assert "row 0 (2): ['the', 'cat']" in panel.values_view.toPlainText()
    panel.outputs.show_values(2)
    text = panel.values_view.toPlainText()
    assert "[0, 1] -> 2" in text and "densified:" in text and "[[0 2 0]" in text


def test_a_failed_run_shows_the_whole_reason_to_copy(qtbot) -> None:
    panel, engine = _panel(qtbot)
    panel.session.run()
    line = "InvalidArgumentError at node Reshape (op Reshape): Input to reshape is a tensor"
    engine.fail(EngineError(line, details="Traceback (most recent call last):\n  ..."))
    assert panel.status_label.text() == line
    flags = panel.status_label.textInteractionFlags()
    assert flags & Qt.TextInteractionFlag.TextSelectableByMouse
    shown = panel.values_view.toPlainText()
    assert shown.startswith(line) and "Worker traceback:\nTraceback" in shown


def test_custom_ops_setting_reaches_the_engine(qtbot, tmp_path, monkeypatch) -> None:
    from PySide6.QtCore import QSettings

    from inspector_app.ui import MainWindow, settings

    ini = str(tmp_path / "settings.ini")
    monkeypatch.setattr(
        settings, "open_settings", lambda: QSettings(ini, QSettings.Format.IniFormat)
    )
    win = MainWindow()
    qtbot.addWidget(win)
    assert win.findChild(type(win.menus.custom_ops_action), "actionCustomOps") is not None
    win.launcher.set_custom_ops(["my_ops", "  ", "/opt/ops/libmy_ops.so"])
    assert settings.custom_ops() == ["my_ops", "/opt/ops/libmy_ops.so"]
    assert win.runner.bridge.load_ops == ["my_ops", "/opt/ops/libmy_ops.so"]
    win.launcher.set_custom_ops([])
    assert settings.custom_ops() == [] and win.runner.bridge.load_ops == []


def test_unknown_op_check_runs_on_the_workers_list(qtbot, tmp_path, monkeypatch) -> None:
    from inspector_app.resources import demo_model_paths
    from inspector_app.ui import MainWindow

    monkeypatch.setenv("SMI_CACHE_DIR", str(tmp_path))  # no cached op list: as in the bundle
    win = MainWindow()
    qtbot.addWidget(win)
    path = demo_model_paths()[0]
    with qtbot.waitSignal(win.checks_done, timeout=20_000) as first:
        with qtbot.waitSignal(win.model_opened, timeout=20_000):
            win.open_paths([path])
        win.select_node(win.models()[0].tree)
    assert "ops.registry_unknown" in {f.id for f in first.args[0]}

    bridge = win.runner.bridge
    with qtbot.waitSignal(win.checks_done, timeout=20_000) as again:
        bridge._on_event("registered_ops", frozenset({"Placeholder", "Const"}))
    ids = {f.id for f in again.args[0]}
    assert "ops.registry_unknown" not in ids and "ops.unknown" in ids
    assert "ops.unknown" in win.checks_panel.text()
