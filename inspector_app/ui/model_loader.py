"""Reads models off the GUI thread: a ``QRunnable`` in the global pool, the answer back by signal.

Reading a saved_model.pb takes tens of milliseconds, a folder with thousands of files longer;
either way the event loop keeps running. The worker builds the tree too (plain Python nodes),
so the GUI thread only inserts finished nodes.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

if TYPE_CHECKING:  # the savedmodel package loads after the window is on screen
    from inspector_app.savedmodel.tree import TreeNode


@dataclass
class LoadResult:
    """A model read from disk and the tree that shows it."""

    request_id: int
    path: str
    version: int | None
    info: Any  # savedmodel.SavedModelInfo
    tree: TreeNode
    elapsed_ms: float


LoadFn = Callable[[str, "int | None"], "tuple[Any, TreeNode]"]


def default_load(path: str, version: int | None) -> tuple[Any, TreeNode]:
    """Read with ``savedmodel.load_model`` and build the tree with ``build_tree``."""
    # Imported here: the window must be on screen before the protobuf modules load.
    from inspector_app.savedmodel import load_model
    from inspector_app.savedmodel.tree_builder import build_tree

    info = load_model(path, version=version)
    return info, build_tree(info)


def one_line(err: BaseException) -> str:
    """A single line for the status bar: the UserError text, or the exception's type and text."""
    from inspector_app.errors import UserError

    text = str(err) if isinstance(err, UserError) else f"{type(err).__name__}: {err}"
    text = " ".join(text.split())
    return text or type(err).__name__


def prewarm_imports() -> None:
    """Import the reading and checking code and TensorFlow's message modules ahead of the
    first drop."""
    from google.protobuf import descriptor_pb2, json_format  # noqa: F401 - the first read's

    from inspector_app.savedmodel import checks, protos, tree_builder  # noqa: F401

    protos.saved_model_pb2()


class _Prewarm(QRunnable):
    def __init__(self) -> None:
        super().__init__()
        self.done = threading.Event()

    def run(self) -> None:
        with contextlib.suppress(Exception):  # the first real load reports any problem
            prewarm_imports()
        self.done.set()


class _Signals(QObject):
    done = Signal(object)  # LoadResult
    failed = Signal(int, str, str)  # request id, path, one-line message


class _LoadTask(QRunnable):
    def __init__(self, request_id: int, path: str, version: int | None, load: LoadFn) -> None:
        super().__init__()
        self.request_id, self.path, self.version, self.load = request_id, path, version, load
        self.signals = _Signals()

    def run(self) -> None:
        start = time.perf_counter()
        try:
            info, tree = self.load(self.path, self.version)
        except BaseException as err:  # noqa: BLE001 - any failure becomes one line in the window
            self.signals.failed.emit(self.request_id, self.path, one_line(err))
            return
        ms = (time.perf_counter() - start) * 1000.0
        result = LoadResult(self.request_id, self.path, self.version, info, tree, ms)
        self.signals.done.emit(result)


class ModelLoader(QObject):
    """Starts background loads; ``loaded(LoadResult)`` or ``failed(id, path, message)`` follows."""

    loaded = Signal(object)
    failed = Signal(int, str, str)

    def __init__(self, parent: QObject | None = None, load: LoadFn | None = None) -> None:
        super().__init__(parent)
        self._load = load or default_load
        self._ids = itertools.count(1)
        self._running: dict[int, _LoadTask] = {}  # keeps each task's signal object alive
        self._prewarm_task: _Prewarm | None = None

    def load(self, path: str, version: int | None = None) -> int:
        """Start reading ``path`` in the thread pool and return the request id at once."""
        request_id = next(self._ids)
        task = _LoadTask(request_id, path, version, self._load)
        task.setAutoDelete(False)
        task.signals.done.connect(self._on_done)
        task.signals.failed.connect(self._on_failed)
        self._running[request_id] = task
        QThreadPool.globalInstance().start(task)
        return request_id

    def prewarm(self) -> None:
        """Start importing the reading code in the pool (call once the window is on screen)."""
        self._prewarm_task = _Prewarm()
        self._prewarm_task.setAutoDelete(False)
        QThreadPool.globalInstance().start(self._prewarm_task)

    @property
    def prewarmed(self) -> bool:
        """The prewarm imports have finished (False before ``prewarm`` is called)."""
        return self._prewarm_task is not None and self._prewarm_task.done.is_set()

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def _on_done(self, result: LoadResult) -> None:
        self._running.pop(result.request_id, None)
        self.loaded.emit(result)

    def _on_failed(self, request_id: int, path: str, message: str) -> None:
        self._running.pop(request_id, None)
        self.failed.emit(request_id, path, message)
