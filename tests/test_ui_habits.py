"""Desktop habits: start page, screen fitting, tab order and shortcuts, tooltips, the filter's
feedback, Recent without the demos, reopening the last session, readable dark palettes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSlider,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QScrollBar,
    QSlider,
    QWidget,
)
from ui_fakes import fake_load, open_and_wait

from inspector_app.ui import MainWindow, screen_fit, session, widget_polish
from inspector_app.ui import settings as ui_settings
from inspector_app.ui.palette import dark_palette, problem_colour, severity_colour

REPO = Path(__file__).resolve().parent.parent
DEMOS = REPO / "resources" / "demo_models"
WAIT_MS = 15_000


pytestmark = pytest.mark.usefixtures("isolated_ui_settings")  # conftest: never the user's settings


@pytest.fixture
def window(fake_window: MainWindow) -> MainWindow:
    fake_window.show_error_dialogs = False
    return fake_window


# ---------------------------------------------------------------------------- start page


def test_empty_window_shows_the_start_page(qtbot, window: MainWindow, tmp_path) -> None:
    page = window.habits.start_page
    assert window.habits.showing_start_page() and page.isVisible()
    names = {b.objectName(): b.text() for b in page.findChildren(QAbstractButton)}
    assert names == {"startOpenFolder": "Open folder…", "startOpenFile": "Open saved_model.pb…",
                     "startOpenDemos": "Open the demo models"}  # fmt: skip
    assert page.drop_hint.text() == "Drop a model folder or saved_model.pb here"
    assert page.recent.item(0).text().startswith("(none yet")
    assert not window.splitter.isEnabled()  # under the page: Tab does not reach it
    model = tmp_path / "one"
    model.mkdir()
    open_and_wait(qtbot, window, model)
    assert not window.habits.showing_start_page() and window.splitter.isEnabled()
    window.close_model()
    assert window.habits.showing_start_page()
    # the model just opened is in Recent; activating it opens it again
    assert page.recent.item(0).data(Qt.ItemDataRole.UserRole) == str(model)
    with qtbot.waitSignal(window.model_opened, timeout=WAIT_MS):
        page.recent.itemActivated.emit(page.recent.item(0))


def test_start_page_buttons_open(qtbot, window: MainWindow, monkeypatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(window.menus, "open_folder_dialog", lambda: calls.append("folder"))
    page = window.habits.start_page
    page.open_folder.disconnect()
    page.open_folder.connect(window.menus.open_folder_dialog)
    page.folder_button.click()
    assert calls == ["folder"]
    if DEMOS.is_dir():
        with qtbot.waitSignal(window.model_opened, timeout=WAIT_MS):
            page.demo_button.click()


def test_demos_do_not_push_recent(qtbot, window: MainWindow) -> None:
    open_and_wait(qtbot, window, "/models/mine")
    demo = DEMOS / "mnist_softmax"
    assert session.is_demo_path(demo) and not session.is_demo_path("/models/mine")
    open_and_wait(qtbot, window, demo)
    assert ui_settings.recent_models() == ["/models/mine"]


def test_reopen_last_session(qtbot, tmp_path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    win = MainWindow(load=fake_load)
    qtbot.addWidget(win)
    win.show()
    assert not win.habits.reopen_action.isChecked()
    assert win.habits.reopen_action in win.menuBar().actions()[0].menu().actions()
    for name in ("a", "b"):
        open_and_wait(qtbot, win, tmp_path / name)
    open_and_wait(qtbot, win, DEMOS / "mnist_softmax")
    win.habits.reopen_action.setChecked(True)
    win.close()
    assert session.last_session() == [str(tmp_path / "a"), str(tmp_path / "b")]
    assert session.startup_paths(["demo"]) == ([str(tmp_path / "a"), str(tmp_path / "b")], False)  # fmt: skip
    session.set_reopen_enabled(False)
    assert session.startup_paths(["demo"]) == (["demo"], True)


# ---------------------------------------------------------------------------- keyboard


def test_ctrl_number_switches_tabs(qtbot, window: MainWindow) -> None:
    open_and_wait(qtbot, window, "/models/one")
    _ = window.runner  # the Run, Results and Checks tabs
    assert window.panels.count() >= 3
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.panels.currentIndex() == 1
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.panels.currentIndex() == 0
    window.habits.polish()
    assert window.panels.tabToolTip(1).endswith("(Ctrl+2)")


@pytest.mark.skipif(not (DEMOS / "mnist_softmax").is_dir(), reason="demo model absent")
def test_tab_order_follows_the_layout_and_nothing_traps_tab(qtbot) -> None:
    win = MainWindow()
    win.show_error_dialogs = False
    qtbot.addWidget(win)
    win.resize(1024, 700)
    win.show()
    with qtbot.waitSignal(win.model_opened, timeout=WAIT_MS):
        win.open_model(DEMOS / "mnist_softmax")
    assert win.select_signature("serving_default")
    runner = win.runner
    win.panels.setCurrentWidget(runner.run_tab)
    win.habits.polish()
    stops = widget_polish.tab_stops(win)
    assert stops[0] is win.filter_edit and stops[1] is win.tree_view
    names = [w.objectName() for w in stops]
    run_at = names.index("runButton")
    editor_at = [i for i, w in enumerate(stops) if runner.inputs.isAncestorOf(w)]
    assert editor_at and max(editor_at) < run_at  # the inputs come before Run
    assert names.index("historyList") > run_at
    assert all(w.isVisible() for w in stops)  # no invisible stops
    # Tab walks the whole chain and comes back round: nothing keeps it
    win.filter_edit.setFocus()
    seen = []
    for _ in range(len(stops) + 5):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        widget = QApplication.focusWidget()
        assert widget is not None and widget.isVisible()
        seen.append(widget)
        if widget is win.filter_edit:
            break
    assert seen[-1] is win.filter_edit
    assert runner.run_panel.run_button in seen
    for view in win.findChildren(QAbstractItemView):
        assert not view.tabKeyNavigation(), view.objectName()


# ---------------------------------------------------------------------------- tooltips, sizes


def test_every_control_has_a_tooltip_and_sliders_keep_a_width(qtbot, window: MainWindow) -> None:
    open_and_wait(qtbot, window, "/models/one")
    _ = window.runner
    for i in range(window.panels.count()):
        window.panels.setCurrentIndex(i)
    window.habits.polish()
    controls = (QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QAbstractSlider)
    missing = [
        f"{type(w).__name__}:{w.objectName()}" for w in window.findChildren(QWidget)
        if isinstance(w, controls) and not isinstance(w, QScrollBar)
        if not w.toolTip() and w.objectName() not in ("qt_spinbox_lineedit",)
        and not isinstance(w.parentWidget(), (QAbstractSpinBox, QComboBox))
    ]  # fmt: skip
    assert missing == []
    results_controls = [
        w
        for w in window.runner.results.findChildren(QWidget)
        if isinstance(w, controls) and not isinstance(w, QScrollBar)
    ]
    assert results_controls and all(w.toolTip() for w in results_controls if not isinstance(w.parentWidget(), (QAbstractSpinBox, QComboBox)))  # fmt: skip
    for slider in window.findChildren(QSlider):
        if slider.orientation() == Qt.Orientation.Horizontal:
            assert slider.minimumWidth() >= widget_polish.MIN_SLIDER_WIDTH


def test_fit_rect() -> None:
    avail = QRect(0, 0, 1024, 700)
    rect = screen_fit.fit_rect(QSize(1340, 820), None, avail)
    assert avail.contains(rect) and rect.width() <= 1024 and rect.height() <= 700
    moved = screen_fit.fit_rect(QSize(600, 400), QRect(3000, 2000, 600, 400), avail)
    assert avail.contains(moved) and moved.size() == QSize(600, 400)
    kept = screen_fit.fit_rect(QSize(600, 400), QRect(10, 20, 600, 400), avail)
    assert kept == QRect(10, 20, 600, 400)


_FIT_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    app = QApplication([])
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[1])
    from inspector_app.ui import MainWindow
    if len(sys.argv) > 2:  # a geometry saved on a larger screen
        from PySide6.QtWidgets import QWidget
        big = QWidget(); big.setGeometry(100, 100, 2680, 1640)
        from inspector_app.ui import settings
        settings.save_bytes("window/geometry", big.saveGeometry())
    win = MainWindow()
    win.show()
    app.processEvents()
    avail = win.screen().availableGeometry()
    frame = win.frameGeometry()
    print(json.dumps({"avail": [avail.x(), avail.y(), avail.width(), avail.height()],
                      "frame": [frame.x(), frame.y(), frame.width(), frame.height()]}))
    """
)


