"""What the window shows while no model is open: how to open one.

Open folder…, Open saved_model.pb…, the recent models, the demo models, and a hint that a model
folder can be dropped anywhere on the window (the window itself takes the drop).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from inspector_app import APP_NAME
from inspector_app.ui import settings


class StartPage(QWidget):
    """The empty window's page; its signals ask the window to open something."""

    open_folder = Signal()
    open_file = Signal()
    open_demos = Signal()
    open_recent = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="startPage")
        title = QLabel(APP_NAME, objectName="startTitle")
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            "Open a TensorFlow SavedModel to see its signatures, build inputs, run it and check "
            "it before it goes to TF Serving.",
            objectName="startIntro",
            wordWrap=True,
        )
        self.folder_button = QPushButton("Open folder…", objectName="startOpenFolder")
        self.folder_button.setToolTip("Open a SavedModel or TF Serving base folder (Ctrl+O)")
        self.file_button = QPushButton("Open saved_model.pb…", objectName="startOpenFile")
        self.file_button.setToolTip("Open a saved_model.pb or .pbtxt file (Ctrl+Shift+O)")
        self.demo_button = QPushButton("Open the demo models", objectName="startOpenDemos")
        self.demo_button.setToolTip(
            "Open the two bundled demo models (MNIST and a segmentation model); "
            "they are not added to Recent"
        )
        self.folder_button.setDefault(True)
        self.folder_button.clicked.connect(self.open_folder)
        self.file_button.clicked.connect(self.open_file)
        self.demo_button.clicked.connect(self.open_demos)
        buttons = QHBoxLayout()
        for button in (self.folder_button, self.file_button, self.demo_button):
            buttons.addWidget(button)
        buttons.addStretch(1)

        recent_label = QLabel("Recent models", objectName="startRecentLabel")
        self.recent = QListWidget(objectName="startRecent")
        self.recent.setToolTip("Double-click or press Enter to open a recent model")
        self.recent.setMinimumHeight(90)
        self.recent.setTabKeyNavigation(False)
        self.recent.itemActivated.connect(self._activated)
        recent_label.setBuddy(self.recent)
        self.drop_hint = QLabel("Drop a model folder or saved_model.pb here", objectName="dropHint")
        self.drop_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_hint.setMinimumHeight(72)
        self.drop_hint.setFrameShape(QFrame.Shape.StyledPanel)
        self.drop_hint.setStyleSheet(
            "QLabel#dropHint { border: 2px dashed palette(mid); border-radius: 8px; "
            "color: palette(window-text); }"
        )
        self.drop_hint.setToolTip(
            "Folders and saved_model.pb/.pbtxt files dropped on the window open"
        )

        column = QWidget(objectName="startColumn")
        column.setMaximumWidth(640)
        column.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        inner = QVBoxLayout(column)
        inner.setSpacing(10)
        inner.addWidget(title)
        inner.addWidget(intro)
        inner.addLayout(buttons)
        inner.addSpacing(6)
        inner.addWidget(recent_label)
        inner.addWidget(self.recent)
        inner.addSpacing(6)
        inner.addWidget(self.drop_hint)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column, 4)
        row.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.refresh()

    def refresh(self) -> None:
        """Read the recent models again (the window calls this whenever the page shows)."""
        self.recent.clear()
        paths = settings.recent_models()
        for path in paths:
            item = QListWidgetItem(f"{Path(path).name or path}    {path}")
            item.setData(Qt.ItemDataRole.UserRole, path)
            item.setToolTip(path)
            self.recent.addItem(item)
        if not paths:
            empty = QListWidgetItem("(none yet: the models you open are listed here)")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.recent.addItem(empty)
        self.recent.setMaximumHeight(32 + 22 * min(max(len(paths), 1), 8))

    def _activated(self, item: QListWidgetItem) -> None:
        path = item.data(Qt.ItemDataRole.UserRole)
        if path:
            self.open_recent.emit(str(path))
