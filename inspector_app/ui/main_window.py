"""The main window: the model tree with its filter on the left, panels (Details first) on the right.

Contract 2 of DESIGN.md: ``open_model(path)``, ``select_signature(key, tags)``,
``current_signature()`` and the signals ``model_opened``, ``model_failed``,
``signature_selected``. The window composes panels; loading happens in ``ModelLoader``.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFileDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStatusBar,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from inspector_app import APP_NAME
from inspector_app.ui import settings, window_habits
from inspector_app.ui.background import run_in_background
from inspector_app.ui.checks_panel import ChecksPanel
from inspector_app.ui.details_panel import DetailsPanel
from inspector_app.ui.graph import GraphPanel
from inspector_app.ui.model_loader import LoadFn, LoadResult, ModelLoader
from inspector_app.ui.tree_model import COL_NAME, ModelTreeModel, TreeFilterProxy
from inspector_app.ui.window_actions import WindowActionsMixin

if TYPE_CHECKING:  # the savedmodel package loads after the window is on screen
    from inspector_app.savedmodel.tree import TreeNode
    from inspector_app.ui.run_controller import RunController

MODEL_FILE_SUFFIXES = (".pb", ".pbtxt")
_EXPAND_KINDS = {"model", "meta_graph"}
_FILTER_EXPAND_LIMIT = 3000  # rows expanded when filtering; beyond that the user expands
_SLOW_FILTER_S = 0.15
_MAX_ERROR_LINES = 8


@dataclass
class OpenModel:
    """One model shown in the tree (a top-level row)."""

    path: str  # as the user gave it, absolute
    version: int | None  # the version asked for (None: the default, the highest)
    info: Any  # savedmodel.SavedModelInfo
    tree: TreeNode
    load_ms: float


@dataclass(frozen=True)
class SignatureSelection:
    """A signature of an opened model: what ``signature_selected`` carries as its second value."""

    signature: Any  # savedmodel.SignatureInfo
    tags: tuple[str, ...]
    info: Any  # savedmodel.SavedModelInfo
    node: TreeNode

    @property
    def key(self) -> str:
        return self.signature.key

    @property
    def tag_set(self) -> str:
        """Tags as ``saved_model_cli --tag_set`` takes them: ``serve,gpu``."""
        return ",".join(self.tags)


def is_model_path(path: Path) -> bool:
    """A folder, or a saved_model.pb/.pbtxt file: what the window opens when dropped."""
    return path.is_dir() or path.suffix.lower() in MODEL_FILE_SUFFIXES


def _tags_of(node: TreeNode) -> tuple[str, ...] | None:
    """The tag set of the MetaGraphDef row above ``node`` (None when there is none)."""
    for anc in reversed(node.path()):
        if anc.kind == "meta_graph":
            tags = anc.details.get("tags")
            if isinstance(tags, str):
                tags = tags.split(",")
            if tags is None:
                tags = anc.name.split(",")
            return tuple(t.strip() for t in tags if t.strip())
    return None


def _version_of(node: TreeNode) -> int | None:
    for anc in reversed(node.path()):
        if anc.kind == "version":
            value = anc.details.get("version", anc.name)
            try:
                return int(value)
            except (TypeError, ValueError):
                return None
    return None


class MainWindow(WindowActionsMixin, QMainWindow):
    """The SavedModel Inspector window (Contract 2)."""

    model_opened = Signal(object)  # SavedModelInfo
    model_failed = Signal(str)  # one line naming the path and the problem
    model_closed = Signal(object)  # SavedModelInfo
    signature_selected = Signal(object, object)  # SavedModelInfo, SignatureSelection
    error_shown = Signal(str)  # every one-line error the window shows
    run_finished = Signal(object)  # dict[str, np.ndarray] of outputs, or an exception
    checks_done = Signal(object)  # list[Finding] for the model just opened

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        load: LoadFn | None = None,
        warm_up: bool | None = None,
    ) -> None:
        super().__init__(parent)
        self._warm_up = warm_up
        self._runner: RunController | None = None
        self._runner_coming = False  # its modules are being imported in the thread pool
        self._findings_by_model: dict[int, tuple[Any, list]] = {}  # id(info) -> (info, findings)
        self._file_ops_answers: dict[tuple, tuple[Any, bool]] = {}  # (id(info), tags) -> yes
        # Asked before running a model whose ops read or write files; tests replace it.
        self.confirm: Callable[[str], bool] = self._confirm_dialog
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.show_error_dialogs = True  # tests may turn the non-modal message box off
        self.last_error: str | None = None
        self.error_box: QMessageBox | None = None
        self._error_lines: list[str] = []
        self._models: list[OpenModel] = []
        self._pending: dict[int, tuple[str, int | None]] = {}
        self._current_signature: SignatureSelection | None = None
        self._quiet_selection = False
        self.loader = ModelLoader(self, load=load)
        self._build_ui()
        self._build_menus()
        self._connect_callbacks()
        from inspector_app.ui.inspect_controller import InspectController

        self.inspect = InspectController(self)  # Find everything (Ctrl+F) and the Weights tab
        self._read_settings()
        self.habits = window_habits.install(self)  # start page, screen fit, Tab, tooltips...

    # -- layout ---------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.tree_model = ModelTreeModel(self)
        self.proxy = TreeFilterProxy(self)
        self.proxy.setSourceModel(self.tree_model)

        self.filter_edit = QLineEdit(objectName="filterEdit")
        self.filter_edit.setPlaceholderText("Filter the tree (Ctrl+L)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAcceptDrops(False)  # a dropped folder opens a model instead
        self.filter_edit.installEventFilter(self)
        self._slow_filter = False
        self._filter_timer = QTimer(self, singleShot=True, interval=250)

        self.tree_view = QTreeView(objectName="modelTree")
        self.tree_view.setModel(self.proxy)
        self.tree_view.setUniformRowHeights(True)
        self.tree_view.setAlternatingRowColors(True)
        self.tree_view.setAllColumnsShowFocus(True)
        self.tree_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree_view.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_NAME, 280)

        left = QWidget(objectName="treePane")
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 0, 4)
        left_layout.setSpacing(4)
        left_layout.addWidget(self.filter_edit)
        left_layout.addWidget(self.tree_view, 1)

        self.details = DetailsPanel()
        self.panels = QTabWidget(objectName="panels")
        self.panels.addTab(self.details, "Details")
        self.graph_panel = GraphPanel()
        self.panels.addTab(self.graph_panel, "Graph")
        self.checks_panel = ChecksPanel()

        self.splitter = QSplitter(Qt.Orientation.Horizontal, objectName="mainSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.panels)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        QWidget.setTabOrder(self.filter_edit, self.tree_view)
        QWidget.setTabOrder(self.tree_view, self.panels)

        status = QStatusBar(objectName="statusBar")
        self.setStatusBar(status)
        self.status_path = QLabel(objectName="statusPath")
        self.status_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status.addPermanentWidget(self.status_path)
        self.resize(1340, 820)

    def _action(self, text: str, slot: Any, shortcut: Any = None, name: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if name:
            action.setObjectName(name)
        action.triggered.connect(slot)
        self.addAction(action)  # shortcuts work even with the menu bar hidden
        return action

    def _build_menus(self) -> None:
        self.open_action = self._action(
            "&Open folder...", self._open_folder_dialog, "Ctrl+O", "actionOpen"
        )
        self.open_file_action = self._action(
            "Open &file (saved_model.pb/.pbtxt)...",
            self._open_file_dialog,
            "Ctrl+Shift+O",
            "actionOpenFile",
        )
        self.close_action = self._action(
            "&Close model", self.close_model, "Ctrl+W", "actionCloseModel"
        )
        self.reload_action = self._action("&Reload", self.reload_model, "F5", "actionReload")
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q", "actionQuit")
        self.find_action = self._action(
            "&Find everything...", lambda: self.inspect.open_find(), "Ctrl+F", "actionFind"
        )
        self.filter_action = self._action(
            "F&ilter the tree", self.focus_filter, "Ctrl+L", "actionFilter"
        )
        self.expand_action = self._action("&Expand all", self.tree_view.expandAll, "Ctrl+E")
        self.collapse_action = self._action(
            "&Collapse all", self.tree_view.collapseAll, "Ctrl+Shift+E"
        )

        self.recent_menu = QMenu("Recent &models", self, objectName="recentMenu")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()

        menu = self.menuBar().addMenu("&File")
        menu.addAction(self.open_action)
        menu.addAction(self.open_file_action)
        menu.addMenu(self.recent_menu)
        menu.addSeparator()
        menu.addAction(self.reload_action)
        menu.addAction(self.close_action)
        menu.addSeparator()
        menu.addAction(self.quit_action)
        view = self.menuBar().addMenu("&View")
        for action in (self.find_action, self.filter_action, self.expand_action,
                       self.collapse_action):  # fmt: skip
            view.addAction(action)
        self.run_action = self._action("&Run signature", self.run, "Ctrl+R", "actionRun")
        self.cancel_action = self._action("&Cancel run", self.cancel, "Esc", "actionCancel")
        self.reload_worker_action = self._action(
            "Re&load model in the worker", self._reload_worker, None, "actionReloadWorker"
        )
        self.compare_action = self._action(
            "Co&mpare with another version...", self._open_compare, "Ctrl+K", "actionCompare"
        )
        self.batch_action = self._action(
            "Run over a &data set...",
            lambda: importlib.import_module("inspector_app.ui.batch_dialog").open_for_window(self),
            "Ctrl+B",
            "actionBatch",
        )
        self.custom_ops_action = self._action(
            "Custom &ops...", self._edit_custom_ops, None, "actionCustomOps"
        )
        run = self.menuBar().addMenu("&Run")
        for action in (self.run_action, self.cancel_action, self.reload_worker_action):
            run.addAction(action)
        run.addAction(self.custom_ops_action)
        run.addSeparator()
        run.addAction(self.compare_action)
        run.addAction(self.batch_action)
        help_menu = self.menuBar().addMenu("&Help")
        self.about_action = self._action("&About", self._show_about, None, "actionAbout")
        self.demo_action = self._action(
            "Open &demo models", self._open_demo_models, None, "actionOpenDemos"
        )
        help_menu.addAction(self.demo_action)
        help_menu.addAction(self.about_action)
        self._update_actions()

    def _connect_callbacks(self) -> None:
        self.loader.loaded.connect(self._on_loaded)
        self.loader.failed.connect(self._on_failed)
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self._filter_timer.timeout.connect(self._apply_filter)
        self.filter_edit.returnPressed.connect(self._focus_tree)
        self.tree_view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.tree_view.customContextMenuRequested.connect(self._show_context_menu)
        self.details.copied.connect(
            lambda what: self.statusBar().showMessage(f"Copied {what}", 3000)
        )
        self.signature_selected.connect(self._on_signature_selected)
        self.model_closed.connect(self._on_model_closed)
        self.model_closed.connect(self.graph_panel.forget)
        self.checks_panel.jump_requested.connect(self._jump_to)

    # -- Contract 2 -----------------------------------------------------------------------
    def open_model(self, path: str | Path, version: int | None = None) -> int:
        """Start reading ``path`` in the background and return at once (a request id).

        ``model_opened(info)`` or ``model_failed(message)`` follows.
        """
        text = str(Path(path).expanduser().absolute())
        request_id = self.loader.load(text, version)
        self._pending[request_id] = (text, version)
        self.statusBar().showMessage(f"Opening {text}...")
        return request_id

    def open_paths(self, paths: list[str | Path]) -> None:
        """Open several models (what a drop of several folders does)."""
        for path in paths:
            self.open_model(path)

    def select_signature(self, key: str, tags: list[str] | str | None = None) -> bool:
        """Select signature ``key`` (of the MetaGraphDef with ``tags``, if given) in the tree and
        emit ``signature_selected``. Looks in the current model first. False when not found."""
        if isinstance(tags, str):
            tags = tags.split(",")
        wanted = None if tags is None else {t.strip() for t in tags if t.strip()}
        for model in self._models_current_first():
            for node in self._signature_nodes(model.tree):
                if node.details.get("key", node.name) != key:
                    continue
                node_tags = _tags_of(node) or ()
                if wanted is not None and set(node_tags) != wanted:
                    continue
                selection = self._resolve_signature(model, node)
                if selection is None:
                    continue
                self._select_node(node, quiet=True)
                self._set_current_signature(selection, always_emit=True)
                return True
        where = f" with tags {','.join(sorted(wanted))}" if wanted else ""
        self._show_error(f"no signature {key!r}{where} in the open models", dialog=False)
        return False

    def current_signature(self) -> SignatureSelection | None:
        """The signature last selected (in the tree or by ``select_signature``), or None."""
        return self._current_signature

    def set_input(self, name: str, value: Any) -> None:
        """Set input ``name`` of the current signature: a numpy array, an image or array file
        path, or a string (text lines / a safe expression, as the input's editor takes it)."""
        self.runner.set_input(name, value)

    def run(self) -> bool:
        """Start the current signature and return at once; ``run_finished`` follows."""
        return self.runner.run()  # the run panel asks first when the model's ops touch files

    def cancel(self) -> None:
        """Stop the run at once (the worker is killed and restarted; the window stays)."""
        if self._runner is not None:
            self._runner.cancel()

    @property
    def runner(self) -> RunController:
        """Inputs, Run and Results: made after the window first shows (or on first use)."""
        if self._runner is None:
            from inspector_app.ui.run_controller import RunController

            self._runner = RunController(self, warm_up=self._warm_up)
            for widget, title in self._runner.widgets():
                self.add_panel(widget, title)
            self.add_panel(self.checks_panel, "Checks")
            self._runner.run_finished.connect(self._on_run_finished)
            self._runner.run_panel.before_run = self._confirm_current_run
            self._runner.bridge.worker_died.connect(self._on_worker_died)
            self._runner.bridge.ops_ready.connect(self._on_registered_ops)
            if self._runner.bridge.registered_ops:
                self._engine_ops = self._runner.bridge.registered_ops
            if self._current_signature is not None:
                self._runner.set_signature(self._current_signature)
        return self._runner

    def add_panel(self, widget: QWidget, title: str) -> int:
        """Add a tab beside Details (Run, Inputs, Results, Checks...); returns its index."""
        return self.panels.addTab(widget, title)

    # -- other public API -----------------------------------------------------------------
    def models(self) -> list[OpenModel]:
        return list(self._models)

    def current_node(self) -> TreeNode | None:
        return self._node_at(self.tree_view.currentIndex())

    def current_model(self) -> OpenModel | None:
        node = self.current_node()
        return self._model_of(node) if node is not None else None

    def close_model(self, model: OpenModel | None = None) -> None:
        """Close ``model`` (default: the one holding the current row)."""
        model = model or self.current_model() or (self._models[-1] if self._models else None)
        if model is None:
            return
        self.tree_model.remove_root(model.tree)
        self._models.remove(model)
        if self._current_signature is not None and self._current_signature.info is model.info:
            self._current_signature = None
        self.model_closed.emit(model.info)
        self._update_current(self.current_node())
        self.statusBar().showMessage(f"Closed {model.path}", 3000)

    def reload_model(self, model: OpenModel | None = None) -> None:
        """Read ``model`` (default: the current one) again from disk."""
        model = model or self.current_model() or (self._models[-1] if self._models else None)
        if model is not None:
            self.open_model(model.path, model.version)

    def select_node(self, node: TreeNode) -> bool:
        """Select and reveal a row of an open model (e.g. where a check points); False when the
        node is not in the tree. Selecting a signature row emits ``signature_selected``."""
        if not self.tree_model.index_of(node).isValid():
            return False
        self._select_node(node)
        return True

    def focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    # -- loading --------------------------------------------------------------------------
    def _on_loaded(self, result: LoadResult) -> None:
        self._pending.pop(result.request_id, None)
        try:
            model = self._insert_model(result)
        except Exception as err:  # noqa: BLE001 - a bad tree must not take the window down
            self._on_failed(result.request_id, result.path, f"{result.path}: cannot show: {err}")
            return
        if not window_habits.is_demo_path(result.path):  # demos never push the user's models down
            settings.add_recent_model(result.path)
        info = result.info
        extra = f", {len(info.problems)} problem(s)" if getattr(info, "problems", None) else ""
        name = Path(result.path).name or result.path  # the full path is on the right
        self.statusBar().showMessage(f"Opened {name} in {result.elapsed_ms:.0f} ms{extra}", 5000)
        self._update_actions()
        self.model_opened.emit(model.info)

    def _insert_model(self, result: LoadResult) -> OpenModel:
        model = OpenModel(result.path, result.version, result.info, result.tree, result.elapsed_ms)
        old = next((m for m in self._models if m.path == model.path), None)
        row = None
        if old is not None:  # reopening the same path replaces it (F5 / a second drop)
            row = self.tree_model.remove_root(old.tree)
            self._models.remove(old)
            if self._current_signature is not None and self._current_signature.info is old.info:
                self._current_signature = None
        self._models.append(model)
        index = self.tree_model.add_root(model.tree, row)
        self._expand_defaults(model.tree)
        self.tree_view.setCurrentIndex(self.proxy.mapFromSource(index))
        self.tree_view.scrollTo(self.proxy.mapFromSource(index))
        return model

    def _on_failed(self, request_id: int, path: str, message: str) -> None:
        self._pending.pop(request_id, None)
        if path not in message:
            message = f"{path}: {message}"
        self._show_error(message)
        self.model_failed.emit(message)

    def _show_error(self, message: str, *, dialog: bool = True) -> None:
        """One line in the status bar, and a non-modal message box that never blocks."""
        message = " ".join(message.split())
        self.last_error = message
        self.statusBar().showMessage(message)
        if dialog and self.show_error_dialogs:
            if self.error_box is None:
                self.error_box = QMessageBox(self)
                self.error_box.setObjectName("errorBox")
                self.error_box.setIcon(QMessageBox.Icon.Warning)
                self.error_box.setWindowTitle(f"{APP_NAME}: cannot open")
                self.error_box.setWindowModality(Qt.WindowModality.NonModal)
            # Several bad folders dropped at once: one box listing them all.
            lines = self._error_lines if self.error_box.isVisible() else []
            self._error_lines = [*lines, message][-_MAX_ERROR_LINES:]
            self.error_box.setText("\n\n".join(self._error_lines))
            self.error_box.show()
        self.error_shown.emit(message)

    # -- tree and selection ---------------------------------------------------------------
    def _node_at(self, proxy_index: QModelIndex) -> TreeNode | None:
        return self.tree_model.node(self.proxy.mapToSource(proxy_index))

    def _model_of(self, node: TreeNode) -> OpenModel | None:
        top = next((n for n in node.path() if n.kind != "root"), None)
        return next((m for m in self._models if m.tree is top), None)

    def _models_current_first(self) -> list[OpenModel]:
        current = self.current_model()
        rest = [m for m in reversed(self._models) if m is not current]
        return ([current] if current is not None else []) + rest

    @staticmethod
    def _signature_nodes(tree: TreeNode) -> list[TreeNode]:
        found: list[TreeNode] = []

        def walk(node: TreeNode) -> None:
            if node.kind == "signature":
                found.append(node)
                return
            for child in node.children:
                walk(child)

        walk(tree)
        return found

    def _resolve_signature(self, model: OpenModel, node: TreeNode) -> SignatureSelection | None:
        """The ``SignatureInfo`` behind a signature row (None when the row is not of the loaded
        version, e.g. a signature listed under another version of a TF Serving base folder)."""
        info = model.info
        version = _version_of(node)
        if version is not None and getattr(info, "version", None) not in (None, version):
            return None
        tags = _tags_of(node)
        key = node.details.get("key", node.name)
        for meta_graph in getattr(info, "meta_graphs", []):
            if tags is not None and tuple(meta_graph.tags) != tags:
                continue
            for signature in meta_graph.signatures:
                if signature.key == key:
                    return SignatureSelection(signature, tuple(meta_graph.tags), info, node)
        return None

    def _select_node(self, node: TreeNode, *, quiet: bool = False) -> None:
        source = self.tree_model.index_of(node)
        index = self.proxy.mapFromSource(source)
        if not index.isValid() and self.filter_edit.text():
            self.filter_edit.clear()  # the row is filtered out: show everything again
            self._apply_filter()  # now, even when filtering waits for a pause in the typing
            index = self.proxy.mapFromSource(source)
        self._quiet_selection = quiet
        try:
            self.tree_view.setCurrentIndex(index)
        finally:
            self._quiet_selection = False
        self.tree_view.scrollTo(index)
        self._update_current(node)

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        node = self._node_at(current)
        self._update_current(node)
        if node is None or self._quiet_selection:
            return
        sig_node = next((n for n in reversed(node.path()) if n.kind == "signature"), None)
        model = self._model_of(node)
        if sig_node is not None and model is not None:
            selection = self._resolve_signature(model, sig_node)
            if selection is not None:
                self._set_current_signature(selection, always_emit=False)

    def _set_current_signature(self, selection: SignatureSelection, *, always_emit: bool) -> None:
        old = self._current_signature
        self._current_signature = selection
        if always_emit or old is None or old.node is not selection.node:
            self.signature_selected.emit(selection.info, selection)

    def _update_current(self, node: TreeNode | None) -> None:
        self.details.set_node(node)
        model = self._model_of(node) if node is not None else None
        if model is not None:
            self.graph_panel.follow(model.info, node)
        if model is None:
            self.status_path.setText("")
            self.setWindowTitle(APP_NAME)
        else:
            info = model.info
            size_bytes = getattr(info, "size_bytes", None)
            from inspector_app.savedmodel.tree_builder import human_bytes  # loaded with the model

            size = human_bytes(size_bytes) if size_bytes is not None else "size ?"
            version = getattr(info, "version", None)
            where = f"{model.path}" + (f" (version {version})" if version is not None else "")
            self.status_path.setText(f"{where}  |  {size}  |  loaded in {model.load_ms:.0f} ms")
            self.setWindowTitle(f"{Path(model.path).name} - {APP_NAME}")
            self._show_checks_for(info)
        self._update_actions()

    def _update_actions(self) -> None:
        has_models = bool(self._models)
        self.close_action.setEnabled(has_models)
        self.reload_action.setEnabled(has_models)

    def _expand_defaults(self, tree: TreeNode) -> None:
        """Open the model, the loaded version and each MetaGraphDef, so the signatures show."""

        def walk(node: TreeNode) -> None:
            if node.kind == "version":
                if node.load_children is not None:  # another version: read only when asked
                    return
            elif node.kind not in _EXPAND_KINDS:
                return
            index = self.proxy.mapFromSource(self.tree_model.index_of(node))
            if index.isValid():
                self.tree_view.expand(index)
            for child in node.children:
                walk(child)

        walk(tree)

    def _on_filter_changed(self, _text: str) -> None:
        # A huge tree (tens of thousands of variables) filters in a second: once a pass was
        # slow, wait for a pause in the typing instead of filtering on every key.
        if self._slow_filter:
            self._filter_timer.start()
        else:
            self._apply_filter()

    def _apply_filter(self) -> None:
        started = time.perf_counter()
        self._filter_timer.stop()
        text = self.filter_edit.text()
        # Filtering must not change the current signature: when the current row is filtered
        # out, Qt would move the selection to a neighbour; clear it instead.
        node = self.current_node()
        self._quiet_selection = True
        try:
            self.proxy.set_filter_text(text)
            index = QModelIndex()
            if node is not None:
                index = self.proxy.mapFromSource(self.tree_model.index_of(node))
            self.tree_view.setCurrentIndex(index)
        finally:
            self._quiet_selection = False
        self._update_current(node if index.isValid() else None)
        if text.strip():
            self._expand_filtered(QModelIndex(), [0])
        else:
            for model in self._models:
                self._expand_defaults(model.tree)
        if index.isValid():
            self.tree_view.scrollTo(index)
        self._slow_filter = time.perf_counter() - started > _SLOW_FILTER_S

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
            node = self._node_at(index)
            if node is None:
                continue
            found = found or needle in node.name.casefold() or needle in node.summary.casefold()
            if not node.children or node.load_children is not None:
                continue
            budget[0] += 1
            if self._expand_filtered(index, budget):
                self.tree_view.expand(index)
                found = True
            else:
                self.tree_view.collapse(index)
        return found

    def _focus_tree(self) -> None:
        self.tree_view.setFocus(Qt.FocusReason.OtherFocusReason)
        if not self.tree_view.currentIndex().isValid() and self.proxy.rowCount():
            self.tree_view.setCurrentIndex(self.proxy.index(0, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # In the filter box: Down / Enter go to the tree, Escape clears the text. Escape is also
        # Cancel's shortcut; accepting the override lets the box have it while it holds text.
        if (
            watched is self.filter_edit
            and event.type() == QEvent.Type.ShortcutOverride
            and event.key() == Qt.Key.Key_Escape
            and self.filter_edit.text()
        ):
            event.accept()
            return True
        if watched is self.filter_edit and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_Down:
                self._focus_tree()
                return True
            if key == Qt.Key.Key_Escape and self.filter_edit.text():
                self.filter_edit.clear()
                return True
        return super().eventFilter(watched, event)

    # -- context menu ---------------------------------------------------------------------
    def _show_context_menu(self, pos: QPoint) -> None:
        index = self.tree_view.indexAt(pos)
        node = self._node_at(index)
        if node is None:
            return
        menu = self.context_menu_for(node)
        menu.exec(self.tree_view.viewport().mapToGlobal(pos))

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
        model = self._model_of(node)
        version = _version_of(node) if node.kind == "version" else None
        if model is not None and version is not None:
            loaded = getattr(model.info, "version", None) == version
            use = menu.addAction(f"Load version {version}" + (" (loaded)" if loaded else ""))
            use.setEnabled(not loaded)
            use.triggered.connect(lambda: self.open_model(model.path, version))
        if node.has_children:
            menu.addSeparator()
            expand = menu.addAction("Expand all below")
            expand.triggered.connect(
                lambda: self.tree_view.expandRecursively(
                    self.proxy.mapFromSource(self.tree_model.index_of(node))
                )
            )
        return menu

    def _copy(self, text: str | None, what: str) -> None:
        if text:
            QApplication.clipboard().setText(text)
            self.statusBar().showMessage(f"Copied {what}", 3000)

    # -- File menu ------------------------------------------------------------------------
    def _start_dir(self) -> str:
        recent = settings.recent_models()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def _open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Open a SavedModel folder", self._start_dir()
        )
        if folder:
            self.open_model(folder)

    def _open_file_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Open saved_model.pb or saved_model.pbtxt",
            self._start_dir(),
            "SavedModel files (*.pb *.pbtxt);;All files (*)",
        )
        if path:
            self.open_model(path)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = settings.recent_models()
        for number, path in enumerate(recent, start=1):
            action = self.recent_menu.addAction(f"&{number % 10}  {path.replace('&', '&&')}")
            action.setData(path)
            action.triggered.connect(lambda _=False, p=path: self._open_recent(p))
        if not recent:
            self.recent_menu.addAction("(none yet)").setEnabled(False)
        self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("Clear recent models")
        clear.setEnabled(bool(recent))
        clear.triggered.connect(settings.clear_recent_models)

    def _open_recent(self, path: str) -> None:
        if not Path(path).exists():
            settings.remove_recent_model(path)
            self._show_error(f"{path}: no longer exists (removed from the recent models)")
            return
        self.open_model(path)

    # -- drag and drop --------------------------------------------------------------------
    @staticmethod
    def dropped_paths(event: QDragEnterEvent | QDropEvent) -> list[Path]:
        """The model folders and .pb/.pbtxt files among a drag's URLs."""
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        paths = [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
        return [p for p in paths if is_model_path(p)]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self.dropped_paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:  # noqa: N802
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = self.dropped_paths(event)
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.open_paths(paths)

    # -- settings -------------------------------------------------------------------------
    def _read_settings(self) -> None:
        geometry = settings.load_bytes("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = settings.load_bytes("window/splitter")
        if state is not None:
            self.splitter.restoreState(state)
        else:
            self.splitter.setSizes([440, 900])
        header = settings.load_bytes("window/tree_header")
        if header is not None:
            self.tree_view.header().restoreState(header)

    def write_settings(self) -> None:
        settings.save_bytes("window/geometry", self.saveGeometry())
        settings.save_bytes("window/splitter", self.splitter.saveState())
        settings.save_bytes("window/tree_header", self.tree_view.header().saveState())

    def showEvent(self, event: Any) -> None:  # noqa: N802
        super().showEvent(event)
        if self._runner is None and not self._runner_coming:
            # After the first paint, and with its modules (pillow, the input and result views)
            # imported off the GUI thread: the event loop must not stall on them.
            self._runner_coming = True
            run_in_background(
                lambda: importlib.import_module("inspector_app.ui.run_controller"),
                lambda _module: self.runner,
                lambda _err: self.runner,  # the import fails again here and says why
                receiver=self,
            )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._runner is not None:
            self._runner.shutdown()
        self.write_settings()
        if self.error_box is not None:
            self.error_box.close()
        super().closeEvent(event)
