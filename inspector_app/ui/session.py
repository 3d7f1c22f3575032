"""The window's session: reopening the last session's models at start (an option), and the
bundled demo models, which never enter Recent."""

from __future__ import annotations

from pathlib import Path

from inspector_app.ui import settings

_REOPEN_KEY = "session/reopen"
_SESSION_KEY = "session/models"


def is_demo_path(path: str | Path) -> bool:
    """True for a model folder among the bundled demo models (kept out of Recent)."""
    try:
        from inspector_app.resources import resource_roots

        target = Path(path).resolve()
        return any((root / "demo_models").resolve() in target.parents for root in resource_roots())
    except (ImportError, OSError, RuntimeError):
        return False


def reopen_enabled() -> bool:
    value = settings.open_settings().value(_REOPEN_KEY, False)
    return value in (True, "true", "1", 1)


def set_reopen_enabled(on: bool) -> None:
    store = settings.open_settings()
    store.setValue(_REOPEN_KEY, bool(on))
    store.sync()


def save_session(paths: list[str]) -> None:
    store = settings.open_settings()
    store.setValue(_SESSION_KEY, list(paths))
    store.sync()


def last_session() -> list[str]:
    """The models open when the window last closed (existing paths only)."""
    value = settings.open_settings().value(_SESSION_KEY)
    paths = [value] if isinstance(value, str) else list(value or [])
    return [str(p) for p in paths if p and Path(str(p)).exists()]


def startup_paths(demo_paths: list[str]) -> tuple[list[str], bool]:
    """What a launch without paths opens: the last session's models when the option is on and
    some remain, else the demos. Returns (paths, are_demos)."""
    if reopen_enabled():
        previous = last_session()
        if previous:
            return previous, False
    return demo_paths, True
