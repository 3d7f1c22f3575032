"""The Engine: loads and runs one model at a time in a worker process, hands out futures.

It keeps the model's state across worker lives: a fresh worker for each load, a crash reported
to listeners and the next run told to reload, a cancel that kills the worker and loads the model
again. Talking to one worker process is ``client.WorkerClient``'s job.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from inspector_app.engine.client import WorkerClient, exit_text, failed, process_rss
from inspector_app.engine.options import EngineOptions
from inspector_app.engine.paths import utf8_path
from inspector_app.engine.protocol import (
    Cancelled,
    DeviceInfo,
    EngineError,
    ModelInfo,
    NoModel,
    RunResult,
    WorkerDied,
    normalize_device,
)

Listener = Callable[[str, Any], None]


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

    def _spawn(self) -> WorkerClient:
        worker = WorkerClient(self.options, self._log_path, self._worker_gone)
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

    def _replace_worker(self, exc: EngineError, graceful: bool = False) -> WorkerClient:
        """Start a fresh worker; the old one is failed with ``exc`` and stopped in the background."""
        with self._lock:
            old = self._worker
            old.stopping = True
            self._worker = self._spawn()
        old.fail_all(exc)
        threading.Thread(target=old.stop, args=(graceful,), daemon=True).start()
        self._emit("restarted", None)
        return self._worker

    def _worker_gone(self, worker: WorkerClient) -> None:
        worker.process.join(1.0)
        how = exit_text(worker.process.exitcode)
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

    def _live_worker(self) -> WorkerClient:
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
            return failed(EngineError(damaged))
        args = {
            "path": utf8_path(Path(path).resolve()),
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

    def _send_load(self, worker: WorkerClient, args: dict) -> Future[ModelInfo]:
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
            return failed(NoModel("no model was loaded"))
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
                return failed(WorkerDied(str(self._lost), details=self._lost.details))
            if self._model is None and self._loading is None:
                return failed(NoModel("no model is loaded; load one first"))
            worker = self._live_worker()
            model = self._model
            if model is not None and model.device_bound and worker.ready.done():
                try:
                    wanted = normalize_device(device, worker.ready.result())
                except EngineError as exc:
                    return failed(exc)
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
