"""What the window remembers between runs, kept in ``QSettings`` (INI format, user scope).

Tests point the INI folder elsewhere with ``QSettings.setPath(QSettings.IniFormat, ...)``; the
benchmark does so through ``XDG_CONFIG_HOME``. Nothing here is read at import time.

The recent-models list changes on every open, and writing it ends in an fsync that can wait for
a busy disk: one background thread writes it, in the order it changed, and until a change is on
disk ``recent_models()`` answers with it.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

from inspector_app import APP_NAME, ORG_NAME

MAX_RECENT = 10
_RECENT_KEY = "recent/models"


def open_settings() -> QSettings:
    """The application's settings store (always INI, so one ``setPath`` redirects it)."""
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORG_NAME, APP_NAME)


def _as_list(value: object) -> list[str]:
    # QSettings hands back a str for a one-item list and None for an absent key.
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]  # type: ignore[union-attr]


_recent_lock = threading.Lock()
_recent_unwritten: list[str] | None = None  # the newest list, until it is on disk
_recent_writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="settings-writer")


def recent_models() -> list[str]:
    """Recently opened model paths, newest first (at most ``MAX_RECENT``)."""
    with _recent_lock:
        if _recent_unwritten is not None:
            return list(_recent_unwritten)
    return _as_list(open_settings().value(_RECENT_KEY))[:MAX_RECENT]


def add_recent_model(path: str) -> list[str]:
    """Put ``path`` first in the recent list (no duplicates) and return the new list."""
    path = str(Path(path).expanduser().absolute())
    items = [p for p in recent_models() if p != path]
    return _set_recent([path, *items][:MAX_RECENT])


def remove_recent_model(path: str) -> list[str]:
    """Forget one recent path (for instance one that no longer exists)."""
    return _set_recent([p for p in recent_models() if p != path])


def clear_recent_models() -> None:
    _set_recent([])


def wait_for_writes(timeout: float | None = 5.0) -> bool:
    """Wait until the recent list handed to the writer is on disk (at exit, in tests); False
    when the disk did not answer within ``timeout`` seconds."""
    try:
        _recent_writer.submit(lambda: None).result(timeout)
    except TimeoutError:
        return False
    return True


def _set_recent(items: list[str]) -> list[str]:
    global _recent_unwritten
    with _recent_lock:
        _recent_unwritten = list(items)
    _recent_writer.submit(_write_recent)
    return items


def _write_recent() -> None:
    global _recent_unwritten
    with _recent_lock:
        items = _recent_unwritten
    if items is None:
        return  # a later job has written it already
    store = open_settings()
    if items:
        store.setValue(_RECENT_KEY, items)
    else:
        store.remove(_RECENT_KEY)
    store.sync()
    with _recent_lock:
        if _recent_unwritten is items:
            _recent_unwritten = None


def save_bytes(key: str, data: QByteArray) -> None:
    """Store opaque Qt state (``saveGeometry``, ``saveState``) under ``key``."""
    store = open_settings()
    store.setValue(key, data)
    store.sync()


def load_bytes(key: str) -> QByteArray | None:
    """The state stored under ``key``, or None when there is none."""
    value = open_settings().value(key)
    if isinstance(value, QByteArray) and not value.isEmpty():
        return value
    if isinstance(value, (bytes, bytearray)) and value:
        return QByteArray(bytes(value))
    return None


def _view_key(model_path: str, output: str) -> str:
    import hashlib

    model = str(Path(model_path).expanduser().absolute())
    digest = hashlib.sha1(f"{model}\0{output}".encode()).hexdigest()[:20]
    return f"views/{digest}"


def remembered_view(model_path: str, output: str) -> str | None:
    """The view the user chose for ``output`` of ``model_path``, if any."""
    key = _view_key(model_path, output)
    with _recent_lock:
        if key in _views_unwritten:
            return _views_unwritten[key]
    value = open_settings().value(key)
    return str(value) if value else None


_views_unwritten: dict[str, str | None] = {}


def remember_view(model_path: str, output: str, view: str | None) -> None:
    """Remember (None: forget) the view chosen for ``output`` of ``model_path``; written by the
    settings thread like the recent list."""
    key = _view_key(model_path, output)
    with _recent_lock:
        _views_unwritten[key] = view

    def write() -> None:
        with _recent_lock:
            if key not in _views_unwritten:
                return
            value = _views_unwritten[key]
        store = open_settings()
        if value:
            store.setValue(key, value)
        else:
            store.remove(key)
        store.sync()
        with _recent_lock:
            if _views_unwritten.get(key, "") == value:
                del _views_unwritten[key]

    _recent_writer.submit(write)


_CUSTOM_OPS_KEY = "engine/custom_ops"


def custom_ops() -> list[str]:
    """Python modules and op libraries (.so) the engine loads before a model (Run > Custom ops)."""
    return _as_list(open_settings().value(_CUSTOM_OPS_KEY))


def set_custom_ops(items: list[str]) -> None:
    store = open_settings()
    items = [i.strip() for i in items if i.strip()]
    if items:
        store.setValue(_CUSTOM_OPS_KEY, items)
    else:
        store.remove(_CUSTOM_OPS_KEY)
    store.sync()
