"""The Weights tab fills without holding the event loop: the variables table is Qt's own item
model written a chunk of rows per turn (statistics that come before their row is written land
when it is), filtered and sorted by Qt; the values table answers a paint from its own cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QHelpEvent
from PySide6.QtWidgets import QToolTip

from inspector_app.savedmodel.tensor_stats import TensorStats
from inspector_app.savedmodel.variables import VariableInfo
from inspector_app.ui.array_table import ArrayTableModel
from inspector_app.ui.weights.table_model import (
    CHUNK_ROWS,
    COL_BAD,
    COL_MIN,
    COL_NAME,
    COL_ROLE,
    COL_VALUES,
    FIRST_ROWS,
    SORT_ROLE,
    STATS_ROWS,
    WeightsFilter,
    WeightsTableModel,
)

WAIT_MS = 20_000
ROWS = FIRST_ROWS + 2 * CHUNK_ROWS + 7  # four chunks: the first at once, three in later turns
DISPLAY, FOREGROUND = Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ForegroundRole


def _variables(n: int) -> list[VariableInfo]:
    roles = ("weight", "weight", "optimizer_slot", "bookkeeping")
    return [
        VariableInfo(name=f"layer{i}/kernel", key=f"layer{i}/kernel/.ATTRIBUTES/VARIABLE_VALUE",
                     dtype="float32", shape=[i + 1, 2], size_bytes=8 * (i + 1), params=2 * (i + 1),
                     keys=[f"layer{i}/kernel/.ATTRIBUTES/VARIABLE_VALUE"], role=roles[i % 4])
        for i in range(n)
    ]  # fmt: skip


def _stats(i: int) -> TensorStats:
    return TensorStats(count=10, min=float(-i), max=float(i), mean=0.5, std=1.0, zeros=i % 3,
                       nan=1 if i == 5 else 0, hist=[10], hist_range=(-i, i))  # fmt: skip


def _text(model: WeightsTableModel, row: int, col: int) -> str:
    return model.data(model.index(row, col), DISPLAY)


def test_rows_arrive_in_chunks_and_all_end_up_with_their_statistics(qtbot) -> None:
    model = WeightsTableModel()
    variables = _variables(ROWS)
    written: list[int] = []
    model.dataChanged.connect(lambda *_: written.append(model.filled_rows))
    with qtbot.waitSignal(model.filled, timeout=WAIT_MS):
        model.set_variables(variables)
        # Every row is there at once (a selection can find it); the first chunk is written.
        assert model.rowCount() == ROWS and model.filled_rows == FIRST_ROWS
        assert _text(model, 0, COL_NAME) == "layer0/kernel"
        assert not _text(model, ROWS - 1, COL_NAME)  # written in a later turn
        # Statistics of every row, before most rows are written: kept until they are.
        model.add_stats({v.key: _stats(i) for i, v in enumerate(variables)})
        assert _text(model, 3, COL_MIN) == "-3"
    # One chunk per turn, in order (the statistics' own signal came in between).
    assert written == sorted(written)
    assert sorted(set(written)) == [FIRST_ROWS, FIRST_ROWS + CHUNK_ROWS, ROWS - 7, ROWS]
    for row in range(ROWS):
        assert _text(model, row, COL_NAME) == f"layer{row}/kernel"
        assert _text(model, row, COL_MIN) == f"{-row:.6g}"
        assert _text(model, row, COL_VALUES) == f"{2 * (row + 1):,}"
        assert model.data(model.index(row, COL_MIN), SORT_ROLE) == -row
    assert _text(model, 2, COL_ROLE) == "optimizer slot"
    assert _text(model, 5, COL_BAD) == "1/0"
    assert model.data(model.index(5, COL_BAD), FOREGROUND).color() == QColor("#e05050")
    assert model.data(model.index(0, COL_NAME), FOREGROUND) is None  # a weight: the text colour
    dim = QColor("#123456")
    model.set_dim_colour(dim)  # the palette changed
    assert model.data(model.index(2, COL_NAME), FOREGROUND).color() == dim
    assert model.data(model.index(ROWS - 1, COL_NAME), FOREGROUND).color() == dim


def test_a_large_batch_of_statistics_is_written_a_chunk_per_turn(qtbot) -> None:
    model = WeightsTableModel()
    variables = _variables(STATS_ROWS * 2 + 5)
    model.set_variables(variables)
    model.fill_all()
    model.add_stats({v.key: _stats(i) for i, v in enumerate(variables)})
    assert len(model.stats) == len(variables)  # known at once (the summary counts them)
    written = [r for r in range(len(variables)) if _text(model, r, COL_MIN)]
    assert len(written) == STATS_ROWS  # the first chunk's cells now
    qtbot.waitUntil(lambda: bool(_text(model, len(variables) - 1, COL_MIN)), timeout=WAIT_MS)
    assert all(_text(model, r, COL_MIN) == f"{-r:.6g}" for r in range(len(variables)))


def test_a_newer_list_drops_the_chunks_of_the_older(qtbot) -> None:
    model = WeightsTableModel()
    model.set_variables(_variables(ROWS))
    with qtbot.waitSignal(model.filled, timeout=WAIT_MS):
        model.set_variables(_variables(3))
    qtbot.wait(20)  # the older list's chunks, had they survived, would run now
    assert model.rowCount() == 3 and model.filled_rows == 3
    assert [_text(model, r, COL_NAME) for r in range(3)] == [f"layer{i}/kernel" for i in range(3)]


def test_filter_and_sort_are_qt_s_own(qtbot) -> None:
    model = WeightsTableModel()
    variables = _variables(8)
    variables[6].key = variables[6].keys[0] = "hidden_key/.ATTRIBUTES/VARIABLE_VALUE"
    with qtbot.waitSignal(model.filled, timeout=WAIT_MS):
        model.set_variables(variables)
    model.add_stats({v.key: _stats(i) for i, v in enumerate(variables) if i != 4})
    proxy = WeightsFilter()
    proxy.setSourceModel(model)

    def names() -> list[str]:
        return [proxy.data(proxy.index(r, COL_NAME)) for r in range(proxy.rowCount())]

    assert len(names()) == 8
    proxy.set_filter("LAYER1/", "")
    assert names() == ["layer1/kernel"]
    proxy.set_filter("hidden_key", "")  # in the checkpoint key, not the name
    assert names() == ["layer6/kernel"]
    proxy.set_filter("kernel", "optimizer_slot")
    assert names() == ["layer2/kernel", "layer6/kernel"]
    proxy.set_filter("kernellayer", "")  # never across the name and the key
    assert names() == []
    proxy.set_filter("(", "")  # the text is matched as it is written
    assert names() == []
    proxy.set_filter("", "bookkeeping")
    assert names() == ["layer3/kernel", "layer7/kernel"]
    proxy.set_filter("", "")
    proxy.sort(COL_MIN, Qt.SortOrder.AscendingOrder)  # no statistics (row 4) sorts first
    assert names() == [f"layer{i}/kernel" for i in (4, 7, 6, 5, 3, 2, 1, 0)]


def test_a_row_s_tooltip_names_its_checkpoint_keys(qtbot) -> None:
    from inspector_app.ui.weights.variables_table import VariablesTable

    model = WeightsTableModel()
    with qtbot.waitSignal(model.filled, timeout=WAIT_MS):
        model.set_variables(_variables(3))
    proxy = WeightsFilter()
    proxy.setSourceModel(model)
    table = VariablesTable(proxy)
    qtbot.addWidget(table)
    table.resize(600, 200)
    table.show()
    qtbot.waitExposed(table)
    rect = table.visualRect(proxy.index(1, COL_VALUES))
    event = QHelpEvent(
        QHelpEvent.Type.ToolTip, rect.center(), table.viewport().mapToGlobal(rect.center())
    )
    assert table.viewportEvent(event)
    assert (
        QToolTip.text()
        == "layer1/kernel\ncheckpoint key:\nlayer1/kernel/.ATTRIBUTES/VARIABLE_VALUE"
    )
    below = QPoint(5, table.viewport().height() - 2)  # no row there
    assert table.viewportEvent(QHelpEvent(QHelpEvent.Type.ToolTip, below, below))
    QToolTip.hideText()


def test_values_model_answers_from_its_cache(qtbot) -> None:
    values = ArrayTableModel()
    values.set_array(np.arange(12, dtype=np.float32).reshape(3, 4) / 3)
    assert values.rowCount() == 3 and values.columnCount() == 4
    index = values.index(1, 2)
    assert values.data(index, DISPLAY) == f"{6 / 3:.6g}" == "2"
    assert values.data(values.index(2, 3), DISPLAY) == f"{np.float32(11 / 3):.6g}"
    assert values.data(index, Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
    )
    assert values.data(index, Qt.ItemDataRole.ToolTipRole) == "2"
    assert values.data(index, Qt.ItemDataRole.FontRole) is None
    values.set_array(np.array([[b"alpha", b"\xff"]], dtype=object))  # a new array: a new cache
    assert values.data(values.index(0, 0), DISPLAY) == "alpha"
    assert values.data(values.index(0, 1), DISPLAY) == "b'\\xff'"
    assert values.data(values.index(0, 1), Qt.ItemDataRole.TextAlignmentRole) is None
    assert values.headerData(3, Qt.Orientation.Horizontal, DISPLAY) == "3"


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    """A SavedModel of ``ROWS`` variables, made here with TensorFlow."""
    import tensorflow as tf

    path = tmp_path_factory.mktemp("weights_fill") / "many"
    module = tf.Module()
    module.vars = [tf.Variable(np.full((2, 3), i, np.float32), name=f"v{i}") for i in range(ROWS)]
    tf.saved_model.save(module, str(path))
    return path


@pytest.mark.slow
def test_panel_fills_a_model_of_many_variables(qtbot, many: Path) -> None:
    from inspector_app.savedmodel import load_model
    from inspector_app.ui.weights import WeightsPanel

    panel = WeightsPanel()
    qtbot.addWidget(panel)
    panel.resize(1024, 700)
    panel.show()
    written: list[int] = []
    panel.model.dataChanged.connect(lambda *_: written.append(panel.model.filled_rows))
    with qtbot.waitSignal(panel.stats_done, timeout=WAIT_MS):
        panel.set_model(load_model(many))
    qtbot.waitUntil(lambda: panel.model.filled_rows == ROWS, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: len(panel.steps) == 0, timeout=WAIT_MS)  # statistics cells too
    assert written[0] == FIRST_ROWS and len(set(written)) >= 4  # in chunks
    assert panel.model.rowCount() == len(panel.variables) == ROWS
    assert len(panel.model.stats) == ROWS
    qtbot.waitUntil(lambda: bool(panel.values_key), timeout=WAIT_MS)  # the first row, selected
    var = panel.current_variable()
    assert panel.proxy.mapToSource(panel.table.currentIndex()).row() == 0
    assert "min" in panel.stats_label.text() and sum(panel.histogram.counts) == var.params
    for row, var in enumerate(panel.variables):
        stats = panel.model.stats[var.key]
        assert _text(panel.model, row, COL_NAME) == var.name
        assert _text(panel.model, row, COL_MIN) == f"{stats.min:.6g}"
    panel.filter_edit.setText("v1")
    assert panel.proxy.rowCount() == sum("v1" in v.name.lower() for v in panel.variables)
    assert panel.select_variable("v99")
    assert panel.filter_edit.text() == "" and panel.current_variable().name == "v99"


def test_steps_run_in_order_one_per_turn(qtbot) -> None:
    from PySide6.QtCore import QObject

    from inspector_app.ui.weights.steps import Steps

    owner = QObject()
    steps = Steps(owner)
    done: list[str] = []
    steps.add(lambda: (done.append("a"), steps.add(lambda: done.append("c"))))
    steps.add(lambda: done.append("b"))
    steps.add(lambda: done.append("skipped"), when=lambda: False)
    assert done == [] and len(steps) == 3  # nothing at once
    qtbot.waitUntil(lambda: len(steps) == 0, timeout=WAIT_MS)
    assert done == ["a", "b", "c"]  # a step added by a step comes after those added before


def test_the_panel_is_made_ahead_a_module_per_turn(qtbot) -> None:
    import sys

    from PySide6.QtCore import QObject

    from inspector_app.ui.weights.prepare import MODULES, prepare

    owner = QObject()
    made: list[bool] = []
    prepare(owner, lambda: made.append(True), start_ms=0)
    assert not made
    qtbot.waitUntil(lambda: bool(made), timeout=WAIT_MS)
    assert made == [True] and all(m in sys.modules for m in MODULES)


@pytest.mark.slow
def test_window_makes_the_weights_panel_ahead(qtbot, many: Path) -> None:
    from inspector_app.ui import MainWindow

    win = MainWindow(warm_up=False)
    win.show_error_dialogs = False
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.model_opened, timeout=WAIT_MS):
        win.open_model(many)
    qtbot.waitUntil(lambda: win.inspect._weights is not None, timeout=WAIT_MS)
    panel = win.inspect.weights_panel
    assert not panel.isVisible() and panel.info is None  # made, hidden, nothing read yet
    win.inspect.show_weights()
    assert panel.isVisible()
    qtbot.waitUntil(lambda: len(panel.model.stats) == ROWS, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: panel.model.filled_rows == ROWS, timeout=WAIT_MS)
