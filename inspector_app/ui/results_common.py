"""Shared pieces of the result views: numpy -> QImage, a zoom/pan picture view, export dialogs."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QImage,
    QMouseEvent,
    QPainter,
    QPixmap,
    QResizeEvent,
    QShowEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsView,
    QLabel,
    QMessageBox,
    QPushButton,
    QWidget,
)

from inspector_app.errors import UserError
from inspector_app.results.images import rgb32_pixels


def qimage_from_array(arr: np.ndarray, copy: bool = True) -> QImage:
    """uint8 [H, W], [H, W, 1|3|4] or uint32 [H, W] (0xFFRRGGBB) -> a QImage.

    With ``copy=False`` the image uses the array's memory: the caller keeps the array alive.
    """
    a = np.ascontiguousarray(arr)
    if a.dtype == np.uint32:
        h, w = a.shape
        img = QImage(a.data, w, h, w * 4, QImage.Format.Format_RGB32)
        return img.copy() if copy else img
    if a.ndim == 3 and a.shape[-1] == 1:
        a = np.ascontiguousarray(a[..., 0])
    h, w = a.shape[:2]
    if a.ndim == 2:
        fmt, channels = QImage.Format.Format_Grayscale8, 1
    elif a.shape[-1] == 3:
        fmt, channels = QImage.Format.Format_RGB888, 3
    else:
        fmt, channels = QImage.Format.Format_RGBA8888, 4
    img = QImage(a.data, w, h, w * channels, fmt)
    return img.copy() if copy else img


class ImageItem(QGraphicsItem):
    """A QImage drawn as it is (no QPixmap conversion: a 2048² picture is shown at once)."""

    def __init__(self, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self._image = QImage()
        self._keep: object = None  # the array whose memory the image uses

    def set_image(self, image: QImage, keep: object = None) -> None:
        self.prepareGeometryChange()
        self._image, self._keep = image, keep
        self.update()

    def image(self) -> QImage:
        return self._image

    def boundingRect(self) -> QRectF:  # noqa: N802 - Qt override
        return QRectF(0, 0, self._image.width(), self._image.height())

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        if not self._image.isNull():
            # Only the exposed part, nearest neighbour: cheap at any zoom.
            exposed = getattr(option, "exposedRect", self.boundingRect())
            src = exposed.intersected(self.boundingRect()).toAlignedRect()
            painter.drawImage(QRectF(src), self._image, QRectF(src))


class PictureView(QGraphicsView):
    """A picture with wheel zoom and drag pan; reports the pixel under the cursor."""

    hovered = Signal(int, int)  # x, y in picture pixels (-1, -1 outside)
    zoomed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self._item = ImageItem()
        self._item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.scene().addItem(self._item)
        self._top = ImageItem(self._item)  # an optional layer drawn over the picture
        self._top.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self._top.setVisible(False)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)  # crisp pixels
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        self.auto_fit = True  # fit the picture to the view until the user zooms

    def set_image(self, image: QImage, keep: object = None) -> None:
        """Show ``image``; fitted to the view until the user zooms, then zoom and pan are kept.
        ``keep``: the array whose memory ``image`` uses (kept alive while it is shown)."""
        if image.format() not in (
            QImage.Format.Format_RGB32,
            QImage.Format.Format_ARGB32_Premultiplied,
        ):
            image = image.convertToFormat(QImage.Format.Format_RGB32)
            keep = None
        self._item.set_image(image, keep)
        self.scene().setSceneRect(self._item.boundingRect())
        if self.auto_fit:
            self.fit()

    def set_array(self, pixels: np.ndarray) -> None:
        """``set_image`` for an array (uint32 RGB32 and uint8 RGB pixels are drawn as RGB32)."""
        a = np.asarray(pixels)
        if a.dtype == np.uint8 and a.ndim == 3 and a.shape[-1] == 3:
            a = rgb32_pixels(a)
        a = np.ascontiguousarray(a)
        self.set_image(qimage_from_array(a, copy=False), a)

    def set_top_array(self, pixels: np.ndarray, opacity: float) -> None:
        """``set_top_layer`` for an array, without a copy."""
        a = np.ascontiguousarray(pixels)
        self.set_top_layer(qimage_from_array(a, copy=False), opacity, a)

    def set_top_layer(
        self, image: QImage | None, opacity: float = 0.5, keep: object = None
    ) -> None:
        """Draw ``image`` over the picture with ``opacity`` (Qt blends only what is on screen)."""
        if image is not None:
            if image.format() != QImage.Format.Format_RGB32:
                image, keep = image.convertToFormat(QImage.Format.Format_RGB32), None
            self._top.set_image(image, keep)
        self._top.setVisible(not self._top.image().isNull())
        self._top.setOpacity(opacity)

    def image(self) -> QImage:
        """The picture shown, at its own resolution (without the top layer), a copy."""
        return self._item.image().copy()

    def rendered(self) -> QImage:
        """The picture with its top layer, as drawn, at the picture's own resolution."""
        rect = self._item.boundingRect()
        out = QImage(int(rect.width()), int(rect.height()), QImage.Format.Format_RGB32)
        out.fill(0)
        painter = QPainter(out)
        self.scene().render(painter, QRectF(out.rect()), rect)
        painter.end()
        return out

    def image_rect(self) -> QRectF:
        """The picture's rectangle in scene coordinates (its pixels)."""
        return self._item.boundingRect()

    def fit(self) -> None:
        if not self._item.image().isNull():
            self.fitInView(self._item, Qt.AspectRatioMode.KeepAspectRatio)

    def fit_again(self) -> None:
        """Fit the picture to the view from now on (undoes the user's zoom)."""
        self.auto_fit = True
        self.fit()
        self.zoomed.emit(self.transform().m11())

    def zoom_by(self, factor: float) -> None:
        self.auto_fit = False
        self.scale(factor, factor)
        self.zoomed.emit(self.transform().m11())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self.auto_fit:
            self.fit()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.auto_fit:
            self.fit()

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        self.zoom_by(1.25 if event.angleDelta().y() > 0 else 0.8)

    def pixel_at(self, pos: QPointF) -> tuple[int, int]:
        """The picture pixel under a viewport position, (-1, -1) outside the picture."""
        p = self.mapToScene(pos.toPoint())
        x, y = int(np.floor(p.x())), int(np.floor(p.y()))
        rect = self._item.image().rect()
        return (x, y) if 0 <= x < rect.width() and 0 <= y < rect.height() else (-1, -1)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        super().mouseMoveEvent(event)
        self.hovered.emit(*self.pixel_at(event.position()))


