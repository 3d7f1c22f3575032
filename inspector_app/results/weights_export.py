"""Weights out of a checkpoint into ``.npy`` (one) or ``.npz`` (many), streamed one tensor at a
time into a temporary file beside the target and moved into place at the end: never a partial
file, never over an existing file unless asked, never into the model folder."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.fileio import atomic_write as _atomic
from inspector_app.results.export import savable


def export_npy(reader: Any, key: str, path: str | Path, **kw: Any) -> Path:
    """The tensor under checkpoint ``key`` as one ``.npy`` file (no pickle)."""
    array = savable(reader.read(key))
    return _atomic(path, lambda fh: np.lib.format.write_array(fh, array, allow_pickle=False), **kw)


def export_npz(
    reader: Any,
    names: Mapping[str, str],
    path: str | Path,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    **kw: Any,
) -> Path:
    """Many tensors (entry name -> checkpoint key) in one ``.npz`` that ``np.load`` reads; each
    tensor is read, written and dropped before the next, so memory stays at one tensor."""

    def write(fh: Any) -> None:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
            for i, (name, key) in enumerate(names.items()):
                if cancelled is not None and cancelled():
                    raise UserError("export cancelled", path=str(path))
                array = savable(reader.read(key))
                with zf.open(f"{name}.npy", "w", force_zip64=True) as entry:
                    np.lib.format.write_array(entry, array, allow_pickle=False)
                del array
                if progress is not None:
                    progress(i + 1, len(names))

    return _atomic(path, write, **kw)
