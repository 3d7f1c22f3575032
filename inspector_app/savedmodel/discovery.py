"""Where the SavedModels of a folder are: the one place that knows what holds a model.

A folder holds a SavedModel when it has ``saved_model.pb`` or ``saved_model.pbtxt``; a TF Serving
base folder holds one per version, in sub-folders named by a whole number (``1``, ``0002``). The
loader, the checks, Compare and the warmup writer all ask here, so that they agree on what a
version is and which folders hold a model. Nothing is parsed or loaded: names and ``stat`` only.
No Qt, no TensorFlow.
"""

from __future__ import annotations

import os
from pathlib import Path

from inspector_app.safeio import special_kind

PB = "saved_model.pb"
PBTXT = "saved_model.pbtxt"
MODEL_FILES = (PB, PBTXT)
INT64_MAX = 2**63 - 1
MAX_LISTED = 10_000  # a model or base folder holds a handful of entries; never list a million


def is_version_name(name: str) -> bool:
    """A version as TF Serving reads it: a whole number that fits an int64."""
    return name.isascii() and name.isdigit() and int(name) <= INT64_MAX


def model_file_in(folder: str | os.PathLike) -> Path | None:
    """The ``saved_model.pb`` (else ``.pbtxt``) of ``folder``, or None. A pipe or a device under
    that name is returned too, so that the caller refuses it by name rather than miss it."""
    folder = Path(folder)
    for name in MODEL_FILES:
        candidate = folder / name
        try:
            if candidate.is_file():
                return candidate
        except OSError:
            continue
    for name in MODEL_FILES:  # a pipe or device under that name: refused by name, not read
        if special_kind(folder / name) is not None:
            return folder / name
    return None


def holds_model(folder: str | os.PathLike) -> bool:
    """Does ``folder`` itself hold a SavedModel (``saved_model.pb`` or ``.pbtxt``)?"""
    return model_file_in(folder) is not None


def _sub_folders(path: Path) -> list[os.DirEntry]:
    out: list[os.DirEntry] = []
    try:
        with os.scandir(path) as it:
            for entry in it:
                try:
                    if entry.is_dir():
                        out.append(entry)
                except OSError:  # a symlink loop or a dangling link
                    continue
                if len(out) >= MAX_LISTED:
                    break
    except OSError:
        return []
    return out


def version_folders(base: str | os.PathLike, *, with_model: bool = False) -> dict[int, Path]:
    """The version folders of a TF Serving base folder, by version, in order (``{}`` when
    ``base`` is a SavedModel folder itself or has none); ``"0123"`` and ``"123"`` name the same
    version and the first seen is kept, as TF Serving does. ``with_model``: only those that hold
    a SavedModel."""
    base = Path(base)
    if holds_model(base):
        return {}
    found: dict[int, Path] = {}
    for entry in _sub_folders(base):
        if is_version_name(entry.name):
            found.setdefault(int(entry.name), Path(entry.path))
    return {
        v: folder for v, folder in sorted(found.items()) if not with_model or holds_model(folder)
    }


def nested_models(path: str | os.PathLike) -> list[str]:
    """Sub-folders of ``path`` that hold a SavedModel but are not versions (names, sorted): a
    model TF Serving would never serve from ``path``."""
    return sorted(
        e.name
        for e in _sub_folders(Path(path))
        if not is_version_name(e.name) and holds_model(e.path)
    )


def model_folder_of(path: str | os.PathLike) -> Path | None:
    """The model folder ``path`` lies in (itself or its nearest parent holding a SavedModel)."""
    path = Path(path).resolve()
    for folder in (path, *path.parents):
        if holds_model(folder):
            return folder
    return None
