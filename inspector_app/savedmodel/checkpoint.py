"""Checkpoint tensors read from ``variables.index`` and the data shards, without TensorFlow.

A tensor bundle (``tensorflow/core/util/tensor_bundle``) is an index table of ``BundleEntryProto``
(read by ``savedmodel.bundle``) and data shards ``variables.data-NNNNN-of-MMMMM``; each entry names
its shard, offset and size. Numeric tensors are stored as their raw little-endian bytes, strings as
``varint64`` lengths, a four-byte checksum, then the bytes. ``CheckpointReader.read`` returns
exactly what ``tf.train.load_checkpoint(prefix).get_tensor(key)`` returns, bit for bit.

Also here: the statistics of many tensors at once (``all_stats``, in a thread pool; the figures
of one array come from ``savedmodel.tensor_stats``).
"""

from __future__ import annotations

import contextlib
import mmap
import os
import threading
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from io import BufferedReader
from pathlib import Path
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.safeio import open_regular
from inspector_app.savedmodel import protos
from inspector_app.savedmodel.bundle import (
    BundleEntry,
    BundleError,
    read_bundle_index,
    shard_count,
    shard_name,
    varint,
)
from inspector_app.savedmodel.tensor_stats import TensorStats, tensor_stats

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"

_NUMPY = {
    "float32": "<f4", "float64": "<f8", "float16": "<f2", "int8": "i1", "int16": "<i2",
    "int32": "<i4", "int64": "<i8", "uint8": "u1", "uint16": "<u2", "uint32": "<u4",
    "uint64": "<u8", "bool": "?", "complex64": "<c8", "complex128": "<c16",
}  # fmt: skip


class CheckpointError(ValueError):
    """A tensor that cannot be read: missing shard, short file, unsupported dtype."""


def numpy_dtype(dtype: str) -> np.dtype:
    """The numpy dtype of a checkpoint dtype name; bfloat16 comes from ``ml_dtypes``."""
    if dtype in _NUMPY:
        return np.dtype(_NUMPY[dtype])
    if dtype == "bfloat16":
        try:
            import ml_dtypes
        except ImportError as err:
            raise CheckpointError(
                "bfloat16 needs the ml_dtypes package: pip install ml_dtypes"
            ) from err
        return np.dtype(ml_dtypes.bfloat16)
    raise CheckpointError(f"cannot read {dtype} tensors from a checkpoint")


