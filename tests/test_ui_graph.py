"""The Graph tab through pytest-qt: a selected signature or function opens its graph, calls open
their function with a breadcrumb back, scopes collapse and open, nodes show their details,
exports write PNG and SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from models_graph import graph_models
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage

from inspector_app.savedmodel import load_model
from inspector_app.ui import MainWindow
from inspector_app.ui import settings as ui_settings
from inspector_app.ui.graph import GraphPanel

WAIT_MS = 30_000


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    return graph_models(tmp_path_factory)


@pytest.fixture(autouse=True)
def no_child_python(monkeypatch):
    monkeypatch.setattr(GraphPanel, "fetch_op_descriptions", False)


@pytest.fixture
def panel(qtbot) -> GraphPanel:
    p = GraphPanel()
    qtbot.addWidget(p)
    p.resize(1024, 700)
    p.show()
    return p


def show(qtbot, panel: GraphPanel, mg, name) -> None:
    with qtbot.waitSignal(panel.graph_shown, timeout=WAIT_MS):
        panel.show_target(mg, name)


def box_of(panel: GraphPanel, name: str) -> int:
    return panel.layout_now.node_box[panel.graph.index[name]]


def test_call_opens_its_function_and_the_breadcrumb_leads_back(qtbot, panel, models) -> None:
    mg = load_model(models["tf2"]).meta_graphs[0].proto
    show(qtbot, panel, mg, "serving_default")
    assert panel.breadcrumb == ["serving_default"]
    assert not panel.back_button.isEnabled()
    item = panel.view.item
    assert len(item.layout.boxes) == len(panel.graph.nodes)  # no scopes in this small graph
    call = box_of(panel, "StatefulPartitionedCall")
    with qtbot.waitSignal(panel.graph_shown, timeout=WAIT_MS):
        panel.view.box_activated.emit(call)  # a double-click
    assert panel.graph.title.startswith("__inference_signature_wrapper")
    assert len(panel.breadcrumb) == 2 and panel.back_button.isEnabled()
    # one level deeper: the wrapper calls outer, whose If opens its then branch
    call = next(n for n in panel.graph.nodes if n.function)
    with qtbot.waitSignal(panel.graph_shown, timeout=WAIT_MS):
        panel.view.box_activated.emit(box_of(panel, call.name))
    outer = panel.graph
    assert outer.title.startswith("__inference_outer")
    assert panel.select_node("block/cond")
    html = panel.details.toPlainText()
    assert "then_branch: block_cond_true" in html and "else_branch: block_cond_false" in html
    assert panel.findChild(object, "graphCrumb1").isEnabled()
    with qtbot.waitSignal(panel.graph_shown, timeout=WAIT_MS):
        panel.back()
    assert panel.graph.title.startswith("__inference_signature_wrapper")
    with qtbot.waitSignal(panel.graph_shown, timeout=WAIT_MS):
        panel.go_to(0)
    assert panel.breadcrumb == ["serving_default"]


def test_click_selects_a_node_and_highlights_its_neighbours(qtbot, panel, models) -> None:
    mg = load_model(models["tf1"]).meta_graphs[0].proto
    show(qtbot, panel, mg, "serving_default")
    item = panel.view.item
    relu = box_of(panel, "dense1/relu")
    matmul = box_of(panel, "dense1/MatMul")
    b = item.layout.boxes[relu]
    # the hit test finds the node under its centre (not the scope frame around it)
    assert item.box_at(panel.view.item.mapToScene(b.x + b.w / 2, b.y + b.h / 2)) == relu
    with qtbot.waitSignal(panel.node_selected, timeout=WAIT_MS) as sig:
        panel.view.box_clicked.emit(relu)
    assert sig.args == ["dense1/relu"]
    assert item.selected == relu and matmul in item.neighbours
    text = panel.details.toPlainText()
    assert "Relu" in text and "from dense1/MatMul" in text and "float32 [?, 8]" in text


def test_scopes_collapse_and_open(qtbot, panel, models) -> None:
    mg = load_model(models["tf1"]).meta_graphs[0].proto
    show(qtbot, panel, mg, "graph")
    with qtbot.waitSignal(panel.graph_shown, timeout=WAIT_MS):
        panel.collapse_all()
    boxes = panel.layout_now.boxes
    scope = next(i for i, b in enumerate(boxes) if b.kind == "scope" and b.key == "dense1")
    assert box_of(panel, "dense1/relu") == scope
    panel.view.box_clicked.emit(scope)
    assert "dense1" in panel.details.toPlainText() and "Relu" in panel.details.toPlainText()
    with qtbot.waitSignal(panel.graph_shown, timeout=WAIT_MS):
        panel.view.box_activated.emit(scope)  # double-click opens it
    assert panel.layout_now.boxes[box_of(panel, "dense1/relu")].kind == "node"
    # selecting a node inside a collapsed scope opens the scope
    with qtbot.waitSignal(panel.graph_shown, timeout=WAIT_MS):
        panel.select_node("dense2/logits")
    assert panel.view.item.selected == box_of(panel, "dense2/logits")


def test_exports_png_and_svg(qtbot, panel, models, tmp_path) -> None:
    mg = load_model(models["tf1"]).meta_graphs[0].proto
    show(qtbot, panel, mg, "serving_default")
    png = panel.export_png(tmp_path / "g.png")
    image = QImage(str(png))
    layout = panel.layout_now
    assert not image.isNull() and image.width() >= layout.width
    svg = ET.parse(panel.export_svg(tmp_path / "g.svg")).getroot()
    assert svg.tag.endswith("svg") and float(svg.get("width")) > layout.width


def test_collector_passes_run_on_the_gui_thread_and_a_closed_graph_is_freed(
    qtbot, panel, models, monkeypatch
) -> None:
    """With automatic collection off (as the app runs), the graph job asks the GUI thread for
    short passes; what survives is parked (gc.freeze) only there, and a closed graph is still
    freed: its objects hold no reference cycles."""
    import gc
    import threading
    import weakref

    from inspector_app.ui.graph import layout_job

    monkeypatch.setattr(layout_job, "SLICE_OBJECTS", 200)
    threads = []
    real_freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: (threads.append(threading.current_thread()),
                                               real_freeze()))  # fmt: skip
    mg = load_model(models["tf1"]).meta_graphs[0].proto
    gc.collect()
    gc.disable()
    try:
        show(qtbot, panel, mg, "graph")
        with qtbot.waitSignal(panel.graph_shown, timeout=WAIT_MS):
            panel.expand_all()
        assert panel.collector.passes >= 1
        assert threads and all(t is threading.main_thread() for t in threads)
        graph = weakref.ref(panel.graph)
        root = weakref.ref(panel._stack[-1].tree[0])
        panel.clear()
        qtbot.waitUntil(lambda: graph() is None and root() is None, timeout=WAIT_MS)
        assert panel.graveyard.pending == 0
    finally:
        gc.enable()
        gc.unfreeze()


def test_the_tab_s_warm_up_runs_as_a_collector_job(qtbot, monkeypatch) -> None:
    """The imports of the warm-up (igraph, the graph modules: some 20,000 objects) are taken by
    the GUI thread's short passes while it runs, as a graph job's objects are; the timer's own
    collections wait meanwhile."""
    import gc

    from inspector_app.ui import gc_guard
    from inspector_app.ui.graph import layout_job

    checkpoints = []
    real = layout_job.warm_up

    def warm_up() -> None:
        from inspector_app.savedmodel import graph_model

        checkpoints.append(graph_model.checkpoint_hook is not None and gc_guard._held > 0)
        real()

    monkeypatch.setattr(layout_job, "warm_up", warm_up)
    gc.collect()
    gc.disable()
    try:
        p = GraphPanel()
        qtbot.addWidget(p)
        p.show()
        assert p.collector.busy
        qtbot.waitUntil(lambda: not p.collector.busy, timeout=WAIT_MS)
        assert checkpoints == [True] and p.collector.passes >= 1
        assert gc_guard._held == 0
    finally:
        gc.enable()
        gc.unfreeze()


def test_the_first_frame_s_costs_are_paid_on_a_tiny_graph_never_shown(qtbot, models) -> None:
    """After the warm-up, a tiny graph is painted once into an image (fonts, glyphs, the first
    paint of the view with an item); the view is left empty, and a graph already on screen is
    never replaced for it."""
    from inspector_app.ui.graph import canvas

    painted = []
    real_paint = canvas.GraphItem.paint

    def paint(self, painter, option, widget=None) -> None:
        painted.append(self.graph.title)
        real_paint(self, painter, option, widget)

    canvas.GraphItem.paint = paint
    try:
        p = GraphPanel()
        qtbot.addWidget(p)
        p.resize(1024, 700)
        p.show()
        qtbot.waitUntil(lambda: "warm-up" in painted, timeout=WAIT_MS)
        assert p.view.item is None and p.view.scene().items() == []
        mg = load_model(models["tf1"]).meta_graphs[0].proto
        show(qtbot, p, mg, "graph")
        item = p.view.item
        painted.clear()
        canvas.warm_paint(p.view, False)
        assert p.view.item is item and "warm-up" not in painted
    finally:
        canvas.GraphItem.paint = real_paint


def test_a_closed_graph_is_freed_on_the_gui_thread_a_slice_per_turn(
    qtbot, panel, models, monkeypatch
) -> None:
    """A graph dropped from the breadcrumb is freed after the new one is shown, a slice of its
    lists per turn of the event loop (never in one go), and on the GUI thread."""
    import threading
    import weakref

    from inspector_app.ui.graph import layout_job

    monkeypatch.setattr(layout_job.Graveyard, "SLICE", 2)
    monkeypatch.setattr(layout_job.Graveyard, "BUDGET_S", 0.0)  # one slice per turn
    steps: list[tuple[threading.Thread, int]] = []
    real_step = layout_job.Graveyard.step

    def step(self) -> None:
        steps.append((threading.current_thread(), self.pending))
        real_step(self)

    monkeypatch.setattr(layout_job.Graveyard, "step", step)
    mg = load_model(models["tf2"]).meta_graphs[0].proto
    show(qtbot, panel, mg, "serving_default")
    first = weakref.ref(panel.graph)
    size = len(panel.graph.nodes) + len(panel.graph.edges)
    show(qtbot, panel, mg, "graph")  # the first graph is retired, then freed
    assert first() is not None  # not yet: the new graph is painted first
    qtbot.waitUntil(lambda: first() is None, timeout=WAIT_MS)
    assert all(t is threading.main_thread() for t, _n in steps)
    pending = [n for _t, n in steps]
    assert pending[0] >= size
    assert all(a - b <= 2 for a, b in zip(pending, pending[1:], strict=False))  # 2 a turn


def test_window_opens_the_graph_of_the_selected_signature(qtbot, tmp_path, models) -> None:
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path))
    ui_settings.clear_recent_models()
    win = MainWindow()
    win.show_error_dialogs = False
    qtbot.addWidget(win)
    win.show()
    with qtbot.waitSignal(win.model_opened, timeout=WAIT_MS):
        win.open_model(models["tf2"])
    win.panels.setCurrentWidget(win.graph_panel)
    with qtbot.waitSignal(win.graph_panel.graph_shown, timeout=WAIT_MS):
        assert win.select_signature("serving_default")
    assert win.graph_panel.breadcrumb == ["serving_default"]
    # a function row of the tree opens that function's body
    fn_row = win.models()[0].tree.find(lambda n: n.kind == "function" and n.name == "outer")
    assert fn_row is not None
    with qtbot.waitSignal(win.graph_panel.graph_shown, timeout=WAIT_MS):
        win.select_node(fn_row)
    assert win.graph_panel.graph.title.startswith("__inference_outer")
    # the MetaGraphDef row: its whole top-level graph
    mg_row = win.models()[0].tree.find(lambda n: n.kind == "meta_graph")
    with qtbot.waitSignal(win.graph_panel.graph_shown, timeout=WAIT_MS):
        win.select_node(mg_row)
    assert win.graph_panel.graph.kind == "graph"
    win.close_model()
    assert win.graph_panel.view.item is None


def test_fit_starts_a_very_wide_graph_at_full_height_in_its_middle(qtbot) -> None:
    """A deep graph fits its width from the top; a very wide one (a TF2 export's hundreds of
    variables in one row) fits its height, at most natural size, centred; others fit whole."""
    from PySide6.QtWidgets import QGraphicsRectItem

    from inspector_app.ui.graph.view import GraphView

    view = GraphView()
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    port = view.viewport().rect()
    view.set_item(QGraphicsRectItem(0, 0, 40_000, 300))
    view.fit()
    assert view.transform().m11() == pytest.approx(1.0)  # 300 high: natural size
    centre = view.mapToScene(port.center())
    assert abs(centre.x() - 20_000) < 50 and abs(centre.y() - 150) < 50
    item = QGraphicsRectItem(0, 0, 1_000, 500)
    view.set_item(item)
    view.fit()
    rect = item.boundingRect()
    whole = min((port.width() - 8) / rect.width(), (port.height() - 8) / rect.height())
    assert view.transform().m11() == pytest.approx(whole)  # all of it
