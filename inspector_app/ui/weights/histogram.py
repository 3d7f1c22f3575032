"""A histogram of one tensor's values (the 64 bins that ``checkpoint.tensor_stats`` counts)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget


class HistogramView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("weightsHistogram")
        self.counts: list[int] = []
        self.range: tuple[float, float] | None = None
        self.setMinimumHeight(90)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._hover = -1
        self.setMouseTracking(True)

    def set_stats(self, stats: Any | None) -> None:
        self.counts = list(stats.hist) if stats is not None else []
        self.range = stats.hist_range if stats is not None else None
        self._hover = -1
        self.setToolTip("")
        self.update()

    def _plot_rect(self) -> QRectF:
        fm = self.fontMetrics()
        return QRectF(6, 4, self.width() - 12, self.height() - fm.height() - 10)

    def mouseMoveEvent(self, event: Any) -> None:  # noqa: N802
        rect = self._plot_rect()
        if not self.counts or self.range is None or rect.width() <= 0:
            return
        i = int((event.position().x() - rect.left()) / rect.width() * len(self.counts))
        if 0 <= i < len(self.counts) and i != self._hover:
            self._hover = i
            lo, hi = self.range
            step = (hi - lo) / len(self.counts)
            self.setToolTip(f"[{lo + i * step:.6g}, {lo + (i + 1) * step:.6g}): {self.counts[i]:,}")

    def paintEvent(self, _event: Any) -> None:  # noqa: N802
        painter = QPainter(self)
        pal = self.palette()
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        rect = self._plot_rect()
        text_color = pal.color(QPalette.ColorRole.Text)
        if not self.counts or self.range is None:
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "no histogram")
            return
        peak = max(self.counts) or 1
        width = rect.width() / len(self.counts)
        bar = pal.color(QPalette.ColorRole.Highlight)
        for i, count in enumerate(self.counts):
            if not count:
                continue
            h = max(1.0, rect.height() * count / peak)
            painter.fillRect(
                QRectF(rect.left() + i * width, rect.bottom() - h, max(width - 1, 1), h), bar
            )
        painter.setPen(text_color)
        lo, hi = self.range
        y = int(rect.bottom()) + 4
        fm = self.fontMetrics()
        painter.drawText(int(rect.left()), y + fm.ascent(), f"{lo:.4g}")
        right = f"{hi:.4g}"
        painter.drawText(int(rect.right()) - fm.horizontalAdvance(right), y + fm.ascent(), right)
        mid = f"peak {peak:,}"
        painter.drawText(
            int(rect.center().x() - fm.horizontalAdvance(mid) / 2), y + fm.ascent(), mid
        )
