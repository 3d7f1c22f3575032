"""The Graph tab: the graph of the signature, function or MetaGraphDef selected in the tree, a
breadcrumb of the functions opened from it, and the selected node's details.

Reading the graph, grouping its name scopes and the layout run in the thread pool
(``layout_job``); the item that paints it is made on the GUI thread from the finished layout.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from inspector_app.savedmodel.graph_model import CAPTURES
from inspector_app.ui.background import run_in_background
from inspector_app.ui.graph import export
from inspector_app.ui.graph.layout_job import (
    CollectorSlices,
    Graveyard,
    off_gil_sugiyama,
    prewarm_layout_process,
    start_warm_up,
)
from inspector_app.ui.graph.node_html import OpDescriptions, node_html, scope_html
from inspector_app.ui.graph.target import graph_target
from inspector_app.ui.graph.toolbar import GraphToolbar
from inspector_app.ui.graph.view import GraphView
from inspector_app.ui.palette import is_dark

__all__ = ["GraphPanel", "graph_target", "off_gil_sugiyama", "prewarm_layout_process"]


@dataclass
class _Frame:
    """One breadcrumb step: a graph and what the user opened in it."""

    name: str | None  # the target as open_graph takes it
    title: str
    graph: Any = None
    tree: Any = None  # (root scope, owner per node)
    expanded: set[str] | None = None
    layout: Any = None
    arrays: Any = None  # the layout as numpy arrays (canvas.box_arrays)
    selected: str | None = None  # a node name
    kept: dict = field(default_factory=dict)


class GraphPanel(QWidget):
    """Contract for tests: ``show_target``, ``open_function``, ``back``, ``select_node``,
    ``export_png``, ``export_svg``; ``graph_shown(layout)`` once a layout is on screen."""

    fetch_op_descriptions = True  # tests turn the child python off
    graph_shown = Signal(object)  # Layout
    graph_failed = Signal(str)
    node_selected = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("graphPanel")
        self._meta_graph: Any = None
        self._stack: list[_Frame] = []
        self._pending: tuple[Any, str | None, str] | None = None
        self._generation = 0
        self._warmed = False
        self.last_ms = 0.0  # from the request to the layout on screen
        self.collector = CollectorSlices(self)
        self.graveyard = Graveyard(self, self.collector)
        self.ops = OpDescriptions(self)
        self.ops.ready.connect(
            lambda: self._on_box_clicked(getattr(self.view.item, "selected", None))
        )

        self.view = GraphView()
        self.toolbar = GraphToolbar(
            {"back": self.back, "fit": self.view.fit, "expand": self.expand_all,
             "collapse": self.collapse_all,
             "png": lambda: _ask_export(self, "png"), "svg": lambda: _ask_export(self, "svg")}
        )  # fmt: skip
        self.back_button = self.toolbar.back_button
        self.crumbs = self.toolbar.crumbs
        self.status = QLabel(objectName="graphStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.view.box_clicked.connect(self._on_box_clicked)
        self.view.box_activated.connect(self._on_box_activated)
        self.details = QTextBrowser(objectName="graphDetails")
        self.details.setOpenLinks(False)
        self.details.anchorClicked.connect(self._on_anchor)
        self.details.setPlaceholderText("Click a node to see its op, attributes and tensors.")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([700, 300])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.status)
        scope = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence("Backspace"), self, self.back, context=scope)
        QShortcut(QKeySequence("F"), self, self.view.fit, context=scope)
        QShortcut(
            QKeySequence.StandardKey.ZoomIn, self, lambda: self.view.zoom(1.25), context=scope
        )
        QShortcut(
            QKeySequence.StandardKey.ZoomOut, self, lambda: self.view.zoom(0.8), context=scope
        )
        self.toolbar.set_crumbs([], self.go_to)
        self.toolbar.set_has_graph(False)

    # -- what to show -----------------------------------------------------------------------
    def follow(self, info: Any, node: Any) -> None:
        """The tree's current row changed: show its graph (when it has one) once visible."""
        target = graph_target(info, node) if node is not None else None
        if target is None:
            return
        current = self._stack[0] if self._stack else None
        if (
            current is not None
            and self._meta_graph is target[0]
            and current.name == target[1]
            and self._pending is None
        ):
            return
        self._pending = target
        if self.isVisible():
            QTimer.singleShot(0, self._apply_pending)

    def clear(self) -> None:
        self._generation += 1
        self._meta_graph = None
        self.graveyard.retire(self._stack)
        self._stack = []
        self._pending = None
        self.view.set_item(None)
        self.graveyard.release(None)
        self.details.clear()
        self.status.setText("")
        self.toolbar.set_crumbs([], self.go_to)
        self.toolbar.set_has_graph(False)

    def forget(self, info: Any) -> None:
        """A model was closed: drop its graph."""
        protos = [getattr(m, "proto", None) for m in getattr(info, "meta_graphs", [])]
        if self._meta_graph is not None and any(p is self._meta_graph for p in protos):
            self.clear()
        if self._pending is not None and any(p is self._pending[0] for p in protos):
            self._pending = None

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if not self._warmed:  # the layout library and the helper process, before they are needed
            self._warmed = True
            start_warm_up(self.collector, self.view)
        if self._pending is not None:
            QTimer.singleShot(0, self._apply_pending)

    def _apply_pending(self) -> None:
        if self._pending is None:
            return
        meta_graph, name, label = self._pending
        self._pending = None
        self.show_target(meta_graph, name, label)

    def show_target(self, meta_graph: Any, name: str | None, label: str | None = None) -> None:
        """Show a MetaGraphDef's graph: ``name`` a signature key, a function name, ``graph``, or
        None for the default (see ``graph.open_graph``)."""
        self._pending = None
        self._meta_graph = meta_graph
        self.graveyard.retire(self._stack)
        self._stack = [_Frame(name, label or name or "graph")]
        self._start()

    def open_function(self, name: str) -> None:
        """Open a library function below the current graph (the breadcrumb leads back)."""
        if self._meta_graph is None:
            return
        if self._stack and self.view.item is not None:
            self._stack[-1].selected = selected_node_name(self.view.item, self.graph)
        self._stack.append(_Frame(name, name))
        self._start()

    def back(self) -> None:
        if len(self._stack) > 1:
            self.go_to(len(self._stack) - 2)

    def go_to(self, level: int) -> None:
        self.graveyard.retire(self._stack[level + 1 :])
        del self._stack[level + 1 :]
        self._start()

    @property
    def graph(self) -> Any:
        return self._stack[-1].graph if self._stack else None

    @property
    def layout_now(self) -> Any:
        return self._stack[-1].layout if self._stack else None

    @property
    def breadcrumb(self) -> list[str]:
        return [f.title for f in self._stack]

    # -- layout -----------------------------------------------------------------------------
    def _start(self) -> None:
        frame = self._stack[-1]
        self.toolbar.set_crumbs(self.breadcrumb, self.go_to)
        self.toolbar.set_has_graph(self.view.item is not None)
        if frame.layout is not None and frame.expanded == set(frame.layout.expanded):
            self._show(frame, frame.layout, time.perf_counter())
            return
        self._generation += 1
        generation = self._generation
        job = (self._meta_graph, frame.name, frame.graph, frame.tree,
               None if frame.expanded is None else set(frame.expanded))  # fmt: skip
        started = time.perf_counter()
        self.status.setText(f"Laying out {frame.title}…")
        self.ops.compute_missing = self.fetch_op_descriptions
        self.ops.ask()
        self.collector.job_started()

        def done(result: tuple) -> None:
            self.collector.job_ended()
            if generation != self._generation or frame not in self._stack:
                return
            frame.graph, frame.tree, frame.layout, frame.arrays = result
            frame.expanded = set(frame.layout.expanded)
            self._show(frame, frame.layout, started)

        def failed(err: BaseException) -> None:
            self.collector.job_ended()
            if generation != self._generation:
                return
            message = f"cannot draw {frame.title}: {err}"
            self.status.setText(message)
            self.graph_failed.emit(message)

        from inspector_app.ui.graph.layout_job import build

        run_in_background(lambda: build(*job), done, failed, receiver=self)

    def _show(self, frame: _Frame, layout: Any, started: float) -> None:
        from inspector_app.ui.graph.canvas import GraphItem, count_kind

        item = GraphItem(frame.graph, layout, is_dark(self), frame.arrays)
        self.view.set_item(item)
        self.graveyard.release(frame.graph)
        self.view.fit()
        g = frame.graph
        self.last_ms = (time.perf_counter() - started) * 1000
        pruned = f" (pruned from {g.pruned_from})" if g.pruned_from else ""
        n_scopes = count_kind(item.kind, "scope")
        self.status.setText(
            f"{len(g.nodes):,} nodes{pruned}, {len(g.edges):,} edges, {len(g.calls)} calls; "
            f"{n_scopes} collapsed scopes; layout {layout.elapsed_ms:.0f} ms"
        )
        if frame.selected is None or not self.select_node(frame.selected):
            self.details.clear()
        self.toolbar.set_has_graph(True)
        self.graph_shown.emit(layout)

    def expand_all(self) -> None:
        frame = self._stack[-1] if self._stack else None
        if frame is None or frame.tree is None:
            return
        # every name scope; the captured variables' box stays shut (their reads would cross
        # the whole graph: they are listed in each node's details)
        frame.expanded = {s.path for s in frame.tree[0].walk() if s.path and s.path != CAPTURES}
        self._start()

    def collapse_all(self) -> None:
        frame = self._stack[-1] if self._stack else None
        if frame is None or frame.tree is None:
            return
        frame.expanded = set()
        self._start()

    def toggle_scope(self, path: str) -> None:
        frame = self._stack[-1]
        expanded = set(frame.expanded or ())
        if path in expanded:
            expanded = {p for p in expanded if p != path and not p.startswith(path + "/")}
        else:
            expanded.add(path)
            parts = path.split("/")
            expanded.update("/".join(parts[:k]) for k in range(1, len(parts)))
        frame.expanded = expanded
        frame.selected = selected_node_name(self.view.item, self.graph)
        self._start()

    # -- selection and details --------------------------------------------------------------
    def reveal_node(self, name: str) -> None:
        """Select ``name`` in the graph being shown, or in the one about to be shown once its
        layout is on screen (Find chose it; the tree row it selected leads here)."""
        self._apply_pending()
        if not self._stack:
            return
        if not self.select_node(name):  # still being laid out: selected when it is shown
            self._stack[-1].selected = name

    def select_node(self, name: str) -> bool:
        """Select a node by name (its scope opens when it is inside a collapsed one)."""
        frame = self._stack[-1] if self._stack else None
        item = self.view.item
        if frame is None or frame.graph is None or item is None:
            return False
        i = frame.graph.index.get(name)
        if i is None:
            return False
        box = frame.layout.node_box[i]
        if frame.layout.boxes[box].kind != "node":
            parts = frame.graph.nodes[i].scope.split("/")
            frame.expanded = set(frame.expanded or ()) | {
                "/".join(parts[:k]) for k in range(1, len(parts) + 1)
            }
            frame.selected = name
            self._start()
            return True
        self.view.center_on_box(box)
        self._on_box_clicked(box)
        return True

    def _on_box_clicked(self, box: int | None) -> None:
        item = self.view.item
        if item is None:
            return
        item.select(box)
        if box is None:
            self.details.clear()
            return
        b = item.layout.boxes[box]
        if b.kind != "node":
            frame = self._stack[-1]
            scope = frame.tree[0]
            for part in b.key.split("/"):
                scope = scope.children.get(part, scope)
            self.details.setHtml(scope_html(scope, b.key, b.key in (frame.expanded or ())))
            return
        from inspector_app.savedmodel.graph_details import node_details

        d = node_details(self.graph, b.key, self.ops.ops)
        self.node_selected.emit(d.name)
        self.details.setHtml(node_html(self.graph, b.key, d, self.ops.pending))

    def _on_box_activated(self, box: int) -> None:
        item = self.view.item
        if item is None:
            return
        b = item.layout.boxes[box]
        if b.kind in ("scope", "frame"):
            self.toggle_scope(b.key)
            return
        node = self.graph.nodes[b.key]
        if node.function:
            self.open_function(node.function)

    def _on_anchor(self, url: QUrl) -> None:
        kind, _, value = url.toString().partition(":")
        if kind == "fn":
            self.open_function(value)
        elif kind == "node":
            self.select_node(value)

    # -- export -----------------------------------------------------------------------------
    def export_png(self, path: str | Path, max_side: int = 16000) -> Path:
        return export.export_png(self.view, path, max_side)

    def export_svg(self, path: str | Path) -> Path:
        frame = self._stack[-1] if self._stack else None
        if frame is None or frame.layout is None:
            raise ValueError("no graph is shown")
        return export.export_svg(frame.graph, frame.layout, path)


def selected_node_name(item: Any, graph: Any) -> str | None:
    """The name of the node selected in ``item`` (a ``GraphItem``), if a node is."""
    if item is None or item.selected is None:
        return None
    box = item.layout.boxes[item.selected]
    return graph.nodes[box.key].name if box.kind == "node" else None


def _ask_export(panel: GraphPanel, kind: str) -> None:
    title = panel.breadcrumb[-1] if panel.breadcrumb else "graph"
    write = panel.export_png if kind == "png" else panel.export_svg
    line = export.ask_and_export(panel, title, kind, write)
    if line:
        panel.status.setText(line)
