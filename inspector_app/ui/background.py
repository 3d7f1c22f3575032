"""Short in-process jobs off the GUI thread: a ``QRunnable`` whose answer comes back by signal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _Signals()

    def run(self) -> None:
        try:
            value = self.fn()
        except BaseException as err:  # noqa: BLE001 - reported to the window as one line
            self.signals.failed.emit(err)
            return
        self.signals.done.emit(value)


_alive: set[_Job] = set()  # keeps each job's signal object alive until it has answered


def run_in_background(
    fn: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_error: Callable[[BaseException], None] | None = None,
    *,
    receiver: QObject | None = None,
) -> None:
    """Run ``fn()`` in the global thread pool; ``on_done(value)`` or ``on_error(exc)`` run on the
    GUI thread (queued through signals owned by ``receiver``'s thread), and not at all when
    ``receiver`` has been deleted meanwhile (a window closed before its job answered)."""
    job = _Job(fn)
    job.setAutoDelete(False)
    if receiver is not None:
        job.signals.moveToThread(receiver.thread())
    _alive.add(job)

    def finish(callback: Callable[[Any], None] | None, value: Any) -> None:
        _alive.discard(job)
        job.signals.done.disconnect()  # no cycle job -> slot -> job: freed without the collector
        job.signals.failed.disconnect()
        if receiver is not None and not shiboken6.isValid(receiver):
            return
        if callback is not None:
            callback(value)

    job.signals.done.connect(lambda value: finish(on_done, value))
    job.signals.failed.connect(lambda err: finish(on_error, err))
    QThreadPool.globalInstance().start(job)
