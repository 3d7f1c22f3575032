"""Desktop habits of the main window, kept out of ``main_window.py``.

``install(window)`` adds: a start page while no model is open; a first size and restored
geometry that fit the screen's available area (at any ``QT_SCALE_FACTOR``); Ctrl+1…9 for the
panels' tabs; a tab order that follows the visual order with no widget trapping Tab; a tooltip on
every control (from its label, text or placeholder where the code gave none); usable minimum
sizes for sliders and tables; the filter's "no match" line and highlighted matches; the option to
reopen the last session's models; and keeps the demo models out of Recent.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QFontMetrics, QGuiApplication, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QLineEdit,
    QMainWindow,
    QPlainTextEdit,
    QScrollArea,
    QScrollBar,
    QSlider,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from inspector_app.ui import settings
from inspector_app.ui.start_page import StartPage

if TYPE_CHECKING:
    from inspector_app.ui.main_window import MainWindow

MIN_SLIDER_WIDTH = 96
MIN_VIEW_SIZE = QSize(120, 72)
SCREEN_SHARE = 0.96  # of the available area a first or restored window may take
_REOPEN_KEY = "session/reopen"
_SESSION_KEY = "session/models"
_LEAVES = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QAbstractSlider,
           QAbstractItemView, QTextEdit, QPlainTextEdit, QTabBar)  # fmt: skip
_CONTROLS = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QAbstractSlider)


# ---------------------------------------------------------------------------- screen fitting


def fit_rect(size: QSize, current: QRect | None, available: QRect) -> QRect:
    """A window rectangle of at most ``size`` inside ``available``: shrunk to fit, and moved in
    (centred) when ``current`` lies partly outside."""
    width = min(size.width(), int(available.width() * SCREEN_SHARE))
    height = min(size.height(), int(available.height() * SCREEN_SHARE))
    rect = QRect(current.topLeft() if current is not None else available.topLeft(), QSize(width, height))  # fmt: skip
    if current is None or not available.contains(rect):
        rect.moveCenter(available.center())
    return rect


def fit_to_screen(window: QWidget, available: QRect | None = None) -> QRect:
    """Resize and move ``window`` so that it fits the available area of its screen."""
    if available is None:
        screen = window.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return window.geometry()
        available = screen.availableGeometry()
    # no minimum of the window's own may keep it larger than the screen
    minimum = window.minimumSize()
    if minimum.width() > available.width() or minimum.height() > available.height():
        window.setMinimumSize(minimum.boundedTo(available.size()))
    current = window.geometry() if window.testAttribute(Qt.WidgetAttribute.WA_Moved) else None
    rect = fit_rect(window.size(), current, available)
    window.resize(rect.size())
    if current is None or rect.topLeft() != current.topLeft():
        window.move(rect.topLeft())
    return rect


# ---------------------------------------------------------------------------- order and tips


def visual_order(root: QWidget) -> list[QWidget]:
    """The visible widgets under ``root`` in the order a reader meets them: layouts in order,
    a tab widget's bar then its page, a stack's current page, a splitter's panes."""
    out: list[QWidget] = []

    def walk(widget: QWidget | None) -> None:
        if widget is None or not widget.isVisibleTo(root) and widget is not root:
            return
        out.append(widget)
        if isinstance(widget, _LEAVES):
            return
        if isinstance(widget, QMainWindow):
            walk(widget.centralWidget())
        elif isinstance(widget, QTabWidget):
            walk(widget.tabBar())
            walk(widget.currentWidget())
        elif isinstance(widget, QStackedWidget):
            walk(widget.currentWidget())
        elif isinstance(widget, QScrollArea):
            walk(widget.widget())
        elif isinstance(widget, QSplitter):
            for i in range(widget.count()):
                walk(widget.widget(i))
        else:
            seen: set[int] = set()
            if widget.layout() is not None:
                walk_layout(widget.layout(), seen)
            for child in widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):  # fmt: skip
                if id(child) not in seen and not child.isWindow():
                    walk(child)

    def walk_layout(layout: QLayout, seen: set[int]) -> None:
        for i in range(layout.count()):
            item = layout.itemAt(i)
            if item is None:
                continue
            if item.widget() is not None:
                seen.add(id(item.widget()))
                walk(item.widget())
            elif item.layout() is not None:
                walk_layout(item.layout(), seen)

    walk(root)
    return out


def tab_stops(root: QWidget) -> list[QWidget]:
    """The widgets Tab visits under ``root``, in visual order."""
    return [
        w for w in visual_order(root)
        if w is not root and w.focusPolicy() & Qt.FocusPolicy.TabFocus and w.focusProxy() is None
    ]  # fmt: skip


def _humanise(name: str) -> str:
    name = name.split(":", 1)[0]
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").strip()
    return words[:1].upper() + words[1:].lower() if words else ""


def _form_label(widget: QWidget) -> str:
    parent = widget.parentWidget()
    layout = parent.layout() if parent is not None else None
    if isinstance(layout, QFormLayout):
        label = layout.labelForField(widget)
        if isinstance(label, QLabel):
            return label.text().replace("&", "")
    return ""


