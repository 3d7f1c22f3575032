"""The graph view: a signature's, function's or MetaGraphDef's graph, drawn with QGraphicsView."""

from inspector_app.ui.graph.panel import GraphPanel, graph_target
from inspector_app.ui.none_refcount import keep_none_alive

keep_none_alive()  # the graph view makes many Qt calls per paint (see none_refcount)

__all__ = ["GraphPanel", "graph_target"]
