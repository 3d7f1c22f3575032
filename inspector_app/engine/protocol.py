"""What the engine client and its worker process say to each other, and how it travels.

Messages are small dataclasses pickled with protocol 5. Large numpy buffers go out of band: the
pickle holds only their places and the raw bytes follow it on the pipe, read straight into a
preallocated ``bytearray`` on the other side (about 10 ms for 25 MB here, against 150 ms for a
plain ``Connection.send``). Nothing here imports TensorFlow.
"""

from __future__ import annotations

import mmap
import os
import pickle
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.units import human_bytes

# ---------------------------------------------------------------------------- errors


class EngineError(UserError):
    """A run, load or device request failed; ``str(err)`` is one line, ``details`` the rest."""

    def __init__(self, message: str, *, details: str = "") -> None:
        super().__init__(message)
        self.details = details


class Cancelled(EngineError):
    """The request was cancelled: the worker was stopped before it answered."""


class WorkerDied(EngineError):
    """The worker process ended unexpectedly (killed, out of memory, aborted); reload the model."""


class DeviceError(EngineError):
    """The asked-for device does not exist on this machine."""


class NoModel(EngineError):
    """A run was asked for while no model is loaded."""


ERRORS: dict[str, type[EngineError]] = {
    c.__name__: c for c in (EngineError, Cancelled, WorkerDied, DeviceError, NoModel)
}

# ---------------------------------------------------------------------------- data


@dataclass(frozen=True)
class DeviceInfo:
    """One device the worker can run on, e.g. ``CPU:0`` or ``GPU:0``."""

    name: str  # "CPU:0", "GPU:0" (logical device, the form ``--device`` takes, case-insensitive)
    device_type: str  # "CPU" or "GPU"
    description: str = ""  # e.g. "NVIDIA H100 80GB HBM3, compute capability 9.0"
    memory_bytes: int | None = None  # memory TensorFlow may use on it (GPUs)

    def label(self) -> str:
        """Text for a device picker: ``GPU:0 NVIDIA H100 (85.0 GB)``."""
        text = self.name
        if self.description:
            text += f"  {self.description}"
        if self.memory_bytes and self.device_type != "CPU":
            text += f"  ({human_bytes(self.memory_bytes)})"
        return text


@dataclass(frozen=True)
class TensorSpecInfo:
    name: str
    dtype: str  # numpy-style name; "string" for tf.string
    shape: list[int] | None  # -1 unknown dimension, None unknown rank
    kind: str = "dense"  # "dense", "ragged" or "sparse"


@dataclass(frozen=True)
class SignatureSpec:
    key: str
    inputs: list[TensorSpecInfo]
    outputs: list[TensorSpecInfo]


@dataclass(frozen=True)
class ModelInfo:
    """A model loaded in the worker."""

    path: str  # the folder holding saved_model.pb
    tags: list[str] | None
    signatures: dict[str, SignatureSpec]
    backend: str  # "function" (tf.saved_model.load) or "session" (TF1 Session, the fallback)
    load_ms: float
    warnings: list[str] = field(default_factory=list)
    device: str = "CPU:0"  # the device it was loaded on
    # TF1 exports keep their variables on the load device: running elsewhere needs a reload
    device_bound: bool = False
    custom_ops: list[str] = field(
        default_factory=list
    )  # e.g. "imported tensorflow_text for its ops"


@dataclass
class RunResult:
    """What a run gives back.

    ``timing`` (milliseconds unless named otherwise): ``run_ms`` (last run, in the worker),
    ``min_ms``, ``p50_ms``, ``p95_ms``, ``mean_ms``, ``repeat``, ``throughput_per_s``,
    ``feed_ms`` (inputs to tensors), ``roundtrip_ms`` (request sent to result received, client).
    """

    signature: str
    outputs: dict[str, np.ndarray]  # the plain tensors
    timing: dict[str, float]
    device: str  # where the outputs were computed, e.g. "CPU:0"
    # "function" (tf.saved_model.load) or "session" (the MetaGraphDef in a TF1 Session, as
    # saved_model_cli run does, when the object graph cannot be loaded)
    load_path: str = "function"
    # ragged and sparse outputs (engine.composites.RaggedValue / SparseValue), apart so that
    # code that expects arrays in ``outputs`` keeps working
    composites: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class KeptFeed:
    """Stands for an input array the worker already holds: the one request ``sent_in`` carried
    for the same signature and input (read-only arrays only, so it cannot have changed)."""

    sent_in: int


@dataclass(frozen=True)
class Request:
    id: int
    op: str  # "load" | "run" | "exit"
    args: dict[str, Any]


@dataclass(frozen=True)
class Reply:
    id: int  # 0 for the worker's unsolicited "ready" message
    value: Any = None
    error: tuple[str, str, str] | None = None  # (EngineError class name, message, details)

    def raise_if_error(self) -> None:
        if self.error is not None:
            raise make_error(self.error)


def make_error(error: tuple[str, str, str]) -> EngineError:
    kind, message, details = error
    return ERRORS.get(kind, EngineError)(message, details=details)


