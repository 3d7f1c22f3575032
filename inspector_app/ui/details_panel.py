"""The side panel: everything about the selected tree node, with buttons that copy it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

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

from inspector_app.safeio import escape

if TYPE_CHECKING:  # the savedmodel package loads after the window is on screen
    from inspector_app.savedmodel.tree import TreeNode


_EMPTY_TEXT = "Select a row in the tree to see its details."


_HIDDEN_KEYS = {"serving_metadata", "key"}  # the metadata has its own button; key = the title
_SIZE_DICTS = {"breakdown", "sizes"}  # dicts whose values are byte counts


def _shape_text(shape: Any) -> str:
    if shape is None:
        return "unknown rank"
    if isinstance(shape, (list, tuple)):
        return "[" + ", ".join("?" if d in (-1, None) else str(d) for d in shape) + "]"
    return str(shape)


def _scalar_text(key: str, value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "yes" if value is True else "no" if value is False else "-"
    if isinstance(value, int) and (key.endswith("bytes") or key == "size"):
        # Details exist only for a model already read, so the reading code is loaded by now.
        from inspector_app.units import KB, human_bytes

        return f"{value} B" if value < KB else f"{value:,} bytes ({human_bytes(value)})"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _is_tensor_list(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, dict) and "dtype" in v and "name" in v for v in value)
    )


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return [
        indent + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in rows
    ]


def format_details(node: TreeNode) -> str:
    """A readable text of ``node.details``: one line per fact, tensors as aligned tables."""
    lines: list[str] = []
    for key, value in node.details.items():
        if key in _HIDDEN_KEYS:
            continue
        label = key.removesuffix("_bytes").replace("_", " ")
        if _is_tensor_list(value):
            rows = [
                [t["name"], t["dtype"], _shape_text(t.get("shape")), t.get("tensor_name", "")]
                for t in value
            ]
            lines += [f"{label} ({len(value)}):", *_table(rows)]
        elif isinstance(value, dict) and all(
            not isinstance(v, (dict, list)) for v in value.values()
        ):
            if not value:
                lines.append(f"{label}: -")
                continue
            lines.append(f"{label}:")
            sizes = key in _SIZE_DICTS
            lines += _table(
                [[f"{k}:", _scalar_text("bytes" if sizes else str(k), v)] for k, v in value.items()]
            )
        elif isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
            text = ", ".join(str(v) for v in value) if value else "-"
            lines.append(f"{label}: {_shape_text(value) if key == 'shape' else text}")
        elif isinstance(value, (dict, list)):
            dumped = json.dumps(value, indent=2, default=str).splitlines()
            lines += [f"{label}:", *("  " + line for line in dumped)]
        elif key == "shape":
            lines.append(f"{label}: {_shape_text(value)}")
        else:
            lines.append(f"{label}: {_scalar_text(key, value)}")
    if node.copy_value and node.copy_value != node.name and node.copy_value not in "\n".join(lines):
        lines.append(f"value: {node.copy_value}")
    if node.cli_command:
        lines += ["", "saved_model_cli:", f"  {node.cli_command}"]
    return "\n".join(lines).strip("\n")


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

        self.title = QLabel(objectName="detailsTitle", textFormat=Qt.TextFormat.PlainText)
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
            kind = node.kind.replace("_", " ").capitalize()
            # "Variables: Variables" says nothing twice: group rows show their name alone
            name = node.name if node.name.lower() == kind.lower() else f"{kind}: {node.name}"
            summary = f"  \N{MIDDLE DOT}  {node.summary}" if node.summary else ""
            # names come from the model: shown with control characters escaped, never as markup
            self.title.setText(escape(f"{name}{summary}"))
            self.text_view.setPlainText(escape(format_details(node), keep_newlines=True))
        has_node = node is not None
        self.copy_text_button.setEnabled(has_node)
        self.copy_json_button.setEnabled(has_node)
        self.copy_serving_button.setVisible(has_node and serving_metadata_text(node) is not None)

    def text(self) -> str:
        """The text the panel shows under its title (what "Copy text" copies)."""
        if self._node is None:
            return ""
        return f"{self.title.text()}\n\n{self.text_view.toPlainText()}"

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