THUMB = 96  # the side of an input thumbnail, pixels


class InputThumbnail(QLabel):
    """The input image of the batch item shown, small (hidden when the run had no image)."""

    def __init__(self, images: np.ndarray | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inputThumbnail")
        self.images = images  # [N, H, W, 3] uint8, or None
        self.setFixedSize(THUMB, THUMB)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setVisible(images is not None)

    def show_item(self, item: int) -> None:
        if self.images is None:
            return
        picture = self.images[item if 0 <= item < self.images.shape[0] else 0]
        pix = QPixmap.fromImage(qimage_from_array(picture))
        self.setPixmap(pix.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                  Qt.TransformationMode.SmoothTransformation))  # fmt: skip
        self.setToolTip(f"Input image of batch item {item}")


def link_pictures(a: PictureView, b: PictureView) -> None:
    """Zoom and pan two pictures of the same size together, whichever the user moves."""
    for src, dst in ((a, b), (b, a)):
        src.horizontalScrollBar().valueChanged.connect(dst.horizontalScrollBar().setValue)
        src.verticalScrollBar().valueChanged.connect(dst.verticalScrollBar().setValue)
        src.zoomed.connect(lambda _z, s=src, d=dst: _follow(s, d))


def _follow(src: PictureView, dst: PictureView) -> None:
    dst.auto_fit = src.auto_fit
    if dst.transform() != src.transform():
        dst.setTransform(src.transform())
    dst.horizontalScrollBar().setValue(src.horizontalScrollBar().value())
    dst.verticalScrollBar().setValue(src.verticalScrollBar().value())


def export_button(text: str, object_name: str, slot: Callable[[], None]) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(object_name)
    button.clicked.connect(slot)
    return button


def ask_save_path(parent: QWidget, title: str, name_filter: str, suggested: str) -> str | None:
    """A save dialog (it asks before replacing a file); None when cancelled."""
    path, _ = QFileDialog.getSaveFileName(parent, title, suggested, name_filter)
    return path or None


def run_export(
    parent: QWidget, title: str, name_filter: str, suggested: str, write: Callable[..., object]
) -> None:
    """Ask for a path, then ``write(path, overwrite=...)``; the dialog already asked about
    replacing an existing file, so overwriting is allowed only for a file that exists now."""
    path = ask_save_path(parent, title, name_filter, suggested)
    if not path:
        return
    try:
        write(path, overwrite=os.path.exists(path))
    except UserError as err:
        QMessageBox.warning(parent, title, str(err))
    except (OSError, ValueError) as err:
        QMessageBox.warning(parent, title, f"{Path(path).name}: {err}")


def safe_name(text: str) -> str:
    """An output name as a file name part."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text) or "output"
