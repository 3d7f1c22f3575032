"""The Graph tab: the graph of the signature, function or MetaGraphDef selected in the tree, a
breadcrumb of the functions opened from it, and the selected node's details.

Reading the graph, grouping its name scopes and the layout run in the thread pool; the item that
paints it is made on the GUI thread from the finished layout. igraph holds the GIL while it lays
out, so a level of more than ``BIG_LEVEL`` items is laid out in a helper process instead, and the
event loop keeps turning.
"""

from __future__ import annotations

import contextlib
import gc
import html
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPalette, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.safeio import escape
from inspector_app.ui.background import run_in_background
from inspector_app.ui.graph.view import GraphView

FREEZE_OBJECTS = 20_000  # new objects that the graph job hands out of the collector's sight
BIG_LEVEL = 1500  # items of one scope level: laid out in a helper process beyond this
_pool: Any = None  # a concurrent.futures.ProcessPoolExecutor, made when first needed


def _process_pool() -> Any:
    global _pool
    if _pool is None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        import atexit

        atexit.register(_pool.shutdown, wait=True, cancel_futures=True)  # before the interpreter
    return _pool


def prewarm_layout_process() -> None:
    """Start the helper process now, so that the first big graph does not wait for it."""
    from inspector_app.savedmodel.graph_layout import igraph_sugiyama

    with contextlib.suppress(Exception):  # a failure leaves the in-thread layout
        _process_pool().submit(igraph_sugiyama, 2, [(0, 1)])


def _freeze_new_objects() -> None:
    """While a big graph is read in the thread pool: once many new objects have piled up, take
    them out of the cyclic collector's sight. It runs on the GUI thread (ui/gc_guard) and would
    otherwise scan every one of them (a stall of a tenth of a second or more per collection).
    The graph's objects are freed by reference counting when the graph is closed."""
    if gc.get_count()[0] > FREEZE_OBJECTS:
        gc.freeze()


def _warm_up() -> None:
    from inspector_app.savedmodel.graph_layout import igraph_sugiyama

    igraph_sugiyama(3, [(0, 1), (1, 2)])  # igraph's first graph costs half a second
    import numpy as np

    from inspector_app.ui.graph import canvas  # numpy's lazily imported parts, before a paint

    np.unique(np.lexsort((np.zeros(2), np.ones(2)))).tolist()
    del canvas
    prewarm_layout_process()


def off_gil_sugiyama(n: int, edges: Sequence[tuple[int, int]]) -> list[tuple[float, float]]:
    from inspector_app.savedmodel.graph_layout import igraph_sugiyama

    if n < BIG_LEVEL:
        return igraph_sugiyama(n, edges)
    try:
        return _process_pool().submit(igraph_sugiyama, n, list(edges)).result(timeout=120)
    except Exception:  # noqa: BLE001 - a broken helper process: lay out here, slower for the GUI
        return igraph_sugiyama(n, edges)


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


