"""A window that fits the available area of its screen, at any ``QT_SCALE_FACTOR``."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

SCREEN_SHARE = 0.96  # of the available area a first or restored window may take


def fit_rect(size: QSize, current: QRect | None, available: QRect) -> QRect:
    """A window rectangle of at most ``size`` inside ``available``: shrunk to fit, and moved in
    (centred) when ``current`` lies partly outside."""
    width = min(size.width(), int(available.width() * SCREEN_SHARE))
    height = min(size.height(), int(available.height() * SCREEN_SHARE))
    rect = QRect(current.topLeft() if current is not None else available.topLeft(), QSize(width, height))  # fmt: skip
    if current is None or not available.contains(rect):
        rect.moveCenter(available.center())
    return rect


def fit_to_screen(window: QWidget, available: QRect | None = None) -> QRect:
    """Resize and move ``window`` so that it fits the available area of its screen."""
    if available is None:
        screen = window.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return window.geometry()
        available = screen.availableGeometry()
    # no minimum of the window's own may keep it larger than the screen
    minimum = window.minimumSize()
    if minimum.width() > available.width() or minimum.height() > available.height():
        window.setMinimumSize(minimum.boundedTo(available.size()))
    current = window.geometry() if window.testAttribute(Qt.WidgetAttribute.WA_Moved) else None
    rect = fit_rect(window.size(), current, available)
    window.resize(rect.size())
    if current is None or rect.topLeft() != current.topLeft():
        window.move(rect.topLeft())
    return rect
