"""The Batch dialog's table model (it sorts and filters itself) and the shared progress row."""

from __future__ import annotations

from PySide6.QtCore import QPersistentModelIndex, Qt
from PySide6.QtWidgets import QTableView

from inspector_app.ui.batch_table import BatchTableModel
from inspector_app.ui.progress_row import ProgressRow
from inspector_app.workflows.batch_rows import COL_INDEX, COL_SCORE, ItemRow, table_cells


def _row(i: int, score: float, correct: bool | None = True, error: str | None = None) -> ItemRow:
    row = ItemRow(i, f"set/item_{i:02d}.png", label="cat", prediction="cat" if correct else "dog",
                  class_id=0, score=score, correct=correct, summary=f"cat {score:.0%}",
                  error=error)  # fmt: skip
    if i % 2:
        row.cells = table_cells(row)  # as the job's process sends them; the others made here
    return row


def _shown(model: BatchTableModel) -> list[int]:
    return [model.row_at(r).index for r in range(model.rowCount())]


def test_rows_stream_in_sorted_and_filtered_and_the_selection_follows(qtbot):
    model = BatchTableModel()
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    model.append_rows([_row(2, 0.5), _row(0, 0.9), _row(1, 0.7, correct=False)])
    assert _shown(model) == [0, 1, 2]
    assert model.data(model.index(1, 4)) == "wrong"
    assert model.data(model.index(0, COL_SCORE), Qt.ItemDataRole.TextAlignmentRole)

    held = QPersistentModelIndex(model.index(1, 0))  # item 1, as a selection holds it
    model.sort(COL_SCORE, Qt.SortOrder.DescendingOrder)
    assert _shown(model) == [0, 1, 2]  # 0.9, 0.7, 0.5
    model.append_rows([_row(3, 0.8), _row(4, 0.95), _row(5, 0.1, error="not an image")])
    assert _shown(model) == [4, 0, 3, 1, 2, 5]
    assert model.row_at(held.row()).index == 1

    model.set_filter(kind="wrong")
    assert _shown(model) == [1] and model.total == 6
    assert view.verticalHeader().count() == 1  # the view follows a filter's layout change
    assert model.row_at(held.row()).index == 1
    model.append_rows([_row(6, 0.75, correct=False), _row(7, 0.2, correct=False), _row(8, 0.3)])
    assert _shown(model) == [6, 1, 7]
    assert view.verticalHeader().count() == 3
    model.set_filter(kind="all", text="ITEM_0")  # any case, over the item's name and the rest
    assert sorted(_shown(model)) == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    model.set_filter(text="item_07")
    assert _shown(model) == [7] and not held.isValid()  # item 1 is filtered out
    model.set_filter(kind="failed", text="")
    assert _shown(model) == [5]
    model.set_filter(kind="all")
    model.sort(COL_INDEX, Qt.SortOrder.AscendingOrder)
    assert _shown(model) == list(range(9))
    model.clear()
    assert model.rowCount() == model.total == 0


def test_the_progress_row(qtbot):
    row = ProgressRow("Go", "Stop", ("goButton", "stopButton", "goBar", "goStatus"), one_line=True)
    qtbot.addWidget(row)
    assert row.start_button.isEnabled() and not row.cancel_button.isEnabled()
    row.set_running(True)
    assert not row.start_button.isEnabled() and row.cancel_button.isEnabled()
    row.set_progress(3, 10)
    assert (row.bar.value(), row.bar.maximum()) == (3, 10)
    assert row.bar.updatesEnabled()
    row.set_status("3 of 10")
    assert row.status() == "3 of 10" and row.status_label.toolTip() == "3 of 10"
    row.set_status("it broke", error=True)
    assert "color" in row.status_label.styleSheet()
    row.set_status("fine")
    assert row.status_label.styleSheet() == ""
    assert row.findChild(type(row.bar), "goBar") is row.bar
