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
from PySide6.QtGui import QBrush, QFont

from inspector_app.safeio import escape
from inspector_app.ui.palette import severity_colour

if TYPE_CHECKING:
    from inspector_app.savedmodel.tree import TreeNode

COL_NAME = 0
COL_SUMMARY = 1
HEADERS = ("Name", "Summary")

_USER = int(Qt.ItemDataRole.UserRole.value)
NODE_ROLE = _USER + 1  # the TreeNode itself
KIND_ROLE = _USER + 2
COPY_VALUE_ROLE = _USER + 3
CLI_COMMAND_ROLE = _USER + 4
SEVERITY_ROLE = _USER + 5

_BOLD_KINDS = {"model", "signature"}

AnyIndex = QModelIndex | QPersistentModelIndex
_ROW_CACHE_MIN = 32
_NO_INDEX = QModelIndex()
_N_COLUMNS = len(HEADERS)
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)


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
        # parent id -> (children list, its length, child id -> row) for long child lists
        self._row_cache: dict[int, tuple[list, int, dict[int, int]]] = {}
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
        self._row_cache.clear()
        self.endRemoveRows()
        return row

    def clear(self) -> None:
        self.beginResetModel()
        self._root.children.clear()
        self._row_cache.clear()
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
    def _row_in(self, parent: TreeNode | _Root, node: TreeNode) -> int:
        kids = parent.children
        if len(kids) > _ROW_CACHE_MIN:  # thousands of variables: no linear search per parent()
            entry = self._row_cache.get(id(parent))
            if entry is None or entry[0] is not kids or entry[1] != len(kids):
                entry = (kids, len(kids), {id(c): i for i, c in enumerate(kids)})
                self._row_cache[id(parent)] = entry
            row = entry[2].get(id(node), -1)
            if row >= 0 and kids[row] is node:
                return row
        for row, child in enumerate(kids):
            if child is node:
                return row
        return -1

    # The view calls these for every row it lays out (tens of thousands for a big variable
    # list), so they stay small: no helper calls, no enum arithmetic.
    def index(self, row: int, column: int, parent: AnyIndex = _NO_INDEX) -> QModelIndex:
        kids = (parent.internalPointer() if parent.isValid() else self._root).children
        if 0 <= row < len(kids) and 0 <= column < _N_COLUMNS:
            return self.createIndex(row, column, kids[row])
        return QModelIndex()

    def parent(self, index: AnyIndex = _NO_INDEX) -> QModelIndex:
        if not index.isValid():
            return QModelIndex()
        parent = index.internalPointer().parent
        if parent is None or parent is self._root:
            return QModelIndex()
        grand = parent.parent or self._root
        return self.createIndex(self._row_in(grand, parent), 0, parent)

    def rowCount(self, parent: AnyIndex = _NO_INDEX) -> int:  # noqa: N802
        if not parent.isValid():
            return len(self._root.children)
        return len(parent.internalPointer().children) if parent.column() == 0 else 0

    def columnCount(self, parent: AnyIndex = _NO_INDEX) -> int:  # noqa: N802
        return _N_COLUMNS

    def hasChildren(self, parent: AnyIndex = _NO_INDEX) -> bool:  # noqa: N802
        if not parent.isValid():
            return bool(self._root.children)
        return parent.column() == 0 and parent.internalPointer().has_children

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

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> Any:
        if not index.isValid():
            return None
        node: TreeNode = index.internalPointer()
        role = int(role)
        if role == _DISPLAY:  # names come from the model: control characters shown escaped
            return escape(node.name if index.column() == COL_NAME else node.summary)
        if role == _TOOLTIP:
            col = index.column()
            tip = node.tooltip or (node.summary if col == COL_SUMMARY else node.name)
            return escape(tip) if tip else None
        if role == _FOREGROUND:
            if node.severity in ("error", "warning"):  # readable on light and dark palettes
                return QBrush(severity_colour(node.severity))
            return None
        if role == _FONT:
            return self._bold if index.column() == COL_NAME and node.kind in _BOLD_KINDS else None
        if role < _USER:
            return None
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
    """The filter box: keeps rows whose name or summary contains the text (any case), with their
    ancestors (recursive filtering) and their descendants (auto-accepted child rows)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)

    def filter_text(self) -> str:
        return self._needle

    def set_filter_text(self, text: str) -> None:
        needle = text.strip().casefold()
        if needle != self._needle:
            self._needle = needle
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:  # noqa: N802
        # Reads the node directly: one Python call per row instead of index() and data()
        # for each column (a 20 000-row variable list filters several times faster).
        if not self._needle:
            return True
        model = self.sourceModel()
        owner = source_parent.internalPointer() if source_parent.isValid() else model._root
        kids = owner.children
        if source_row >= len(kids):
            return False
        node = kids[source_row]
        needle = self._needle
        return needle in node.name.casefold() or needle in node.summary.casefold()
