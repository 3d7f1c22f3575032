"""The side panel: everything about the selected tree node, with buttons that copy it."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector_app.savedmodel.tree import TreeNode

_EMPTY_TEXT = "Select a row in the tree to see its details."


def serving_metadata_text(node: TreeNode) -> str | None:
    """The TF Serving model-metadata JSON of a signature node, or None when it has none."""
    value = node.details.get("serving_metadata")
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, indent=2, default=str)


class DetailsPanel(QWidget):
    """Shows ``node.details_text()``; ``copied(str)`` says what went to the clipboard."""

    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailsPanel")
        self._node: TreeNode | None = None

        self.title = QLabel(objectName="detailsTitle")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)

        self.text_view = QPlainTextEdit(objectName="detailsText")
        self.text_view.setReadOnly(True)
        self.text_view.setAcceptDrops(False)  # drops go to the window (open a model)
        self.text_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))

        self.copy_text_button = QPushButton("Copy text", objectName="copyTextButton")
        self.copy_json_button = QPushButton("Copy JSON", objectName="copyJsonButton")
        self.copy_serving_button = QPushButton(
            "Copy TF Serving metadata", objectName="copyServingButton"
        )
        self.copy_serving_button.setToolTip(
            "The JSON that TF Serving's GetModelMetadata returns for this signature"
        )

        buttons = QHBoxLayout()
        for button in (self.copy_text_button, self.copy_json_button, self.copy_serving_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.title)
        layout.addWidget(self.text_view, 1)
        layout.addLayout(buttons)
        self._connect_callbacks()
        self.set_node(None)

    def _connect_callbacks(self) -> None:
        self.copy_text_button.clicked.connect(lambda: self._copy("text", self.text()))
        self.copy_json_button.clicked.connect(self._copy_json)
        self.copy_serving_button.clicked.connect(self._copy_serving)

    # -- public ---------------------------------------------------------------------------
    def node(self) -> TreeNode | None:
        return self._node

    def set_node(self, node: TreeNode | None) -> None:
        """Show ``node`` (None: an empty panel with a hint)."""
        self._node = node
        if node is None:
            self.title.setText("No selection")
            self.text_view.setPlainText(_EMPTY_TEXT)
        else:
            self.title.setText(f"{node.kind.replace('_', ' ')}: {node.name}")
            self.text_view.setPlainText(node.details_text())
        has_node = node is not None
        self.copy_text_button.setEnabled(has_node)
        self.copy_json_button.setEnabled(has_node)
        self.copy_serving_button.setVisible(has_node and serving_metadata_text(node) is not None)

    def text(self) -> str:
        """The text the panel shows (what "Copy text" copies)."""
        return self.text_view.toPlainText() if self._node is not None else ""

    # -- copying --------------------------------------------------------------------------
    def _copy(self, what: str, text: Any) -> None:
        if not text:
            return
        QGuiApplication.clipboard().setText(str(text))
        self.copied.emit(what)

    def _copy_json(self) -> None:
        if self._node is not None:
            self._copy("JSON", self._node.details_json())

    def _copy_serving(self) -> None:
        if self._node is not None:
            self._copy("TF Serving metadata", serving_metadata_text(self._node))