class CheckpointReader:
    """The tensors of ``PREFIX.index`` + ``PREFIX.data-*`` (``prefix`` = ``.../variables/variables``).

    Safe to use from several threads: each read opens its own file handle.
    """

    def __init__(
        self, prefix: str | Path, index: tuple[Any, list[BundleEntry]] | None = None
    ) -> None:
        """``index``: (header, entries) when the caller has read ``PREFIX.index`` already."""
        self.prefix = Path(prefix)
        path = self.prefix.with_name(self.prefix.name + ".index")
        try:
            header, entries = index if index is not None else read_bundle_index(path)
        except OSError as err:
            raise CheckpointError(f"{path}: cannot read ({err.strerror or err})") from err
        self.num_shards = shard_count(header)
        self.entries: dict[str, BundleEntry] = {e.key: e for e in entries}

    @classmethod
    def for_model(
        cls, model_dir: str | Path, index: tuple[Any, list[BundleEntry]] | None = None
    ) -> CheckpointReader:
        return cls(Path(model_dir) / "variables" / "variables", index)

    def keys(self) -> list[str]:
        return list(self.entries)

    def shard_path(self, shard_id: int) -> Path:
        return self.prefix.with_name(shard_name(self.prefix.name, shard_id, self.num_shards))

    def _open(self, entry: BundleEntry) -> BufferedReader:
        """The entry's shard, opened for reading; a pipe or device is refused, never read."""
        path = self.shard_path(entry.shard_id)
        try:
            return open_regular(path, "a checkpoint shard")
        except (UserError, OSError) as err:
            detail = err.args[0] if isinstance(err, UserError) else (err.strerror or err)
            raise CheckpointError(f"{path}: cannot read ({detail})") from err

    def _entry(self, key: str) -> BundleEntry:
        entry = self.entries.get(key)
        if entry is None:
            raise CheckpointError(f"no tensor {key!r} in {self.prefix}.index")
        if entry.sliced:
            raise CheckpointError(
                f"{key} is a partitioned variable (saved in slices): not readable"
            )
        if entry.shape is None:
            raise CheckpointError(f"{key} has no shape in the index")
        return entry

    def _raw(self, entry: BundleEntry) -> bytes:
        path = self.shard_path(entry.shard_id)
        try:
            with self._open(entry) as fh:
                fh.seek(entry.offset)
                raw = fh.read(entry.size_bytes)
        except OSError as err:
            raise CheckpointError(f"{path}: cannot read ({err.strerror or err})") from err
        if len(raw) != entry.size_bytes:
            raise CheckpointError(f"{path.name} is shorter than the index says (damaged copy?)")
        return raw

    def read(self, key: str) -> np.ndarray:
        """The whole tensor (a fresh, writable array; strings as an object array of bytes)."""
        entry = self._entry(key)
        if entry.dtype == "string":
            return self._strings(entry)
        dtype = numpy_dtype(entry.dtype)
        count = entry.num_elements
        if count * dtype.itemsize != entry.size_bytes:
            raise CheckpointError(
                f"{key}: {entry.size_bytes} bytes on disk for {count} {entry.dtype} values"
            )
        # Read straight into the array: the read releases the GIL (a bytes -> bytearray copy
        # of a large tensor would hold it, and stall a GUI thread).
        arr = np.empty(count, dtype=dtype)
        path = self.shard_path(entry.shard_id)
        try:
            with self._open(entry) as fh:
                fh.seek(entry.offset)
                got = fh.readinto(arr.view(np.uint8).data) if count else 0
        except OSError as err:
            raise CheckpointError(f"{path}: cannot read ({err.strerror or err})") from err
        if got != entry.size_bytes:
            raise CheckpointError(f"{path.name} is shorter than the index says (damaged copy?)")
        return arr.astype(dtype.newbyteorder("="), copy=False).reshape(entry.shape)

    def _strings(self, entry: BundleEntry) -> np.ndarray:
        raw = memoryview(self._raw(entry))
        count = entry.num_elements
        lengths, pos = [], 0
        try:
            for _ in range(count):
                n, pos = varint(raw, pos)
                lengths.append(n)
        except BundleError:
            raise CheckpointError(f"{entry.key}: truncated string tensor") from None
        pos += 4  # masked crc32c of the lengths
        out = np.empty(count, dtype=object)
        for i, n in enumerate(lengths):
            if pos + n > len(raw):
                raise CheckpointError(f"{entry.key}: truncated string tensor")
            out[i] = bytes(raw[pos : pos + n])
            pos += n
        return out.reshape(entry.shape)

    def mapped(self, key: str) -> np.ndarray:
        """A numeric tensor as a flat read-only array over a memory map of its shard (no copy:
        pages come from the page cache as the statistics walk them)."""
        entry = self._entry(key)
        dtype = numpy_dtype(entry.dtype)
        count = entry.num_elements
        if count * dtype.itemsize != entry.size_bytes:
            raise CheckpointError(f"{key}: size on disk does not match its shape")
        if count == 0:
            return np.empty(0, dtype=dtype)
        path = self.shard_path(entry.shard_id)
        try:
            with self._open(entry) as fh:
                if os.fstat(fh.fileno()).st_size < entry.offset + entry.size_bytes:
                    raise CheckpointError(f"{path.name} is shorter than the index says")
                # Only the tensor's pages (from an aligned offset): unmapping stays cheap.
                start = entry.offset - entry.offset % mmap.ALLOCATIONGRANULARITY
                mm = mmap.mmap(
                    fh.fileno(),
                    entry.offset + entry.size_bytes - start,
                    access=mmap.ACCESS_READ,
                    offset=start,
                )
        except OSError as err:
            raise CheckpointError(f"{path}: cannot read ({err.strerror or err})") from err
        if hasattr(mm, "madvise") and hasattr(mmap, "MADV_SEQUENTIAL"):
            mm.madvise(mmap.MADV_SEQUENTIAL)
        return np.frombuffer(mm, dtype=dtype, count=count, offset=entry.offset - start)

    def small_values(self, limit: int = 16) -> dict[str, list]:
        """Key -> values of every real numeric tensor with at most ``limit`` elements (shows, e.g.,
        that half_plus_two holds a = 0.5 and b = 2). Tensors that cannot be read are left out."""
        out: dict[str, list] = {}
        for key, e in self.entries.items():
            small = e.shape is not None and e.num_elements <= limit and not e.sliced
            if small and e.dtype in _NUMPY and not e.dtype.startswith("complex"):
                with contextlib.suppress(CheckpointError):
                    out[key] = self.read(key).reshape(-1).tolist()
        return out

    def object_graph(self) -> Any | None:
        """The ``TrackableObjectGraph`` stored under ``_CHECKPOINTABLE_OBJECT_GRAPH`` (TF2), or None."""
        if OBJECT_GRAPH_KEY not in self.entries:
            return None
        data = self.read(OBJECT_GRAPH_KEY).reshape(-1)
        if not len(data):
            return None
        graph = protos.module("trackable_object_graph_pb2").TrackableObjectGraph()
        graph.ParseFromString(data[0])
        return graph


