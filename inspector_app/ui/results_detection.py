"""Object detection: boxes with class names over the input image, a score threshold, the list."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import (
    QRectF,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPen
from PySide6.QtWidgets import (
    QGraphicsItem,
    QLabel,
    QSplitter,
    QTableView,
    QWidget,
)

from inspector_app.results.detection import Box, DetectionResult
from inspector_app.results.images import rgb32_pixels
from inspector_app.results.masks import voc_colormap
from inspector_app.ui.results_common import PictureView
from inspector_app.ui.results_table import (
    RowsTableModel,
    batch_item_spin,
    fraction_slider,
    info_label,
    labels_button,
    picture_header,
)

BOX_HEADERS = ("Score", "Class", "ymin, xmin, ymax, xmax")
BLANK_SIDE = 640  # the canvas the boxes are drawn on when the model was fed no image


def box_colour(class_id: int) -> QColor:
    """A bright colour per class (the VOC palette, skipping its black)."""
    return QColor(_BOX_RGB[(class_id % 255) + 1])


_BOX_RGB = [
    (0xFF << 24) | (max(int(r), 40) << 16) | (max(int(g), 40) << 8) | max(int(b), 40)
    for r, g, b in voc_colormap()
]


def box_cell(box: Box, col: int, role: int) -> Any:
    """A cell of the boxes table: score, class (with its colour), coordinates."""
    if role == Qt.ItemDataRole.DisplayRole:
        if col == 0:
            return f"{box.score:.3f}"
        if col == 1:
            return f"{box.label} ({box.class_id})"
        return ", ".join(f"{v:.3f}" for v in (box.ymin, box.xmin, box.ymax, box.xmax))
    if role == Qt.ItemDataRole.DecorationRole and col == 1:
        return box_colour(box.class_id)
    if role == Qt.ItemDataRole.ToolTipRole:
        coords = ", ".join(f"{v:.4f}" for v in (box.ymin, box.xmin, box.ymax, box.xmax))
        return f"{box.label} ({box.class_id}) {box.score:.4f}: ymin, xmin, ymax, xmax {coords}"
    return None


class BoxesItem(QGraphicsItem):
    """Every box and its label in one item: one paint call instead of hundreds of items."""

    def __init__(self) -> None:
        super().__init__()
        self._boxes: list[tuple[Box, tuple[float, float, float, float]]] = []
        self._rect = QRectF()
        self._selected: set[int] = set()
        self.setZValue(2)
        # Drawn once per change at the zoom shown; repaints (the table's, a pan) reuse it.
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def set_boxes(self, boxes: list[tuple[Box, tuple[float, float, float, float]]],
                  rect: QRectF) -> None:  # fmt: skip
        self.prepareGeometryChange()
        self._boxes, self._rect = boxes, QRectF(rect)
        self.update()

    def set_selected(self, indices: set[int]) -> None:
        self._selected = indices
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return self._rect.adjusted(-4, -4, 4, 4)

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        if not self._boxes:
            return
        w, h = self._rect.width(), self._rect.height()
        line = max(2.0, min(w, h) / 300)
        font = QFont(painter.font())
        font.setPixelSize(max(10, int(min(w, h) / 40)))
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        for box, (x, y, bw, bh) in reversed(self._boxes):  # the best box drawn last, on top
            colour = box_colour(box.class_id)
            dashed = bool(self._selected) and box.index not in self._selected
            painter.setPen(
                QPen(
                    QBrush(colour), line, Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine
                )
            )
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(x, y, bw, bh))
            text = f"{box.label} {box.score:.0%}"
            tw, th = metrics.horizontalAdvance(text) + 4, metrics.height()
            top = y - th if y - th >= 0 else y
            plate = QRectF(x, top, tw, th)
            painter.fillRect(plate, colour)
            painter.setPen(QColor(0, 0, 0))
            painter.drawText(plate, int(Qt.AlignmentFlag.AlignCenter), text)


class DetectionView(QWidget):
    """Boxes of one batch item over that item's input image, above a score threshold."""

    labels_requested = Signal()

    def __init__(self, name: str, result: DetectionResult, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detectionView")
        self.name, self.result = name, result
        self.picture = PictureView()
        self.picture.setObjectName("detectionGraphics")
        self.item_spin = batch_item_spin(result.num_items)
        self.threshold = fraction_slider("scoreThresholdSlider")
        self.threshold_label = QLabel()
        self.threshold_label.setObjectName("thresholdLabel")
        self.model = RowsTableModel(BOX_HEADERS, box_cell, self)  # the boxes drawn
        self.table = QTableView()
        self.table.setObjectName("boxTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        metrics = self.table.fontMetrics()
        score_w = metrics.horizontalAdvance("Score 0.000") + 8
        digits_w = metrics.horizontalAdvance("0.000, 0.000, 0.000, 0.000") + 16
        header.resizeSection(0, score_w)
        header.resizeSection(1, metrics.horizontalAdvance("W" * 11))
        header.resizeSection(2, digits_w)
        # Room for a class name such as "potted plant (64)" with its swatch; the coordinates
        # scroll into view when the table is narrow.
        self.table.setMinimumWidth(score_w + metrics.horizontalAdvance("W" * 11) + 24)
        self.info = info_label("detectionInfo")
        self.boxes_item = BoxesItem()
        self.picture.scene().addItem(self.boxes_item)
        self._shown_boxes: list[Box] = []
        self._image_item: int | None = None
        self._pictures: dict[int, np.ndarray] = {}
        self._build_layout()
        self._connect_callbacks()
        self.refresh()

    def _build_layout(self) -> None:
        labels = labels_button(self.labels_requested.emit)
        layout = picture_header(self, self.item_spin, "Score ≥", self.threshold,
                                [self.threshold_label, labels], self.info)  # fmt: skip
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.picture)
        split.addWidget(self.table)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout.addWidget(split, 1)

    def _connect_callbacks(self) -> None:
        self.item_spin.valueChanged.connect(self.refresh)
        self.threshold.valueChanged.connect(self.refresh)
        self.table.selectionModel().selectionChanged.connect(self._highlight)

    @property
    def item(self) -> int:
        return self.item_spin.value()

    def set_item(self, item: int) -> None:
        self.item_spin.setValue(item)

    def set_threshold(self, value: float) -> None:
        """Show boxes scoring at least ``value`` (0..1)."""
        self.threshold.setValue(round(value * 100))

    def boxes(self) -> list[Box]:
        """The boxes drawn now, best first."""
        return list(self._shown_boxes)

    def refresh(self) -> None:
        item, cut = self.item, self.threshold.value() / 100
        self.threshold_label.setText(f"{cut:.2f}")
        if self._image_item != item:
            image = self.result.image(item)
            if image is None:
                blank = QImage(BLANK_SIDE, BLANK_SIDE, QImage.Format.Format_RGB32)
                blank.fill(QColor(96, 96, 96))
                self.picture.set_image(blank)
            else:  # RGB32 once per item: going back to an item costs no conversion
                if item not in self._pictures:
                    self._pictures[item] = rgb32_pixels(image)
                self.picture.set_array(self._pictures[item])
            self._image_item = item
        boxes = self.result.item_boxes(item, cut)
        self._shown_boxes = boxes
        self._draw_boxes(boxes)
        self._fill_table(boxes)
        total = int(self.result.counts[item])
        where = (
            "over the input image" if self.result.image(item) is not None else "on a blank canvas"
        )
        coords = "0..1 of the image" if self.result.normalized else "pixels"
        self.info.setText(
            f"{len(boxes)} of {total} boxes score at least {cut:.2f}, drawn {where} "
            f"(coordinates in {coords}). Labels: {self.result.labels.source}."
        )

    def _draw_boxes(self, boxes: list[Box]) -> None:
        rect = self.picture.image_rect()
        w, h = int(rect.width()), int(rect.height())
        drawn = [(box, self.result.pixel_rect(box, w, h)) for box in boxes]
        self.boxes_item.set_boxes(drawn, rect)

    def _fill_table(self, boxes: list[Box]) -> None:
        self.model.set_rows(boxes)

    def _highlight(self) -> None:
        rows = {i.row() for i in self.table.selectionModel().selectedRows()}
        self.boxes_item.set_selected(
            {self._shown_boxes[r].index for r in rows if r < len(self._shown_boxes)}
        )

    def rendered(self) -> QImage:
        """The picture with its boxes, at the image's own resolution."""
        rect = self.picture.image_rect()
        out = QImage(int(rect.width()), int(rect.height()), QImage.Format.Format_RGB32)
        out.fill(0)
        painter = QPainter(out)
        self.picture.scene().render(painter, QRectF(out.rect()), rect)
        painter.end()
        return out
