"""Where the SavedModel is: a folder holding ``saved_model.pb`` (or ``.pbtxt``), the file itself,
or a TF Serving base folder whose numeric sub-folders are versions (the highest with a model
file is chosen unless a version is asked for). Each refusal is a one-line ``ModelError``.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

from inspector_app.safeio import refuse_message, special_kind
from inspector_app.savedmodel.discovery import MAX_LISTED, is_version_name, model_file_in
from inspector_app.savedmodel.model_info import ModelError


def versions_text(versions: list[int]) -> str:
    """``1, 2, 3`` for a few versions; ``20,000 versions, 1 to 20000`` for thousands."""
    if len(versions) <= 8:
        return ", ".join(map(str, versions))
    return f"{len(versions):,} versions, {min(versions)} to {max(versions)}"


def _list_dir(path: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(path) as it:
            out = []
            for entry in it:
                out.append(entry)
                if len(out) >= MAX_LISTED:
                    break
            return out
    except PermissionError:
        raise ModelError(path, "permission denied: cannot list this folder") from None
    except OSError as err:
        raise ModelError(path, f"cannot list this folder: {err.strerror or err}") from None


MAX_SCANNED = 2_000_000


def _version_entries(path: Path, first: list[os.DirEntry]) -> list[os.DirEntry]:
    """The version folders of a base folder too large to list whole (plus the first entries,
    for the description): the scan keeps only numeric names, so it stays small."""
    keep = list(first)
    seen = {e.name for e in first}
    try:
        with os.scandir(path) as it:
            for n, entry in enumerate(it):
                if n >= MAX_SCANNED:
                    break
                if entry.name not in seen and is_version_name(entry.name):
                    keep.append(entry)
    except OSError:
        pass
    return keep


def _entry_is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symlink loop or a dangling link
        return False


def _entry_is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _describe(entries: list[os.DirEntry]) -> str:
    files = sum(1 for e in entries if _entry_is_file(e))
    dirs = sum(1 for e in entries if _entry_is_dir(e))
    other = len(entries) - files - dirs

    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    if len(entries) >= MAX_LISTED:
        return f"more than {MAX_LISTED:,} entries"
    parts = [n(files, "file"), n(dirs, "folder")]
    if other:
        parts.append(n(other, "other entry").replace("entrys", "entries"))
    return ", ".join(parts)


def _check_exists(path: Path) -> None:
    try:
        path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise ModelError(path, "is a broken symbolic link") from None
        raise ModelError(path, "does not exist") from None
    except PermissionError:
        raise ModelError(path, "permission denied") from None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise ModelError(path, "is a symbolic link loop") from None
        raise ModelError(path, f"cannot open: {err.strerror or err}") from None


@dataclass
class Found:
    pb_path: Path
    base_dir: Path | None = None
    versions: list[int] | None = None
    version: int | None = None
    ignored: list[str] = field(default_factory=list)
    version_dirs: dict[int, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def find_model(path: Path, version: int | None) -> Found:
    _check_exists(path)
    if path.is_file():
        if version is not None:
            raise ModelError(path, "--version applies to a TF Serving base folder, not to a file")
        return Found(pb_path=path)
    if not path.is_dir():
        raise ModelError(
            path,
            refuse_message(
                special_kind(path) or "not a regular file", "a SavedModel folder or saved_model.pb"
            ),
        )
    model_file = model_file_in(path)
    if model_file is not None:
        if version is not None:
            raise ModelError(
                path,
                f"--version {version} given, but this is a SavedModel folder, not a base folder",
            )
        return Found(pb_path=model_file)
    entries = _list_dir(path)
    if len(entries) >= MAX_LISTED:  # a huge folder: look through all of it for version folders
        entries = _version_entries(path, entries)
    if not entries:
        raise ModelError(path, "the folder is empty; expected saved_model.pb or saved_model.pbtxt")
    version_dirs: dict[int, Path] = {}
    ignored: list[str] = []
    for entry in entries:
        if not _entry_is_dir(entry):
            continue
        if is_version_name(entry.name):
            number = int(entry.name)
            # "0123" and "123" name the same version; TF Serving keeps one, so do we
            version_dirs.setdefault(number, Path(entry.path))
        else:
            ignored.append(entry.name)
    ignored.sort()
    if not version_dirs:
        hint = ""
        nested = [n for n in ignored[:50] if model_file_in(path / n) is not None]
        if nested:
            hint = f"; sub-folder '{nested[0]}' holds one, open that"
        raise ModelError(
            path,
            f"found {_describe(entries)}; no saved_model.pb or saved_model.pbtxt{hint}",
        )
    versions = sorted(version_dirs)
    notes = []
    if version is None:
        with_model = [v for v in versions if model_file_in(version_dirs[v]) is not None]
        if not with_model:
            raise ModelError(
                path,
                f"a TF Serving base folder with versions {versions_text(versions)}, "
                "but none holds saved_model.pb or saved_model.pbtxt; put the export in one",
            )
        version = with_model[-1]
        for v in versions:
            if v not in with_model:
                notes.append(f"version {v} holds no saved_model.pb: TF Serving cannot load it")
    elif version not in version_dirs:
        raise ModelError(
            path,
            f"no version {version}; versions here: {versions_text(versions)}; "
            "choose one of them with --version",
        )
    chosen = version_dirs[version]
    model_file = model_file_in(chosen)
    if model_file is None:
        raise ModelError(chosen, "no saved_model.pb or saved_model.pbtxt in this version folder")
    return Found(
        pb_path=model_file,
        base_dir=path,
        versions=versions,
        version=version,
        ignored=ignored,
        version_dirs=version_dirs,
        notes=notes,
    )
