"""Class scores: logits or probabilities, softmax, top-k per batch item."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inspector_app.results.labels import LabelSet, default_labels

_SUM_TOLERANCE = 1e-3


def as_score_matrix(array: np.ndarray) -> np.ndarray:
    """[N, C], [C] or [N, 1, 1, C] scores as a float [N, C] matrix."""
    arr = np.asarray(array)
    if arr.ndim == 1:
        arr = arr[None, :]
    elif arr.ndim == 4 and arr.shape[1] == 1 and arr.shape[2] == 1:
        arr = arr[:, 0, 0, :]
    if arr.ndim != 2:
        raise ValueError(f"scores need shape [N, C], got {list(arr.shape)}")
    return arr if arr.dtype.kind == "f" else arr.astype(np.float64)


def score_kind(scores: np.ndarray) -> tuple[str, str]:
    """``("probabilities" | "sigmoid" | "logits", reason)`` for a [N, C] score matrix.

    Rows in [0, 1] that sum to 1 are probabilities; values in [0, 1] that do not sum to 1 are
    independent (sigmoid) probabilities; anything outside [0, 1] is taken for logits.
    """
    m = as_score_matrix(scores)
    finite = m if np.isfinite(m).all() else m[np.isfinite(m)]  # no copy in the usual case
    if finite.size == 0:
        return "probabilities", "no finite values"
    lo, hi = float(finite.min()), float(finite.max())
    if lo >= 0.0 and hi <= 1.0:
        sums = np.nansum(m, axis=1)
        if np.all(np.abs(sums - 1.0) <= _SUM_TOLERANCE * max(1, m.shape[1] / 100)):
            return "probabilities", "rows sum to 1"
        return "sigmoid", "values in [0, 1], rows do not sum to 1 (independent probabilities)"
    return "logits", f"values {lo:.3g}..{hi:.3g} outside [0, 1]: logits"


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax in float64 then cast back to float32."""
    z = np.asarray(x, dtype=np.float64)
    z = z - np.max(z, axis=axis, keepdims=True)
    np.exp(z, out=z)
    z /= np.sum(z, axis=axis, keepdims=True)
    return z.astype(np.float32)


def top_k(row: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices and values of the ``k`` largest entries of a 1-D row, largest first (NaN last)."""
    r = np.asarray(row, dtype=np.float64)
    k = max(0, min(int(k), r.size))
    if k == 0:
        return np.empty(0, dtype=np.int64), np.empty(0)
    key = np.where(np.isnan(r), -np.inf, r)
    part = np.argpartition(-key, k - 1)[:k] if k < r.size else np.arange(r.size)
    # Stable order: higher score first, lower class id on ties.
    order = part[np.lexsort((part, -key[part]))]
    return order.astype(np.int64), r[order]


@dataclass(frozen=True)
class ScoreRow:
    rank: int
    class_id: int
    label: str
    score: float


class ScoresResult:
    """One scores output: decides logits vs probabilities once, gives top-k rows per batch item."""

    def __init__(
        self,
        array: np.ndarray,
        labels: LabelSet | None = None,
        per_item_labels: np.ndarray | None = None,
    ) -> None:
        self.raw = as_score_matrix(array)
        self.kind, self.reason = score_kind(self.raw)
        self.labels = labels or default_labels(self.num_classes)
        self.per_item_labels = per_item_labels  # a classify signature's [N, C] classes
        self._probs: np.ndarray | None = None
        self.images: np.ndarray | None = None  # the input images, [N, H, W, 3] uint8, if any

    @property
    def num_items(self) -> int:
        return int(self.raw.shape[0])

    @property
    def num_classes(self) -> int:
        return int(self.raw.shape[1])

    def values(self, apply_softmax: bool) -> np.ndarray:
        """The [N, C] matrix shown: raw, or softmax over classes (computed once)."""
        if not apply_softmax:
            return self.raw
        if self._probs is None:
            self._probs = softmax(self.raw, axis=1)
        return self._probs

    def label(self, item: int, class_id: int) -> str:
        if self.per_item_labels is not None and 0 <= item < self.per_item_labels.shape[0]:
            value = self.per_item_labels[item, class_id]
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            if text:
                return text
        return self.labels.name(class_id)

    def top_k(self, item: int, k: int, apply_softmax: bool | None = None) -> list[ScoreRow]:
        """Top ``k`` rows of batch ``item``, raw values unless ``apply_softmax``."""
        if not 0 <= item < self.num_items:
            raise IndexError(f"batch item {item} is out of range 0..{self.num_items - 1}")
        use_softmax = bool(apply_softmax)
        if use_softmax and self._probs is None:  # one item's row: a large batch is not redone
            row = softmax(self.raw[item : item + 1], axis=1)[0]
        else:
            row = self.values(use_softmax)[item]
        ids, vals = top_k(row, k)
        return [
            ScoreRow(rank + 1, int(c), self.label(item, int(c)), float(v))
            for rank, (c, v) in enumerate(zip(ids, vals, strict=True))
        ]
