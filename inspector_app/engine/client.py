"""The engine client: drives one worker process, hands out ``concurrent.futures.Future`` objects.

Nothing here blocks for long: requests go to a writer thread, replies come back on a reader
thread that resolves the futures (so ``add_done_callback`` callbacks run on that thread), and a
worker being killed is waited for on a thread of its own.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import queue
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from inspector_app.engine.protocol import (
    Cancelled,
    DeviceInfo,
    EngineError,
    KeptFeed,
    ModelInfo,
    NoModel,
    Reply,
    Request,
    RunResult,
    SpareBuffers,
    WorkerDied,
    normalize_device,
    recv_message,
    send_message,
)
from inspector_app.engine.worker import OPS_REPLY_ID, WorkerOptions, worker_main
from inspector_app.errors import UserError

LOGICAL_CPUS_ENV = "INSPECTOR_LOGICAL_CPUS"
_ids = itertools.count(1)


def _env_logical_cpus() -> int:
    try:
        return int(os.environ.get(LOGICAL_CPUS_ENV, "0") or 0)
    except ValueError:
        return 0


@dataclass(frozen=True)
class EngineOptions:
    """How the worker is set up. ``logical_cpus`` > 1 splits the CPU into that many logical
    devices (``CPU:0`` ... ``CPU:n-1``; default from the ``INSPECTOR_LOGICAL_CPUS`` variable)."""

    logical_cpus: int = field(default_factory=_env_logical_cpus)
    memory_growth: bool = True
    capture_stderr: bool = True  # worker stderr to a log file, whose tail explains a crash
    kill_grace_s: float = 0.3  # after terminate(), before kill()
    nice: int = 0  # the worker's niceness increment (the window sets one: it must stay responsive)


Listener = Callable[[str, Any], None]


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


class _Worker:
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
            how = _exit_text(self.process.exitcode)
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
                _resolve(self.ops, frozenset(reply.value or ()))
                continue
            if reply.id == 0:
                if reply.error is None:
                    _resolve(self.ready, reply.value)
                else:
                    reply_error = EngineError(f"the worker could not start: {reply.error[1]}")
                    _fail(self.ready, reply_error)
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
                    _fail(fut, exc)
            else:
                try:
                    _resolve(fut, transform(reply.value))
                except Exception as exc:  # noqa: BLE001 - a transform bug must not kill the reader
                    _fail(fut, exc)
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
            _fail(fut, exc)
        _fail(self.ready, exc)
        _fail(self.ops, exc)

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


def _resolve(fut: Future, value: Any) -> None:
    if not fut.done():
        with contextlib.suppress(Exception):  # cancelled by its owner meanwhile
            fut.set_result(value)


def _fail(fut: Future, exc: BaseException) -> None:
    if not fut.done():
        with contextlib.suppress(Exception):
            fut.set_exception(exc)


def _exit_text(code: int | None) -> str:
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


class Engine:
    """Loads and runs one model at a time in a worker process. Thread-safe; never blocks long.

    The worker starts (and imports TensorFlow) when the Engine is created. Every method that
    talks to the worker returns a ``concurrent.futures.Future``; its exception, if any, is an
    ``EngineError`` (``Cancelled``, ``WorkerDied``, ``DeviceError``, ``NoModel``), whose
    ``str()`` is one line for the user. ``add_listener(fn)`` gets ``fn(event, value)`` calls,
    from a background thread: ``"ready"`` (list[DeviceInfo]), ``"loaded"`` (ModelInfo),
    ``"worker_died"`` (WorkerDied), ``"restarted"`` (None).
    """

    def __init__(self, options: EngineOptions | None = None) -> None:
        self.options = options or EngineOptions()
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._log_path: str | None = None
        if self.options.capture_stderr:
            fd, self._log_path = tempfile.mkstemp(prefix="inspector-engine-", suffix=".log")
            os.close(fd)
        self._model: ModelInfo | None = None
        self._model_args: dict | None = None  # the last load's arguments (for reload)
        self._loading: Future | None = None
        self._lost: WorkerDied | None = None
        self._closed = False
        self._registered_ops: frozenset[str] | None = None
        self._worker = self._spawn()

    # ------------------------------------------------------------------ worker life

    def _spawn(self) -> _Worker:
        worker = _Worker(self.options, self._log_path, self._worker_gone)
        worker.ready.add_done_callback(
            lambda f: None if f.exception() else self._emit("ready", f.result())
        )
        worker.ops.add_done_callback(self._on_ops)
        return worker

    def _on_ops(self, fut: Future) -> None:
        if fut.exception() is not None or not fut.result():
            return
        self._registered_ops = fut.result()
        from inspector_app.savedmodel.checks_registry import store_registered_ops

        store_registered_ops(self._registered_ops)  # for later checks, the command line's too
        self._emit("registered_ops", self._registered_ops)

    def _replace_worker(self, exc: EngineError, graceful: bool = False) -> _Worker:
        """Start a fresh worker; the old one is failed with ``exc`` and stopped in the background."""
        with self._lock:
            old = self._worker
            old.stopping = True
            self._worker = self._spawn()
        old.fail_all(exc)
        threading.Thread(target=old.stop, args=(graceful,), daemon=True).start()
        self._emit("restarted", None)
        return self._worker

    def _worker_gone(self, worker: _Worker) -> None:
        worker.process.join(1.0)
        how = _exit_text(worker.process.exitcode)
        lost = self._model is not None or self._loading is not None
        what = "; reload the model" if lost else ""
        if not worker.ready.done():  # it never answered: it could not start at all
            err = WorkerDied(
                f"the model worker could not start ({how}); check that this Python "
                "can run and import TensorFlow (--debug shows its output)",
                details=self.log_tail(),
            )
        else:
            err = WorkerDied(f"the model worker died ({how}){what}", details=self.log_tail())
        worker.fail_all(err)
        with self._lock:
            if worker is not getattr(self, "_worker", None) or self._closed:
                return  # (no _worker yet: it died while the engine was being made)
            started = worker.ready.done() and worker.ready.exception() is None
            if lost:
                self._lost = err
            self._model = None
            self._loading = None
            if started:  # a worker that died warming up would die again: wait for a request
                self._worker = self._spawn()
        self._emit("worker_died", err)

    def _emit(self, event: str, value: Any) -> None:
        for fn in list(self._listeners):
            with contextlib.suppress(Exception):  # a listener's bug must not stop the engine
                fn(event, value)

    def _live_worker(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise EngineError("the engine is closed")
            worker = self._worker
            if worker.stopping or not worker.process.is_alive() and worker.ready.done():
                worker = self._worker = self._spawn()
            return worker

    # ------------------------------------------------------------------ public API

    def add_listener(self, fn: Listener) -> None:
        """Call ``fn(event, value)`` (on a background thread) on engine events."""
        self._listeners.append(fn)

    def devices(self) -> Future[list[DeviceInfo]]:
        """The devices of the (current) worker, once it has warmed up."""
        return self._live_worker().ready

    def registered_ops(self) -> Future[frozenset[str]]:
        """The op names the worker's TensorFlow registers, sent by the worker when it starts
        (the unknown-op check uses them; also written to the registry cache)."""
        return self._live_worker().ops

    def wait_ready(self, timeout: float | None = None) -> list[DeviceInfo]:
        """Block until the worker has imported TensorFlow; its devices."""
        return self.devices().result(timeout)

    @property
    def model(self) -> ModelInfo | None:
        """The loaded model, or None."""
        return self._model

    @property
    def worker_pid(self) -> int | None:
        return self._worker.pid

    def load(
        self,
        path: str | os.PathLike,
        tags: list[str] | None = None,
        device: str | None = None,
        load_ops: list[str] | None = None,
    ) -> Future[ModelInfo]:
        """Load the SavedModel in folder ``path`` (the one holding saved_model.pb) with ``tags``.

        A model already loaded is dropped first by starting a fresh worker, which gives its
        memory back and keeps models from sharing TensorFlow state. ``device`` matters for TF1
        exports only, whose variables stay where they were loaded (a run elsewhere reloads).
        ``load_ops``: Python modules to import and op libraries (``.so``) to load first, for
        custom ops; the installed package of a known custom op (tensorflow-text...) is
        imported without asking.
        """
        from inspector_app.savedmodel.integrity import preflight  # no TensorFlow

        damaged = preflight(Path(path))  # a pipe or a cut shard: say so instead of hanging
        if damaged is not None:
            return _failed(EngineError(damaged))
        args = {
            "path": _utf8_path(Path(path).resolve()),
            "tags": list(tags) if tags else None,
            "device": device,
        }
        if load_ops:
            args["load_ops"] = list(load_ops)
        with self._lock:
            worker = self._live_worker()
            if worker.has_model:
                worker = self._replace_worker(Cancelled("a new model is being loaded"))
            return self._send_load(worker, args)

    def _send_load(self, worker: _Worker, args: dict) -> Future[ModelInfo]:
        self._model = None
        self._lost = None
        self._model_args = args
        worker.has_model = True

        def loaded(info: ModelInfo) -> ModelInfo:
            with self._lock:
                if self._worker is worker:
                    self._model = info
                    self._loading = None
            self._emit("loaded", info)
            return info

        fut = worker.submit("load", args, loaded)
        self._loading = fut
        return fut

    def _model_args_ops(self) -> list[str] | None:
        return (self._model_args or {}).get("load_ops")

    def reload(self) -> Future[ModelInfo]:
        """Load the last model again in a fresh worker (after a crash, or to reset its state)."""
        if self._model_args is None:
            return _failed(NoModel("no model was loaded"))
        return self.load(**self._model_args)

    def run(
        self,
        signature: str,
        feeds: Mapping[str, Any] | None = None,
        *,
        device: str | None = None,
        repeat: int = 1,
    ) -> Future[RunResult]:
        """Run ``signature`` of the loaded (or loading) model ``repeat`` times on ``device``.

        ``feeds`` maps input names to arrays (or values numpy can make arrays of; strings and
        bytes for string inputs). ``device``: ``"cpu"``, ``"gpu:0"``, ``"CPU:1"``...; default
        GPU:0 when there is one, else CPU:0. The result holds the last run's outputs.
        """
        with self._lock:
            if self._lost is not None:
                return _failed(WorkerDied(str(self._lost), details=self._lost.details))
            if self._model is None and self._loading is None:
                return _failed(NoModel("no model is loaded; load one first"))
            worker = self._live_worker()
            model = self._model
            if model is not None and model.device_bound and worker.ready.done():
                try:
                    wanted = normalize_device(device, worker.ready.result())
                except EngineError as exc:
                    return _failed(exc)
                if wanted != model.device:  # a TF1 model: load it again on that device
                    self.load(model.path, model.tags, wanted, self._model_args_ops())
                    worker = self._worker
        sent = time.perf_counter()

        def done(result: RunResult) -> RunResult:
            result.timing["roundtrip_ms"] = (time.perf_counter() - sent) * 1000
            return result

        args: dict[str, Any] = {
            "signature": signature,
            "feeds": dict(feeds or {}),
            "device": device,
        }
        args["repeat"] = int(repeat)
        return worker.submit_run(args, done)

    def cancel(self, reload: bool = True) -> Future[ModelInfo] | None:
        """Stop whatever the worker is doing at once: its futures fail with ``Cancelled``.

        The worker is killed and a fresh one started; with ``reload`` the model loaded (or
        being loaded) is loaded again in it (the returned future), so runs can follow at once.
        """
        with self._lock:
            had_model = self._model is not None or self._loading is not None
            worker = self._replace_worker(Cancelled("cancelled; the worker was stopped"))
            self._model = None
            self._loading = None
            if reload and had_model and self._model_args is not None:
                return self._send_load(worker, self._model_args)
            return None

    def unload(self) -> None:
        """Drop the model; the worker is replaced by a fresh one, so all its memory goes back."""
        with self._lock:
            self._model = None
            self._loading = None
            self._lost = None
            self._model_args = None
            self._replace_worker(Cancelled("the model was unloaded"), graceful=False)

    def close(self, graceful: bool = True) -> None:
        """Stop the worker (blocks up to about a second; ``graceful=False`` kills it at once,
        skipping TensorFlow's teardown). The engine cannot be used after."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            worker = self._worker
        worker.fail_all(Cancelled("the engine was closed"))
        worker.stop(graceful=graceful)
        if self._log_path:
            with contextlib.suppress(OSError):
                os.unlink(self._log_path)

    def kill_worker(self) -> None:
        """Kill the worker the hard way (tests, and a stuck driver): reported like a crash."""
        pid = self._worker.pid
        if pid:
            os.kill(pid, signal.SIGKILL)

    def worker_rss(self) -> int | None:
        """The worker's resident memory in bytes (Linux; None elsewhere or when unknown)."""
        return process_rss(self._worker.pid)

    def log_tail(self, lines: int = 20) -> str:
        """The last lines the worker wrote on stderr (when captured)."""
        if not self._log_path:
            return ""
        try:
            with open(self._log_path, "rb") as f:
                f.seek(max(0, os.path.getsize(self._log_path) - 16384))
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_LINKS: list[str] = []


def _utf8_path(path: Path) -> str:
    """``path``, or where its name is not UTF-8 (TensorFlow cannot open such a path) a UTF-8
    symbolic link to it in a private temporary folder, removed when this process exits."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    import atexit
    import shutil

    folder = tempfile.mkdtemp(prefix="inspector-path-")
    if not _LINKS:

        def remove_links() -> None:
            for made in _LINKS:
                shutil.rmtree(made, ignore_errors=True)

        atexit.register(remove_links)
    _LINKS.append(folder)
    link = os.path.join(folder, "model")
    os.symlink(text, link)
    return link


def _failed(exc: Exception) -> Future:
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


def resolve_model_dir(path: str | os.PathLike, version: int | None = None) -> Path:
    """The folder to load: ``path`` itself, the folder of a saved_model.pb(txt) file, or for a
    TF Serving base folder its version ``version`` (default the highest). No TensorFlow."""
    p = Path(path)
    if p.is_file() and p.name in ("saved_model.pb", "saved_model.pbtxt"):
        return p.parent
    if not p.is_dir():
        raise UserError(f"{p}: no such model folder")
    if (p / "saved_model.pb").exists() or (p / "saved_model.pbtxt").exists():
        if version is not None:
            raise UserError(
                f"{p} is a single SavedModel, not a TF Serving base folder; drop --version"
            )
        return p
    versions = {int(c.name): c for c in p.iterdir() if c.name.isdigit() and c.is_dir()}
    if not versions:
        raise UserError(f"{p}: no saved_model.pb and no numbered version folders in it")
    if version is None:
        return versions[max(versions)]
    if version not in versions:
        have = ", ".join(str(v) for v in sorted(versions))
        raise UserError(f"{p} has no version {version}; versions: {have}")
    return versions[version]
