"""Python's cyclic garbage collector, run on the GUI thread only.

Automatic collection runs in whichever thread happens to allocate. When a model is read in the
thread pool, a collection there can free a widget from a closed dialog, and Qt then destroys a
QWidget off the GUI thread: a segmentation fault. So automatic collection is switched off and a
timer on the GUI thread collects instead, with the thresholds Python itself would use.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500
_held = 0  # jobs whose own short passes stand in for the timer's (ui/graph/layout_job)


def hold_timer_collections(on: bool) -> None:
    """While held, the timer leaves collection to the one who holds it (who must collect)."""
    global _held
    _held = max(0, _held + (1 if on else -1))


class MainThreadCollector(QObject):
    """Owns the timer; create one after the QApplication, keep it alive as long as the app."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.check)
        self._timer.start(interval_ms)

    def check(self) -> int:
        """Collect the oldest generation whose count has passed its threshold; return it or -1
        (also while a job holds collection: its own passes run instead)."""
        if _held:
            return -1
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self._thresholds[generation]:
                gc.collect(generation)
                return generation
        return -1

    def freeze_startup(self) -> None:
        """Collect once, then leave the objects alive now (modules, classes, the window and its
        widgets: they live as long as the app) out of later collections, which then scan only
        what came after: a full collection takes about 5 ms instead of 20 here, and it runs on
        the GUI thread. Call after the window is made and before any model is opened."""
        gc.collect()
        gc.freeze()

    def stop(self) -> None:
        """Give collection back to Python (for tests and shutdown)."""
        self._timer.stop()
        gc.unfreeze()
        gc.enable()
