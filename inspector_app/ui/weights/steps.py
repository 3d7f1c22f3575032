"""Pieces of work run one per turn of the event loop, in the order they were added.

The Weights tab fills in steps (chunks of rows, the first row's details, the layer summary): run
back to back, or from timers that fall due together, they would hold the loop as long as all of
them. One at a time, on a 1 ms timer started when the previous one is done, the loop handles
its paints, input and other timers in between (a zero timer would run in the same pass as the
paints the previous step asked for).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

PAUSE_MS = 1


class Steps(QObject):
    """``add(fn)``: ``fn()`` in a later turn of the event loop, after the steps added before."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._queue: deque[Callable[[], None]] = deque()
        # Steps left when the owner is deleted never run: dropped, so that the closures in
        # them (which hold their panel) do not keep its Python object alive in a cycle.
        queue = self._queue
        self.destroyed.connect(lambda *_: queue.clear())
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PAUSE_MS)
        self._timer.timeout.connect(self._run_one)

    def add(self, fn: Callable[[], None], when: Callable[[], bool] | None = None) -> None:
        """``when``: asked then; the step is skipped unless it answers True."""
        self._queue.append(fn if when is None else lambda: when() and fn())
        if not self._timer.isActive():
            self._timer.start()

    def __len__(self) -> int:
        return len(self._queue)

    def _run_one(self) -> None:
        if not self._queue:
            return
        fn = self._queue.popleft()
        try:
            fn()
        finally:
            if self._queue and not self._timer.isActive():
                self._timer.start()
