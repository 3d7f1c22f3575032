"""A batch job in a process of its own, for the window. Qt-free.

A job keeps a few threads busy with Python (decoding glue, summaries, the CSV): in the window's
process they would take the interpreter lock from the GUI thread, whose every table cell drawn
is a call into Python, and the event loop would stall for hundreds of milliseconds. Here the
job (and its engine worker, a child of the job process) runs apart; the window's process only
reads small messages on one thread: rows, progress, a snapshot of the metrics, the report.

    job = BatchProcess(spec, on_rows=..., on_progress=..., csv_path=...)
    job.start().add_done_callback(...)     # the BatchReport; job.cancel() keeps the rows so far
    job.run_item(row)                      # Future of (feeds, outputs) of one row, run again
    job.close()                            # ends the process and its worker
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future
from typing import Any

from inspector_app.engine import Cancelled, EngineOptions
from inspector_app.errors import UserError
from inspector_app.workflows.batch_csv import check_csv_target
from inspector_app.workflows.batch_job import BatchJob
from inspector_app.workflows.batch_report import (
    BatchReport,
    Progress,
    ProgressCallback,
    RowsCallback,
)
from inspector_app.workflows.batch_rows import ItemRow, table_cells
from inspector_app.workflows.batch_spec import BatchSpec

SNAPSHOT_S = 0.25  # the metrics travel with a progress message at most this often
JOB_NICE = 5  # as the window's engine worker: the window wins when both want the CPU


def _child_main(conn: Any, spec: BatchSpec, csv_path: str | None, overwrite: bool,
                options: EngineOptions) -> None:  # fmt: skip
    """The job process: run the job, then answer single-item runs until told to close (or
    until the window's end of the pipe closes)."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(JOB_NICE)
    from inspector_app.engine import Engine

    lock = threading.Lock()

    def send(message: tuple) -> None:
        with lock, contextlib.suppress(OSError, ValueError):
            conn.send(message)

    engine = Engine(options)
    last = [0.0]
    job: BatchJob | None = None

    def progress(p: Progress) -> None:
        now = time.monotonic()
        snapshot = None
        if job is not None and (now - last[0] >= SNAPSHOT_S or p.done == p.total):
            last[0] = now
            r = job.report
            snapshot = (r.metrics, dict(r.class_names), job.truth.how)
        send(("progress", p, snapshot))

    def rows_out(rows: list[ItemRow]) -> None:
        for row in rows:  # the table's texts are made here, off the window's GUI thread
            row.cells = table_cells(row)
        send(("rows", rows))

    try:
        job = BatchJob(spec, engine, on_rows=rows_out,
                       on_progress=progress, csv_path=csv_path, overwrite=overwrite)  # fmt: skip
        job.start().add_done_callback(lambda f: send(("done", _outcome(f))))
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):  # the window is gone
                job.cancel()
                break
            if message[0] == "cancel":
                job.cancel()
            elif message[0] == "item":
                _, number, row = message

                def item_done(f: Future, n: int = number) -> None:
                    send(("item", n, _outcome(f)))

                job.run_item(row).add_done_callback(item_done)
            elif message[0] == "close":
                break
    except UserError as err:
        send(("done", ("error", "UserError", str(err))))
    finally:
        engine.close(graceful=False)


def _outcome(fut: Future) -> tuple:
    err = fut.exception()
    if err is None:
        return ("ok", fut.result())
    return ("error", type(err).__name__, str(err))


def _raise(outcome: tuple) -> Any:
    if outcome[0] == "ok":
        return outcome[1]
    _, kind, message = outcome
    raise (Cancelled if kind == "Cancelled" else UserError)(message)


