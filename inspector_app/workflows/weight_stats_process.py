"""Weight statistics in a child process, for the window. Qt-free.

The statistics of a checkpoint are long numpy calls with Python between them: on threads of the
window's process they hold the interpreter lock that its GUI thread needs, and the event loop
stalls for a tenth of a second at a time. One helper process (spawn, no TensorFlow, started
once and kept) computes them instead and sends back small answers: a ``TensorStats`` (numbers
and 64 histogram counts) per variable, a batch at a time, so that rows fill in as they come.

    service = stats_service()          # the shared helper; prewarm() starts it ahead of need
    job = service.submit(model_dir, keys, on_stats=..., on_done=..., on_error=...)
    job.cancel()                       # a newer model, a closed panel: no more answers

Callbacks run on the service's reader thread. ``on_error(message, lost)``: ``lost`` is True when
the helper process could not start or ended (the caller may compute here instead), False for a
checkpoint that cannot be read. The helper ends with the window's process: it reads its pipe on
a thread of its own and exits when the pipe closes, whichever way the window ended.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

BATCH_BYTES = 64 * 1024 * 1024  # an answer at least every this many bytes of tensors
FLUSH_S = 0.2  # or this often, whichever comes first (each answer repaints the table)
CHILD_NICE = 10  # the window wins a busy CPU
StatsCallback = Callable[[dict[str, Any]], None]


# -- the child ----------------------------------------------------------------------------
def _child_main(conn: Any) -> None:
    """The helper process: jobs from the pipe, one at a time; answers in batches."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(CHILD_NICE)
    jobs: queue.Queue = queue.Queue()
    cancelled: set[int] = set()
    lock = threading.Lock()

    def send(message: tuple) -> None:
        with lock:
            try:
                conn.send(message)
            except (OSError, ValueError):  # the window is gone
                os._exit(0)

    def listen() -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):  # the window's process ended: so does this one
                os._exit(0)
            if message[0] == "cancel":
                cancelled.add(message[1])
            elif message[0] == "stats":
                jobs.put(message[1:])

    threading.Thread(target=listen, name="stats-listen", daemon=True).start()
    # The first model's job then finds numpy and the reader imported.
    from inspector_app.savedmodel.checkpoint import CheckpointReader  # noqa: F401

    send(("ready", 0))
    while True:
        job_id, model_dir, keys = jobs.get()
        if job_id in cancelled:
            continue

        def stopped(j: int = job_id) -> bool:
            return j in cancelled

        try:
            _compute(job_id, model_dir, keys, send, stopped)
        except Exception as exc:  # noqa: BLE001 - one line for the window, never a traceback
            send(("error", job_id, f"statistics failed ({type(exc).__name__}: {exc})"))


def _compute(
    job_id: int,
    model_dir: str,
    keys: Sequence[str],
    send: Callable[[tuple], None],
    cancelled: Callable[[], bool],
) -> None:
    from inspector_app.errors import UserError
    from inspector_app.savedmodel.bundle import BundleError
    from inspector_app.savedmodel.checkpoint import CheckpointError, CheckpointReader, iter_stats

    try:
        reader = CheckpointReader.for_model(model_dir)
    except (CheckpointError, BundleError, UserError, OSError) as err:
        send(("error", job_id, f"cannot read the checkpoint: {err}"))
        return

    batch: dict[str, Any] = {}
    batch_bytes, last = 0, time.monotonic()
    # Smallest first: most rows fill in at once; the big tensors follow.
    with contextlib.closing(
        iter_stats(reader, keys, largest_first=False, cancelled=cancelled)
    ) as answers:
        for key, stats in answers:
            if cancelled():
                return
            batch[key] = stats  # None: not readable; the window stops waiting for it all the same
            entry = reader.entries.get(key)
            batch_bytes += entry.size_bytes if entry is not None else 0
            now = time.monotonic()
            if batch_bytes >= BATCH_BYTES or now - last >= FLUSH_S:
                send(("stats", job_id, batch, os.getpid()))
                batch, batch_bytes, last = {}, 0, now
    if batch:
        send(("stats", job_id, batch, os.getpid()))
    send(("done", job_id))


# -- the window's side --------------------------------------------------------------------
@dataclass
class StatsJob:
    """One model's statistics asked of the helper; ``cancel()`` drops the rest of its answers."""

    id: int
    service: StatsService
    on_stats: StatsCallback
    on_done: Callable[[], None]
    on_error: Callable[[str, bool], None]
    received: set[str] = field(default_factory=set)  # keys answered so far
    pids: set[int] = field(default_factory=set)  # the process that answered (tests)

    def cancel(self) -> None:
        self.service.cancel(self.id)


