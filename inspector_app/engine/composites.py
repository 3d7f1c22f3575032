"""Ragged and sparse tensors as plain numpy parts, so they cross the pipe and leave the worker.

The worker turns a ``tf.RaggedTensor`` into a :class:`RaggedValue` (its flat values and the row
splits of each ragged dimension) and a ``tf.SparseTensor`` into a :class:`SparseValue`
(indices, values, dense shape). Both give JSON (``to_json``), the files ``--outdir`` writes
(``components``), rows or a table for the window, and a dense array when that is small.
Nothing here imports TensorFlow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

DENSE_MAX_VALUES = 100_000  # a composite is densified for display up to this many cells


def _dtype_name(arr: np.ndarray) -> str:
    return "string" if arr.dtype.kind in "OSU" else arr.dtype.name


@dataclass
class RaggedValue:
    """A ragged tensor: ``flat_values`` and one ``row_splits`` array per ragged dimension."""

    flat_values: np.ndarray
    nested_row_splits: list[np.ndarray] = field(default_factory=list)
    kind: ClassVar[str] = "ragged"

    @property
    def dtype(self) -> str:
        return _dtype_name(self.flat_values)

    @property
    def shape(self) -> list[int]:
        """``[rows, -1, ..., inner dims]``: -1 for each ragged dimension."""
        rows = len(self.nested_row_splits[0]) - 1 if self.nested_row_splits else 0
        return [rows] + [-1] * len(self.nested_row_splits) + list(self.flat_values.shape[1:])

    @property
    def nbytes(self) -> int:
        return int(self.flat_values.nbytes + sum(s.nbytes for s in self.nested_row_splits))

    def row_lengths(self) -> list[list[int]]:
        """The length of every row, per ragged dimension (outermost first)."""
        return [np.diff(s).astype(np.int64).tolist() for s in self.nested_row_splits]

    def to_list(self) -> list:
        """Nested Python lists, one per row (bytes stay bytes)."""
        values: Any = self.flat_values.tolist()
        for splits in reversed(self.nested_row_splits):
            values = [values[int(a) : int(b)] for a, b in zip(splits[:-1], splits[1:], strict=True)]
        return values

    def components(self) -> dict[str, np.ndarray]:
        parts = {"flat_values": self.flat_values}
        for i, splits in enumerate(self.nested_row_splits):
            parts[f"row_splits_{i}" if len(self.nested_row_splits) > 1 else "row_splits"] = splits
        return parts

    def dense(self, fill: Any = None) -> np.ndarray | None:
        """Padded to the longest rows (0 or b""), or None when that would be too large."""
        rows = self.to_list()
        shape = [len(rows)]
        level = rows
        for _ in self.nested_row_splits:
            longest = max((len(r) for r in level), default=0)
            shape.append(longest)
            level = [x for r in level for x in r]
        shape += list(self.flat_values.shape[1:])
        if int(np.prod(shape)) > DENSE_MAX_VALUES:
            return None
        fill = (b"" if self.flat_values.dtype.kind in "OSU" else 0) if fill is None else fill
        out = np.full(shape, fill, dtype=self.flat_values.dtype)

        def put(prefix: tuple[int, ...], value: Any, depth: int) -> None:
            if depth == len(self.nested_row_splits):  # the innermost ragged row
                if len(value):
                    where: Any = (*prefix, slice(0, len(value)))
                    out[where] = np.asarray(value, dtype=out.dtype)
                return
            for i, item in enumerate(value):
                put((*prefix, i), item, depth + 1)

        for i, row in enumerate(rows):
            put((i,), row, 1)
        return out

    def to_json(self, jsonable: Any = lambda v: v, max_values: int | None = None) -> dict:
        entry: dict[str, Any] = {
            "kind": "ragged",
            "dtype": self.dtype,
            "shape": self.shape,
            "row_lengths": self.row_lengths(),
        }
        if max_values is not None and self.flat_values.size > max_values:
            entry["flat_values"] = jsonable(self.flat_values.reshape(-1)[:max_values].tolist())
            entry["truncated"] = True
        else:
            entry["values"] = jsonable(self.to_list())
        return entry


@dataclass
class SparseValue:
    """A sparse tensor as TensorFlow keeps it: COO ``indices`` [n, rank], ``values`` [n],
    ``dense_shape`` [rank]."""

    indices: np.ndarray
    values: np.ndarray
    dense_shape: np.ndarray
    kind: ClassVar[str] = "sparse"

    @property
    def dtype(self) -> str:
        return _dtype_name(self.values)

    @property
    def shape(self) -> list[int]:
        return [int(d) for d in self.dense_shape]

    @property
    def nbytes(self) -> int:
        return int(self.indices.nbytes + self.values.nbytes + self.dense_shape.nbytes)

    def components(self) -> dict[str, np.ndarray]:
        return {"indices": self.indices, "values": self.values, "dense_shape": self.dense_shape}

    def dense(self, fill: Any = None) -> np.ndarray | None:
        """The dense tensor (0 or b"" where no value is), or None when it would be too large."""
        if int(np.prod(self.shape)) > DENSE_MAX_VALUES:
            return None
        fill = (b"" if self.values.dtype.kind in "OSU" else 0) if fill is None else fill
        out = np.full(self.shape, fill, dtype=self.values.dtype)
        if self.values.size:
            out[tuple(self.indices.T)] = self.values
        return out

    def to_json(self, jsonable: Any = lambda v: v, max_values: int | None = None) -> dict:
        n = len(self.values)
        cut = max_values is not None and n > max_values
        k = max_values if cut else n
        entry: dict[str, Any] = {
            "kind": "sparse",
            "dtype": self.dtype,
            "shape": self.shape,
            "indices": self.indices[:k].tolist(),
            "values": jsonable(self.values[:k].tolist()),
            "dense_shape": self.shape,
        }
        if cut:
            entry["truncated"] = True
        return entry


Composite = RaggedValue | SparseValue
TEXT_ROWS = 200  # rows of a ragged tensor, entries of a sparse one, that ``text`` lists


def _plain(value: Any) -> Any:
    """Bytes as text where they are UTF-8, inside nested lists too."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value
    return value


def text(value: Composite, rows: int = TEXT_ROWS) -> str:
    """A composite as text: a ragged tensor row by row with its length; a sparse one as a table
    of indices and values, then densified when small."""
    if isinstance(value, RaggedValue):
        lines = [f"ragged {value.dtype} {value.shape} (-1: ragged dimension)"]
        listed = value.to_list()
        for i, row in enumerate(listed[:rows]):
            lines.append(f"row {i} ({len(row)}): {_plain(row)!r}")
        if len(listed) > rows:
            lines.append(f"... {len(listed) - rows} more rows")
        return "\n".join(lines)
    lines = [f"sparse {value.dtype} dense_shape {value.shape}, {len(value.values)} values"]
    lines.append("index -> value")
    for index, v in zip(value.indices[:rows].tolist(), value.values[:rows].tolist(), strict=True):
        lines.append(f"{index} -> {_plain(v)!r}")
    if len(value.values) > rows:
        lines.append(f"... {len(value.values) - rows} more values")
    dense = value.dense()
    if dense is not None and dense.size <= 400:
        with np.printoptions(threshold=400, linewidth=100):
            lines += ["", "densified:", np.array2string(dense)]
    return "\n".join(lines)


def is_composite(value: Any) -> bool:
    return isinstance(value, (RaggedValue, SparseValue))
