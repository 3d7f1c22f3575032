"""The data-set metrics of a batch job: accuracy lines and the confusion matrix as a picture."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

MAX_DRAWN = 40  # classes drawn with names; more are drawn as a plain heat map


class ConfusionView(QWidget):
    """Rows are true classes, columns predicted ones; a cell's colour is its share of the row,
    the diagonal in green, mistakes in red; counts are written where the cells are large enough."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("batchConfusion")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.matrix = np.zeros((0, 0), np.int64)
        self.true_names: list[str] = []
        self.pred_names: list[str] = []
        self.true_ids: list[int] = []
        self.pred_ids: list[int] = []

    def set_matrix(self, true_ids: Sequence[int], pred_ids: Sequence[int], matrix: np.ndarray,
                   names: dict[int, str]) -> None:  # fmt: skip
        self.true_ids, self.pred_ids = list(true_ids), list(pred_ids)
        self.matrix = np.asarray(matrix)
        self.true_names = [names.get(c, f"class {c}") for c in true_ids]
        self.pred_names = [names.get(c, "none" if c < 0 else f"class {c}") for c in pred_ids]
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(360, 300)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        rows, cols = self.matrix.shape
        text_colour = self.palette().text().color()
        if not rows or not cols:
            p.setPen(text_colour)
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter,
                       "The confusion matrix shows here once labelled items have run.")  # fmt: skip
            return
        fm = QFontMetrics(self.font())
        named = max(rows, cols) <= MAX_DRAWN
        left = min(160, max(fm.horizontalAdvance(n) for n in self.true_names) + 10) if named else 8
        top = fm.height() * 2 + 6 if named else 8
        w = max(1.0, (self.width() - left - 8) / cols)
        h = max(1.0, (self.height() - top - 8) / rows)
        cell = min(w, h)
        sums = self.matrix.sum(axis=1, keepdims=True).clip(1)
        share = self.matrix / sums
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        pred_index = {c: j for j, c in enumerate(self.pred_ids)}
        for i in range(rows):
            diag = pred_index.get(self.true_ids[i], -1)
            for j in range(cols):
                s = float(share[i, j])
                base = QColor(0, 150, 70) if j == diag else QColor(210, 40, 40)
                colour = QColor(self.palette().base().color())
                if self.matrix[i, j]:
                    a = 0.15 + 0.85 * s
                    colour = QColor(int(base.red() * a + colour.red() * (1 - a)),
                                    int(base.green() * a + colour.green() * (1 - a)),
                                    int(base.blue() * a + colour.blue() * (1 - a)))  # fmt: skip
                rect = QRectF(left + j * cell, top + i * cell, cell, cell)
                p.fillRect(rect, colour)
                if named and cell >= fm.horizontalAdvance("0000") and self.matrix[i, j]:
                    p.setPen(Qt.GlobalColor.white if s > 0.5 else text_colour)
                    p.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(int(self.matrix[i, j])))
        p.setPen(text_colour)
        p.drawRect(QRectF(left, top, cols * cell, rows * cell))
        if named:
            for i, name in enumerate(self.true_names):
                rect = QRectF(0, top + i * cell, left - 4, cell)
                p.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                           fm.elidedText(name, Qt.TextElideMode.ElideRight, int(left - 6)))  # fmt: skip
            for j, name in enumerate(self.pred_names):
                rect = QRectF(left + j * cell, top - fm.height() - 2, cell, fm.height())
                p.drawText(rect, Qt.AlignmentFlag.AlignCenter,
                           fm.elidedText(name, Qt.TextElideMode.ElideRight, int(cell)))  # fmt: skip
            p.drawText(QRectF(left, 0, cols * cell, fm.height()), Qt.AlignmentFlag.AlignCenter,
                       "predicted →")  # fmt: skip
        p.end()
