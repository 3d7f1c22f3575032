"""Run > Custom ops: the Python modules and op libraries (.so) the engine loads before a model.

The worker imports the installed package of a known custom op (tensorflow-text and the like) by
itself; this list is for the rest: a module of the user's own (``my_ops``) or an op library
built for this TensorFlow (``/opt/ops/libmy_ops.so``), as TF Serving users link custom ops.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

HELP = (
    "One per line: a Python module to import (my_ops) or the path of an op library "
    "built for this TensorFlow (/opt/ops/libmy_ops.so). The model loads again with them. "
    "Packages of known custom ops (tensorflow-text, tensorflow-decision-forests, "
    "tensorflow-io, tensorflow-addons) are imported without being listed here."
)


class CustomOpsDialog(QDialog):
    def __init__(self, items: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="customOpsDialog")
        self.setWindowTitle("Custom ops")
        label = QLabel(HELP)
        label.setWordWrap(True)
        self.editor = QPlainTextEdit(objectName="customOpsEditor")
        self.editor.setPlainText("\n".join(items))
        self.editor.setPlaceholderText("my_ops\n/opt/ops/libmy_ops.so")
        add = QPushButton("Add op library…", objectName="customOpsAdd")
        add.clicked.connect(self._add_library)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.editor)
        layout.addWidget(add)
        layout.addWidget(buttons)
        self.resize(520, 300)

    def items(self) -> list[str]:
        return [line.strip() for line in self.editor.toPlainText().splitlines() if line.strip()]

    def _add_library(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Op library", "", "Op libraries (*.so *.dylib *.dll);;All files (*)"
        )
        if path:
            self.editor.appendPlainText(path)
