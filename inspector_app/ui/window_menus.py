"""The window's menus and actions (File, View, Run, Help), the file dialogs and Recent.

``WindowMenus`` makes every ``QAction`` (with its shortcut and a stable objectName, parented to
the window so that shortcuts work with the menu bar hidden) and fills the menu bar; the window
connects the actions to the panels that do the work.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMenu

from inspector_app.ui import settings

# (attribute, text, shortcut, objectName) per menu; None is a separator
_FILE = [
    ("open_action", "&Open folder...", "Ctrl+O", "actionOpen"),
    ("open_file_action", "Open &file (saved_model.pb/.pbtxt)...", "Ctrl+Shift+O", "actionOpenFile"),
    "recent",
    None,
    ("reload_action", "&Reload", "F5", "actionReload"),
    ("close_action", "&Close model", "Ctrl+W", "actionCloseModel"),
    None,
    ("quit_action", "&Quit", "Ctrl+Q", "actionQuit"),
]
_VIEW = [
    ("find_action", "&Find everything...", "Ctrl+F", "actionFind"),
    ("filter_action", "F&ilter the tree", "Ctrl+L", "actionFilter"),
    ("expand_action", "&Expand all", "Ctrl+E", ""),
    ("collapse_action", "&Collapse all", "Ctrl+Shift+E", ""),
]
_RUN = [
    ("run_action", "&Run signature", "Ctrl+R", "actionRun"),
    ("cancel_action", "&Cancel run", "Esc", "actionCancel"),
    ("reload_worker_action", "Re&load model in the worker", None, "actionReloadWorker"),
    ("custom_ops_action", "Custom &ops...", None, "actionCustomOps"),
    None,
    ("compare_action", "Co&mpare with another version...", "Ctrl+K", "actionCompare"),
    ("batch_action", "Run over a &data set...", "Ctrl+B", "actionBatch"),
]
_HELP = [
    ("demo_action", "Open &demo models", None, "actionOpenDemos"),
    ("about_action", "&About", None, "actionAbout"),
]
MENUS = [("&File", _FILE), ("&View", _VIEW), ("&Run", _RUN), ("&Help", _HELP)]


class WindowMenus(QObject):
    """The actions (as attributes, e.g. ``run_action``) and the menu bar of ``window``."""

    open_requested = Signal(str)  # a path chosen in a file dialog or in Recent
    error = Signal(str)  # one line: a recent model that no longer exists

    open_action: QAction
    open_file_action: QAction
    reload_action: QAction
    close_action: QAction
    quit_action: QAction
    find_action: QAction
    filter_action: QAction
    expand_action: QAction
    collapse_action: QAction
    run_action: QAction
    cancel_action: QAction
    reload_worker_action: QAction
    custom_ops_action: QAction
    compare_action: QAction
    batch_action: QAction
    demo_action: QAction
    about_action: QAction

    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.recent_menu = QMenu("Recent &models", window, objectName="recentMenu")
        self.recent_menu.aboutToShow.connect(self.fill_recent_menu)
        self.fill_recent_menu()
        for title, entries in MENUS:
            menu = window.menuBar().addMenu(title)
            for entry in entries:
                if entry is None:
                    menu.addSeparator()
                elif entry == "recent":
                    menu.addMenu(self.recent_menu)
                else:
                    menu.addAction(self._action(*entry))
        self.open_action.triggered.connect(self.open_folder_dialog)
        self.open_file_action.triggered.connect(self.open_file_dialog)
        self.quit_action.triggered.connect(window.close)
        self.set_has_models(False)

    def _action(self, attribute: str, text: str, shortcut: str | None, name: str) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if name:
            action.setObjectName(name)
        self.window.addAction(action)  # shortcuts work even with the menu bar hidden
        setattr(self, attribute, action)
        return action

    def set_has_models(self, has_models: bool) -> None:
        self.close_action.setEnabled(has_models)
        self.reload_action.setEnabled(has_models)

    # -- opening --------------------------------------------------------------------------
    def _start_dir(self) -> str:
        recent = settings.recent_models()
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def open_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self.window, "Open a SavedModel folder", self._start_dir()
        )
        if folder:
            self.open_requested.emit(folder)

    def open_file_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self.window,
            "Open saved_model.pb or saved_model.pbtxt",
            self._start_dir(),
            "SavedModel files (*.pb *.pbtxt);;All files (*)",
        )
        if path:
            self.open_requested.emit(path)

    def fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = settings.recent_models()
        for number, path in enumerate(recent, start=1):
            action = self.recent_menu.addAction(f"&{number % 10}  {path.replace('&', '&&')}")
            action.setData(path)
            action.triggered.connect(lambda _=False, p=path: self.open_recent(p))
        if not recent:
            self.recent_menu.addAction("(none yet)").setEnabled(False)
        self.recent_menu.addSeparator()
        clear = self.recent_menu.addAction("Clear recent models")
        clear.setEnabled(bool(recent))
        clear.triggered.connect(settings.clear_recent_models)

    def open_recent(self, path: str) -> None:
        if not Path(path).exists():
            settings.remove_recent_model(path)
            self.error.emit(f"{path}: no longer exists (removed from the recent models)")
            return
        self.open_requested.emit(path)
