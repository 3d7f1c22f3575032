"""The window's remembered layout: its geometry, the splitter between tree and panels, and the
tree's column widths."""

from __future__ import annotations

from PySide6.QtWidgets import QHeaderView, QSplitter, QWidget

from inspector_app.ui import settings

DEFAULT_SPLIT = [440, 900]


def restore_layout(window: QWidget, splitter: QSplitter, header: QHeaderView) -> None:
    geometry = settings.load_bytes("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    state = settings.load_bytes("window/splitter")
    if state is not None:
        splitter.restoreState(state)
    else:
        splitter.setSizes(DEFAULT_SPLIT)
    columns = settings.load_bytes("window/tree_header")
    if columns is not None:
        header.restoreState(columns)


def save_layout(window: QWidget, splitter: QSplitter, header: QHeaderView) -> None:
    settings.save_bytes("window/geometry", window.saveGeometry())
    settings.save_bytes("window/splitter", splitter.saveState())
    settings.save_bytes("window/tree_header", header.saveState())