class BatchProcess:
    """The same job as ``BatchJob`` (``start``, ``cancel``, ``run_item``, ``report``), run in
    a child process. Callbacks run on this object's reader thread."""

    def __init__(
        self,
        spec: BatchSpec,
        *,
        on_rows: RowsCallback | None = None,
        on_progress: ProgressCallback | None = None,
        csv_path: str | os.PathLike | None = None,
        overwrite: bool = False,
        engine_options: EngineOptions | None = None,
    ) -> None:
        self.spec = spec
        self.on_rows = on_rows
        self.on_progress = on_progress
        self.csv_path = str(csv_path) if csv_path else None
        if self.csv_path is not None:  # said at once, not from the other process
            from pathlib import Path

            check_csv_target(Path(self.csv_path), spec.model_dir, overwrite)
        self.overwrite = overwrite
        self.engine_options = engine_options or EngineOptions(nice=JOB_NICE)
        self.future: Future[BatchReport] = Future()
        self.report = BatchReport(spec.source.count, batch_size=spec.batch_size)
        self.truth_how = ""
        self._items: dict[int, Future] = {}
        self._numbers = itertools.count(1)
        self._send_lock = threading.Lock()
        self._conn: Any = None
        self.process: Any = None

    @property
    def running(self) -> bool:
        return self.process is not None and not self.future.done()

    def start(self) -> Future[BatchReport]:
        if self.process is None:
            ctx = multiprocessing.get_context("spawn")
            parent, child = ctx.Pipe()
            self.process = ctx.Process(
                target=_child_main,
                args=(child, self.spec, self.csv_path, self.overwrite, self.engine_options),
                name="inspector-batch",
            )
            self.process.start()
            # Not a daemon (a daemon may not start the engine's worker): ended at exit here,
            # before multiprocessing would wait for it (atexit runs the later hooks first).
            atexit.register(self._end_at_exit)
            child.close()
            self._conn = parent
            threading.Thread(target=self._read, name="batch-reader", daemon=True).start()
        return self.future

    def _send(self, message: tuple) -> bool:
        if self._conn is None:
            return False
        try:
            with self._send_lock:
                self._conn.send(message)
            return True
        except (OSError, ValueError):
            return False

    def cancel(self) -> None:
        """Stop the job at once (its worker is stopped); the rows so far stay."""
        if self.running:
            self._send(("cancel",))

    def run_item(self, row: Any) -> Future:
        """(feeds, outputs) of one row's item, run again in the job's worker."""
        fut: Future = Future()
        number = next(self._numbers)
        self._items[number] = fut
        if not self._send(("item", number, row)):
            self._items.pop(number, None)
            fut.set_exception(UserError("the batch job's process has ended; start it again"))
        return fut

    def _end_at_exit(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join(1.0)

    def close(self) -> None:
        """End the process and its worker (waits up to about two seconds)."""
        if self.process is None:
            return
        self._send(("close",))
        self.process.join(2.0)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(1.0)
        with contextlib.suppress(OSError):
            self._conn.close()
        atexit.unregister(self._end_at_exit)

    def _read(self) -> None:
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError, TypeError, ValueError):  # closed under the reader too
                break
            kind = message[0]
            try:
                if kind == "rows":
                    if self.on_rows is not None:
                        self.on_rows(message[1])
                elif kind == "progress":
                    _, progress, snapshot = message
                    self.report.done = progress.done
                    if snapshot is not None:
                        self.report.metrics, self.report.class_names, self.truth_how = snapshot
                    if self.on_progress is not None:
                        self.on_progress(progress)
                elif kind == "item":
                    fut = self._items.pop(message[1], None)
                    if fut is not None:
                        _settle(fut, message[2])
                elif kind == "done":
                    outcome = message[1]
                    if outcome[0] == "ok":
                        self.report = outcome[1]
                        self.truth_how = self.report.truth_how
                    _settle(self.future, outcome)
            except Exception:  # noqa: BLE001, S110 - a callback's bug must not stop the reader
                pass
        if not self.future.done():
            self.future.set_exception(UserError("the batch job's process ended unexpectedly"))
        for fut in self._items.values():
            if not fut.done():
                fut.set_exception(UserError("the batch job's process has ended"))


def _settle(fut: Future, outcome: tuple) -> None:
    if fut.done():
        return
    try:
        fut.set_result(_raise(outcome))
    except Exception as exc:  # noqa: BLE001 - handed to the future's owner
        fut.set_exception(exc)