def is_numeric(dtype: str) -> bool:
    return dtype in _NUMPY or dtype == "bfloat16"


def stats_for(reader: CheckpointReader, key: str) -> TensorStats | None:
    """Statistics of one tensor (None for strings and other non-numeric dtypes)."""
    entry = reader.entries.get(key)
    if entry is None or not is_numeric(entry.dtype) or entry.sliced or entry.shape is None:
        return None
    return tensor_stats(reader.mapped(key))


def iter_stats(
    reader: CheckpointReader,
    keys: Iterable[str] | None = None,
    *,
    largest_first: bool = True,
    workers: int | None = None,
    cancelled: Callable[[], bool] | None = None,
    background: bool = False,
) -> Generator[tuple[str, TensorStats | None], None, None]:
    """(key, statistics) of many tensors as each is done, in a thread pool (numpy releases the
    GIL in its loops); None for a tensor that cannot be read, or once ``cancelled()``.

    Largest tensors first (the pool stays busy to the end), or smallest first (most answers come
    at once). ``background``: the pool's threads run at a lower scheduling priority (Linux), so
    that a GUI thread wins a busy CPU. Closing the iterator drops the tensors not started yet.
    """
    wanted = [k for k in (keys if keys is not None else reader.keys()) if k != OBJECT_GRAPH_KEY]
    sign = -1 if largest_first else 1
    wanted.sort(key=lambda k: sign * reader.entries[k].size_bytes if k in reader.entries else 0)

    def one(key: str) -> tuple[str, TensorStats | None]:
        if cancelled is not None and cancelled():
            return key, None
        try:
            return key, stats_for(reader, key)
        except (CheckpointError, BundleError, OSError):
            return key, None

    workers = workers or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(
        max_workers=workers, initializer=_lower_priority if background else None
    ) as pool:
        futures = [pool.submit(one, k) for k in wanted]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


def all_stats(
    reader: CheckpointReader,
    keys: Iterable[str] | None = None,
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    background: bool = False,
) -> dict[str, TensorStats]:
    """Statistics of many tensors (``iter_stats``, largest first), by key; a tensor that cannot
    be read is left out. ``cancelled()`` stops before the next tensor."""
    wanted = [k for k in (keys if keys is not None else reader.keys()) if k != OBJECT_GRAPH_KEY]
    got: dict[str, TensorStats | None] = {}
    for key, stats in iter_stats(
        reader, wanted, workers=workers, cancelled=cancelled, background=background
    ):
        got[key] = stats
        if progress is not None:
            progress(len(got), len(wanted))
    return {k: s for k, s in got.items() if s is not None}


def _lower_priority() -> None:
    with contextlib.suppress(AttributeError, OSError):  # per-thread nice exists on Linux only
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
