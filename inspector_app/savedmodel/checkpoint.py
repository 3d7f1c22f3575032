"""Checkpoint tensors read from ``variables.index`` and the data shards, without TensorFlow.

A tensor bundle (``tensorflow/core/util/tensor_bundle``) is an index table of ``BundleEntryProto``
(read by ``savedmodel.bundle``) and data shards ``variables.data-NNNNN-of-MMMMM``; each entry names
its shard, offset and size. Numeric tensors are stored as their raw little-endian bytes, strings as
``varint64`` lengths, a four-byte checksum, then the bytes. ``CheckpointReader.read`` returns
exactly what ``tf.train.load_checkpoint(prefix).get_tensor(key)`` returns, bit for bit.

Also here: statistics streamed per tensor (``tensor_stats``, numpy, vectorized, in blocks so a
large tensor never needs a second copy), the role of each variable (``weight``,
``optimizer_slot``, ``bookkeeping``) from the checkpoint's own object graph, and a Keras-style
layer summary.
"""

from __future__ import annotations

import math
import mmap
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from inspector_app.savedmodel import protos
from inspector_app.savedmodel.bundle import BundleEntry, BundleError, read_bundle_index

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"
HIST_BINS = 64
# Statistics walk a tensor in blocks of this many elements: small enough for the cache, and for
# np.bincount (which holds the GIL) to let a GUI thread in every millisecond or so.
BLOCK_ELEMENTS = 1 << 18

ROLE_WEIGHT = "weight"
ROLE_SLOT = "optimizer_slot"
ROLE_BOOKKEEPING = "bookkeeping"

_NUMPY = {
    "float32": "<f4", "float64": "<f8", "float16": "<f2", "int8": "i1", "int16": "<i2",
    "int32": "<i4", "int64": "<i8", "uint8": "u1", "uint16": "<u2", "uint32": "<u4",
    "uint64": "<u8", "bool": "?", "complex64": "<c8", "complex128": "<c16",
}  # fmt: skip
# Object-graph edge names that lead to an optimizer, and those of counters and metrics.
_OPTIMIZER_EDGES = {"optimizer", "_optimizer", "inner_optimizer", "_inner_optimizer"}
_BOOKKEEPING_EDGES = {
    "save_counter", "_save_counter", "_iterations", "iterations", "iter", "_loss_tracker",
    "loss_tracker", "compile_metrics", "_compile_metrics", "_metrics", "metrics",
    "_seed_generator", "seed_generator", "_tracker", "global_step",
}  # fmt: skip
# TF1 variable names: what optimizers (tf.compat.v1.train.*) add beside each weight.
_TF1_SLOT_SUFFIXES = (
    "/Adam", "/Adam_1", "/Momentum", "/Adagrad", "/RMSProp", "/RMSProp_1", "/Ftrl", "/Ftrl_1",
    "/Adadelta", "/Adadelta_1", "/ExponentialMovingAverage",
)  # fmt: skip
_TF1_BOOKKEEPING = {"global_step", "beta1_power", "beta2_power"}


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


def _read_varint(buf: bytes | memoryview, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise CheckpointError("truncated string tensor")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


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
        self.num_shards = max(int(header.num_shards) if header is not None else 1, 1)
        self.entries: dict[str, BundleEntry] = {e.key: e for e in entries}

    @classmethod
    def for_model(
        cls, model_dir: str | Path, index: tuple[Any, list[BundleEntry]] | None = None
    ) -> CheckpointReader:
        return cls(Path(model_dir) / "variables" / "variables", index)

    def keys(self) -> list[str]:
        return list(self.entries)

    def shard_path(self, shard_id: int) -> Path:
        name = f"{self.prefix.name}.data-{shard_id:05d}-of-{self.num_shards:05d}"
        return self.prefix.with_name(name)

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
            with open(path, "rb") as fh:
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
            with open(path, "rb") as fh:
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
        for _ in range(count):
            n, pos = _read_varint(raw, pos)
            lengths.append(n)
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
            with open(path, "rb") as fh:
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


# --------------------------------------------------------------------------- statistics


@dataclass
class TensorStats:
    count: int
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    std: float | None = None
    zeros: int = 0
    nan: int = 0
    inf: int = 0
    hist: list[int] = field(default_factory=list)  # HIST_BINS counts of finite values
    hist_range: tuple[float, float] | None = None

    @property
    def zero_share(self) -> float:
        return self.zeros / self.count if self.count else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "min": _num(self.min),
            "max": _num(self.max),
            "mean": _num(self.mean),
            "std": _num(self.std),
            "zeros": self.zeros,
            "zero_share": self.zero_share,
            "nan": self.nan,
            "inf": self.inf,
        }


