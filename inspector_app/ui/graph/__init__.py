"""The graph view: a signature's, function's or MetaGraphDef's graph, drawn with QGraphicsView."""

from inspector_app.ui.graph.panel import GraphPanel
from inspector_app.ui.graph.target import graph_target

__all__ = ["GraphPanel", "graph_target"]