class StatsService:
    """The helper process and the jobs it has in hand. ``target`` is the child's function (a
    test may give one that fails)."""

    def __init__(self, target: Callable[[Any], None] = _child_main) -> None:
        self.target = target
        self.process: Any = None
        self.ready = threading.Event()  # the helper has imported numpy and the reader
        self.jobs: dict[int, StatsJob] = {}
        self._conn: Any = None
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.is_alive()

    def start(self) -> None:
        """Start the helper unless it runs (OSError when it cannot be started)."""
        with self._lock:
            if self.alive:
                return
            lost, self.jobs = list(self.jobs.values()), {}  # of a helper that has ended
            self._end()
            self._spawn()
        for job in lost:
            with contextlib.suppress(Exception):
                job.on_error("the statistics process ended unexpectedly", True)

    def _spawn(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        process = ctx.Process(
            target=self.target, args=(child,), daemon=True, name="inspector-weight-stats"
        )
        process.start()
        child.close()  # so that the reader sees EOF when the helper ends
        self.process, self._conn = process, parent
        self.ready.clear()
        threading.Thread(
            target=self._read, args=(parent,), name="stats-reader", daemon=True
        ).start()

    def submit(
        self,
        model_dir: str | os.PathLike,
        keys: Sequence[str],
        *,
        on_stats: StatsCallback,
        on_done: Callable[[], None],
        on_error: Callable[[str, bool], None],
    ) -> StatsJob:
        """Ask for the statistics of ``keys`` (checkpoint keys of the model in ``model_dir``)."""
        job = StatsJob(next(self._ids), self, on_stats, on_done, on_error)
        try:
            self.start()
            with self._lock:
                self.jobs[job.id] = job
                self._conn.send(("stats", job.id, str(model_dir), list(keys)))
        except (OSError, ValueError, RuntimeError) as err:
            self.jobs.pop(job.id, None)
            on_error(" ".join(f"the statistics process could not start ({err})".split()), True)
        return job

    def cancel(self, job_id: int) -> None:
        with self._lock:
            if self.jobs.pop(job_id, None) is not None and self._conn is not None:
                with contextlib.suppress(OSError, ValueError):
                    self._conn.send(("cancel", job_id))

    def _read(self, conn: Any) -> None:
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError, TypeError, ValueError):
                break
            kind, job_id = message[0], message[1]
            if kind == "ready":
                self.ready.set()
                continue
            with self._lock:
                job = self.jobs.get(job_id)
                if job is not None and kind in ("done", "error"):
                    del self.jobs[job_id]
            if job is None:  # cancelled meanwhile
                continue
            with contextlib.suppress(Exception):  # a callback's bug must not stop the reader
                if kind == "stats":
                    job.received.update(message[2])
                    job.pids.add(message[3])
                    job.on_stats(message[2])
                elif kind == "done":
                    job.on_done()
                elif kind == "error":
                    job.on_error(message[2], False)
        with self._lock:  # the helper ended: its jobs will not be answered
            if conn is not self._conn:
                return
            lost, self.jobs = list(self.jobs.values()), {}
            process = self.process
        code = None
        if process is not None:
            process.join(1.0)
            code = process.exitcode
        for job in lost:
            with contextlib.suppress(Exception):
                job.on_error(f"the statistics process ended unexpectedly (exit code {code})", True)

    def _end(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.close()
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join(1.0)
        self.process = self._conn = None

    def close(self) -> None:
        """End the helper now (its pending jobs are dropped without an answer)."""
        with self._lock:
            self.jobs = {}
            self._end()


_service: StatsService | None = None


def stats_service() -> StatsService:
    """The window's one helper (made, not started, on first use; ended at exit)."""
    global _service
    if _service is None:
        _service = StatsService()
        atexit.register(lambda: _service.close() if _service is not None else None)
    return _service


def prewarm() -> None:
    """Start the helper now (it imports numpy and the reader at once), so that the first model's
    statistics do not wait for it. Returns at once: the start (imports and pickling, about 20 ms
    the first time) runs on a thread of its own, where the interpreter lock changes hands every
    few milliseconds. A failure is left to the first job to report."""
    service = stats_service()
    if service.alive:
        return

    def start() -> None:
        with contextlib.suppress(Exception):
            service.start()

    threading.Thread(target=start, name="stats-prewarm", daemon=True).start()
