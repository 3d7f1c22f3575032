"""Pictures and plain tensors: ImageView, and TensorView (table, slice picker, statistics, text)."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import (
    QPointF,
    QRectF,
    Qt,
)
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector_app.results.export import save_png
from inspector_app.results.images import ImageResult
from inspector_app.results.tensors import as_text, slice_2d, statistics, text_summary
from inspector_app.ui.array_table import ArrayTableModel
from inspector_app.ui.results_common import (
    InputThumbnail,
    PictureView,
    export_button,
    qimage_from_array,
    run_export,
    safe_name,
)
from inspector_app.ui.results_table import batch_item_spin


class ImageView(QWidget):
    """An image output, one batch item at a time, zoom and pan."""

    def __init__(
        self,
        name: str,
        result: ImageResult,
        parent: QWidget | None = None,
        images: np.ndarray | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("imageView")
        self.thumbnail = InputThumbnail(images)
        self.name, self.result = name, result
        self.picture = PictureView()
        self.picture.setObjectName("imageGraphics")
        self.item_spin = batch_item_spin(result.num_items)
        self.pixel_label = QLabel(result.description)
        self.pixel_label.setObjectName("pixelLabel")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Batch item"))
        bar.addWidget(self.item_spin)
        bar.addWidget(self.pixel_label, 1)
        bar.addWidget(export_button("Image PNG…", "exportPngButton", self._export_png))
        bar.addWidget(self.thumbnail)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.picture, 1)
        self.item_spin.valueChanged.connect(self.refresh)
        self.picture.hovered.connect(self._show_pixel)
        self.refresh()

    def set_item(self, item: int) -> None:
        self.item_spin.setValue(item)

    def refresh(self) -> None:
        self.picture.set_image(qimage_from_array(self.result.item(self.item_spin.value())))
        self.thumbnail.show_item(self.item_spin.value())

    def _show_pixel(self, x: int, y: int) -> None:
        if x < 0:
            self.pixel_label.setText(self.result.description)
            return
        value = self.result.array[self.item_spin.value(), y, x]
        self.pixel_label.setText(f"({x}, {y}): {', '.join(as_text(v) for v in np.ravel(value))}")

    def _export_png(self) -> None:
        run_export(self, "Export image", "PNG image (*.png)", f"{safe_name(self.name)}.png",
                   lambda p, **kw: save_png(p, self.result.item(self.item_spin.value()), **kw))  # fmt: skip


MAX_BARS = 64  # longer vectors are drawn as a line


def plot_vector(array: np.ndarray) -> np.ndarray | None:
    """The values to plot for a numeric [D] or [1, D] output (D >= 2), as float64; else None."""
    arr = np.asarray(array)
    if arr.dtype.kind not in "biuf" or arr.size < 2:
        return None
    if arr.ndim == 1 or (arr.ndim == 2 and arr.shape[0] == 1):
        return arr.reshape(-1).astype(np.float64)
    return None


class VectorPlot(QWidget):
    """A vector as bars (up to 64 values) or a line, with its zero line; the value under the
    cursor in the tooltip."""

    def __init__(self, values: np.ndarray, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("vectorPlot")
        self.values = np.asarray(values, dtype=np.float64)
        finite = self.values[np.isfinite(self.values)]
        lo = float(finite.min()) if finite.size else 0.0
        hi = float(finite.max()) if finite.size else 1.0
        self.lo, self.hi = min(lo, 0.0), max(hi, 0.0)
        if self.hi == self.lo:
            self.hi = self.lo + 1.0
        self.bars = self.values.size <= MAX_BARS
        self.setMinimumHeight(120)
        self.setMouseTracking(True)

    def _area(self) -> QRectF:
        return QRectF(self.rect()).adjusted(56, 8, -8, -18)

    def _y(self, value: float, area: QRectF) -> float:
        return area.bottom() - (value - self.lo) / (self.hi - self.lo) * area.height()

    def index_at(self, x: float) -> int | None:
        area = self._area()
        if not area.left() <= x <= area.right() or area.width() <= 0:
            return None
        i = int((x - area.left()) / area.width() * self.values.size)
        return min(i, self.values.size - 1)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        pal = self.palette()
        painter.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        area = self._area()
        text = pal.color(QPalette.ColorRole.Text)
        accent = pal.color(QPalette.ColorRole.Highlight)
        painter.setPen(text)
        for value in (self.hi, self.lo):
            painter.drawText(QRectF(0, self._y(value, area) - 8, 52, 16),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                             f"{value:.3g}")  # fmt: skip
        n = self.values.size
        painter.drawText(QRectF(area.left(), area.bottom() + 2, area.width(), 16),
                         int(Qt.AlignmentFlag.AlignLeft), "0")  # fmt: skip
        painter.drawText(QRectF(area.left(), area.bottom() + 2, area.width(), 16),
                         int(Qt.AlignmentFlag.AlignRight), str(n - 1))  # fmt: skip
        zero = self._y(0.0, area)
        painter.setPen(QPen(text, 1, Qt.PenStyle.DotLine))
        painter.drawLine(QPointF(area.left(), zero), QPointF(area.right(), zero))
        vals = np.nan_to_num(self.values, nan=0.0, posinf=self.hi, neginf=self.lo)
        step = area.width() / n
        if self.bars:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(accent)
            for i, v in enumerate(vals):
                y = self._y(float(v), area)
                painter.drawRect(QRectF(area.left() + i * step + step * 0.1, min(y, zero),
                                        max(step * 0.8, 1.0), abs(zero - y)))  # fmt: skip
        else:
            xs = area.left() + (np.arange(n) + 0.5) * step
            ys = area.bottom() - (vals - self.lo) / (self.hi - self.lo) * area.height()
            painter.setPen(QPen(accent, 1.5))
            painter.drawPolyline(QPolygonF([QPointF(x, y) for x, y in zip(xs, ys, strict=True)]))
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        i = self.index_at(event.position().x())
        self.setToolTip("" if i is None else f"[{i}] = {self.values[i]:.6g}")
        super().mouseMoveEvent(event)


class TensorView(QWidget):
    """Any tensor: statistics line, a table of a 2-D slice, and text for strings."""

    def __init__(
        self,
        name: str,
        array: np.ndarray,
        parent: QWidget | None = None,
        images: np.ndarray | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("tensorView")
        self.name, self.array = name, np.asarray(array)
        # The input image of the batch item on axis 0, when the slices pick one item at a time.
        batched = (
            images is not None and self.array.ndim >= 3 and self.array.shape[0] == images.shape[0]
        )
        self.thumbnail = InputThumbnail(images if batched else None)
        self.stats_label = QLabel(statistics(self.array).line())
        self.stats_label.setObjectName("statsLabel")
        self.stats_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = ArrayTableModel(self)
        self.table = QTableView()
        self.table.setObjectName("tensorTable")
        self.table.setModel(self.model)
        self.row_axis, self.col_axis = QComboBox(), QComboBox()
        self.row_axis.setObjectName("rowAxisCombo")
        self.col_axis.setObjectName("colAxisCombo")
        self.index_spins: dict[int, QSpinBox] = {}
        self.slice_bar = QHBoxLayout()
        self.text = QPlainTextEdit()
        self.text.setObjectName("tensorText")
        self.text.setReadOnly(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stats_label)
        layout.addLayout(self.slice_bar)
        is_text = self.array.dtype.kind in "SUO"
        vector = plot_vector(self.array)
        self.plot = VectorPlot(vector) if vector is not None else None
        if self.plot is not None:
            layout.addWidget(self.plot, 2)
        layout.addWidget(self.table, 3)
        if is_text:
            self.text.setPlainText(text_summary(self.array, 200))
            layout.addWidget(self.text, 1 if self.array.size > 1 else 3)
            self.table.setVisible(self.array.size > 1)
        self._build_slice_picker()
        self.refresh()

    def _build_slice_picker(self) -> None:
        nd = self.array.ndim
        if nd <= 2:
            return
        self.slice_bar.addWidget(QLabel("Rows"))
        self.slice_bar.addWidget(self.row_axis)
        self.slice_bar.addWidget(QLabel("Columns"))
        self.slice_bar.addWidget(self.col_axis)
        for combo, default in ((self.row_axis, nd - 2), (self.col_axis, nd - 1)):
            combo.addItems([f"axis {a} ({self.array.shape[a]})" for a in range(nd)])
            combo.setCurrentIndex(default)
            combo.currentIndexChanged.connect(self.refresh)
        for axis in range(nd):
            spin = QSpinBox()
            spin.setObjectName(f"sliceIndex{axis}")
            spin.setRange(0, max(0, self.array.shape[axis] - 1))
            spin.setPrefix(f"[{axis}]=")
            spin.valueChanged.connect(self.refresh)
            self.index_spins[axis] = spin
            self.slice_bar.addWidget(spin)
        self.slice_bar.addStretch(1)
        self.slice_bar.addWidget(self.thumbnail)

    def set_slice(self, row_axis: int, col_axis: int, index: dict[int, int] | None = None) -> None:
        """Show axes ``row_axis`` x ``col_axis`` with the other axes at ``index``."""
        for axis, pos in (index or {}).items():
            self.index_spins[axis].blockSignals(True)
            self.index_spins[axis].setValue(pos)
            self.index_spins[axis].blockSignals(False)
        self.row_axis.setCurrentIndex(row_axis)
        self.col_axis.setCurrentIndex(col_axis)
        self.refresh()

    def current_slice(self) -> np.ndarray:
        if self.array.ndim <= 2:
            return slice_2d(self.array)
        rows, cols = self.row_axis.currentIndex(), self.col_axis.currentIndex()
        if rows == cols:
            cols = (rows + 1) % self.array.ndim
        for axis, spin in self.index_spins.items():
            spin.setEnabled(axis not in (rows, cols))
        index = {a: s.value() for a, s in self.index_spins.items() if a not in (rows, cols)}
        return slice_2d(self.array, rows, cols, index)

    def refresh(self) -> None:
        self.model.set_array(self.current_slice())
        if 0 in self.index_spins:
            self.thumbnail.show_item(self.index_spins[0].value())
