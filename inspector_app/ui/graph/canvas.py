"""The drawn graph: one ``QGraphicsItem`` paints every box and edge of a ``Layout``.

A QGraphicsItem per node costs tens of microseconds of Python each to create, too slow for tens
of thousands of nodes; instead the item keeps the boxes and edges in numpy arrays and paints only
what the exposed rectangle touches, with less detail the further the view zooms out (rectangles
without text, then edges as straight lines). Hit testing uses the same arrays.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QPainter,
    QPainterPath,
    QPen,
)
from PySide6.QtWidgets import QGraphicsItem, QWidget

from inspector_app.savedmodel.graph import Graph
from inspector_app.savedmodel.graph_export import FAMILY_COLOURS, op_family
from inspector_app.savedmodel.graph_layout import Layout

_KIND_ORDER = {"frame": 0, "scope": 1, "node": 2}
TEXT_LOD = 0.45  # below this scale, boxes are drawn without text
CURVE_LOD = 0.3  # below this scale, edges are straight lines
MAX_CURVES = 4000  # more visible edges than this: straight lines whatever the scale


class GraphItem(QGraphicsItem):
    def __init__(self, graph: Graph, layout: Layout, dark: bool) -> None:
        super().__init__()
        self.graph = graph
        self.layout = layout
        self.dark = dark
        self.selected: int | None = None  # box index
        self.neighbours: set[int] = set()
        self.highlight_edges: set[int] = set()
        boxes = layout.boxes
        self.x0 = np.array([b.x for b in boxes], dtype=np.float64)
        self.y0 = np.array([b.y for b in boxes], dtype=np.float64)
        self.x1 = self.x0 + np.array([b.w for b in boxes], dtype=np.float64)
        self.y1 = self.y0 + np.array([b.h for b in boxes], dtype=np.float64)
        self.kind = np.array([_KIND_ORDER[b.kind] for b in boxes], dtype=np.int8)
        self.depth = np.array([b.depth for b in boxes], dtype=np.int16)
        frames = np.flatnonzero(self.kind == 0)
        self.frames = frames[np.argsort(self.depth[frames], kind="stable")]
        self.solids = np.flatnonzero(self.kind != 0)
        src = np.array([e.src for e in layout.edges], dtype=np.int64)
        dst = np.array([e.dst for e in layout.edges], dtype=np.int64)
        if len(src):
            self.ex0 = (self.x0[src] + self.x1[src]) / 2
            self.ey0 = self.y1[src]
            self.ex1 = (self.x0[dst] + self.x1[dst]) / 2
            self.ey1 = self.y0[dst]
        else:
            self.ex0 = self.ey0 = self.ex1 = self.ey1 = np.zeros(0)
        self.edge_src, self.edge_dst = src, dst
        self.control = np.array([e.control for e in layout.edges], dtype=bool)
        self._brushes = self._make_brushes(dark)
        self._font = QFont()
        self._font.setPointSizeF(8.5)
        self._bold = QFont(self._font)
        self._bold.setBold(True)
        self._frame_font = QFont(self._font)
        self._frame_font.setPointSizeF(8.0)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)

    def _make_brushes(self, dark: bool) -> dict[str, QBrush]:
        out = {}
        for family, hex_colour in FAMILY_COLOURS.items():
            c = QColor(hex_colour)
            if dark:
                c = c.darker(250 if family == "scope" else 190)
            out[family] = QBrush(c)
        return out

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(-10, -10, self.layout.width + 20, self.layout.height + 20)

    # -- hit testing ------------------------------------------------------------------------
    def box_at(self, point: QPointF) -> int | None:
        """The innermost box under ``point`` (a node or collapsed scope before a frame)."""
        x, y = point.x(), point.y()
        hits = np.flatnonzero((self.x0 <= x) & (x <= self.x1) & (self.y0 <= y) & (y <= self.y1))
        if not len(hits):
            return None
        order = np.lexsort((self.depth[hits], self.kind[hits]))
        return int(hits[order[-1]])

    def select(self, box: int | None) -> None:
        self.selected = box
        self.neighbours = set()
        self.highlight_edges = set()
        if box is not None:
            out_e = np.flatnonzero(self.edge_src == box)
            in_e = np.flatnonzero(self.edge_dst == box)
            self.highlight_edges = {int(i) for i in np.concatenate([out_e, in_e])}
            self.neighbours = {int(i) for i in self.edge_dst[out_e]} | {
                int(i) for i in self.edge_src[in_e]
            }
        self.update()

    # -- painting ---------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: Any, widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        r = option.exposedRect
        left, top, right, bottom = r.left(), r.top(), r.right(), r.bottom()
        dark = self.dark
        fg = QColor("#e6e6e6") if dark else QColor("#111111")
        visible = (self.x1 >= left) & (self.x0 <= right) & (self.y1 >= top) & (self.y0 <= bottom)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod >= CURVE_LOD)
        # frames (expanded scopes), outermost first
        frame_pen = QPen(QColor("#77736a") if dark else QColor("#9a968a"), 0)
        frame_brush = QBrush(QColor(60, 58, 52, 150) if dark else QColor(241, 239, 230, 170))
        painter.setPen(frame_pen)
        for i in self.frames[visible[self.frames]]:
            rect = QRectF(self.x0[i], self.y0[i], self.x1[i] - self.x0[i], self.y1[i] - self.y0[i])
            painter.setBrush(frame_brush)
            painter.drawRoundedRect(rect, 6, 6)
            if lod >= TEXT_LOD * 0.6:
                painter.setFont(self._frame_font)
                painter.setPen(QColor("#b8b4a8") if dark else QColor("#55524a"))
                box = self.layout.boxes[i]
                painter.drawText(
                    QRectF(rect.x() + 8, rect.y() + 3, rect.width() - 16, 16),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    f"{box.label}  ({box.sublabel})",
                )
                painter.setPen(frame_pen)
        self._paint_edges(painter, lod, left, top, right, bottom)
        # nodes and collapsed scopes
        idx = self.solids[visible[self.solids]]
        boxes = self.layout.boxes
        functions = self.graph.functions
        node_pen = QPen(QColor("#8c8c8c") if dark else QColor("#555555"), 0)
        scope_pen = QPen(node_pen.color(), 0, Qt.PenStyle.DashLine)
        accent = QColor("#ffb000")
        neighbour = QColor("#4aa3ff")
        for i in idx:
            box = boxes[i]
            rect = QRectF(self.x0[i], self.y0[i], self.x1[i] - self.x0[i], self.y1[i] - self.y0[i])
            if box.kind == "scope":
                painter.setBrush(self._brushes["scope"])
                pen = QPen(scope_pen)
            else:
                painter.setBrush(self._brushes[op_family(box.op, functions)])
                pen = QPen(node_pen)
            if i == self.selected:
                pen = QPen(accent, 3)
            elif i in self.neighbours:
                pen = QPen(neighbour, 2)
            painter.setPen(pen)
            if lod < TEXT_LOD:
                painter.drawRect(rect)
                continue
            painter.drawRoundedRect(rect, 5, 5)
            painter.setPen(fg)
            painter.setFont(self._bold)
            inner = rect.adjusted(6, 3, -6, -3)
            label = box.label + (
                "  ⤵" if box.kind == "node" and self.graph.nodes[box.key].function else ""
            )
            painter.drawText(
                QRectF(inner.x(), inner.y(), inner.width(), inner.height() / 2),
                Qt.AlignmentFlag.AlignCenter,
                _elide(label, inner.width()),
            )
            painter.setFont(self._font)
            painter.drawText(
                QRectF(inner.x(), inner.center().y(), inner.width(), inner.height() / 2),
                Qt.AlignmentFlag.AlignCenter,
                _elide(box.sublabel, inner.width()),
            )

    def _paint_edges(
        self, painter: QPainter, lod: float, left: float, top: float, right: float, bottom: float
    ) -> None:
        if not len(self.ex0):
            return
        lo_x = np.minimum(self.ex0, self.ex1)
        hi_x = np.maximum(self.ex0, self.ex1)
        lo_y = np.minimum(self.ey0, self.ey1)
        hi_y = np.maximum(self.ey0, self.ey1)
        shown = np.flatnonzero(
            (hi_x >= left) & (lo_x <= right) & (hi_y >= top - 40) & (lo_y <= bottom + 40)
        )
        if not len(shown):
            return
        dark = self.dark
        data_pen = QPen(QColor("#9a9a9a") if dark else QColor("#555555"), 0)
        control_pen = QPen(
            QColor("#6d6d6d") if dark else QColor("#a0a0a0"), 0, Qt.PenStyle.DashLine
        )
        hi_pen = QPen(QColor("#ffb000"), 2)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        curves = lod >= CURVE_LOD and len(shown) <= MAX_CURVES
        for control, pen in ((True, control_pen), (False, data_pen)):
            sel = shown[self.control[shown] == control]
            if not len(sel):
                continue
            painter.setPen(pen)
            if curves:
                path = QPainterPath()
                for i in sel:
                    _curve(path, self.ex0[i], self.ey0[i], self.ex1[i], self.ey1[i])
                painter.drawPath(path)
            else:
                painter.drawLines(
                    [QLineF(self.ex0[i], self.ey0[i], self.ex1[i], self.ey1[i]) for i in sel]
                )
        if self.highlight_edges:
            painter.setPen(hi_pen)
            path = QPainterPath()
            for i in self.highlight_edges:
                _curve(path, self.ex0[i], self.ey0[i], self.ex1[i], self.ey1[i])
            painter.drawPath(path)
        if lod >= TEXT_LOD:  # arrow heads
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(data_pen.color())
            for i in shown[~self.control[shown]]:
                x, y = self.ex1[i], self.ey1[i]
                if left - 10 <= x <= right + 10 and top - 10 <= y <= bottom + 10:
                    head = QPainterPath(QPointF(x, y))
                    head.lineTo(x - 4, y - 7)
                    head.lineTo(x + 4, y - 7)
                    head.closeSubpath()
                    painter.drawPath(head)


def _curve(path: QPainterPath, x0: float, y0: float, x1: float, y1: float) -> None:
    dy = max(30.0, abs(y1 - y0) / 2)
    path.moveTo(x0, y0)
    path.cubicTo(x0, y0 + dy, x1, y1 - dy, x1, y1)


def _elide(text: str, width: float) -> str:
    chars = max(3, int(width / 6.2))
    return text if len(text) <= chars else text[: chars - 1] + "…"
