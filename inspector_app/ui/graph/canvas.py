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

from inspector_app.savedmodel.graph_export import FAMILY_COLOURS, op_family
from inspector_app.savedmodel.graph_layout import Layout
from inspector_app.savedmodel.graph_model import Graph

_KIND_ORDER = {"frame": 0, "scope": 1, "node": 2}
TEXT_LOD = 0.45  # below this scale, boxes are drawn without text
CURVE_LOD = 0.3  # below this scale, edges are straight lines
MAX_CURVES = 4000  # more visible edges than this: straight lines whatever the scale


STYLES = list(FAMILY_COLOURS)  # style number -> op family (or "scope")


def box_arrays(graph: Graph, layout: Layout) -> dict[str, np.ndarray]:
    """The boxes and edges as numpy arrays for painting and hit tests (no Qt: the panel makes
    them in the thread pool with the layout)."""
    boxes = layout.boxes
    x0 = np.array([b.x for b in boxes], dtype=np.float64)
    y0 = np.array([b.y for b in boxes], dtype=np.float64)
    x1 = x0 + np.array([b.w for b in boxes], dtype=np.float64)
    y1 = y0 + np.array([b.h for b in boxes], dtype=np.float64)
    kind = np.array([_KIND_ORDER[b.kind] for b in boxes], dtype=np.int8)
    depth = np.array([b.depth for b in boxes], dtype=np.int16)
    frames = np.flatnonzero(kind == 0)
    src = np.array([e.src for e in layout.edges], dtype=np.int64)
    dst = np.array([e.dst for e in layout.edges], dtype=np.int64)
    number = {name: k for k, name in enumerate(STYLES)}
    functions = graph.functions
    style = np.array(
        [
            number["scope"] if b.kind != "node" else number[op_family(b.op, functions)]
            for b in boxes
        ],
        dtype=np.int16,
    )
    return {
        "x0": x0, "y0": y0, "x1": x1, "y1": y1, "kind": kind, "depth": depth, "style": style,
        "frames": frames[np.argsort(depth[frames], kind="stable")],
        "solids": np.flatnonzero(kind != 0),
        "ex0": (x0[src] + x1[src]) / 2, "ey0": y1[src],
        "ex1": (x0[dst] + x1[dst]) / 2, "ey1": y0[dst],
        "edge_src": src, "edge_dst": dst,
        "control": np.array([e.control for e in layout.edges], dtype=bool),
    }  # fmt: skip


def count_kind(kinds: np.ndarray, kind: str) -> int:
    """How many boxes of ``kind`` (``frame``, ``scope``, ``node``) ``kinds`` (``box_arrays``'s
    ``kind``) holds."""
    return int(np.count_nonzero(kinds == _KIND_ORDER[kind]))


class GraphItem(QGraphicsItem):
    def __init__(
        self, graph: Graph, layout: Layout, dark: bool, geometry: dict | None = None
    ) -> None:
        super().__init__()
        self.graph = graph
        self.layout = layout
        self.dark = dark
        self.selected: int | None = None  # box index
        self.neighbours: set[int] = set()
        self.highlight_edges: set[int] = set()
        arrays = geometry if geometry is not None else box_arrays(graph, layout)
        self._paths: dict = {}
        for key, value in arrays.items():
            if key == "paths":
                self._paths = value
            else:
                setattr(self, key, value)
        self._brushes = self._make_brushes(dark)
        self._styles = STYLES
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
        frames = self.frames[visible[self.frames]]
        if lod < TEXT_LOD * 0.6 or len(frames) > 300:  # one call per nesting depth
            painter.setBrush(frame_brush)
            for depth in np.unique(self.depth[frames]).tolist():
                painter.drawRects(self._rects(frames[self.depth[frames] == depth]))
            frames = frames[:0]
        for i in frames:
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
        if lod < TEXT_LOD:  # many boxes, no text: one call per colour
            painter.setPen(node_pen if lod >= 0.08 else Qt.PenStyle.NoPen)
            styles = self.style[idx]
            whole = len(idx) * 2 > len(self.solids)  # most are on screen: the paths made once
            for k in np.unique(styles).tolist():
                painter.setBrush(self._brushes[self._styles[k]])
                if whole:
                    painter.drawPath(self.path(("style", k)))
                else:
                    painter.drawRects(self._rects(idx[styles == k]))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            marked = [i for i in (self.selected, *self.neighbours) if i is not None]
            for i in marked:
                painter.setPen(QPen(accent, 3) if i == self.selected else QPen(neighbour, 2))
                painter.drawRects(self._rects(np.array([i])))
            return
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

    def path(self, key: tuple) -> QPainterPath:
        """One path for many shapes: ("edges", control) every straight edge of that kind,
        ("style", k) every node box of style ``k``. Made in the thread pool with the layout
        (``prepare_paths``): one object each, where a list of lines or rectangles would be
        thousands for the collector to scan."""
        cache = self._paths
        if key not in cache:
            names = (
                "x0",
                "y0",
                "x1",
                "y1",
                "style",
                "solids",
                "ex0",
                "ey0",
                "ex1",
                "ey1",
                "control",
            )
            cache.update(prepare_paths({n: getattr(self, n) for n in names}, [key]))
        return cache[key]

    def _rects(self, idx: np.ndarray) -> list[QRectF]:
        x0, y0 = self.x0[idx].tolist(), self.y0[idx].tolist()
        w = (self.x1[idx] - self.x0[idx]).tolist()
        h = (self.y1[idx] - self.y0[idx]).tolist()
        return [QRectF(a, b, c, d) for a, b, c, d in zip(x0, y0, w, h, strict=True)]

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
            elif len(sel) * 2 > int(np.count_nonzero(self.control == control)):
                painter.drawPath(self.path(("edges", control)))  # most are on screen
            else:
                painter.drawLines(_lines(self, sel))
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


