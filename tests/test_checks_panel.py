"""The Checks panel: rows, colours, jump on activation, copy to the clipboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from inspector_app.savedmodel.checks import Finding
from inspector_app.ui.checks_panel import (
    COL_MESSAGE,
    COL_SEVERITY,
    COL_WHERE,
    COLOURS,
    WHERE_ROLE,
    ChecksPanel,
)

FINDINGS = [
    Finding(
        "signatures.fixed_batch",
        "warning",
        "input 'x' has a fixed first dimension",
        {"meta_graph": "serve", "signature": "serving_default", "side": "inputs", "tensor": "x"},
        "Export with None as the first dimension.",
    ),
    Finding("tags.no_serve", "error", "no 'serve' tag", {}, "Export with the serve tag."),
    Finding("size.ok", "info", "the model folder is 9.5 KB"),
]


def test_rows_and_summary(qtbot):
    panel = ChecksPanel()
    qtbot.addWidget(panel)
    assert panel.objectName() == "checksPanel"
    panel.show_findings(FINDINGS)
    model = panel.model
    assert model.rowCount() == 3 and model.columnCount() == 4
    assert model.index(0, COL_MESSAGE).data() == "input 'x' has a fixed first dimension"
    assert model.index(0, COL_WHERE).data() == "serve > serving_default > x"
    assert model.index(1, COL_WHERE).data() == "model"
    brush = model.index(1, COL_SEVERITY).data(Qt.ItemDataRole.ForegroundRole)
    assert brush.color().name() == COLOURS["error"]
    assert model.index(1, COL_SEVERITY).data(Qt.ItemDataRole.DecorationRole) is not None
    assert panel.summary.text() == "1 error(s), 1 warning(s), 1 note(s)"
    panel.show_findings([])
    assert model.rowCount() == 0 and panel.summary.text() == "No findings."


def test_activating_a_row_requests_a_jump(qtbot):
    panel = ChecksPanel()
    qtbot.addWidget(panel)
    panel.show_findings(FINDINGS)
    index = panel.model.index(0, COL_MESSAGE)
    with qtbot.waitSignal(panel.jump_requested) as blocker:
        panel.table.activated.emit(index)
    assert blocker.args == [FINDINGS[0].where]
    assert panel.model.index(2, 0).data(WHERE_ROLE) == {}


def test_copy_all_findings(qtbot):
    panel = ChecksPanel()
    qtbot.addWidget(panel)
    panel.show_findings(FINDINGS)
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    text = QGuiApplication.clipboard().text()
    assert text == panel.text()
    assert "ERROR   tags.no_serve: no 'serve' tag" in text
    assert "fix: Export with None as the first dimension." in text
    assert text.count("\n") >= 4


def test_the_tab_follows_the_selected_model(qtbot):
    from inspector_app.resources import demo_model_paths
    from inspector_app.ui import MainWindow

    win = MainWindow()
    qtbot.addWidget(win)
    paths = demo_model_paths()
    assert len(paths) == 2
    with qtbot.waitSignals([win.model_opened] * 2, timeout=20_000):
        win.open_paths(paths)
    for model in win.models():
        name = model.path.rstrip("/").rsplit("/", 1)[-1]
        win.select_node(model.tree)
        qtbot.waitUntil(lambda n=name: win.checks_panel.summary.text().startswith(f"{n}:"))
