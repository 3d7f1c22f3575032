"""The main window: the model tree with its filter on the left, panels (Details first) on the right.

Contract 2 of DESIGN.md: ``open_model(path)``, ``select_signature(key, tags)``,
``current_signature()``, ``set_input``, ``run()``, ``cancel()`` and the signals
``model_opened``, ``model_failed``, ``signature_selected``, ``run_finished``. The window builds
its panels, menus and helpers and connects them; each does its own work in its own module.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QSplitter, QStatusBar, QTabWidget, QWidget

from inspector_app import APP_NAME
from inspector_app.ui import window_habits
from inspector_app.ui.checks_controller import ChecksController
from inspector_app.ui.checks_panel import ChecksPanel
from inspector_app.ui.details_panel import DetailsPanel
from inspector_app.ui.dialog_launcher import DialogLauncher
from inspector_app.ui.error_reporter import ErrorReporter
from inspector_app.ui.file_ops_guard import FileOpsGuard, ask_dialog
from inspector_app.ui.graph import GraphPanel
from inspector_app.ui.model_drops import ModelDrops
from inspector_app.ui.model_loader import LoadFn, ModelLoader
from inspector_app.ui.model_opener import ModelOpener
from inspector_app.ui.open_models import OpenModel, OpenModels
from inspector_app.ui.run_reactions import RunReactions
from inspector_app.ui.signature_choice import SignatureChoice, SignatureSelection
from inspector_app.ui.tree_panel import TreePanel
from inspector_app.ui.version_target import VersionTarget
from inspector_app.ui.window_layout import restore_layout, save_layout
from inspector_app.ui.window_menus import WindowMenus

if TYPE_CHECKING:  # the savedmodel package loads after the window is on screen
    from inspector_app.savedmodel.tree import TreeNode
    from inspector_app.ui.run_controller import RunController


class MainWindow(QMainWindow):
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
        self.show_error_dialogs = True  # tests may turn the non-modal message boxes off
        # Asked before running a model whose ops read or write files; tests replace it.
        self.confirm: Callable[[str], bool] = lambda text: ask_dialog(self, text)
        self.setWindowTitle(APP_NAME)
        self.setAcceptDrops(True)
        self.open_models = OpenModels()
        self.loader = ModelLoader(self, load=load)
        self._build_ui()
        self.errors = ErrorReporter(self, self.statusBar(), lambda: self.show_error_dialogs)
        self.opener = ModelOpener(self.loader, self.open_models, self.tree_panel, self)
        self.signatures = SignatureChoice(self.open_models, self.tree_panel, self)
        self.menus = WindowMenus(self)
        self.checks = ChecksController(
            self.checks_panel,
            self.open_models,
            lambda: getattr(self.current_model() or self.open_models.last(), "info", None),
            self,
        )
        self.file_ops = FileOpsGuard(
            self.open_models,
            lambda text: self.confirm(text),
            lambda text: self.statusBar().showMessage(text, 5000),
        )
        self.run_reactions = RunReactions(self)
        self.version_target = VersionTarget(self)  # Run follows the tree to other versions
        self.launcher = DialogLauncher(self)
        self.drops = ModelDrops(self, self.open_paths)
        self._connect()
        from inspector_app.ui.inspect_controller import InspectController

        self.inspect = InspectController(self)  # Find everything (Ctrl+F) and the Weights tab
        restore_layout(self, self.splitter, self.tree_view.header())
        self.habits = window_habits.install(self)  # start page, screen fit, Tab, tooltips...

    def _build_ui(self) -> None:
        self.tree_panel = TreePanel(self.open_models)
        self.tree_model, self.proxy = self.tree_panel.tree_model, self.tree_panel.proxy
        self.filter_edit, self.tree_view = self.tree_panel.filter_edit, self.tree_panel.view
        self.details = DetailsPanel()
        self.panels = QTabWidget(objectName="panels")
        self.panels.addTab(self.details, "Details")
        self.graph_panel = GraphPanel()
        self.panels.addTab(self.graph_panel, "Graph")
        self.checks_panel = ChecksPanel()  # a tab once the run tabs are in (they come first)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, objectName="mainSplitter")
        self.splitter.addWidget(self.tree_panel)
        self.splitter.addWidget(self.panels)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)
        QWidget.setTabOrder(self.tree_view, self.panels)
        self.setStatusBar(QStatusBar(objectName="statusBar"))
        self.status_path = QLabel(objectName="statusPath")
        self.status_path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addPermanentWidget(self.status_path)
        self.resize(1340, 820)

    def _connect(self) -> None:
        status = self.statusBar().showMessage
        opener, tree, menus = self.opener, self.tree_panel, self.menus
        opener.opened.connect(self.model_opened)
        opener.failed.connect(self.errors.show)
        opener.failed.connect(self.model_failed)
        opener.closed.connect(self.signatures.forget)
        opener.closed.connect(self.model_closed)
        opener.replaced.connect(self.signatures.forget)
        opener.message.connect(status)
        tree.current_changed.connect(self._show_node)
        tree.picked.connect(self.signatures.follow)
        tree.load_version.connect(self.open_model)
        tree.message.connect(status)
        self.details.copied.connect(lambda what: status(f"Copied {what}", 3000))
        self.signatures.selected.connect(self.signature_selected)
        self.signatures.other_version.connect(self.version_target.follow)
        self.signatures.error.connect(lambda message: self.errors.show(message, dialog=False))
        self.signature_selected.connect(self.run_reactions.signature_selected)
        self.model_closed.connect(self.graph_panel.forget)
        self.model_closed.connect(self.run_reactions.model_closed)
        self.checks.done.connect(self.checks_done)
        self.checks.message.connect(status)
        self.checks.node_requested.connect(self.select_node)
        self.errors.shown.connect(self.error_shown)
        self.run_reactions.finished.connect(self.run_finished)
        menus.open_requested.connect(self.open_model)
        menus.error.connect(self.errors.show)
        for action, slot in [
            (menus.close_action, lambda: self.close_model()),
            (menus.reload_action, lambda: self.reload_model()),
            (menus.find_action, lambda: self.inspect.open_find()),
            (menus.filter_action, tree.focus_filter),
            (menus.expand_action, self.tree_view.expandAll),
            (menus.collapse_action, self.tree_view.collapseAll),
            (menus.run_action, lambda: self.run()),
            (menus.cancel_action, lambda: self.cancel()),
            (menus.reload_worker_action, self.run_reactions.reload_worker),
            (menus.custom_ops_action, self.launcher.edit_custom_ops),
            (menus.compare_action, self.launcher.open_compare),
            (menus.batch_action, self.launcher.open_batch),
            (menus.demo_action, self.launcher.open_demo_models),
            (menus.about_action, self.launcher.show_about),
        ]:
            action.triggered.connect(slot)

    def _show_node(self, node: TreeNode | None) -> None:
        """The current row changed: Details, Graph, Checks, the status bar and title follow."""
        self.details.set_node(node)
        model = self.open_models.model_of(node)
        if model is None:
            self.status_path.setText("")
            self.setWindowTitle(APP_NAME)
        else:
            info = model.info
            self.graph_panel.follow(info, node)
            size_bytes = getattr(info, "size_bytes", None)
            from inspector_app.units import human_bytes

            size = human_bytes(size_bytes) if size_bytes is not None else "size ?"
            version = getattr(info, "version", None)
            where = f"{model.path}" + (f" (version {version})" if version is not None else "")
            text = f"{where}  |  {size}  |  loaded in {model.load_ms:.0f} ms"
            self.status_path.setToolTip(text)  # whole; the bar leaves room for messages
            self.status_path.setText(
                self.status_path.fontMetrics().elidedText(
                    text, Qt.TextElideMode.ElideMiddle, max(240, self.width() * 2 // 5)
                )
            )
            self.setWindowTitle(f"{Path(model.path).name} - {APP_NAME}")
            self.checks.show_for(info)
        self.menus.set_has_models(bool(self.open_models))

    # -- Contract 2 -----------------------------------------------------------------------
    def open_model(self, path: str | Path, version: int | None = None) -> int:
        """Start reading ``path`` in the background and return at once (a request id).

        ``model_opened(info)`` or ``model_failed(message)`` follows.
        """
        return self.opener.open(path, version)

    def open_paths(self, paths: list[str | Path]) -> None:
        """Open several models (what a drop of several folders does)."""
        for path in paths:
            self.open_model(path)

    def select_signature(self, key: str, tags: list[str] | str | None = None) -> bool:
        """Select signature ``key`` (of the MetaGraphDef with ``tags``, if given) in the tree and
        emit ``signature_selected``. Looks in the current model first. False when not found."""
        return self.signatures.select(key, tags)

    def current_signature(self) -> SignatureSelection | None:
        """The signature last selected (in the tree or by ``select_signature``), or None."""
        return self.signatures.current

    def set_input(self, name: str, value: Any) -> None:
        """Set input ``name`` of the current signature: a numpy array, an image or array file
        path, or a string (text lines / a safe expression, as the input's editor takes it)."""
        self.runner.set_input(name, value)

    def run(self) -> bool:
        """Start the current signature and return at once; ``run_finished`` follows."""
        return self.runner.run()  # the Run button's and Ctrl+R's door too: the run session

    def run_target(self) -> tuple[str, int | None, tuple[str, ...], str] | None:
        """(model path, version, tags, signature) of what Run would run now, or None."""
        return self.runner.run_target()

    def cancel(self) -> None:
        """Stop the run at once (the worker is killed and restarted; the window stays)."""
        if self._runner is not None:
            self._runner.cancel()

    @property
    def runner(self) -> RunController:
        """Inputs, Run and Results: made after the window first shows (or on first use)."""
        if self._runner is None:
            from inspector_app.ui.run_controller import RunController

            runner = self._runner = RunController(self, warm_up=self._warm_up)
            for widget, title in runner.widgets():
                self.add_panel(widget, title)
            self.add_panel(self.checks_panel, "Checks")
            runner.session.permit = self.file_ops.allows  # asked before every run
            self.run_reactions.attach(runner)
            runner.bridge.ops_ready.connect(self.checks.set_registered_ops)
            if runner.bridge.registered_ops:
                self.checks.set_registered_ops(runner.bridge.registered_ops)
            if self.signatures.current is not None:
                runner.set_signature(self.signatures.current)
        return self._runner

    def add_panel(self, widget: QWidget, title: str) -> int:
        """Add a tab beside Details (Run, Inputs, Results, Checks...); returns its index."""
        return self.panels.addTab(widget, title)

    # -- the open models ------------------------------------------------------------------
    def models(self) -> list[OpenModel]:
        return self.open_models.all()

    def current_node(self) -> TreeNode | None:
        return self.tree_panel.current_node()

    def current_model(self) -> OpenModel | None:
        return self.open_models.model_of(self.current_node())

    def close_model(self, model: OpenModel | None = None) -> None:
        """Close ``model`` (default: the one holding the current row)."""
        model = model or self.current_model() or self.open_models.last()
        if model is not None:
            self.opener.close(model)

    def reload_model(self, model: OpenModel | None = None) -> None:
        """Read ``model`` (default: the current one) again from disk."""
        model = model or self.current_model() or self.open_models.last()
        if model is not None:
            self.opener.reload(model)

    def select_node(self, node: TreeNode) -> bool:
        """Select and reveal a row of an open model (e.g. where a check points); False when the
        node is not in the tree. Selecting a signature row emits ``signature_selected``."""
        if not self.tree_panel.contains(node):
            return False
        self.tree_panel.reveal(node)
        return True

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._runner is not None:
            self._runner.shutdown()
        save_layout(self, self.splitter, self.tree_view.header())
        self.errors.close()
        super().closeEvent(event)
