"""The run history keeps the arrays of the latest runs only."""

from __future__ import annotations

import numpy as np

from inspector_app.engine.protocol import RunResult
from inspector_app.ui import run_panel as rp
from inspector_app.ui.engine_bridge import EngineBridge


def _record(target: rp.RunTarget, mb: int) -> rp.RunRecord:
    out = {"y": np.zeros(mb * 2**18, np.float32)}  # mb MB
    record = rp.RunRecord(target, "CPU:0", "x", 0.0, feeds={"x": np.zeros(4, np.float32)})
    record.result = RunResult("serving_default", out, {"run_ms": 1.0}, "CPU:0")
    return record


def test_old_outputs_are_let_go(qtbot) -> None:
    panel = rp.RunPanel(EngineBridge(warm_up=False))
    qtbot.addWidget(panel)
    target = rp.RunTarget("/m", ["serve"], "serving_default")
    for _ in range(rp.HISTORY_KEEP_RUNS + 3):
        panel._finish(_record(target, 1))
    kept = [r for r in panel.history if not r.released]
    assert len(kept) == rp.HISTORY_KEEP_RUNS
    assert all(r.released for r in panel.history[:3])  # the oldest went first
    assert panel.history[0].result.outputs == {} and panel.history[0].feeds == {}

    big = rp.HISTORY_KEEP_BYTES // 2**20 + 1
    panel._finish(_record(target, big))  # one run over the budget: only it is kept
    assert [r.released for r in panel.history[-2:]] == [True, False]

    item = panel.history_list.item(panel.history_list.count() - 1)  # the oldest, released
    panel._open_history_item(item)
    assert "run it again" in panel.status_label.text()
