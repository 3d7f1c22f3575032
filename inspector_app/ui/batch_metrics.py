"""The data-set metrics of a batch job (the Batch dialog's "Data set" tab): counts, accuracy and
IoU lines, and the confusion matrix as a picture.

While a job runs the tab follows it only when it is shown (a hidden tab costs the event loop
nothing); the matrix's cells are one image made with numpy, so a matrix of 1,000 classes draws
as fast as one of three.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QFontMetrics, QImage, QPainter, QPaintEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

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
        share = self.matrix / self.matrix.sum(axis=1, keepdims=True).clip(1)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        p.drawImage(QRectF(left, top, cols * cell, rows * cell), self._cells_image(share))
        if named and cell >= fm.horizontalAdvance("0000"):
            for i, j in zip(*np.nonzero(self.matrix), strict=True):
                rect = QRectF(left + j * cell, top + i * cell, cell, cell)
                p.setPen(Qt.GlobalColor.white if share[i, j] > 0.5 else text_colour)
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

    def _cells_image(self, share: np.ndarray) -> QImage:
        """One pixel per cell: green on the diagonal, red elsewhere, as strong as the cell's
        share of its row, over the background (an empty cell is the background)."""
        rows, cols = share.shape
        bg = self.palette().base().color()
        background = np.array([bg.red(), bg.green(), bg.blue()], np.float64)
        pred_index = {c: j for j, c in enumerate(self.pred_ids)}
        diag = np.zeros((rows, cols), bool)
        for i, c in enumerate(self.true_ids):
            if c in pred_index:
                diag[i, pred_index[c]] = True
        base = np.where(diag[..., None], np.array([0, 150, 70.0]), np.array([210, 40, 40.0]))
        a = np.where(self.matrix > 0, 0.15 + 0.85 * share, 0.0)[..., None]
        rgb = np.ascontiguousarray((base * a + background * (1 - a)).astype(np.uint8))
        return QImage(rgb.data, cols, rows, 3 * cols, QImage.Format.Format_RGB888).copy()


class MetricsPanel(QWidget):
    """The lines over the data set and the confusion matrix. ``show_report`` while the job runs
    is kept for when the panel is shown, unless it is shown now."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel("", objectName="batchMetrics")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.confusion = ConfusionView()
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(self.confusion, 1)
        self._waiting: tuple | None = None

    def clear(self) -> None:
        self._waiting = None
        self.label.setText("")
        self.confusion.set_matrix([], [], np.zeros((0, 0)), {})

    def show_report(self, report: Any, failed: int, truth_how: str, final: bool) -> None:
        """``report``: a BatchReport (the job's so far, or its last); ``failed``: the failures
        so far (a job in another process counts them in its progress)."""
        if not final and not self.isVisible():
            self._waiting = (report, failed, truth_how)
            return
        self._waiting = None
        m = report.metrics
        lines = [f"{report.done:,} of {report.total:,} items, {failed:,} failed"]
        if m.labelled:
            lines.append(f"Accuracy <b>{m.accuracy:.2%}</b> top-1, {m.top5_accuracy:.2%} top-5 "
                         f"over {m.labelled:,} labelled items")  # fmt: skip
            if truth_how:
                lines.append(escape(truth_how, quote=False))
            if final or m.labelled < 5000:  # while it runs: until the counts settle
                truths, preds, matrix = m.confusion_matrix()
                self.confusion.set_matrix(truths, preds, matrix, report.class_names)
        if m.seg_items:
            lines.append(f"Mean IoU <b>{m.mean_iou:.4f}</b> over {m.seg_items:,} masks")
            per_class = ", ".join(f"{escape(report.name(c), quote=False)} {v:.3f}"
                                  for c, v in sorted(m.per_class_iou().items())[:30])  # fmt: skip
            lines.append(f"Per class: {per_class}")
        if report.cancelled:
            lines.append("Cancelled: these are the items that ran.")
        text = "<br>".join(lines)
        if text != self.label.text():
            self.label.setText(text)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._waiting is not None:
            self.show_report(*self._waiting, final=False)
