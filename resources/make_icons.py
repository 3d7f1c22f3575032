"""Render resources/icons/app.svg to PNGs (16..512 px), app.ico and app.icns.

    python3 resources/make_icons.py

Renders with PySide6's QSvgRenderer (QtSvg ships in PySide6-Essentials), offscreen, and writes
the .ico and .icns with pillow from the rendered PNGs.
"""

from __future__ import annotations

import os
from pathlib import Path

from PIL import Image

ICONS_DIR = Path(__file__).resolve().parent / "icons"
SVG = ICONS_DIR / "app.svg"
SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 32, 48, 64, 128, 256)  # .ico stops at 256


def render_png(size: int, out: Path) -> Path:
    """Render the SVG at size x size pixels, with antialiasing and a transparent background."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG}: not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"could not write {out}")
    return out


def main() -> int:
    pngs = {size: render_png(size, ICONS_DIR / f"app_{size}.png") for size in SIZES}
    biggest = Image.open(pngs[512]).convert("RGBA")
    # pillow picks, for each size asked, the rendered PNG of that size when given in append_images
    ico_images = [Image.open(pngs[s]).convert("RGBA") for s in ICO_SIZES]
    ico_images[-1].save(
        ICONS_DIR / "app.ico",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=ico_images[:-1],
    )
    biggest.save(ICONS_DIR / "app.icns")
    for p in sorted(ICONS_DIR.iterdir()):
        print(f"{p.name:14s} {p.stat().st_size:7d} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
