"""The window's resources: the icon, and the demo models it offers to open."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon

import inspector_app


def resource_root() -> Path:
    """``resources/``: beside a PyInstaller bundle's files, else in the source tree."""
    try:  # the shared helper, where present, also knows the installed-package location
        from inspector_app.resources import resources_dir

        return resources_dir()
    except (ImportError, FileNotFoundError):
        pass
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(inspector_app.__file__).resolve().parents[1] / "resources"


def app_icon() -> QIcon | None:
    """The window icon from resources/icons (every app_<size>.png, else app.svg), if present."""
    folder = resource_root() / "icons"
    pngs = sorted(folder.glob("app_*.png"))
    files = pngs or [p for p in (folder / "app.svg", folder / "app.png") if p.is_file()]
    if not files:
        return None
    icon = QIcon()
    for file in files:
        icon.addFile(str(file))
    return icon


def demo_model_paths() -> list[str]:
    """Each sub-folder of resources/demo_models (none when the folder is absent)."""
    folder = resource_root() / "demo_models"
    if not folder.is_dir():
        return []
    return [
        str(p) for p in sorted(folder.iterdir()) if p.is_dir() and not p.name.startswith((".", "_"))
    ]
