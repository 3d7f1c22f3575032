"""The engine as a QObject: its futures and events re-emitted as Qt signals on the GUI thread.

The engine resolves futures on its reader thread; emitting a signal from there is safe, and Qt
queues the call to the slots, which run on the thread that owns the receiver (the GUI thread).
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from inspector_app.engine import (
    Cancelled,
    DeviceInfo,
    Engine,
    EngineError,
    EngineOptions,
    ModelInfo,
    RunResult,
)

WARMUP_ENV = "INSPECTOR_NO_WARMUP"  # "1": start the worker on first use, not with the window
WORKER_NICE = 5  # the window's worker yields the CPU to the window when both want it


def window_engine() -> Engine:
    """The engine the window uses: its worker a little nicer than the GUI process."""
    return Engine(EngineOptions(nice=WORKER_NICE))


def warm_up_default() -> bool:
    return os.environ.get(WARMUP_ENV, "") not in ("1", "true", "yes")


class EngineBridge(QObject):
    """Owns one :class:`Engine`; one model loaded at a time, keyed by (folder, tags)."""

    devices_ready = Signal(list)  # list[DeviceInfo]
    load_started = Signal(str)  # folder
    loaded = Signal(object)  # ModelInfo
    load_failed = Signal(object)  # EngineError
    run_done = Signal(object)  # RunResult
    run_failed = Signal(object)  # EngineError (Cancelled included)
    worker_died = Signal(str)  # one line
    ops_ready = Signal(object)  # frozenset[str]: the op names the worker's TensorFlow registers

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        warm_up: bool | None = None,
        factory: Callable[[], Engine] = window_engine,
    ) -> None:
        super().__init__(parent)
        self._factory = factory
        self._engine: Engine | None = None
        self._key: tuple[str, tuple[str, ...]] | None = None
        self.devices: list[DeviceInfo] = []
        self.registered_ops: frozenset[str] | None = None
        # modules and op libraries (.so) the worker loads before each model (Custom ops setting)
        self.load_ops: list[str] = []
        if warm_up_default() if warm_up is None else warm_up:
            self.engine  # noqa: B018 - starting the worker is the point

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = self._factory()
            self._engine.add_listener(self._on_event)
            self._engine.devices().add_done_callback(self._on_devices)
        return self._engine

    @property
    def started(self) -> bool:
        return self._engine is not None

    @property
    def loaded_key(self) -> tuple[str, tuple[str, ...]] | None:
        return self._key

    def _on_devices(self, fut: Future) -> None:
        if fut.exception() is None:
            self.devices = list(fut.result())
            self.devices_ready.emit(self.devices)

    def _on_event(self, event: str, value: Any) -> None:
        if event == "worker_died":
            self._key = None
            self.worker_died.emit(str(value))
        elif event == "restarted":
            self.engine.devices().add_done_callback(self._on_devices)
        elif event == "registered_ops":
            self.registered_ops = frozenset(value)
            self.ops_ready.emit(self.registered_ops)

    def needs_load(self, folder: str | Path, tags: list[str] | None) -> bool:
        return self._key != (_resolved(str(folder)), tuple(tags or ()))

    def load(self, folder: str | Path, tags: list[str] | None) -> Future[ModelInfo]:
        """Load ``folder`` with ``tags`` in a fresh worker (progress via signals)."""
        key = (_resolved(str(folder)), tuple(tags or ()))
        self._key = key
        self.load_started.emit(key[0])
        if self.load_ops:
            fut = self.engine.load(key[0], list(tags) if tags else None, load_ops=self.load_ops)
        else:
            fut = self.engine.load(key[0], list(tags) if tags else None)

        def done(f: Future) -> None:
            if f.cancelled():
                return
            err = f.exception()
            if err is None:
                self.loaded.emit(f.result())
            else:
                if self._key == key:
                    self._key = None
                if not isinstance(err, Cancelled):
                    self.load_failed.emit(_as_engine_error(err))

        fut.add_done_callback(done)
        return fut

    def run(
        self,
        folder: str | Path,
        tags: list[str] | None,
        signature: str,
        feeds: Mapping[str, Any],
        *,
        device: str | None = None,
        repeat: int = 1,
    ) -> Future[RunResult]:
        """Run ``signature``, loading the model first when another one (or none) is loaded."""
        if self.needs_load(folder, tags):
            self.load(folder, tags)
        fut = self.engine.run(signature, feeds, device=device, repeat=repeat)

        def done(f: Future) -> None:
            err = f.exception()
            if err is None:
                self.run_done.emit(f.result())
            else:
                self.run_failed.emit(_as_engine_error(err))

        fut.add_done_callback(done)
        return fut

    def set_load_ops(self, items: list[str]) -> None:
        """Modules / op libraries to load before each model; a loaded model loads again."""
        items = [i.strip() for i in items if i.strip()]
        if items != self.load_ops:
            self.load_ops = items
            self.unload()

    def cancel(self) -> None:
        """Kill the worker (whatever it is doing) and load the model again in a fresh one."""
        if self._engine is not None:
            self._engine.cancel(reload=self._key is not None)

    def unload(self) -> None:
        """Give the model's memory back (the worker is replaced)."""
        if self._engine is not None and self._key is not None:
            self._key = None
            self._engine.unload()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None
            self._key = None


@functools.lru_cache(maxsize=64)
def _resolved(folder: str) -> str:
    """The absolute folder without links (asked on every run: remembered, not resolved again)."""
    return str(Path(folder).resolve())


def _as_engine_error(err: BaseException) -> EngineError:
    if isinstance(err, EngineError):
        return err
    return EngineError(f"{type(err).__name__}: {err}")
