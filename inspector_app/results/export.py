"""Exports: arrays (.npy/.npz), pictures (PNG), scores (CSV), the whole run (JSON).

Every write goes to a temporary file beside the target, then into place in one step, and never
over an existing file unless ``overwrite=True``. A target inside ``model_dir`` is refused.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from inspector_app.fileio import atomic_write_bytes
from inspector_app.results.scores import ScoresResult
from inspector_app.results.tensors import dtype_name, statistics


def savable(array: np.ndarray) -> np.ndarray:
    """Object arrays of bytes/str become fixed-width string arrays (so no pickle is needed)."""
    arr = np.asarray(array)
    if arr.dtype.kind != "O":
        return arr
    items = [v if isinstance(v, bytes) else str(v).encode() for v in arr.ravel()]
    return np.array(items, dtype=bytes).reshape(arr.shape)


def save_npy(path: str | Path, array: np.ndarray, **kw: Any) -> Path:
    """One array as .npy (no pickle)."""
    buf = io.BytesIO()
    np.save(buf, savable(array), allow_pickle=False)
    return atomic_write_bytes(path, buf.getvalue(), **kw)


def save_npz(path: str | Path, outputs: Mapping[str, np.ndarray], **kw: Any) -> Path:
    """All outputs in one compressed .npz, one entry per output name."""
    buf = io.BytesIO()
    arrays: dict[str, Any] = {name: savable(a) for name, a in outputs.items()}
    np.savez_compressed(buf, **arrays)
    return atomic_write_bytes(path, buf.getvalue(), **kw)


def png_bytes(rgb: np.ndarray) -> bytes:
    """uint8 [H, W], [H, W, 1|3|4] as PNG bytes."""
    arr = np.asarray(rgb)
    if arr.dtype != np.uint8:
        raise ValueError("PNG export needs uint8 pixels")
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(arr)).save(buf, format="PNG")
    return buf.getvalue()


def save_png(path: str | Path, rgb: np.ndarray, **kw: Any) -> Path:
    """A picture (a colourised mask, an overlay, an image output) as PNG."""
    return atomic_write_bytes(path, png_bytes(rgb), **kw)


def scores_csv(
    scores: ScoresResult, apply_softmax: bool | None = None, item: int | None = None
) -> str:
    """CSV text: item, rank, class_id, label, score; all classes of every item (or one item)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["item", "rank", "class_id", "label", "score"])
    items = range(scores.num_items) if item is None else [item]
    for i in items:
        for row in scores.top_k(i, scores.num_classes, apply_softmax):
            writer.writerow([i, row.rank, row.class_id, row.label, f"{row.score:.8g}"])
    return out.getvalue()


def save_scores_csv(
    path: str | Path,
    scores: ScoresResult,
    apply_softmax: bool | None = None,
    item: int | None = None,
    **kw: Any,
) -> Path:
    """Scores as CSV (see ``scores_csv``)."""
    return atomic_write_bytes(path, scores_csv(scores, apply_softmax, item).encode("utf-8"), **kw)


def array_summary(array: np.ndarray, view: str | None = None) -> dict[str, Any]:
    """dtype, shape and statistics of one array, JSON-ready."""
    st = statistics(array)
    info: dict[str, Any] = {"dtype": dtype_name(array), "shape": list(st.shape)}
    if st.min is not None:
        info.update(min=st.min, max=st.max, mean=st.mean, nan=st.nan, inf=st.inf)
    if view:
        info["view"] = view
    return info


def run_record(
    *,
    signature: str,
    outputs: Mapping[str, np.ndarray],
    inputs: Mapping[str, Any] | None = None,
    device: str | None = None,
    timings: Mapping[str, float] | None = None,
    model_path: str | None = None,
    tags: list[str] | None = None,
    views: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The run as a JSON-ready dict: signature, device, inputs and outputs summaries, timings."""

    def summarise(value: Any) -> Any:
        if isinstance(value, (str, bytes)):
            return value if isinstance(value, str) else value.decode("utf-8", "replace")
        if isinstance(value, (np.ndarray, np.generic, int, float, bool)):
            return array_summary(np.asarray(value))
        return str(value)

    return {
        "model_path": model_path,
        "tags": tags,
        "signature": signature,
        "device": device,
        "inputs": {k: summarise(v) for k, v in (inputs or {}).items()},
        "timings_ms": dict(timings or {}),
        "outputs": {k: array_summary(v, (views or {}).get(k)) for k, v in outputs.items()},
    }


def save_run_json(path: str | Path, record: Mapping[str, Any], **kw: Any) -> Path:
    """The run record (``run_record``) as indented JSON (NaN and Inf written as strings)."""
    text = json.dumps(_json_safe(record), indent=2, default=str, allow_nan=False)
    return atomic_write_bytes(path, text.encode("utf-8"), **kw)


def _json_safe(obj: Any) -> Any:
    if isinstance(obj, float) and not np.isfinite(obj):
        return str(obj)
    if isinstance(obj, Mapping):
        return {str(k): _json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_json_safe(v) for v in obj]
    return obj
