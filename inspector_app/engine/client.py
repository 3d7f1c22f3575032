"""The worker client: one worker process, its pipe, and the futures waiting on its replies.

Nothing here blocks for long: requests go to a writer thread, replies come back on a reader
thread that resolves the futures (so ``add_done_callback`` callbacks run on that thread). The
``Engine`` (``engine.engine``) drives one ``WorkerClient`` at a time and replaces it for each model.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import queue
import signal
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

import numpy as np

from inspector_app.engine.options import EngineOptions
from inspector_app.engine.protocol import (
    Cancelled,
    DeviceInfo,
    EngineError,
    KeptFeed,
    Reply,
    Request,
    SpareBuffers,
    WorkerDied,
    recv_message,
    send_message,
)
from inspector_app.engine.worker import OPS_REPLY_ID, WorkerOptions, worker_main

_ids = itertools.count(1)

SOCKET_BUFFER_BYTES = 4 * 2**20
DIRECT_BYTES = 64 * 2**10  # a run request with less input than this may skip the writer thread
SPARE_REFILL_DELAY_S = 0.03  # after a reply with large arrays, its receive buffers are remade


def _widen(*conns: Any) -> None:
    """Larger socket buffers: a megabyte tensor then crosses in a few writes, not dozens of
    64 KB hand-overs between the two processes (the kernel caps the size; errors are ignored)."""
    for conn in conns:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sock = socket.socket(fileno=os.dup(conn.fileno()))
            with sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SOCKET_BUFFER_BYTES)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SOCKET_BUFFER_BYTES)


class WorkerClient:
    """One worker process, its pipe, and the futures waiting on it."""

    def __init__(self, options: EngineOptions, log_path: str | None, on_gone: Callable) -> None:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        _widen(parent, child)
        wopts = WorkerOptions(options.logical_cpus, options.memory_growth, log_path, options.nice)
        self.process = ctx.Process(
            target=worker_main, args=(child, wopts), daemon=True, name="inspector-engine"
        )
        try:
            self.process.start()
        except OSError as err:  # the Python to start cannot be run: say so at once
            raise EngineError(
                f"cannot start the model worker ({err.strerror or err}: {err.filename or ''}); "
                "check that this Python can be run and reinstall if needed"
            ) from None
        child.close()  # so that the reader sees EOF when the worker dies
        self.conn = parent
        self.options = options
        self.ready: Future[list[DeviceInfo]] = Future()
        self.ops: Future[frozenset[str]] = Future()  # registered op names, sent after ready
        self.pending: dict[int, tuple[Future, Callable[[Any], Any]]] = {}
        self.lock = threading.Lock()
        self.stopping = False
        self.has_model = False  # a load was sent: the next load needs a fresh worker
        self._on_gone = on_gone
        self._outbox: queue.SimpleQueue = queue.SimpleQueue()
        self._send_lock = threading.Lock()  # one message at a time on the pipe
        self._refill_wanted = threading.Event()
        self._gone = False  # the pipe closed: the reader has ended
        self.spares = SpareBuffers()  # the reader's: replies land in memory made ready before
        # (signature, input) -> (read-only array, id of the request that carried it) for the
        # inputs of the last run that answered: the worker still holds them, so a run on the
        # same arrays sends a KeptFeed instead of the bytes again.
        self.kept: dict[tuple[str, str], tuple[Any, int]] = {}
        threading.Thread(target=self._write, name="engine-writer", daemon=True).start()
        threading.Thread(target=self._read, name="engine-reader", daemon=True).start()
        threading.Thread(target=self._refill, name="engine-spares", daemon=True).start()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def submit(self, op: str, args: dict, transform: Callable[[Any], Any] = lambda v: v) -> Future:
        request = Request(next(_ids), op, args)
        fut: Future = Future()
        with self.lock:
            if not self._register(request, fut, transform):
                return fut
        self._outbox.put(request)
        return fut

    def submit_run(self, args: dict, transform: Callable[[Any], Any]) -> Future:
        """Submit a run. Inputs the worker holds from the last run that answered (the same
        read-only array objects) travel as ``KeptFeed`` markers; a small request to an idle
        worker is written from this thread (it cannot block then: all earlier ones were read),
        which saves waking the writer thread, a fraction of a millisecond per run."""
        request = Request(next(_ids), "run", args)
        signature, feeds = args["signature"], args["feeds"]
        carried: dict[tuple[str, str], tuple[Any, int]] = {}
        fut: Future = Future()

        def done(value: Any) -> Any:
            self._keep(signature, carried)
            return transform(value)

        with self.lock:
            idle = not self.pending  # with another run in flight the worker's copy may change
            for name, value in list(feeds.items()):
                if not (isinstance(value, np.ndarray) and not value.flags.writeable):
                    continue
                kept = self.kept.get((signature, name)) if idle else None
                if kept is not None and kept[0] is value:
                    feeds[name] = KeptFeed(kept[1])
                    carried[(signature, name)] = kept
                else:
                    carried[(signature, name)] = (value, request.id)
            if not self._register(request, fut, done):
                return fut

        def forget(f: Future) -> None:  # a failed run may have left the worker other arrays
            if f.exception() is not None:
                self._keep(signature, {})

        fut.add_done_callback(forget)
        small = sum(v.nbytes for v in feeds.values() if isinstance(v, np.ndarray)) < DIRECT_BYTES
        if idle and small and self._send_lock.acquire(blocking=False):
            try:
                send_message(self.conn, request)
            except (OSError, ValueError):
                pass  # the reader reports the dead worker
            finally:
                self._send_lock.release()
        else:
            self._outbox.put(request)
        return fut

    def _register(self, request: Request, fut: Future, transform: Callable[[Any], Any]) -> bool:
        """Make ``fut`` wait for the reply to ``request`` (call with ``self.lock`` held)."""
        if self.stopping:
            fut.set_exception(Cancelled("the worker was stopped"))
            return False
        if self._gone:  # the reader has ended: nobody would ever answer this request
            how = exit_text(self.process.exitcode)
            started = self.ready.done() and self.ready.exception() is None
            fut.set_exception(
                WorkerDied(f"the model worker ended ({how}); reload the model")
                if started
                else WorkerDied(
                    f"the model worker could not start ({how}); check that this Python can "
                    "run and import TensorFlow (--debug shows its output)"
                )
            )
            return False
        self.pending[request.id] = (fut, transform)
        return True

    def _keep(self, signature: str, carried: dict[tuple[str, str], tuple[Any, int]]) -> None:
        """What the worker now holds for ``signature`` (replaces what it held before)."""
        with self.lock:
            for key in [k for k in self.kept if k[0] == signature]:
                del self.kept[key]
            self.kept.update(carried)

    def _write(self) -> None:
        while True:
            request = self._outbox.get()
            if request is None:
                return
            try:
                with self._send_lock:
                    send_message(self.conn, request)
            except (OSError, ValueError):
                return  # the reader reports the dead worker

    def _read(self) -> None:
        while True:
            try:
                reply: Reply = recv_message(self.conn, self.spares.take)
            except (EOFError, OSError, ValueError):
                break
            if reply.id == OPS_REPLY_ID:  # the op names this worker's TensorFlow registers
                resolve(self.ops, frozenset(reply.value or ()))
                continue
            if reply.id == 0:
                if reply.error is None:
                    resolve(self.ready, reply.value)
                else:
                    reply_error = EngineError(f"the worker could not start: {reply.error[1]}")
                    fail(self.ready, reply_error)
                continue
            with self.lock:
                entry = self.pending.pop(reply.id, None)
            if entry is None:
                continue
            fut, transform = entry
            if reply.error is not None:
                try:
                    reply.raise_if_error()
                except EngineError as exc:
                    fail(fut, exc)
            else:
                try:
                    resolve(fut, transform(reply.value))
                except Exception as exc:  # noqa: BLE001 - a transform bug must not kill the reader
                    fail(fut, exc)
            if self.spares.message_done():
                self._refill_wanted.set()
        self._outbox.put(None)
        with self.lock:  # from now on a request is failed at once (see _register)
            self._gone = True
        if not self.stopping:
            try:
                self._on_gone(self)
            except Exception as exc:  # noqa: BLE001 - nothing may leave a future waiting
                self.fail_all(WorkerDied(f"the model worker ended ({exc})"))
        self._gone = True
        self._refill_wanted.set()  # ends the refill thread

    def _refill(self) -> None:
        while True:
            self._refill_wanted.wait()
            if self.stopping or self._gone:
                return
            # Not at once: the window is drawing the reply, and the worker's threads may spin.
            time.sleep(SPARE_REFILL_DELAY_S)
            self._refill_wanted.clear()
            self.spares.refill()

    def fail_all(self, exc: Exception) -> None:
        with self.lock:
            pending, self.pending = list(self.pending.values()), {}
        for fut, _ in pending:
            fail(fut, exc)
        fail(self.ready, exc)
        fail(self.ops, exc)

    def stop(self, graceful: bool) -> None:
        """Stop the process (blocks up to about a second; call from a helper thread)."""
        self.stopping = True
        if graceful and self.process.is_alive():
            self._outbox.put(Request(next(_ids), "exit", {}))
            self.process.join(1.0)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(self.options.kill_grace_s)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(2.0)
        self._outbox.put(None)
        self._refill_wanted.set()
        with contextlib.suppress(OSError):
            self.conn.close()


def resolve(fut: Future, value: Any) -> None:
    if not fut.done():
        with contextlib.suppress(Exception):  # cancelled by its owner meanwhile
            fut.set_result(value)


def fail(fut: Future, exc: BaseException) -> None:
    if not fut.done():
        with contextlib.suppress(Exception):
            fut.set_exception(exc)


def exit_text(code: int | None) -> str:
    if code is None:
        return "it stopped answering"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = " - out of memory?" if name == "SIGKILL" else ""
        return f"killed by {name}{hint}"
    return f"exit status {code}"


def failed(exc: Exception) -> Future:
    fut: Future = Future()
    fut.set_exception(exc)
    return fut


def process_rss(pid: int | None) -> int | None:
    """Resident set size of process ``pid`` in bytes, from /proc (Linux)."""
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None
