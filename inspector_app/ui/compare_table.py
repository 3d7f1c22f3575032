"""The Compare dialog's table: one row per output, the differing ones highlighted (a pink
background, bold, and ``DIFFERS_ROLE`` true on each cell), the per-class IoU in the tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from inspector_app.results.compare import COLUMNS
from inspector_app.workflows.compare_job import CompareOutcome

DIFFERS_ROLE = Qt.ItemDataRole.UserRole + 1  # bool on every cell of a row: the output differs
DIFFERS_BACKGROUND = QColor(255, 221, 221)
COL_OUTPUT, COL_RESULT = 0, len(COLUMNS) - 1


def fill_table(table: QTableWidget, outcome: CompareOutcome | None) -> None:
    """Show ``outcome``'s per-output differences in ``table`` (empty for None)."""
    diffs = outcome.comparison.outputs if outcome else []
    table.setRowCount(len(diffs))
    bold = QFont(table.font())
    bold.setBold(True)
    for row, diff in enumerate(diffs):
        tip = diff.summary
        if diff.iou:
            per_class = ", ".join(f"{c}: {v:.4f}" for c, v in sorted(diff.iou.items())[:40])
            tip += f"\nIoU per class: {per_class}"
        for col, text in enumerate(diff.cells()):
            item = QTableWidgetItem(text)
            item.setData(DIFFERS_ROLE, diff.differs)
            item.setToolTip(tip)
            if diff.differs:
                item.setBackground(QBrush(DIFFERS_BACKGROUND))
                item.setFont(bold)
            table.setItem(row, col, item)


def differing_rows(table: QTableWidget) -> list[str]:
    """The output names of the highlighted rows."""
    return [
        table.item(r, COL_OUTPUT).text()
        for r in range(table.rowCount())
        if table.item(r, COL_OUTPUT).data(DIFFERS_ROLE)
    ]
