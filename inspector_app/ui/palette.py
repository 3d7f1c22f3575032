"""Colours that follow the application's palette, so that a dark theme stays readable.

Fixed colours are chosen per lightness of the palette's base colour: the light set is the one
the window always used, the dark set keeps the same hues at a contrast of at least 4.5:1 on a
dark background.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

_LIGHT = {"error": "#c62828", "warning": "#b26a00", "info": "#1565c0", "ok": "#1b5e20"}
_DARK = {"error": "#ff8a80", "warning": "#ffcc80", "info": "#90caf9", "ok": "#a5d6a7"}


def _palette(widget: QWidget | None) -> QPalette:
    if widget is not None:
        return widget.palette()
    app = QApplication.instance()
    return app.palette() if app is not None else QPalette()  # type: ignore[union-attr]


def is_dark(widget: QWidget | None = None) -> bool:
    """True when the palette's base (the background of text) is dark."""
    palette = _palette(widget)
    return palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5 or (
        palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5
    )


def severity_colour(severity: str, widget: QWidget | None = None) -> QColor:
    """``error``, ``warning``, ``info`` or ``ok`` as a colour readable on the palette."""
    table = _DARK if is_dark(widget) else _LIGHT
    if severity not in table:
        return _palette(widget).color(QPalette.ColorRole.Text)
    return QColor(table[severity])


def problem_colour(widget: QWidget | None = None) -> str:
    """The error colour as ``#rrggbb`` for a style sheet (the light one as the window had)."""
    return "#b00020" if not is_dark(widget) else _DARK["error"]


def dark_palette() -> QPalette:
    """A dark palette (Fusion-like) for screenshots and tests of dark themes."""
    p = QPalette()
    window, base, text = QColor("#2b2b2b"), QColor("#1e1e1e"), QColor("#e6e6e6")
    for role, colour in (
        (QPalette.ColorRole.Window, window),
        (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base),
        (QPalette.ColorRole.AlternateBase, QColor("#262626")),
        (QPalette.ColorRole.ToolTipBase, QColor("#3a3a3a")),
        (QPalette.ColorRole.ToolTipText, text),
        (QPalette.ColorRole.PlaceholderText, QColor("#9a9a9a")),
        (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, QColor("#353535")),
        (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.BrightText, QColor("#ff5252")),
        (QPalette.ColorRole.Link, QColor("#8ab4f8")),
        (QPalette.ColorRole.Highlight, QColor("#3d6fb4")),
        (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
        (QPalette.ColorRole.Mid, QColor("#444444")),
        (QPalette.ColorRole.Dark, QColor("#1a1a1a")),
        (QPalette.ColorRole.Light, QColor("#505050")),
    ):
        p.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):  # fmt: skip
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return p
