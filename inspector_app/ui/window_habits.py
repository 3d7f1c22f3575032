"""Desktop habits of the main window, kept out of ``main_window.py``.

``install(window)`` adds: a start page while no model is open; a first size and restored
geometry that fit the screen's available area (``screen_fit``); Ctrl+1…9 for the panels' tabs;
the polish of ``widget_polish`` (tab order, tooltips, minimum sizes) whenever the window shows
something new; the filter's "no match" line and highlighted matches; the option to reopen the
last session's models (``session``).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QFontMetrics, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QGridLayout,
    QLabel,
    QMainWindow,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from inspector_app.ui import session, widget_polish
from inspector_app.ui.screen_fit import fit_to_screen
from inspector_app.ui.start_page import StartPage


class FilterHighlight(QStyledItemDelegate):
    """Draws rows that match the filter text with the matching characters highlighted."""

    def __init__(self, parent: QObject, needle: str = "") -> None:
        super().__init__(parent)
        self.needle = needle

    def paint(self, painter: Any, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        text = str(index.data() or "")
        at = text.casefold().find(self.needle) if self.needle else -1
        if at < 0:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.font.setBold(True)
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        super().paint(painter, opt, index)
        metrics = QFontMetrics(opt.font)
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, opt.widget) + 1
        left = text_rect.left() + margin + metrics.horizontalAdvance(text[:at])
        width = metrics.horizontalAdvance(text[at : at + len(self.needle)])
        colour = QColor(opt.palette.color(QPalette.ColorRole.Highlight))
        colour.setAlpha(90)
        painter.save()
        painter.setClipRect(text_rect)
        painter.fillRect(QRect(left, text_rect.top() + 2, width, text_rect.height() - 4), colour)
        painter.restore()


# ---------------------------------------------------------------------------- the habits


class WindowHabits(QObject):
    """Installed once on the main window by ``install``."""

    def __init__(self, window: Any) -> None:  # the MainWindow
        super().__init__(window)
        self.window = window
        # about 10 ms of work: after the event that asked for it, in its own turn of the loop
        self._polish_timer = QTimer(self, singleShot=True, interval=100)
        self._polish_timer.timeout.connect(self.polish)
        self._build_start_page()
        self._build_filter_feedback()
        self._build_tab_shortcuts()
        self._build_session_option()
        window.installEventFilter(self)
        window.panels.currentChanged.connect(self.schedule_polish)
        window.model_opened.connect(self._models_changed)
        window.model_closed.connect(self._models_changed)
        window.model_failed.connect(self._models_changed)
        window.signature_selected.connect(self.schedule_polish)
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._focus_changed)  # type: ignore[attr-defined]
        self._models_changed()

    # -- start page ----------------------------------------------------------------------
    def _build_start_page(self) -> None:
        """The start page lies over the tree and panels while no model is open: they stay laid
        out underneath (so splitter sizes and restored state behave as without it) but are
        disabled, so that Tab does not reach them."""
        window = self.window
        main = window.takeCentralWidget()  # the splitter: kept, not deleted
        self.central = QWidget(objectName="centralArea")
        grid = QGridLayout(self.central)
        grid.setContentsMargins(0, 0, 0, 0)
        self.start_page = StartPage()
        self.start_page.setAutoFillBackground(True)
        grid.addWidget(main, 0, 0)
        grid.addWidget(self.start_page, 0, 0)
        self.main_area = main
        state = main.saveState() if isinstance(main, QSplitter) else None
        window.setCentralWidget(self.central)
        window.layout().activate()  # the splitter gets its real width before its state returns
        grid.activate()
        if state is not None:
            main.restoreState(state)
        self.start_page.open_folder.connect(window.menus.open_folder_dialog)
        self.start_page.open_file.connect(window.menus.open_file_dialog)
        self.start_page.open_demos.connect(window.launcher.open_demo_models)
        self.start_page.open_recent.connect(window.menus.open_recent)

    def showing_start_page(self) -> bool:
        return not self.start_page.isHidden()

    def _models_changed(self, *_args: Any) -> None:
        empty = not self.window.models()
        if empty:
            self.start_page.refresh()
            self.start_page.raise_()
        self.start_page.setVisible(empty)
        self.main_area.setEnabled(not empty)
        self.schedule_polish()

    # -- filter --------------------------------------------------------------------------
    def _build_filter_feedback(self) -> None:
        window = self.window
        self.no_match = QLabel(objectName="filterNoMatch", visible=False, wordWrap=True)
        layout = window.filter_edit.parentWidget().layout()
        layout.insertWidget(layout.indexOf(window.filter_edit) + 1, self.no_match)
        self.highlight = FilterHighlight(window.tree_view)
        self._plain_delegate = window.tree_view.itemDelegate()
        proxy = window.proxy
        for signal in (proxy.modelReset, proxy.layoutChanged, proxy.rowsInserted, proxy.rowsRemoved):  # fmt: skip
            signal.connect(self._filter_feedback)
        window.filter_edit.textChanged.connect(self._filter_feedback)

    def _filter_feedback(self, *_args: Any) -> None:
        window = self.window
        needle = window.proxy.filter_text()
        if needle:
            self.highlight.needle = needle
            if window.tree_view.itemDelegate() is not self.highlight:
                window.tree_view.setItemDelegate(self.highlight)
        elif window.tree_view.itemDelegate() is not self._plain_delegate:
            window.tree_view.setItemDelegate(self._plain_delegate)
        nothing = bool(needle) and window.proxy.rowCount() == 0 and bool(window.models())
        if nothing:
            self.no_match.setText(f"No match for “{window.filter_edit.text().strip()}”")
        self.no_match.setVisible(nothing)
        window.tree_view.viewport().update()

    # -- shortcuts -----------------------------------------------------------------------
    def _build_tab_shortcuts(self) -> None:
        self.tab_actions: list[QAction] = []
        for number in range(1, 10):
            action = QAction(f"Show tab {number}", self.window, objectName=f"actionTab{number}")
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _=False, i=number - 1: self.show_tab(i))
            self.window.addAction(action)
            self.tab_actions.append(action)

    def show_tab(self, index: int) -> None:
        panels = self.window.panels
        if 0 <= index < panels.count() and panels.isTabEnabled(index):
            panels.setCurrentIndex(index)
            page = panels.widget(index)
            stops = widget_polish.tab_stops(page)
            (stops[0] if stops else panels.tabBar()).setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- session -------------------------------------------------------------------------
    def _build_session_option(self) -> None:
        self.reopen_action = QAction(
            "Reopen the last session's models at start", self.window, objectName="actionReopen"
        )
        self.reopen_action.setCheckable(True)
        self.reopen_action.setChecked(session.reopen_enabled())
        self.reopen_action.toggled.connect(session.set_reopen_enabled)
        file_menu = self.window.menuBar().actions()[0].menu()
        if file_menu is not None:
            actions = file_menu.actions()
            quit_action = self.window.menus.quit_action
            at = actions.index(quit_action) if quit_action in actions else -1
            file_menu.insertAction(actions[at] if at >= 0 else None, self.reopen_action)
            file_menu.insertSeparator(actions[at] if at >= 0 else None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window:
            kind = event.type()
            if kind == QEvent.Type.Close:
                paths = [m.path for m in self.window.models()]
                session.save_session([p for p in paths if not session.is_demo_path(p)])
            elif kind == QEvent.Type.Show:
                self.schedule_polish()
        return False

    # -- polish: tooltips, minimum sizes, Tab ----------------------------------------------
    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if new is not None and new.window() is self.window:
            self.schedule_polish()

    def schedule_polish(self, *_args: Any) -> None:
        if not self._polish_timer.isActive():
            self._polish_timer.start()

    def polish(self) -> None:
        """Tooltips, minimum sizes, Tab behaviour and order for what the window shows now."""
        widget_polish.polish(self.window, self.window.panels)


def install(window: QMainWindow) -> WindowHabits:
    """Fit the window to its screen and add the habits; call once the window is built."""
    habits = WindowHabits(window)
    fit_to_screen(window)
    return habits
