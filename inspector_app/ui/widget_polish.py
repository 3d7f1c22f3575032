"""What the window does to the widgets it shows so they behave as desktop users expect: a tab
order that follows the visual order with no widget trapping Tab, a tooltip on every control (from
its label, text or placeholder where the code gave none), usable minimum sizes for sliders and
tables."""

from __future__ import annotations

import re

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
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
    QTabBar,
    QTabWidget,
    QTextEdit,
    QWidget,
)

MIN_SLIDER_WIDTH = 96
MIN_VIEW_SIZE = QSize(120, 72)
_LEAVES = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QAbstractSlider,
           QAbstractItemView, QTextEdit, QPlainTextEdit, QTabBar)  # fmt: skip
_CONTROLS = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QAbstractSlider)


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


def polish(window: QWidget, panels: QTabWidget) -> None:
    """Tooltips, minimum sizes, Tab behaviour and order for what ``window`` shows now; the tabs
    of ``panels`` say their Ctrl+number shortcut."""
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