def normalize_device(name: str | None, devices: list[DeviceInfo]) -> str:
    """``"gpu"`` -> ``"GPU:0"``, ``"/device:CPU:1"`` -> ``"CPU:1"``; None -> GPU:0 when there is
    one, else CPU:0. Raises DeviceError for a device ``devices`` lacks."""
    names = [d.name for d in devices]
    if not name:
        return "GPU:0" if "GPU:0" in names else "CPU:0"
    wanted = name.strip().upper().split("DEVICE:")[-1].lstrip("/")
    if ":" not in wanted:
        wanted += ":0"
    if wanted not in names:
        hint = " (this machine has no GPU TensorFlow can use)" if wanted.startswith("GPU") else ""
        raise DeviceError(f"no device {wanted} here{hint}; devices: {', '.join(names)}")
    return wanted


# ---------------------------------------------------------------------------- framing

_RAW_FD = sys.platform != "win32"  # POSIX pipes are byte streams: the raw buffers skip framing
SPARE_MIN_BYTES = 256 * 2**10  # arrays smaller than this are cheap to receive into new memory
SPARE_MAX_BYTES = 16 * 2**20  # spare receive buffers the client keeps at most


class SpareBuffers:
    """Receive buffers made ready before the reply that fills them arrives.

    A fresh buffer's pages are faulted in while it is filled: about 1 ms a megabyte on a virtual
    machine, several while the worker's threads still spin after a run. ``refill`` (called a
    little after a reply has been handed over, when the window has drawn it) makes buffers of
    the sizes that reply had, their pages populated by the kernel, so the next reply of the same
    shape lands in memory that is ready. ``take`` runs on the client's reader thread.
    """

    def __init__(self, limit_bytes: int = SPARE_MAX_BYTES) -> None:
        self.limit_bytes = limit_bytes
        self._lock = threading.Lock()
        self._spare: dict[int, list[Any]] = {}
        self._asked: list[int] = []  # large sizes of the message being read
        self._wanted: list[int] = []  # those of the last message that had any

    def take(self, size: int) -> Any:
        """A buffer of ``size`` bytes: a spare one when there is, else a new one."""
        if size < SPARE_MIN_BYTES:
            return bytearray(size)
        with self._lock:
            self._asked.append(size)
            bucket = self._spare.get(size)
            if bucket:
                return bucket.pop()
        return bytearray(size)

    def message_done(self) -> bool:
        """The message being read is complete; True when it had large buffers (worth a refill)."""
        with self._lock:
            if not self._asked:
                return False
            self._wanted, self._asked = self._asked, []
            return True

    def refill(self) -> None:
        """Have spares of the sizes the last large message had (up to ``limit_bytes``)."""
        need: dict[int, int] = {}
        with self._lock:
            total = 0
            for size in self._wanted:
                total += size
                if total > self.limit_bytes:
                    break
                need[size] = need.get(size, 0) + 1
            missing = {s: n - len(self._spare.get(s, ())) for s, n in need.items()}
        made = {s: [_populated(s) for _ in range(n)] for s, n in missing.items() if n > 0}
        with self._lock:
            spare = {s: self._spare.get(s, []) + made.get(s, []) for s in need}
            self._spare = {s: bucket[: need[s]] for s, bucket in spare.items() if bucket}

    def spare_bytes(self) -> int:
        with self._lock:
            return sum(size * len(bucket) for size, bucket in self._spare.items())


def _populated(size: int) -> Any:
    """``size`` bytes of anonymous memory, already backed by pages where the OS can do that."""
    flags = getattr(mmap, "MAP_POPULATE", 0)
    if not flags:
        return bytearray(size)
    return mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | flags)


def send_message(conn: Any, obj: object) -> None:
    """Send ``obj`` on a multiprocessing Connection, numpy buffers out of band."""
    buffers: list[pickle.PickleBuffer] = []
    head = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    views = [b.raw() for b in buffers]
    conn.send_bytes(pickle.dumps((head, [v.nbytes for v in views]), protocol=5))
    for view in views:
        if _RAW_FD:
            fd = conn.fileno()
            while view.nbytes:
                written = os.write(fd, view)
                view = view[written:]
        else:
            conn.send_bytes(view)


def recv_message(conn: Any, alloc: Callable[[int], Any] = bytearray) -> Any:
    """Receive what ``send_message`` sent (blocks; EOFError when the other side is gone).
    ``alloc(size)`` gives the writable buffer each out-of-band array is read into."""
    head, sizes = pickle.loads(conn.recv_bytes())
    buffers = []
    for size in sizes:
        buf = alloc(size)
        if _RAW_FD:
            fd = conn.fileno()
            view = memoryview(buf)
            got = 0
            while got < size:
                n = os.readv(fd, [view[got:]])
                if n == 0:
                    raise EOFError("the pipe closed in the middle of a message")
                got += n
        else:
            conn.recv_bytes_into(buf)
        buffers.append(buf)
    return pickle.loads(head, buffers=buffers)
