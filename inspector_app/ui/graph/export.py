"""The Graph tab's exports: the drawn scene as a PNG, the layout as SVG (``graph_export``), both
written by ``fileio``'s one atomic writer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QFileDialog, QWidget

from inspector_app.errors import UserError
from inspector_app.fileio import atomic_write_bytes, atomic_write_text


def export_png(view: Any, path: str | Path, max_side: int = 16000) -> Path:
    """The whole drawn graph of ``view`` (a ``GraphView``) as a PNG, at most ``max_side`` pixels."""
    item = view.item
    if item is None:
        raise ValueError("no graph is shown")
    rect = item.boundingRect()
    scale = min(2.0, max_side / max(rect.width(), rect.height(), 1.0))
    size = QSize(max(1, int(rect.width() * scale)), max(1, int(rect.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32)
    brush = view.backgroundBrush()
    image.fill(brush.color() if brush.style() != Qt.BrushStyle.NoBrush else QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    view.scene().render(painter, QRectF(0, 0, size.width(), size.height()), rect)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise UserError("cannot encode the picture as PNG", path=str(path))
    buffer.close()
    return atomic_write_bytes(path, bytes(data.data()), overwrite=True)


def export_svg(graph: Any, layout: Any, path: str | Path) -> Path:
    from inspector_app.savedmodel.graph_export import to_svg

    return atomic_write_text(path, to_svg(graph, layout), overwrite=True)


def ask_and_export(parent: QWidget, title: str, kind: str, write: Callable[[str], Any]) -> str:
    """Ask for a file name (``kind`` "png" or "svg"), write it; the line for the status bar
    ("" when the user cancelled)."""
    filter_text = "PNG image (*.png)" if kind == "png" else "SVG picture (*.svg)"
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in title)[:80] or "graph"
    path, _ = QFileDialog.getSaveFileName(
        parent, "Export the graph", str(Path.home() / f"{name}.{kind}"), filter_text
    )
    if not path:
        return ""
    try:
        write(path)
    except (OSError, ValueError, UserError) as err:
        return f"Export failed: {err}"
    return f"Wrote {path}"
