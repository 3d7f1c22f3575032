"""The left pane: the filter box over the tree of open models, and the tree's context menu.

``current_changed(node)`` follows the current row (None when no row is current); ``picked(node)``
says the user (or ``reveal``) made a row current, so the window can follow its signature.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLineEdit,
    QMenu,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from inspector_app.ui.open_models import OpenModels, version_of
from inspector_app.ui.tree_model import COL_NAME, ModelTreeModel, TreeFilterProxy

if TYPE_CHECKING:
    from inspector_app.savedmodel.tree import TreeNode

_EXPAND_KINDS = {"model", "meta_graph"}
_FILTER_EXPAND_LIMIT = 3000  # rows expanded when filtering; beyond that the user expands
_SLOW_FILTER_S = 0.15


class TreePanel(QWidget):
    """The filter box and the tree view over a ``ModelTreeModel`` of the open models."""

    current_changed = Signal(object)  # TreeNode | None
    picked = Signal(object)  # TreeNode made current by the user or by reveal(quiet=False)
    load_version = Signal(str, int)  # model path, version: the context menu's "Load version"
    message = Signal(str, int)  # status bar text, milliseconds

    def __init__(self, models: OpenModels, parent: QWidget | None = None) -> None:
        super().__init__(parent, objectName="treePane")
        self.models = models
        self.tree_model = ModelTreeModel(self)
        self.proxy = TreeFilterProxy(self)
        self.proxy.setSourceModel(self.tree_model)
        self.filter_edit = QLineEdit(objectName="filterEdit")
        self.filter_edit.setPlaceholderText("Filter the tree (Ctrl+L)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAcceptDrops(False)  # a dropped folder opens a model instead
        self.filter_edit.installEventFilter(self)
        self.slow_filter = False
        self._filter_timer = QTimer(self, singleShot=True, interval=250)
        self._quiet = False

        self.view = QTreeView(objectName="modelTree")
        self.view.setModel(self.proxy)
        self.view.setUniformRowHeights(True)
        self.view.setAlternatingRowColors(True)
        self.view.setAllColumnsShowFocus(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_NAME, 280)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 0, 4)
        layout.setSpacing(4)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.view, 1)
        QWidget.setTabOrder(self.filter_edit, self.view)

        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter_edit.returnPressed.connect(self.focus_tree)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.view.customContextMenuRequested.connect(self._show_context_menu)

    # -- rows -----------------------------------------------------------------------------
    def node_at(self, proxy_index: QModelIndex) -> TreeNode | None:
        return self.tree_model.node(self.proxy.mapToSource(proxy_index))

    def current_node(self) -> TreeNode | None:
        return self.node_at(self.view.currentIndex())

    def contains(self, node: TreeNode) -> bool:
        return self.tree_model.index_of(node).isValid()

    def add_tree(self, tree: TreeNode, row: int | None = None) -> None:
        """Show a model's tree (at ``row`` of the top level, else last), opened and current."""
        index = self.proxy.mapFromSource(self.tree_model.add_root(tree, row))
        self.expand_defaults(tree)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)

    def remove_tree(self, tree: TreeNode) -> int:
        """Take a model's tree out; returns the top-level row it had."""
        return self.tree_model.remove_root(tree)

    def reveal(self, node: TreeNode, *, quiet: bool = False) -> None:
        """Make ``node`` the current row and scroll to it (clearing a filter that hides it);
        ``quiet``: without ``picked``."""
        source = self.tree_model.index_of(node)
        index = self.proxy.mapFromSource(source)
        if not index.isValid() and self.filter_edit.text():
            self.filter_edit.clear()  # the row is filtered out: show everything again
            self.apply_filter()  # now, even when filtering waits for a pause in the typing
            index = self.proxy.mapFromSource(source)
        self._quiet = quiet
        try:
            self.view.setCurrentIndex(index)
        finally:
            self._quiet = False
        self.view.scrollTo(index)
        self.current_changed.emit(node)

    def refresh_current(self) -> None:
        """Say the current row again (after a model around it has gone)."""
        self.current_changed.emit(self.current_node())

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        node = self.node_at(current)
        self.current_changed.emit(node)
        if node is not None and not self._quiet:
            self.picked.emit(node)

    def expand_defaults(self, tree: TreeNode) -> None:
        """Open the model, the loaded version and each MetaGraphDef, so the signatures show."""

        def walk(node: TreeNode) -> None:
            if node.kind == "version":
                if node.load_children is not None:  # another version: read only when asked
                    return
            elif node.kind not in _EXPAND_KINDS:
                return
            index = self.proxy.mapFromSource(self.tree_model.index_of(node))
            if index.isValid():
                self.view.expand(index)
            for child in node.children:
                walk(child)

        walk(tree)

    # -- filter ---------------------------------------------------------------------------
    def _on_filter_changed(self, _text: str) -> None:
        # A huge tree (tens of thousands of variables) filters in a second: once a pass was
        # slow, wait for a pause in the typing instead of filtering on every key.
        if self.slow_filter:
            self._filter_timer.start()
        else:
            self.apply_filter()

    def apply_filter(self) -> None:
        started = time.perf_counter()
        self._filter_timer.stop()
        text = self.filter_edit.text()
        # Filtering must not change the current signature: when the current row is filtered
        # out, Qt would move the selection to a neighbour; clear it instead.
        node = self.current_node()
        self._quiet = True
        try:
            self.proxy.set_filter_text(text)
            index = QModelIndex()
            if node is not None:
                index = self.proxy.mapFromSource(self.tree_model.index_of(node))
            self.view.setCurrentIndex(index)
        finally:
            self._quiet = False
        self.current_changed.emit(node if index.isValid() else None)
        if text.strip():
            self._expand_filtered(QModelIndex(), [0])
        else:
            for tree in self.tree_model.roots():
                self.expand_defaults(tree)
        if index.isValid():
            self.view.scrollTo(index)
        self.slow_filter = time.perf_counter() - started > _SLOW_FILTER_S

    def _expand_filtered(self, parent: QModelIndex, budget: list[int]) -> bool:
        """Expand the rows above each match (loaded rows only; never trigger lazy loading), so
        the matches show with their parents; a match's own rows stay collapsed. True when a
        row under ``parent`` matches."""
        needle = self.proxy.filter_text()
        found = False
        for row in range(self.proxy.rowCount(parent)):
            if budget[0] >= _FILTER_EXPAND_LIMIT:
                return found
            index = self.proxy.index(row, 0, parent)
            node = self.node_at(index)
            if node is None:
                continue
            found = found or needle in node.name.casefold() or needle in node.summary.casefold()
            if not node.children or node.load_children is not None:
                continue
            budget[0] += 1
            if self._expand_filtered(index, budget):
                self.view.expand(index)
                found = True
            else:
                self.view.collapse(index)
        return found

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def focus_tree(self) -> None:
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.view.currentIndex().isValid() and self.proxy.rowCount():
            self.view.setCurrentIndex(self.proxy.index(0, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # In the filter box: Down / Enter go to the tree, Escape clears the text. Escape is also
        # Cancel's shortcut; accepting the override lets the box have it while it holds text.
        if watched is not self.filter_edit:
            return super().eventFilter(watched, event)
        kind = event.type()
        if kind == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Escape:
            if self.filter_edit.text():
                event.accept()
                return True
        elif kind == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Down:
                self.focus_tree()
                return True
            if event.key() == Qt.Key.Key_Escape and self.filter_edit.text():
                self.filter_edit.clear()
                return True
        return super().eventFilter(watched, event)

    # -- context menu ---------------------------------------------------------------------
    def _show_context_menu(self, pos: QPoint) -> None:
        node = self.node_at(self.view.indexAt(pos))
        if node is not None:
            self.context_menu_for(node).exec(self.view.viewport().mapToGlobal(pos))

    def context_menu_for(self, node: TreeNode) -> QMenu:
        """The tree row's context menu (separate so tests can trigger its actions)."""
        menu = QMenu(self)
        copy_name = menu.addAction("Copy tensor name")
        copy_name.setEnabled(bool(node.copy_value))
        copy_name.triggered.connect(lambda: self._copy(node.copy_value, "tensor name"))
        copy_cli = menu.addAction("Copy saved_model_cli command")
        copy_cli.setEnabled(bool(node.cli_command))
        copy_cli.triggered.connect(lambda: self._copy(node.cli_command, "saved_model_cli command"))
        copy_details = menu.addAction("Copy details")
        copy_details.triggered.connect(lambda: self._copy(node.details_text(), "details"))
        model = self.models.model_of(node)
        version = version_of(node) if node.kind == "version" else None
        if model is not None and version is not None:
            loaded = getattr(model.info, "version", None) == version
            use = menu.addAction(f"Load version {version}" + (" (loaded)" if loaded else ""))
            use.setEnabled(not loaded)
            use.triggered.connect(lambda: self.load_version.emit(model.path, version))
        if node.has_children:
            menu.addSeparator()
            expand = menu.addAction("Expand all below")
            expand.triggered.connect(
                lambda: self.view.expandRecursively(
                    self.proxy.mapFromSource(self.tree_model.index_of(node))
                )
            )
        return menu

    def _copy(self, text: str | None, what: str) -> None:
        if text:
            QApplication.clipboard().setText(text)
            self.message.emit(f"Copied {what}", 3000)
