"""The statistics of a model's variables for the Weights tab, from the helper process
(``workflows.weight_stats_process``) a batch at a time, or, when that process cannot run, from
the thread pool here (slower for the event loop: the threads share the GUI thread's interpreter
lock).

The helper's answers reach the GUI thread through one long-lived relay object, and are dropped
there when the feed was deleted meanwhile or has started another model's job since.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal

from inspector_app.ui.background import run_in_background
from inspector_app.workflows.weight_stats_process import StatsJob, stats_service

THREAD_BATCH_BYTES = 64 * 1024 * 1024  # the fallback's batches


class _Relay(QObject):
    """Runs callables from the service's reader thread on the GUI thread (queued)."""

    call = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(lambda fn: fn())


_relay: _Relay | None = None


def _gui_relay() -> _Relay:
    global _relay
    if _relay is None:
        _relay = _Relay()  # made on the GUI thread by the first feed; lives as long as the app
    return _relay


class StatsFeed(QObject):
    """``start(generation, reader, model_dir, keys)``; then ``arrived(generation, stats)`` per
    batch (checkpoint key -> ``TensorStats``), and ``finished(generation)`` or
    ``failed(generation, one-line message)``. ``note`` says the helper failed and the thread pool
    took over (one line)."""

    arrived = Signal(int, object)
    finished = Signal(int)
    failed = Signal(int, str)
    note = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.relay = _gui_relay()
        self.generation = 0
        self.job: StatsJob | None = None
        self.source = ""  # "process" or "threads": where the current model's statistics come from
        self.served_by: set[int] = set()  # the process ids that answered (tests)
        self.answered = 0  # keys of the current job answered (unreadable ones included)
        self._reader: Any = None
        self._keys: list[str] = []
        self._sizes: dict[str, int] = {}
        self._batches: list[list[str]] = []
        box = self._box = [None]  # the job to cancel when this object is deleted
        self.destroyed.connect(lambda *_: box[0] is not None and box[0].cancel())

    def start(self, generation: int, reader: Any, model_dir: str, keys: Sequence[str]) -> None:
        self.stop()
        self.generation, self._reader, self._keys = generation, reader, list(keys)
        self._sizes = {k: reader.entries[k].size_bytes for k in keys if k in reader.entries}
        self.served_by = set()
        self.answered = 0
        self.source = "process"
        self.job = self._box[0] = stats_service().submit(
            model_dir,
            self._keys,
            on_stats=lambda stats: self._post(generation, self._on_stats, stats),
            on_done=lambda: self._post(generation, self._on_done),
            on_error=lambda message, lost: self._post(generation, self._on_error, message, lost),
        )

    def stop(self) -> None:
        """No more answers for the current job (a newer model, a closed panel)."""
        self.generation += 1
        if self.job is not None:
            self.job.cancel()
        self.job = self._box[0] = None

    def _post(self, generation: int, fn: Callable[..., None], *args: Any) -> None:
        """From the reader thread: ``fn(*args)`` on the GUI thread, if still wanted then."""

        def call() -> None:
            if shiboken6.isValid(self) and generation == self.generation:
                fn(*args)

        self.relay.call.emit(call)

    def _on_stats(self, batch: dict[str, Any]) -> None:
        if self.job is not None:
            self.served_by |= self.job.pids
        self.answered += len(batch)
        self.arrived.emit(self.generation, {k: s for k, s in batch.items() if s is not None})

    def _on_done(self) -> None:
        self.job = None
        self.finished.emit(self.generation)

    def _on_error(self, message: str, lost: bool) -> None:
        job, self.job = self.job, None
        if not lost:
            self.failed.emit(self.generation, message)
            return
        # The helper could not run: the rest here, in the thread pool.
        done = job.received if job is not None else set()
        left = [k for k in self._keys if k not in done]
        self.source = "threads"
        self.note.emit(f"{message}; computing them here instead")
        self._batches = _batches(left, self._sizes)
        self._next_batch(self.generation)

    def _next_batch(self, generation: int) -> None:
        if generation != self.generation:
            return
        if not self._batches:
            self.finished.emit(generation)
            return
        keys, reader = self._batches.pop(0), self._reader

        def compute() -> dict[str, Any]:
            from inspector_app.savedmodel.checkpoint import all_stats

            return all_stats(
                reader, keys, cancelled=lambda: generation != self.generation, background=True
            )

        def done(stats: dict[str, Any]) -> None:
            if generation == self.generation:
                self.answered += len(keys)
                self.arrived.emit(generation, stats)
                self._next_batch(generation)

        def failed(err: BaseException) -> None:
            if generation == self.generation:
                self.failed.emit(generation, f"statistics failed ({type(err).__name__}: {err})")

        run_in_background(compute, done, failed, receiver=self)


def _batches(keys: list[str], sizes: dict[str, int]) -> list[list[str]]:
    """``keys``, smallest first, in batches of about ``THREAD_BATCH_BYTES``."""
    out: list[list[str]] = []
    batch: list[str] = []
    size = 0
    for key in sorted(keys, key=lambda k: sizes.get(k, 0)):
        batch.append(key)
        size += sizes.get(key, 0)
        if size >= THREAD_BATCH_BYTES:
            out.append(batch)
            batch, size = [], 0
    if batch:
        out.append(batch)
    return out