def derived_tooltip(widget: QWidget) -> str:
    """A tooltip for a control the code gave none: its label, text, placeholder or name."""
    text = ""
    parent = widget.parentWidget()
    if isinstance(parent, QLineEdit):  # the clear button Qt adds to a line edit
        return "Clear the text"
    if isinstance(parent, QTabBar):  # the tab bar's scroll arrows
        return "Show more tabs"
    if isinstance(widget, QAbstractButton):
        text = widget.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
    label = _form_label(widget)
    if label:
        text = f"{label}: {text}" if text and text != label else label
    if not text and isinstance(widget, QLineEdit):
        text = widget.placeholderText()
    if not text and isinstance(widget, QComboBox):
        text = "Choose " + (_humanise(widget.objectName()).lower() or "an option")
    if not text and isinstance(widget, QSlider):
        text = _humanise(widget.objectName()) or "Slide to change the value"
    if not text:
        text = widget.accessibleName() or _humanise(widget.objectName())
    if isinstance(widget, QAbstractButton) and not widget.shortcut().isEmpty():
        text += f" ({widget.shortcut().toString(QKeySequence.SequenceFormat.NativeText)})"
    return text.strip()


# ---------------------------------------------------------------------------- the filter


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


def is_demo_path(path: str | Path) -> bool:
    """True for a model folder among the bundled demo models (kept out of Recent)."""
    try:
        from inspector_app.resources import resource_roots

        target = Path(path).resolve()
        return any((root / "demo_models").resolve() in target.parents for root in resource_roots())
    except (ImportError, OSError, RuntimeError):
        return False


# ---------------------------------------------------------------------------- the habits


class WindowHabits(QObject):
    """Installed once on the main window by ``install``."""

    def __init__(self, window: MainWindow) -> None:
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
        self.start_page.open_folder.connect(window._open_folder_dialog)
        self.start_page.open_file.connect(window._open_file_dialog)
        self.start_page.open_demos.connect(window._open_demo_models)
        self.start_page.open_recent.connect(window._open_recent)

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
            stops = tab_stops(page)
            (stops[0] if stops else panels.tabBar()).setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- session -------------------------------------------------------------------------
    def _build_session_option(self) -> None:
        self.reopen_action = QAction(
            "Reopen the last session's models at start", self.window, objectName="actionReopen"
        )
        self.reopen_action.setCheckable(True)
        self.reopen_action.setChecked(reopen_enabled())
        self.reopen_action.toggled.connect(set_reopen_enabled)
        file_menu = self.window.menuBar().actions()[0].menu()
        if file_menu is not None:
            actions = file_menu.actions()
            at = actions.index(self.window.quit_action) if self.window.quit_action in actions else -1  # fmt: skip
            file_menu.insertAction(actions[at] if at >= 0 else None, self.reopen_action)
            file_menu.insertSeparator(actions[at] if at >= 0 else None)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window:
            kind = event.type()
            if kind == QEvent.Type.Close:
                save_session([m.path for m in self.window.models() if not is_demo_path(m.path)])
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
        window = self.window
        panels = window.panels
        for i in range(panels.count()):
            text = panels.tabText(i).replace("&", "")
            tip = f"{text} (Ctrl+{i + 1})" if i < 9 else text
            if panels.tabToolTip(i) != tip:
                panels.setTabToolTip(i, tip)
        for widget in window.findChildren(QWidget):
            if (
                isinstance(widget, _CONTROLS)
                and not isinstance(widget, QScrollBar)
                and not widget.toolTip()
            ):
                tip = derived_tooltip(widget)
                if tip:
                    widget.setToolTip(tip)
            if isinstance(widget, QSlider) and widget.orientation() == Qt.Orientation.Horizontal:
                if widget.minimumWidth() < MIN_SLIDER_WIDTH:
                    widget.setMinimumWidth(MIN_SLIDER_WIDTH)
            elif isinstance(widget, QAbstractItemView):
                widget.setTabKeyNavigation(False)  # Tab leaves a table instead of walking cells
                if isinstance(widget, QHeaderView):
                    continue
                if widget.minimumWidth() < MIN_VIEW_SIZE.width():
                    widget.setMinimumWidth(MIN_VIEW_SIZE.width())
                if widget.minimumHeight() < MIN_VIEW_SIZE.height():
                    widget.setMinimumHeight(MIN_VIEW_SIZE.height())
            elif isinstance(widget, (QPlainTextEdit, QTextEdit)):
                widget.setTabChangesFocus(True)
            elif type(widget) is QScrollArea and widget.focusPolicy() != Qt.FocusPolicy.NoFocus:
                widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # an invisible stop otherwise
        stops = tab_stops(window)
        for first, second in zip(stops, stops[1:], strict=False):
            QWidget.setTabOrder(first, second)
        if len(stops) > 2:
            QWidget.setTabOrder(stops[-1], stops[0])  # and round again from the last


def reopen_enabled() -> bool:
    value = settings.open_settings().value(_REOPEN_KEY, False)
    return value in (True, "true", "1", 1)


def set_reopen_enabled(on: bool) -> None:
    store = settings.open_settings()
    store.setValue(_REOPEN_KEY, bool(on))
    store.sync()


def save_session(paths: list[str]) -> None:
    store = settings.open_settings()
    store.setValue(_SESSION_KEY, list(paths))
    store.sync()


def last_session() -> list[str]:
    """The models open when the window last closed (existing paths only)."""
    value = settings.open_settings().value(_SESSION_KEY)
    paths = [value] if isinstance(value, str) else list(value or [])
    return [str(p) for p in paths if p and Path(str(p)).exists()]


def startup_paths(demo_paths: list[str]) -> tuple[list[str], bool]:
    """What a launch without paths opens: the last session's models when the option is on and
    some remain, else the demos. Returns (paths, are_demos)."""
    if reopen_enabled():
        previous = last_session()
        if previous:
            return previous, False
    return demo_paths, True


def install(window: MainWindow) -> WindowHabits:
    """Fit the window to its screen and add the habits; call once the window is built."""
    habits = WindowHabits(window)
    fit_to_screen(window)
    return habits
