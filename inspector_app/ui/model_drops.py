"""Dropping model folders or saved_model.pb/.pbtxt files on the window opens them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QDragEnterEvent, QDropEvent

MODEL_FILE_SUFFIXES = (".pb", ".pbtxt")


def is_model_path(path: Path) -> bool:
    """A folder, or a saved_model.pb/.pbtxt file: what the window opens when dropped."""
    return path.is_dir() or path.suffix.lower() in MODEL_FILE_SUFFIXES


def dropped_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
    """The model folders and .pb/.pbtxt files among a drag's URLs."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
    return [p for p in paths if is_model_path(p)]


class ModelDrops(QObject):
    """Installed on a widget (which must accept drops): drags of models are accepted, and a
    drop hands their paths to ``open_paths``."""

    def __init__(self, target: QObject, open_paths: Callable[[list[Path]], None]) -> None:
        super().__init__(target)
        self.open_paths = open_paths
        target.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if dropped_paths(event):
                event.acceptProposedAction()
            else:
                event.ignore()
            return True
        if kind == QEvent.Type.Drop:
            paths = dropped_paths(event)
            if not paths:
                event.ignore()
                return True
            event.acceptProposedAction()
            self.open_paths(paths)
            return True
        return False
