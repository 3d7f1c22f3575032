"""Sparse inputs, in the worker: a TF1 sparse input fed as one value is split into its parts."""

from __future__ import annotations

from typing import Any

import numpy as np

from inspector_app.engine.composites import SparseValue
from inspector_app.engine.protocol import SignatureSpec

_SPARSE_PARTS = ("indices", "values", "dense_shape")


def split_sparse_feeds(spec: SignatureSpec, feeds: dict[str, Any]) -> dict[str, Any]:
    """A TF1 sparse input ``sp`` is taken by the loaded signature function as ``sp_indices``,
    ``sp_values`` and ``sp_dense_shape``: a SparseValue (or a dense array) fed as ``sp`` is
    split into them."""
    names = {t.name for t in spec.inputs}
    out = dict(feeds)
    for name, value in feeds.items():
        parts = [f"{name}_{p}" for p in _SPARSE_PARTS]
        if name in names or not all(p in names for p in parts):
            continue
        if not isinstance(value, SparseValue):
            value = sparse_from_dense(np.asarray(value))
        del out[name]
        out.update(dict(zip(parts, (value.indices, value.values, value.dense_shape), strict=True)))
    return out


def sparse_from_dense(value: Any) -> SparseValue:
    arr = np.asarray(value)
    indices = np.argwhere(arr != (b"" if arr.dtype.kind in "OSU" else 0)).astype(np.int64)
    return SparseValue(indices, arr[tuple(indices.T)], np.asarray(arr.shape, dtype=np.int64))