def _num(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


def _as_real(values: np.ndarray) -> np.ndarray:
    if values.dtype == np.bool_:
        return values.view(np.uint8)
    if values.dtype.kind == "c":
        return np.abs(values)  # statistics of complex values are of their magnitudes
    if values.dtype.kind not in "fiu" or values.dtype.name == "bfloat16":
        return values.astype(np.float32)
    return values.astype(values.dtype.newbyteorder("="), copy=False)


def tensor_stats(values: np.ndarray, block: int = BLOCK_ELEMENTS) -> TensorStats:
    """Statistics of an array in memory (see ``stats_of_blocks``)."""
    flat = values.reshape(-1)

    def blocks() -> Iterator[np.ndarray]:
        for start in range(0, flat.size, block):
            yield flat[start : start + block]

    return stats_of_blocks(blocks, flat.size, flat.dtype, block)


def stats_of_blocks(
    blocks: Callable[[], Iterable[np.ndarray]], count: int, dtype: np.dtype, block: int
) -> TensorStats:
    """min, max, mean, std, zeros, NaN and Inf counts and a 64-bin histogram of the values that
    ``blocks()`` yields (flat arrays of at most ``block`` elements; called twice).

    Two passes (the histogram needs the range) over blocks that stay in the cache, with scratch
    buffers reused from block to block; float32 arithmetic inside a block (BLAS dot products for
    the sums), float64 across blocks and for the merge of the blocks' variances (Chan et al.).
    NaN and Inf are counted and left out of the other figures.
    """
    stats = TensorStats(count=count)
    if count == 0:
        return stats
    real = _as_real(np.empty(0, dtype=dtype)).dtype
    work_dtype = np.float64 if real.itemsize > 4 or real.kind != "f" else np.float32
    n_block = min(block, count)
    work = np.empty(n_block, dtype=work_dtype)
    ones = np.ones(n_block, dtype=work_dtype)
    flags = np.empty(n_block, dtype=np.bool_)
    lo, hi = math.inf, -math.inf
    parts: list[tuple[int, float, float]] = []  # (n, mean, M2) per block
    has_bad = False
    for source in blocks():
        raw = _as_real(source)
        n = raw.size
        stats.zeros += int(np.count_nonzero(np.equal(raw, 0, out=flags[:n])))
        bmin, bmax = raw.min(), raw.max()
        if raw.dtype.kind == "f" and not (math.isfinite(bmin) and math.isfinite(bmax)):
            nan = int(np.count_nonzero(np.isnan(raw)))
            inf = int(np.count_nonzero(np.isinf(raw)))
            stats.nan += nan
            stats.inf += inf
            has_bad = True
            raw = raw[np.isfinite(raw)]
            n = raw.size
            if n == 0:
                continue
            bmin, bmax = raw.min(), raw.max()
        lo, hi = min(lo, float(bmin)), max(hi, float(bmax))
        w = work[:n]
        if raw.dtype == work.dtype:  # no copy: the sums read the block itself
            m = float(np.dot(raw, ones[:n])) / n
            np.subtract(raw, m, out=w)
        else:
            np.copyto(w, raw, casting="unsafe")
            m = float(np.dot(w, ones[:n])) / n
            np.subtract(w, m, out=w)
        residual = float(np.dot(w, ones[:n]))  # what float32 rounding lost from the mean
        parts.append((n, m + residual / n, float(np.dot(w, w)) - residual * residual / n))
    finite_n = sum(p[0] for p in parts)
    if finite_n == 0:
        return stats
    mean = sum(n * m for n, m, _ in parts) / finite_n
    m2 = sum(b_m2 + n * (m - mean) ** 2 for n, m, b_m2 in parts)
    stats.min, stats.max, stats.mean = lo, hi, mean
    stats.std = math.sqrt(max(m2 / finite_n, 0.0))
    stats.hist = _histogram(blocks, lo, hi, work, has_bad)
    stats.hist_range = (lo, hi)
    return stats


def _histogram(
    blocks: Callable[[], Iterable[np.ndarray]],
    lo: float,
    hi: float,
    work: np.ndarray,
    has_bad: bool,
) -> list[int]:
    counts = np.zeros(HIST_BINS, dtype=np.int64)
    width = hi - lo
    # A little under HIST_BINS / width, so that ``hi`` itself falls in the last bin.
    scale = HIST_BINS * (1 - 2**-16) / width if width > 0 else 0.0
    index = np.empty(work.size, dtype=np.intp)
    for source in blocks():
        raw = _as_real(source)
        if has_bad and raw.dtype.kind == "f":
            raw = raw[np.isfinite(raw)]
        n = raw.size
        w = work[:n]
        if raw.dtype == work.dtype:
            np.subtract(raw, lo, out=w)
        else:
            np.copyto(w, raw, casting="unsafe")
            np.subtract(w, lo, out=w)
        np.multiply(w, scale, out=w)
        idx = index[:n]
        np.copyto(idx, w, casting="unsafe")
        counts += np.bincount(idx, minlength=HIST_BINS)[:HIST_BINS]
    return counts.tolist()


def histogram_edges(stats: TensorStats) -> list[float]:
    if stats.hist_range is None:
        return []
    lo, hi = stats.hist_range
    return [lo + (hi - lo) * i / HIST_BINS for i in range(HIST_BINS + 1)]


def is_numeric(dtype: str) -> bool:
    return dtype in _NUMPY or dtype == "bfloat16"


def stats_for(reader: CheckpointReader, key: str) -> TensorStats | None:
    """Statistics of one tensor (None for strings and other non-numeric dtypes)."""
    entry = reader.entries.get(key)
    if entry is None or not is_numeric(entry.dtype) or entry.sliced or entry.shape is None:
        return None
    return tensor_stats(reader.mapped(key))


def all_stats(
    reader: CheckpointReader,
    keys: Iterable[str] | None = None,
    *,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    background: bool = False,
) -> dict[str, TensorStats]:
    """Statistics of many tensors in a thread pool (numpy releases the GIL in its loops).

    Largest tensors first, so the pool stays busy to the end. A tensor that cannot be read is
    left out. ``cancelled()`` stops before the next tensor. ``background``: the pool's threads
    run at a lower scheduling priority (Linux), so that a GUI thread wins a busy CPU.
    """
    wanted = [k for k in (keys if keys is not None else reader.keys()) if k != OBJECT_GRAPH_KEY]
    wanted.sort(key=lambda k: -reader.entries[k].size_bytes if k in reader.entries else 0)
    out: dict[str, TensorStats] = {}
    done = [0]

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
        for key, stats in pool.map(one, wanted):
            done[0] += 1
            if stats is not None:
                out[key] = stats
            if progress is not None:
                progress(done[0], len(wanted))
    return out


def _lower_priority() -> None:
    import contextlib
    import threading

    with contextlib.suppress(AttributeError, OSError):  # per-thread nice exists on Linux only
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


# --------------------------------------------------------------------------- roles


@dataclass
class ObjectGraphFacts:
    """What the checkpoint's object graph says about each key."""

    full_names: dict[str, str] = field(default_factory=dict)  # key -> variable name
    roles: dict[str, str] = field(default_factory=dict)  # key -> role
    slot_of: dict[str, str] = field(default_factory=dict)  # slot key -> its variable's key


def _attr_key(node: Any) -> str | None:
    for attr in node.attributes:
        if attr.name == "VARIABLE_VALUE":
            return attr.checkpoint_key
    return None


def object_graph_facts(graph: Any) -> ObjectGraphFacts:
    """Roles from a ``TrackableObjectGraph``: slot variables (``slot_variables``, or anything an
    optimizer holds in a list), counters and metrics as bookkeeping, the rest weights."""
    facts = ObjectGraphFacts()
    nodes = graph.nodes
    key_of = {i: _attr_key(n) for i, n in enumerate(nodes)}
    for i, node in enumerate(nodes):
        key = key_of[i]
        if key is not None:
            facts.full_names[key] = next(
                (a.full_name for a in node.attributes if a.name == "VARIABLE_VALUE"), ""
            )
        for slot in node.slot_variables:
            slot_key = key_of.get(slot.slot_variable_node_id)
            if slot_key is not None:
                facts.roles[slot_key] = ROLE_SLOT
                original = key_of.get(slot.original_variable_node_id)
                if original is not None:
                    facts.slot_of[slot_key] = original
    # Optimizers: objects that hold slot variables, or that sit under an optimizer-like name.
    optimizers = {i for i, n in enumerate(nodes) if n.slot_variables}
    for node in nodes:
        optimizers.update(r.node_id for r in node.children if r.local_name in _OPTIMIZER_EDGES)
    # Walk from the root: first path to each node, remembering whether it passed an optimizer
    # or a counter/metric edge.
    seen: dict[int, tuple[bool, bool]] = {}  # node -> (under an optimizer, under bookkeeping)
    queue: list[tuple[int, bool, bool]] = [(0, False, False)]
    while queue:
        node_id, under_opt, books = queue.pop(0)
        if node_id in seen or node_id >= len(nodes):
            continue
        seen[node_id] = (under_opt or node_id in optimizers, books)
        for ref in nodes[node_id].children:
            name = ref.local_name
            queue.append(
                (
                    ref.node_id,
                    under_opt or node_id in optimizers or name in _OPTIMIZER_EDGES,
                    books or name in _BOOKKEEPING_EDGES,
                )
            )
    direct_of_optimizer = {
        ref.node_id
        for i in optimizers
        if i < len(nodes)
        for ref in nodes[i].children
        if ref.node_id < len(nodes) and key_of.get(ref.node_id) is not None
    }
    for node_id, (under_opt, books) in seen.items():
        key = key_of.get(node_id)
        if key is None or key in facts.roles:
            continue
        if books or node_id in direct_of_optimizer:
            facts.roles[key] = ROLE_BOOKKEEPING
        elif under_opt:
            facts.roles[key] = ROLE_SLOT
        else:
            facts.roles[key] = ROLE_WEIGHT
    for key in key_of.values():  # reachable only oddly: trust the key's path
        if key is not None and key not in facts.roles:
            facts.roles[key] = role_from_key(key)
    return facts


def role_from_key(key: str) -> str:
    """The role a checkpoint key suggests when there is no object graph (TF1 checkpoints)."""
    name = key.split("/.ATTRIBUTES/")[0]
    first = name.split("/", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if name in _TF1_BOOKKEEPING or last in _TF1_BOOKKEEPING or first in _BOOKKEEPING_EDGES:
        return ROLE_BOOKKEEPING
    if first in _OPTIMIZER_EDGES or name.endswith(_TF1_SLOT_SUFFIXES):
        return ROLE_SLOT
    if "/.OPTIMIZER_SLOT/" in key:
        return ROLE_SLOT
    return ROLE_WEIGHT


def checkpoint_roles(reader: CheckpointReader) -> ObjectGraphFacts:
    """Roles of every key: from the object graph when the checkpoint has one, else the names."""
    try:
        graph = reader.object_graph()
    except (CheckpointError, BundleError, OSError, ValueError):
        graph = None
    facts = object_graph_facts(graph) if graph is not None else ObjectGraphFacts()
    for key in reader.entries:
        if key != OBJECT_GRAPH_KEY and key not in facts.roles:
            facts.roles[key] = role_from_key(key)
    return facts
