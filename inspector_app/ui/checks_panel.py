"""The Checks panel: deployment findings in a table; activating a row asks the window to jump
to the tree node the finding concerns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector_app.ui.palette import severity_colour

if TYPE_CHECKING:  # the savedmodel package loads after the window is on screen
    from inspector_app.savedmodel.checks import Finding

COL_SEVERITY, COL_MESSAGE, COL_WHERE, COL_FIX = range(4)
HEADERS = ("Severity", "Finding", "Where", "Fix")
FINDING_ROLE = Qt.ItemDataRole.UserRole + 1  # the Finding of a row
WHERE_ROLE = Qt.ItemDataRole.UserRole + 2  # its ``where``
COLOURS = {"error": "#c62828", "warning": "#b26a00", "info": "#1565c0"}
ICONS = {
    "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
    "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "info": QStyle.StandardPixmap.SP_MessageBoxInformation,
}
_Index = QModelIndex | QPersistentModelIndex


class FindingsModel(QAbstractTableModel):
    """Findings as rows; tests can drive it without a view."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._findings: list[Finding] = []
        self._icons: dict[str, Any] = {}

    def set_findings(self, findings: list[Finding]) -> None:
        self.beginResetModel()
        self._findings = list(findings)
        self.endResetModel()

    def findings(self) -> list[Finding]:
        return list(self._findings)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._findings)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._findings):
            return None
        f = self._findings[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (f.severity, f.message, f.where_text() or "model", f.fix)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return f.text()
        if role == Qt.ItemDataRole.DecorationRole and col == COL_SEVERITY:
            return self._icon(f.severity)
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_SEVERITY:
            return QBrush(severity_colour(f.severity))
        if role == FINDING_ROLE:
            return f
        if role == WHERE_ROLE:
            return f.where
        return None

    def _icon(self, severity: str) -> Any:
        if severity not in self._icons:
            from PySide6.QtWidgets import QApplication

            style = QApplication.style()
            self._icons[severity] = style.standardIcon(ICONS.get(severity, ICONS["info"]))
        return self._icons[severity]


class ChecksPanel(QWidget):
    """Table of findings; ``jump_requested(where)`` when a row is activated (double click,
    Enter); ``copy()`` puts all findings on the clipboard as text."""

    jump_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("checksPanel")
        self.model = FindingsModel(self)
        self.summary = QLabel("No model checked yet.")
        self.summary.setObjectName("checksSummary")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName("checksCopyButton")
        self.copy_button.setToolTip("Copy all findings as text")
        self.table = QTableView()
        self.table.setObjectName("checksTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_SEVERITY, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_MESSAGE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_WHERE, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_FIX, QHeaderView.ResizeMode.Stretch)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table)
        self._connect_callbacks()

    def _connect_callbacks(self) -> None:
        self.table.activated.connect(self._on_activated)
        self.copy_button.clicked.connect(self.copy)

    def show_findings(self, findings: list[Finding], model_name: str = "") -> None:
        self.model.set_findings(findings)
        counts = {s: sum(1 for f in findings if f.severity == s) for s in COLOURS}
        prefix = f"{model_name}: " if model_name else ""
        if not findings:
            self.summary.setText(f"{prefix}no findings." if prefix else "No findings.")
        else:
            self.summary.setText(
                f"{prefix}{counts['error']} error(s), {counts['warning']} warning(s), "
                f"{counts['info']} note(s)"
            )
        self.table.resizeRowsToContents()

    def findings(self) -> list[Finding]:
        return self.model.findings()

    def text(self) -> str:
        """All findings as plain text, one block each (what ``check`` prints)."""
        return "\n".join(f.text() for f in self.model.findings())

    def copy(self) -> str:
        text = self.text()
        QGuiApplication.clipboard().setText(text)
        return text

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.jump_requested.emit(self.model.data(index, WHERE_ROLE))