def _lines(arrays: Any, sel: np.ndarray) -> list[QLineF]:
    coords = zip(
        arrays.ex0[sel].tolist(),
        arrays.ey0[sel].tolist(),
        arrays.ex1[sel].tolist(),
        arrays.ey1[sel].tolist(),
        strict=True,
    )
    return [QLineF(a, b, c, d) for a, b, c, d in coords]


def prepare_paths(arrays: dict, keys: list | None = None) -> dict[tuple, QPainterPath]:
    """The paths of ``GraphItem.path`` (all of them, or ``keys``) from ``box_arrays``: made in
    the thread pool (QPainterPath is a plain value)."""
    out: dict[tuple, QPainterPath] = {}
    if keys is None:
        keys = [("edges", False), ("edges", True)]
        keys += [("style", k) for k in np.unique(arrays["style"][arrays["solids"]]).tolist()]
    for key in keys:
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)
        if key[0] == "edges":
            sel = np.flatnonzero(arrays["control"] == key[1])
            coords = zip(arrays["ex0"][sel].tolist(), arrays["ey0"][sel].tolist(),
                         arrays["ex1"][sel].tolist(), arrays["ey1"][sel].tolist(), strict=True)  # fmt: skip
            for a, b, c, d in coords:
                path.moveTo(a, b)
                path.lineTo(c, d)
        else:
            solids = arrays["solids"]
            sel = solids[arrays["style"][solids] == key[1]]
            x0, y0 = arrays["x0"][sel].tolist(), arrays["y0"][sel].tolist()
            w = (arrays["x1"][sel] - arrays["x0"][sel]).tolist()
            h = (arrays["y1"][sel] - arrays["y0"][sel]).tolist()
            for a, b, c, d in zip(x0, y0, w, h, strict=True):
                path.addRect(a, b, c, d)
        out[key] = path
    return out


def _curve(path: QPainterPath, x0: float, y0: float, x1: float, y1: float) -> None:
    dy = max(30.0, abs(y1 - y0) / 2)
    path.moveTo(x0, y0)
    path.cubicTo(x0, y0 + dy, x1, y1 - dy, x1, y1)


def _elide(text: str, width: float) -> str:
    chars = max(3, int(width / 6.2))
    return text if len(text) <= chars else text[: chars - 1] + "…"


def warm_graph() -> tuple[Graph, Layout]:
    """A four-node graph with an open scope, a collapsed one and a control edge: enough to
    take every path of ``GraphItem.paint`` once (``warm_paint``)."""
    from inspector_app.savedmodel.graph_layout import compute_layout
    from inspector_app.savedmodel.graph_model import Edge, Node

    nodes = [
        Node("open/a", "Const"),
        Node("open/b", "Identity", inputs=("open/a",)),
        Node("shut/c", "Relu", inputs=("open/b",)),
        Node("d", "MatMul", inputs=("shut/c", "^open/a")),
    ]
    for i, node in enumerate(nodes):
        node.index = i
    edges = [Edge(0, 0, 1, 0), Edge(1, 0, 2, 0), Edge(2, 0, 3, 0), Edge(0, 0, 3, 1, True)]
    graph = Graph("warm-up", "graph", nodes, edges, [])
    return graph, compute_layout(graph, {"open"})


def warm_paint(view: Any, dark: bool) -> None:
    """Pay the first frame's one-time costs (the item's class, its fonts and glyphs, the
    raster engine's first paths and the view's first paint with an item: 15–25 ms) on a tiny
    graph, rendered into an image that is thrown away, so that the first real graph does not
    add them to its own first frame. Only while ``view`` shows nothing; never on screen."""
    if view.item is not None:
        return
    graph, layout = warm_graph()
    view.set_item(GraphItem(graph, layout, dark))
    try:
        view.fit()
        view.viewport().grab()
    finally:
        view.set_item(None)
