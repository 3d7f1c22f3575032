"""Calls handed to the GUI thread from any thread: what the run session's ``post`` is in the
window. The engine answers on its reader thread; the session's state and the widgets that
observe it are touched on the GUI thread only, through a queued Qt signal."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal, Slot


class GuiPost(QObject):
    """``post(fn)``: ``fn()`` runs on the thread this object lives in, after the calls posted
    before it, whichever thread posts it (from that thread too: never inside the caller)."""

    _posted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._posted.connect(self._call, Qt.ConnectionType.QueuedConnection)

    def __call__(self, fn: Callable[[], None]) -> None:
        self._posted.emit(fn)

    @Slot(object)
    def _call(self, fn: Callable[[], None]) -> None:
        fn()
