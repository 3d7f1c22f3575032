"""Weights out of a checkpoint into ``.npy`` (one) or ``.npz`` (many), streamed one tensor at a
time into a temporary file beside the target and moved into place at the end: never a partial
file, never over an existing file unless asked, never into the model folder."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.results.export import _check_target, _savable


def _atomic(
    path: str | Path,
    write: Callable[[Any], None],
    *,
    overwrite: bool = False,
    model_dir: str | Path | None = None,
) -> Path:
    target = Path(path)
    _check_target(target, model_dir)
    if target.exists() and not overwrite:
        raise UserError("file exists; choose another name or allow overwriting", path=str(target))
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if not overwrite and target.exists():
            raise UserError(
                "file exists; choose another name or allow overwriting", path=str(target)
            )
        os.replace(tmp, target)
    except OSError as err:
        raise UserError(f"cannot write: {err.strerror or err}", path=str(target)) from err
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def export_npy(reader: Any, key: str, path: str | Path, **kw: Any) -> Path:
    """The tensor under checkpoint ``key`` as one ``.npy`` file (no pickle)."""
    array = _savable(reader.read(key))
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
                array = _savable(reader.read(key))
                with zf.open(f"{name}.npy", "w", force_zip64=True) as entry:
                    np.lib.format.write_array(entry, array, allow_pickle=False)
                del array
                if progress is not None:
                    progress(i + 1, len(names))

    return _atomic(path, write, **kw)
