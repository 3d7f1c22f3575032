"""The installed PySide6 keeps Python's reference count of None: PySide6-Essentials 6.12.0 drops
one reference on each QPainter call, and Python 3.11 (where None is counted like any object)
aborts with "none_dealloc" after a few thousand calls. pyproject.toml pins it below 6.12."""

from __future__ import annotations

import sys

from PySide6.QtGui import QColor, QImage, QPainter, QPen


def test_painting_keeps_the_references_to_none(qapp) -> None:
    image = QImage(64, 64, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    pen = QPen(QColor(10, 20, 30))
    before = sys.getrefcount(None)
    for _ in range(200):  # 400 calls: far from zero, enough to see a drop
        painter.setPen(pen)
        painter.drawRect(1, 1, 5, 5)
    after = sys.getrefcount(None)
    painter.end()
    assert after - before > -50, f"None lost {before - after} references in 400 QPainter calls"