def graph_target(info: Any, node: Any) -> tuple[Any, str | None, str] | None:
    """(MetaGraphDef, target name, crumb label) for a tree row that has a graph, else None."""
    path = node.path()
    mg_node = next((n for n in path if n.kind == "meta_graph"), None)
    if mg_node is None or info is None:
        return None
    version_node = next((n for n in path if n.kind == "version"), None)
    if version_node is not None and version_node.details.get("version") != getattr(
        info, "version", None
    ):
        return None  # another version of a base folder: not the loaded one
    tags = list(mg_node.details.get("tags", []))
    mg = next(
        (m for m in getattr(info, "meta_graphs", []) if list(getattr(m, "tags", ())) == tags),
        None,
    )
    if mg is None or getattr(mg, "proto", None) is None:  # not read from a saved_model.pb
        return None
    label = ", ".join(tags) or "(no tags)"
    sig = next((n for n in reversed(path) if n.kind == "signature"), None)
    if sig is not None:
        key = sig.details.get("key", sig.name)
        return mg.proto, key, key
    fn = next((n for n in reversed(path) if n.kind in ("function", "library_function")), None)
    if fn is not None:
        names = {f.signature.name for f in mg.proto.graph_def.library.function}
        candidates = [fn.details.get("function"), fn.details.get("concrete_function")]
        candidates += [fn.details.get("name"), fn.name]
        candidates += [o.get("concrete_function") for o in fn.details.get("options", [])]
        name = next((c for c in candidates if c in names), None)
        if name is not None:
            return mg.proto, name, name
        return None
    if node is mg_node:  # the whole top-level graph (a TF2 export's is small: its calls lead in)
        return mg.proto, ("graph" if len(mg.proto.graph_def.node) else None), label
    return None


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
        self._ops: dict | None = None
        self._ops_asked = False
        self._warmed = False
        self.last_ms = 0.0  # from the request to the layout on screen

        self.crumbs = QWidget(objectName="graphCrumbs")
        self._crumb_layout = QHBoxLayout(self.crumbs)
        self._crumb_layout.setContentsMargins(0, 0, 0, 0)
        self._crumb_layout.setSpacing(2)
        self.back_button = self._button("◀", "Back to the calling graph (Backspace)", self.back)
        self.fit_button = self._button("Fit", "Fit the graph in the view (F)", self.fit)
        self.expand_button = self._button("Expand", "Open every name scope", self.expand_all)
        self.collapse_button = self._button("Collapse", "Close every name scope", self.collapse_all)
        self.png_button = self._button("PNG…", "Export the picture as PNG", self._ask_png)
        self.svg_button = self._button("SVG…", "Export the picture as SVG", self._ask_svg)
        self.status = QLabel(objectName="graphStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar = QHBoxLayout()
        bar.setContentsMargins(4, 4, 4, 0)
        bar.addWidget(self.back_button)
        bar.addWidget(self.crumbs, 1)
        for b in (self.fit_button, self.expand_button, self.collapse_button):
            bar.addWidget(b)
        bar.addWidget(self.png_button)
        bar.addWidget(self.svg_button)

        self.view = GraphView()
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
        layout.addLayout(bar)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.status)
        QShortcut(
            QKeySequence("Backspace"),
            self,
            self.back,
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        QShortcut(
            QKeySequence("F"), self, self.fit, context=Qt.ShortcutContext.WidgetWithChildrenShortcut
        )
        QShortcut(
            QKeySequence.StandardKey.ZoomIn,
            self,
            lambda: self.view.zoom(1.25),
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        QShortcut(
            QKeySequence.StandardKey.ZoomOut,
            self,
            lambda: self.view.zoom(0.8),
            context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
        )
        self._update_buttons()

    def _button(self, text: str, tip: str, slot: Any) -> QToolButton:
        b = QToolButton(text=text, toolTip=tip)
        b.setAutoRaise(True)
        b.clicked.connect(slot)
        return b

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
        self._stack = []
        self._pending = None
        self.view.set_item(None)
        self.details.clear()
        self.status.setText("")
        self._rebuild_crumbs()
        self._update_buttons()

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
            run_in_background(_warm_up, lambda _r: None, lambda _e: None, receiver=self)
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
        self._stack = [_Frame(name, label or name or "graph")]
        self._start()

    def open_function(self, name: str) -> None:
        """Open a library function below the current graph (the breadcrumb leads back)."""
        if self._meta_graph is None:
            return
        if self._stack and self.view.item is not None:
            self._stack[-1].selected = self._selected_name()
        self._stack.append(_Frame(name, name))
        self._start()

    def back(self) -> None:
        if len(self._stack) > 1:
            self.go_to(len(self._stack) - 2)

    def go_to(self, level: int) -> None:
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
        self._rebuild_crumbs()
        self._update_buttons()
        if frame.layout is not None and frame.expanded == set(frame.layout.expanded):
            self._show(frame, frame.layout, time.perf_counter())
            return
        self._generation += 1
        generation = self._generation
        meta_graph = self._meta_graph
        expanded = None if frame.expanded is None else set(frame.expanded)
        graph, tree = frame.graph, frame.tree
        started = time.perf_counter()
        self.status.setText(f"Laying out {frame.title}…")
        self._ask_ops()

        def work() -> tuple:
            from inspector_app.savedmodel import graph as graph_module
            from inspector_app.savedmodel.graph import open_graph, scope_tree
            from inspector_app.savedmodel.graph_layout import compute_layout

            graph_module.checkpoint_hook = _freeze_new_objects

            g = graph if graph is not None else open_graph(meta_graph, frame.name)
            t = tree if tree is not None else scope_tree(g)
            lay = compute_layout(g, expanded, tree=t, sugiyama=off_gil_sugiyama)
            from inspector_app.ui.graph.canvas import box_arrays, prepare_lines

            arrays = box_arrays(g, lay)
            arrays["lines"] = prepare_lines(arrays)
            _freeze_new_objects()
            return g, t, lay, arrays

        def done(result: tuple) -> None:
            if generation != self._generation or frame not in self._stack:
                return
            frame.graph, frame.tree, frame.layout, frame.arrays = result
            frame.expanded = set(frame.layout.expanded)
            self._show(frame, frame.layout, started)

        def failed(err: BaseException) -> None:
            if generation != self._generation:
                return
            message = f"cannot draw {frame.title}: {err}"
            self.status.setText(message)
            self.graph_failed.emit(message)

        run_in_background(work, done, failed, receiver=self)

    def _show(self, frame: _Frame, layout: Any, started: float) -> None:
        from inspector_app.ui.graph.canvas import GraphItem

        dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
        item = GraphItem(frame.graph, layout, dark, frame.arrays)
        self.view.set_item(item)
        self.view.fit()
        g = frame.graph
        self.last_ms = (time.perf_counter() - started) * 1000
        pruned = f" (pruned from {g.pruned_from})" if g.pruned_from else ""
        n_scopes = sum(1 for b in layout.boxes if b.kind == "scope")
        self.status.setText(
            f"{len(g.nodes):,} nodes{pruned}, {len(g.edges):,} edges, {len(g.calls)} calls; "
            f"{n_scopes} collapsed scopes; layout {layout.elapsed_ms:.0f} ms"
        )
        if frame.selected is not None:
            self.select_node(frame.selected)
        else:
            self.details.clear()
        self._update_buttons()
        self.graph_shown.emit(layout)

    def expand_all(self) -> None:
        frame = self._stack[-1] if self._stack else None
        if frame is None or frame.tree is None:
            return
        frame.expanded = {s.path for s in frame.tree[0].walk() if s.path}
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
        frame.selected = self._selected_name()
        self._start()

    def fit(self) -> None:
        self.view.fit()

    # -- selection and details --------------------------------------------------------------
    def _selected_name(self) -> str | None:
        item = self.view.item
        if item is None or item.selected is None:
            return None
        box = item.layout.boxes[item.selected]
        return self.graph.nodes[box.key].name if box.kind == "node" else None

    def reveal_node(self, name: str) -> None:
        """Select ``name`` in the graph being shown, or in the one about to be shown once its
        layout is on screen (Find chose it; the tree row it selected leads here)."""
        if self._pending is not None:
            meta_graph, target, label = self._pending
            self._pending = None
            self.show_target(meta_graph, target, label)
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
            path = frame.graph.nodes[i].scope
            parts = path.split("/")
            frame.expanded = set(frame.expanded or ()) | {
                "/".join(parts[:k]) for k in range(1, len(parts) + 1)
            }
            frame.selected = name
            self._start()
            return True
        item.select(box)
        self.view.center_on_box(box)
        self._show_node(i)
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
        if b.kind == "node":
            self._show_node(b.key)
        else:
            self._show_scope(b.key)

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
        text = url.toString()
        kind, _, value = text.partition(":")
        if kind == "fn":
            self.open_function(value)
        elif kind == "node":
            self.select_node(value)

    def _ask_ops(self) -> None:
        if self._ops_asked:
            return
        self._ops_asked = True
        from inspector_app.savedmodel import op_catalog

        compute = self.fetch_op_descriptions

        def got(ops: Any) -> None:
            self._ops = ops
            item = self.view.item
            if ops and item is not None and item.selected is not None:
                self._on_box_clicked(item.selected)

        run_in_background(
            lambda: op_catalog.catalog(compute_missing=compute), got, lambda _e: None, receiver=self
        )

    def _show_scope(self, path: str) -> None:
        frame = self._stack[-1]
        scope = frame.tree[0]
        for part in path.split("/"):
            scope = scope.children.get(part, scope)
        ops = sorted(scope.ops.items(), key=lambda kv: -kv[1])[:12]
        rows = "".join(
            f"<tr><td>{html.escape(op)}</td><td align=right>{n:,}</td></tr>" for op, n in ops
        )
        self.details.setHtml(
            f"<h3>{html.escape(scope.name)}</h3><p>name scope <code>{html.escape(path)}</code>, "
            f"{scope.size:,} nodes, {len(scope.children)} sub-scopes. Double-click to "
            f"{'close' if path in (frame.expanded or ()) else 'open'} it.</p>"
            f"<table cellspacing=4><tr><th align=left>op</th><th>nodes</th></tr>{rows}</table>"
        )

    def _show_node(self, i: int) -> None:
        from inspector_app.savedmodel.graph_details import node_details

        graph = self.graph
        d = node_details(graph, i, self._ops)
        self.node_selected.emit(d.name)

        def e(text: str) -> str:  # names from the model: no markup, control characters escaped
            return html.escape(escape(text))

        parts = [f"<h3>{e(d.op)}</h3><p><code>{e(d.name)}</code></p>"]
        if d.summary:
            parts.append(f"<p><i>{e(d.summary)}</i></p>")
        elif self._ops is None and not self._ops_asked:
            parts.append("<p><i>(op descriptions are being read)</i></p>")
        if d.device:
            parts.append(f"<p>device: <code>{e(d.device)}</code></p>")
        calls = [c for c in graph.calls if c.node == i]
        if calls:
            links = ", ".join(
                f"{e(c.attr)}: <a href='fn:{e(c.function)}'>{e(c.function)}</a>" for c in calls
            )
            parts.append(f"<p>calls {links}</p>")

        def table(title: str, rows: list) -> None:
            if not rows:
                return
            items = []
            for r in rows:
                facts = " ".join(x for x in (r.dtype, r.shape) if x)
                other = _node_links(r.node, e)
                arrow = "from" if title == "Inputs" else "to"
                items.append(
                    f"<li><code>{e(r.label)}</code>"
                    + (f" <b>{e(facts)}</b>" if facts else "")
                    + (f"<br>{arrow} {other}" if other and not r.label.startswith("^") else "")
                    + "</li>"
                )
            parts.append(f"<h4>{title}</h4><ul style='margin-left:-20px'>{''.join(items)}</ul>")

        table("Inputs", d.inputs)
        table("Outputs", d.outputs)
        if d.attrs:
            body = "".join(f"<tr><td><b>{e(k)}</b></td><td>{e(v)}</td></tr>" for k, v in d.attrs)
            parts.append(f"<h4>Attributes</h4><table cellspacing=3>{body}</table>")
        if d.value:
            parts.append(f"<h4>Value</h4><p><code>{e(d.value)}</code></p>")
        if d.stats:
            s = d.stats
            text = ", ".join(
                f"{k} {v:.6g}" if isinstance(v, float) else f"{k} {v}"
                for k, v in s.items()
                if k != "zeros"
            )
            parts.append(f"<p>{e(text)}, zeros {s['zeros']:.1%}</p>")
        self.details.setHtml("".join(parts))

    # -- breadcrumb and buttons ---------------------------------------------------------------
    def _rebuild_crumbs(self) -> None:
        while self._crumb_layout.count():
            w = self._crumb_layout.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        for level, frame in enumerate(self._stack):
            if level:
                self._crumb_layout.addWidget(QLabel("›"))
            b = QToolButton(text=_short_title(frame.title), toolTip=frame.title)
            b.setAutoRaise(True)
            b.setObjectName(f"graphCrumb{level}")
            b.setEnabled(level < len(self._stack) - 1)
            b.clicked.connect(lambda _=False, lv=level: self.go_to(lv))
            self._crumb_layout.addWidget(b)
        self._crumb_layout.addStretch(1)

    def _update_buttons(self) -> None:
        has = self.view.item is not None
        self.back_button.setEnabled(len(self._stack) > 1)
        for b in (
            self.fit_button,
            self.expand_button,
            self.collapse_button,
            self.png_button,
            self.svg_button,
        ):
            b.setEnabled(has)

    # -- export -----------------------------------------------------------------------------
    def export_png(self, path: str | Path, max_side: int = 16000) -> Path:
        item = self.view.item
        if item is None:
            raise ValueError("no graph is shown")
        rect = item.boundingRect()
        scale = min(2.0, max_side / max(rect.width(), rect.height(), 1.0))
        size = QSize(max(1, int(rect.width() * scale)), max(1, int(rect.height() * scale)))
        image = QImage(size, QImage.Format.Format_ARGB32)
        image.fill(
            self.view.backgroundBrush().color()
            if self.view.backgroundBrush().style() != Qt.BrushStyle.NoBrush
            else QColor("white")
        )
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        self.view.scene().render(painter, QRectF(0, 0, size.width(), size.height()), rect)
        painter.end()
        target = Path(path)
        tmp = target.with_name(f".{target.name}.tmp.png")
        if not image.save(str(tmp), "PNG"):
            raise OSError(f"cannot write {target}")
        os.replace(tmp, target)
        return target

    def export_svg(self, path: str | Path) -> Path:
        from inspector_app.savedmodel.graph_export import to_svg

        frame = self._stack[-1] if self._stack else None
        if frame is None or frame.layout is None:
            raise ValueError("no graph is shown")
        from inspector_app.savedmodel.graph_export import write_atomic

        target = Path(path)
        write_atomic(target, to_svg(frame.graph, frame.layout))
        return target

    def _ask_png(self) -> None:
        self._ask_export("PNG image (*.png)", ".png", self.export_png)

    def _ask_svg(self) -> None:
        self._ask_export("SVG picture (*.svg)", ".svg", self.export_svg)

    def _ask_export(self, filter_text: str, suffix: str, write: Any) -> None:
        if not self._stack:
            return
        name = _safe_file_name(self._stack[-1].title) + suffix
        path, _ = QFileDialog.getSaveFileName(
            self, "Export the graph", str(Path.home() / name), filter_text
        )
        if not path:
            return
        try:
            write(path)
        except (OSError, ValueError) as err:
            self.status.setText(f"Export failed: {err}")
            return
        self.status.setText(f"Wrote {path}")


def _node_links(names: str, e: Any) -> str:
    if not names:
        return ""
    return ", ".join(f"<a href='node:{e(n)}'>{e(n)}</a>" for n in names.split(", ")[:20])


def _short_title(title: str) -> str:
    return title if len(title) <= 40 else title[:37] + "…"


def _safe_file_name(title: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in title)[:80] or "graph"
