"""The view around the drawn graph: zoom, pan, fit, click and double-click on boxes.

Kept apart from ``canvas`` (numpy, the graph modules) so that the window imports only this when
it starts; the item that paints comes with the first graph.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QMouseEvent, QPainter, QPalette, QWheelEvent
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView, QWidget


class GraphView(QGraphicsView):
    """Zoom with the wheel (Ctrl not needed), pan by dragging, click selects, double-click opens
    (a call's function, or a scope)."""

    box_clicked = Signal(object)  # box index or None
    box_activated = Signal(int)  # double-click

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graphView")
        scene = QGraphicsScene(self)
        scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)  # one item: no BSP tree
        self.setScene(scene)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        self.item: Any = None
        self._press: QPointF | None = None

    def set_item(self, item: Any) -> None:
        scene = self.scene()
        if self.item is not None:
            scene.removeItem(self.item)
        self.item = item
        if item is not None:
            scene.addItem(item)
            scene.setSceneRect(item.boundingRect())
            self.setBackgroundBrush(self.palette().color(QPalette.ColorRole.Base))

    def fit(self) -> None:
        if self.item is None:
            return
        rect = self.item.boundingRect()
        port = self.viewport().rect()
        sx = (port.width() - 8) / max(rect.width(), 1.0)
        sy = (port.height() - 8) / max(rect.height(), 1.0)
        tall = sy < sx / 4  # a deep graph: fit its width and start at the top
        wide = sx < sy / 4  # a wide one (a TF2 signature: hundreds of variables into one call):
        # fit its height and start at its middle, where the call sits under its inputs
        scale = min(1.0, sx if tall else sy if wide else min(sx, sy))  # small: natural size
        self.resetTransform()
        self.scale(scale, scale)
        if tall:
            self.centerOn(rect.center().x(), rect.top() + port.height() / (2 * scale))
        else:
            self.centerOn(rect.center())

    def zoom(self, factor: float) -> None:
        scale = self.transform().m11() * factor
        if 0.002 <= scale <= 8:
            self.scale(factor, factor)

    def center_on_box(self, box: int) -> None:
        if self.item is None:
            return
        b = self.item.layout.boxes[box]
        if self.transform().m11() < 0.6:
            self.resetTransform()
            self.scale(0.8, 0.8)
        self.centerOn(b.x + b.w / 2, b.y + b.h / 2)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802
        delta = event.angleDelta().y()
        if delta:
            self.zoom(1.0015**delta)
        event.accept()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        self._press = event.position()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        if self._press is None or self.item is None:
            return
        moved = (event.position() - self._press).manhattanLength()
        self._press = None
        if moved < 4 and event.button() == Qt.MouseButton.LeftButton:
            box = self.item.box_at(self.mapToScene(event.position().toPoint()))
            self.box_clicked.emit(box)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.item is not None:
            box = self.item.box_at(self.mapToScene(event.position().toPoint()))
            if box is not None:
                self.box_activated.emit(box)
                event.accept()
                return
        super().mouseDoubleClickEvent(event)
