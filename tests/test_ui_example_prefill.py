"""The window opens the tf.Example table pre-filled with the features the graph parses."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from inspector_app.ui import MainWindow
from inspector_app.ui.input_builder import ExampleEditor

REPO = Path(__file__).resolve().parent.parent
MNIST = REPO / "resources" / "demo_models" / "mnist_softmax"


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path) -> None:
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "ini"))


@pytest.mark.skipif(not MNIST.is_dir(), reason="demo model absent")
def test_classify_signature_opens_the_prefilled_example_table(qtbot) -> None:
    win = MainWindow()
    win.show_error_dialogs = False
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.model_opened, timeout=15_000):
        win.open_model(MNIST)
    assert win.select_signature("classify")
    row = win.runner.inputs.rows["inputs"]
    editor = row.editor()
    assert isinstance(editor, ExampleEditor)
    table = editor.table
    assert [table.item(0, c).text() for c in (0, 1)] == ["x", "float"]
    assert table.item(0, 2).text().count("0.0") == 784
    assert row.check.ready and win.runner.inputs.feeds()["inputs"].shape[0] == 1
    assert "read from the graph" in table.item(0, 0).toolTip()
    table.item(0, 2).setText("1.0, 2.0")  # the graph wants 784 values
    assert not row.check.ready and "feature 'x' needs 784 values" in row.status.text()
    table.item(0, 0).setText("xx")
    assert "did you mean 'x'?" in row.status.text()
    # the type column is not cut off
    header = table.horizontalHeader()
    assert header.sectionSize(1) >= header.fontMetrics().horizontalAdvance("Kind (float/int64/bytes)")  # fmt: skip
