"""Statistics of a tensor's values (numpy, vectorized), streamed in blocks so that a large
tensor, e.g. a memory map of a checkpoint shard, never needs a second copy in memory."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

HIST_BINS = 64
# Statistics walk a tensor in blocks of this many elements: small enough for the cache, and for
# np.bincount (which holds the GIL) to let a GUI thread in every millisecond or so.
BLOCK_ELEMENTS = 1 << 18


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
