"""Keeps ``None`` alive under PySide6 6.12 on Python 3.11.

In this PySide6 build many calls that return nothing (``QPainter.setPen``, ``drawRect``,
``QGraphicsItem.setOpacity``, ``QGraphicsScene.render``, a Python ``paint`` override returning ...)
give back one reference to ``None`` that they never took. Before Python 3.12 ``None`` is counted
like any object, so after some hundred thousand such calls its count reaches zero and Python
aborts ("none_dealloc: deallocating None"). A result view that repaints boxes while the user pans
gets there in minutes.

The guard holds references to ``None`` in a list and tops it up from a GUI-thread timer whenever
the count falls below a floor: the references the bindings drop are its own. On Python 3.12 and
later ``None`` is immortal and the guard does nothing.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, QTimer

FLOOR = 1 << 20  # top up when None's count falls below this
RESERVE = 1 << 21  # references held after a top-up
INTERVAL_MS = 1000
NEEDED = sys.version_info < (3, 12)

_reserve: list[None] = []
if NEEDED:
    # Never freed, not even when the interpreter shuts down: freeing it would give back the
    # references the bindings have dropped meanwhile, and None would die at exit instead.
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(_reserve))


def top_up() -> int:
    """Hold enough references to ``None`` that its count is at least ``RESERVE``; the number
    added (0 when it was above ``FLOOR`` already, or on Python 3.12+)."""
    if not NEEDED:
        return 0
    count = sys.getrefcount(None)
    if count >= FLOOR:
        return 0
    extra = RESERVE - count
    _reserve.extend([None] * extra)
    return extra


class NoneGuard(QObject):
    """Tops the reserve up every second on the GUI thread; keep it alive with the app."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        top_up()
        self._timer = QTimer(self)
        self._timer.timeout.connect(top_up)
        if NEEDED:
            self._timer.start(interval_ms)
