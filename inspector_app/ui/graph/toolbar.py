"""The Graph tab's bar: back, the breadcrumb of opened functions, fit, expand, collapse and the
exports."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget


def tool_button(text: str, tip: str, slot: Any) -> QToolButton:
    b = QToolButton(text=text, toolTip=tip)
    b.setAutoRaise(True)
    b.clicked.connect(slot)
    return b


class GraphToolbar(QWidget):
    """``actions`` maps back, fit, expand, collapse, png and svg to the panel's slots."""

    def __init__(self, actions: dict[str, Callable], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.back_button = tool_button(
            "◀", "Back to the calling graph (Backspace)", actions["back"]
        )
        self.crumbs = QWidget(objectName="graphCrumbs")
        self._crumb_layout = QHBoxLayout(self.crumbs)
        self._crumb_layout.setContentsMargins(0, 0, 0, 0)
        self._crumb_layout.setSpacing(2)
        self.fit_button = tool_button("Fit", "Fit the graph in the view (F)", actions["fit"])
        self.expand_button = tool_button("Expand", "Open every name scope", actions["expand"])
        self.collapse_button = tool_button(
            "Collapse", "Close every name scope", actions["collapse"]
        )
        self.png_button = tool_button("PNG…", "Export the picture as PNG", actions["png"])
        self.svg_button = tool_button("SVG…", "Export the picture as SVG", actions["svg"])
        bar = QHBoxLayout(self)
        bar.setContentsMargins(4, 4, 4, 0)
        bar.addWidget(self.back_button)
        bar.addWidget(self.crumbs, 1)
        for b in (self.fit_button, self.expand_button, self.collapse_button, self.png_button,
                  self.svg_button):  # fmt: skip
            bar.addWidget(b)

    def set_crumbs(self, titles: list[str], go_to: Callable[[int], None]) -> None:
        while self._crumb_layout.count():
            w = self._crumb_layout.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        for level, title in enumerate(titles):
            if level:
                self._crumb_layout.addWidget(QLabel("›"))
            short = title if len(title) <= 40 else title[:37] + "…"
            b = QToolButton(text=short, toolTip=title)
            b.setAutoRaise(True)
            b.setObjectName(f"graphCrumb{level}")
            b.setEnabled(level < len(titles) - 1)
            b.clicked.connect(lambda _=False, lv=level: go_to(lv))
            self._crumb_layout.addWidget(b)
        self._crumb_layout.addStretch(1)
        self.back_button.setEnabled(len(titles) > 1)

    def set_has_graph(self, has: bool) -> None:
        for b in (self.fit_button, self.expand_button, self.collapse_button, self.png_button,
                  self.svg_button):  # fmt: skip
            b.setEnabled(has)
