"""What the window remembers between runs, kept in ``QSettings`` (INI format, user scope).

Tests point the INI folder elsewhere with ``QSettings.setPath(QSettings.IniFormat, ...)``; the
benchmark does so through ``XDG_CONFIG_HOME``. Nothing here is read at import time.
"""

from __future__ import annotations

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


def recent_models() -> list[str]:
    """Recently opened model paths, newest first (at most ``MAX_RECENT``)."""
    return _as_list(open_settings().value(_RECENT_KEY))[:MAX_RECENT]


def add_recent_model(path: str) -> list[str]:
    """Put ``path`` first in the recent list (no duplicates) and return the new list."""
    path = str(Path(path).expanduser().absolute())
    items = [p for p in recent_models() if p != path]
    items = [path, *items][:MAX_RECENT]
    store = open_settings()
    store.setValue(_RECENT_KEY, items)
    store.sync()
    return items


def remove_recent_model(path: str) -> list[str]:
    """Forget one recent path (for instance one that no longer exists)."""
    items = [p for p in recent_models() if p != path]
    store = open_settings()
    store.setValue(_RECENT_KEY, items)
    store.sync()
    return items


def clear_recent_models() -> None:
    store = open_settings()
    store.remove(_RECENT_KEY)
    store.sync()


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
