"""Class scores: the top-k table (rank, class id, label, score bar), k, softmax, batch item."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector_app.results.export import save_scores_csv
from inspector_app.results.scores import ScoreRow, ScoresResult
from inspector_app.ui.results_common import InputThumbnail, export_button, run_export, safe_name
from inspector_app.ui.results_table import (
    RowsTableModel,
    batch_item_spin,
    info_label,
    labels_button,
)

COL_RANK, COL_ID, COL_LABEL, COL_SCORE = range(4)
_HEADERS = ("Rank", "Class id", "Label", "Score")
ScoreRole = Qt.ItemDataRole.UserRole + 1  # the score as a float, for the bar delegate
MaxRole = Qt.ItemDataRole.UserRole + 2  # the bar's full scale

_Index = QModelIndex | QPersistentModelIndex


def score_cell(row: ScoreRow, col: int, role: int, scale: float, percent: bool) -> Any:
    """A cell of the top-k table; ``scale`` is the bar's full length, ``percent`` shows the
    probabilities as percentages too."""
    if role == Qt.ItemDataRole.DisplayRole:
        score = f"{row.score:.4f}"
        if percent:
            score = f"{row.score:.4f}  ({row.score:.1%})"
        return (str(row.rank), str(row.class_id), row.label, score)[col]
    if role == ScoreRole and col == COL_SCORE:
        return row.score
    if role == MaxRole:
        return scale
    if role == Qt.ItemDataRole.TextAlignmentRole and col != COL_LABEL:
        return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return None


class ScoreBarDelegate(QStyledItemDelegate):
    """Draws the score as a bar behind its number."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        score = index.data(ScoreRole)
        scale = index.data(MaxRole) or 1.0
        if isinstance(score, float) and np.isfinite(score) and scale > 0:
            frac = min(max(score / scale, 0.0), 1.0)
            rect = QRectF(option.rect).adjusted(2, 3, -2, -3)
            rect.setWidth(rect.width() * frac)
            painter.save()
            painter.fillRect(rect, QColor(90, 150, 230, 160))
            painter.restore()
        super().paint(painter, option, index)


class ScoresView(QWidget):
    """Top-k table for one scores output."""

    labels_requested = Signal()  # the user wants to choose a label file

    def __init__(self, name: str, result: ScoresResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scoresView")
        self.name, self.result = name, result
        self._scale, self._percent = 1.0, False  # of the rows shown
        self.model = RowsTableModel(
            _HEADERS, lambda r, c, role: score_cell(r, c, role, self._scale, self._percent), self
        )
        self.table = QTableView()
        self.table.setObjectName("scoresTable")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(COL_SCORE, ScoreBarDelegate(self.table))
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_LABEL, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_SCORE, QHeaderView.ResizeMode.Stretch)
        self.k_spin = _spin("topKSpin", 1, result.num_classes, min(5, result.num_classes))
        self.item_spin = batch_item_spin(result.num_items)
        self.softmax_check = QCheckBox("Apply softmax")
        self.softmax_check.setObjectName("softmaxToggle")
        self.softmax_check.setChecked(False)  # the model's own values until the user asks
        self.softmax_check.setToolTip(
            f"{result.reason}. Softmax turns logits into probabilities; it is off until you "
            "turn it on."
        )
        self.headline = QLabel()
        self.headline.setObjectName("topHeadline")
        font = self.headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.headline.setFont(font)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.values_label = QLabel()
        self.values_label.setObjectName("scoresValuesLabel")
        self.thumbnail = InputThumbnail(result.images)
        self.info = info_label("scoresInfo")
        self._build_layout()
        self._connect_callbacks()
        self.refresh()

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        for text, widget in (("Batch item", self.item_spin), ("Top k", self.k_spin)):
            bar.addWidget(QLabel(text))
            bar.addWidget(widget)
        bar.addWidget(self.softmax_check)
        bar.addStretch(1)
        bar.addWidget(labels_button(self.labels_requested.emit))
        bar.addWidget(export_button("Export CSV…", "exportCsvButton", self._export_csv))
        head = QVBoxLayout()
        head.addWidget(self.headline)
        head.addWidget(self.values_label)
        head.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.thumbnail)
        top.addLayout(head, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addLayout(top)
        layout.addWidget(self.info)
        layout.addWidget(self.table, 1)

    def _connect_callbacks(self) -> None:
        self.k_spin.valueChanged.connect(self.refresh)
        self.item_spin.valueChanged.connect(self.refresh)
        self.softmax_check.toggled.connect(self.refresh)

    def set_item(self, item: int) -> None:
        self.item_spin.setValue(item)

    def set_k(self, k: int) -> None:
        self.k_spin.setValue(k)

    def set_softmax(self, on: bool) -> None:
        self.softmax_check.setChecked(on)

    def refresh(self) -> None:
        """Recompute the rows for the current item, k and softmax setting."""
        soft = self.softmax_check.isChecked()
        item = self.item_spin.value()
        rows = self.result.top_k(item, self.k_spin.value(), soft)
        percent = soft or self.result.kind != "logits"
        scale = 1.0 if percent else max((abs(r.score) for r in rows), default=1.0)
        self._scale, self._percent = scale, percent
        self.model.set_rows(rows)
        if rows:
            best = rows[0]
            value = f"{best.score:.1%}" if percent else f"score {best.score:.4g}"
            self.headline.setText(f"{best.label}  {value}")
        else:
            self.headline.setText("")
        if soft:
            shown = "Softmaxed: softmax over the classes, applied at your request"
        else:
            shown = "Raw: the values as the model gave them (no softmax)"
        self.values_label.setText(shown)
        self.info.setText(f"Labels: {self.result.labels.source}.")
        self.thumbnail.show_item(item)

    def _export_csv(self) -> None:
        soft = self.softmax_check.isChecked()
        run_export(self, "Export scores", "CSV (*.csv)", f"{safe_name(self.name)}.csv",
                   lambda p, **kw: save_scores_csv(p, self.result, soft, **kw))  # fmt: skip


def _spin(name: str, lo: int, hi: int, value: int) -> QSpinBox:
    spin = QSpinBox()
    spin.setObjectName(name)
    spin.setRange(lo, max(lo, hi))
    spin.setValue(value)
    return spin
