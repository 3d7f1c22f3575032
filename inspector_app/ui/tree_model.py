"""The model tree as a Qt item model over plain ``TreeNode`` objects, and its filter proxy.

Each top-level row is one opened model. Nodes whose children are costly (variables) carry a
``load_children`` callable; the view asks for them through ``canFetchMore``/``fetchMore`` when
the row is expanded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont

if TYPE_CHECKING:
    from inspector_app.savedmodel.tree import TreeNode

COL_NAME = 0
COL_SUMMARY = 1
HEADERS = ("Name", "Summary")

NODE_ROLE = Qt.ItemDataRole.UserRole + 1  # the TreeNode itself
KIND_ROLE = Qt.ItemDataRole.UserRole + 2
COPY_VALUE_ROLE = Qt.ItemDataRole.UserRole + 3
CLI_COMMAND_ROLE = Qt.ItemDataRole.UserRole + 4
SEVERITY_ROLE = Qt.ItemDataRole.UserRole + 5

_SEVERITY_COLORS = {"error": QColor("#c62828"), "warning": QColor("#b26a00")}
_BOLD_KINDS = {"model", "signature"}

AnyIndex = QModelIndex | QPersistentModelIndex


class _Root:
    """The invisible parent of the top-level rows (a stand-in: the window must be able to
    start before the savedmodel package is imported)."""

    kind = "root"
    name = ""
    parent = None

    def __init__(self) -> None:
        self.children: list[TreeNode] = []

    @property
    def has_children(self) -> bool:
        return bool(self.children)


class ModelTreeModel(QAbstractItemModel):
    """Opened models as top-level rows; rows below them are the nodes' children."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._root = _Root()
        self._bold = QFont()
        self._bold.setBold(True)

    # -- what the window calls ------------------------------------------------------------
    def roots(self) -> list[TreeNode]:
        return list(self._root.children)

    def add_root(self, node: TreeNode, row: int | None = None) -> QModelIndex:
        """Insert one model's tree as a top-level row (at the end by default)."""
        kids = self._root.children
        row = len(kids) if row is None else max(0, min(row, len(kids)))
        self.beginInsertRows(QModelIndex(), row, row)
        node.parent = self._root
        kids.insert(row, node)
        self.endInsertRows()
        return self.index(row, 0)

    def remove_root(self, node: TreeNode) -> int:
        """Take one model's tree out; returns the row it had, or -1 when it was not there."""
        row = self._row_in(self._root, node)
        if row < 0:
            return -1
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._root.children[row]
        node.parent = None
        self.endRemoveRows()
        return row

    def clear(self) -> None:
        self.beginResetModel()
        self._root.children.clear()
        self.endResetModel()

    def node(self, index: AnyIndex) -> TreeNode | None:
        """The node behind ``index`` (None for the invisible root)."""
        if not index.isValid():
            return None
        return index.internalPointer()

    def index_of(self, node: TreeNode, column: int = 0) -> QModelIndex:
        """The index of a node that is in this model (invalid if it is not)."""
        parent = node.parent
        if parent is None:
            return QModelIndex()
        row = self._row_in(parent, node)
        if row < 0:
            return QModelIndex()
        top = parent
        while top.parent is not None:
            top = top.parent
        if top is not self._root:  # a node of a model that was closed
            return QModelIndex()
        return self.createIndex(row, column, node)

    # -- QAbstractItemModel ---------------------------------------------------------------
    def _node_or_root(self, index: AnyIndex) -> TreeNode | _Root:
        return index.internalPointer() if index.isValid() else self._root

    @staticmethod
    def _row_in(parent: TreeNode | _Root, node: TreeNode) -> int:
        for row, child in enumerate(parent.children):
            if child is node:
                return row
        return -1

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column < 0 or column >= len(HEADERS) or row < 0:
            return QModelIndex()
        kids = self._node_or_root(parent).children
        if row >= len(kids):
            return QModelIndex()
        return self.createIndex(row, column, kids[row])

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not index.isValid():
            return QModelIndex()
        parent = index.internalPointer().parent
        if parent is None or parent is self._root:
            return QModelIndex()
        grand = parent.parent or self._root
        return self.createIndex(self._row_in(grand, parent), 0, parent)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self._node_or_root(parent).children)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return len(HEADERS)

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008, N802
        if parent.isValid() and parent.column() != 0:
            return False
        return self._node_or_root(parent).has_children

    def canFetchMore(self, parent: AnyIndex) -> bool:  # noqa: N802
        return parent.isValid() and parent.internalPointer().load_children is not None

    def fetchMore(self, parent: AnyIndex) -> None:  # noqa: N802
        if not self.canFetchMore(parent):
            return
        from inspector_app.savedmodel.tree import TreeNode

        node: TreeNode = parent.internalPointer()
        # Load through a stand-in so the rows can be announced before they appear;
        # ensure_children turns a failing loader into one problem row.
        probe = TreeNode(node.kind, node.name, load_children=node.load_children)
        node.load_children = None
        kids = probe.ensure_children()
        first = len(node.children)
        if kids:
            self.beginInsertRows(parent.siblingAtColumn(0), first, first + len(kids) - 1)
            node.add_children(kids)
            self.endInsertRows()
        else:  # no children after all: let the view drop the expand arrow
            self.dataChanged.emit(parent, parent)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section] if 0 <= section < len(HEADERS) else None
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node: TreeNode = index.internalPointer()
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return node.name if col == COL_NAME else node.summary
        if role == Qt.ItemDataRole.ToolTipRole:
            return node.tooltip or (node.summary if col == COL_SUMMARY else node.name) or None
        if role == Qt.ItemDataRole.ForegroundRole:
            color = _SEVERITY_COLORS.get(node.severity or "")
            return QBrush(color) if color is not None else None
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if col == COL_NAME and node.kind in _BOLD_KINDS else None
        if role == NODE_ROLE:
            return node
        if role == KIND_ROLE:
            return node.kind
        if role == COPY_VALUE_ROLE:
            return node.copy_value
        if role == CLI_COMMAND_ROLE:
            return node.cli_command
        if role == SEVERITY_ROLE:
            return node.severity
        return None


class TreeFilterProxy(QSortFilterProxyModel):
    """The filter box: keeps rows whose name or summary contains the text, with their ancestors
    (recursive filtering) and their descendants (auto-accepted child rows)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterKeyColumn(-1)  # name and summary

    def set_filter_text(self, text: str) -> None:
        self.setFilterFixedString(text.strip())