@pytest.mark.parametrize(
    ("screen", "scale", "restored"),
    [((1024, 700), "1", False), ((1600, 1000), "2", False), ((1024, 700), "1", True)],
)
def test_first_and_restored_size_fit_a_small_screen(tmp_path, screen, scale, restored) -> None:
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "small", "x": 0, "y": 0, "width": screen[0], "height": screen[1], "logicalDpi": 96, "dpr": 1}]}))  # fmt: skip
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={config}",
           "QT_SCALE_FACTOR": scale, "PYTHONPATH": str(REPO), "INSPECTOR_NO_WARMUP": "1"}  # fmt: skip
    args = [sys.executable, "-c", _FIT_SCRIPT, str(tmp_path / "ini")] + (["restored"] if restored else [])  # fmt: skip
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120, cwd=REPO)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout.strip().splitlines()[-1])
    ax, ay, aw, ah = data["avail"]
    fx, fy, fw, fh = data["frame"]
    assert (aw, ah) == (screen[0] // int(scale), screen[1] // int(scale))
    assert ax <= fx and ay <= fy and fx + fw <= ax + aw and fy + fh <= ay + ah, data


# ---------------------------------------------------------------------------- filter, colours


def test_filter_highlights_matches(qtbot, window: MainWindow) -> None:
    open_and_wait(qtbot, window, "/models/one")
    window.filter_edit.setText("classify")
    assert window.tree_view.itemDelegate() is window.habits.highlight
    assert window.habits.highlight.needle == "classify"
    window.tree_view.grab()  # paints through the highlighting delegate
    window.filter_edit.clear()
    assert window.tree_view.itemDelegate() is not window.habits.highlight


def test_colours_follow_a_dark_palette(qtbot, window: MainWindow) -> None:
    light = severity_colour("error")
    app = QApplication.instance()
    old = app.palette()
    app.setPalette(dark_palette())
    try:
        dark = severity_colour("error")
        base = dark_palette().color(dark_palette().ColorRole.Base)
        assert dark.lightnessF() > base.lightnessF() + 0.4  # readable on the dark base
        assert dark != light and problem_colour() == dark.name()
    finally:
        app.setPalette(old)
    assert problem_colour() == "#b00020"
