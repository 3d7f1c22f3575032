"""The Weights panel made ahead, hidden, a while after a model opens: its modules imported one
per turn of the event loop, then its widgets made in a turn of their own. Made when the tab is
first shown instead, all of it came in one turn with the tab's first paint: 45-90 ms of the GUI
thread. The tab then shows at once (``InspectController`` makes the panel when it is shown
before this is done: what is left is imported then).
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

START_MS = 600  # after a model opened: once its tree is painted and the statistics helper started
MODULES = (  # the panel's own imports, those imported by the others first
    "numpy",
    "inspector_app.savedmodel.tensor_stats",
    "inspector_app.savedmodel.checkpoint",
    "inspector_app.savedmodel.variable_roles",
    "inspector_app.savedmodel.variables",
    "inspector_app.savedmodel.layers",
    "inspector_app.results.tensors",
    "inspector_app.workflows.weight_stats_process",
    "inspector_app.ui.weights.steps",
    "inspector_app.ui.weights.summary",
    "inspector_app.ui.weights.table_model",
    "inspector_app.ui.weights.stats_feed",
    "inspector_app.ui.weights.histogram",
    "inspector_app.ui.weights.layers_view",
    "inspector_app.ui.weights.values_view",
    "inspector_app.ui.weights.exports",
    "inspector_app.ui.weights.panel",
)


def prepare(owner: QObject, make_panel: Callable[[], Any], start_ms: int = START_MS) -> None:
    """Import ``MODULES`` one per turn (those not imported yet), then call ``make_panel()``
    in a turn of its own; nothing once ``owner`` is deleted."""
    left = [m for m in MODULES if m not in sys.modules]

    def step() -> None:
        while left and left[0] in sys.modules:
            left.pop(0)
        if left:
            importlib.import_module(left.pop(0))
            QTimer.singleShot(1, owner, step)
        else:
            make_panel()

    QTimer.singleShot(start_ms, owner, step)
