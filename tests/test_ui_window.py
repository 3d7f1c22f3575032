"""The window's mechanics over hand-built trees (no SavedModel, no TensorFlow): drops, filter,
details, copying, recent models, remembered layout, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QTabWidget, QTreeView
from ui_fakes import fake_load, open_and_wait

from inspector_app.ui import MainWindow
from inspector_app.ui import settings as ui_settings
from inspector_app.ui.tree_model import KIND_ROLE, NODE_ROLE

WAIT_MS = 10_000


pytestmark = pytest.mark.usefixtures("isolated_ui_settings")  # conftest: never the user's settings


@pytest.fixture
def window(fake_window: MainWindow) -> MainWindow:
    return fake_window  # error boxes on: some tests look at them


def visible_rows(win: MainWindow, parent: QModelIndex | None = None) -> list[str]:
    """Names of the rows the tree shows (expanded ones only), depth-first, indented."""
    parent = parent or QModelIndex()
    out: list[str] = []
    proxy, view = win.proxy, win.tree_view
    depth = 0
    index = parent
    while index.isValid():
        depth += 1
        index = index.parent()
    for row in range(proxy.rowCount(parent)):
        index = proxy.index(row, 0, parent)
        out.append("  " * depth + index.data())
        if view.isExpanded(index):
            out.extend(visible_rows(win, index))
    return out


def all_rows(win: MainWindow, parent: QModelIndex | None = None) -> list[str]:
    """Names of every row the filter lets through, expanded or not."""
    parent = parent or QModelIndex()
    out: list[str] = []
    for row in range(win.proxy.rowCount(parent)):
        index = win.proxy.index(row, 0, parent)
        out.append(index.data())
        out.extend(all_rows(win, index))
    return out


def drop_event(paths: list[Path]) -> tuple[QDragEnterEvent, QDropEvent]:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    action = Qt.DropAction.CopyAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(50, 50), action, mime, buttons, mods)
    drop = QDropEvent(QPointF(50, 50), action, mime, buttons, mods)
    enter.mime_keepalive = drop.mime_keepalive = mime  # the events do not own the mime data
    return enter, drop


def find_index(win: MainWindow, name: str, kind: str | None = None) -> QModelIndex:
    hits = win.proxy.match(
        win.proxy.index(0, 0), Qt.ItemDataRole.DisplayRole, name, -1,
        Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
    )  # fmt: skip
    hits = [h for h in hits if kind is None or h.data(KIND_ROLE) == kind]
    assert hits, f"no row {name!r}"
    return hits[0]


def test_widgets_have_stable_names(window: MainWindow) -> None:
    assert window.findChild(QTreeView, "modelTree") is window.tree_view
    assert window.findChild(QLineEdit, "filterEdit") is window.filter_edit
    assert window.findChild(QTabWidget, "panels").widget(0) is window.details
    assert window.details.objectName() == "detailsPanel"
    assert window.statusBar().objectName() == "statusBar"


def test_drop_folder_shows_tree_and_details(qtbot, window: MainWindow, tmp_path: Path) -> None:
    folder = tmp_path / "my_model"
    folder.mkdir()
    enter, drop = drop_event([folder])
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    with qtbot.waitSignal(window.model_opened, timeout=WAIT_MS) as blocker:
        QApplication.sendEvent(window, drop)
    assert blocker.args[0].path == str(folder)
    assert visible_rows(window) == [
        "my_model",
        "  serve",
        "    classify_x",
        "    serving_default",
        "    Variables",
    ]
    assert window.details.text().startswith("Model: my_model")
    assert str(folder) in window.status_path.toolTip()
    assert "loaded in" in window.status_path.toolTip()

    window.tree_view.setCurrentIndex(find_index(window, "serving_default"))
    assert "method name: tensorflow/serving/predict" in window.details.text()
    assert window.details.copy_serving_button.isVisibleTo(window.details)


def test_drop_several_folders_gives_several_models(qtbot, window, tmp_path: Path) -> None:
    folders = [tmp_path / n for n in ("a", "b", "c")]
    for folder in folders:
        folder.mkdir()
    (tmp_path / "photo.jpg").write_bytes(b"")
    enter, drop = drop_event([*folders, tmp_path / "photo.jpg"])
    QApplication.sendEvent(window, enter)  # as a drag does: it enters, then drops
    with qtbot.waitSignals([window.model_opened] * 3, timeout=WAIT_MS):
        QApplication.sendEvent(window, drop)
    names = [window.proxy.index(r, 0).data() for r in range(window.proxy.rowCount())]
    assert sorted(names) == ["a", "b", "c"]


def test_drop_rejects_files_that_are_not_models(window, tmp_path: Path) -> None:
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"")
    enter, _drop = drop_event([photo])
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()
    pb = tmp_path / "saved_model.pb"
    pb.write_bytes(b"")
    enter, _drop = drop_event([pb])
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()


def test_filter_narrows_rows(qtbot, window: MainWindow) -> None:
    open_and_wait(qtbot, window, "/models/one")
    open_and_wait(qtbot, window, "/models/two")
    before, shown = all_rows(window), visible_rows(window)
    window.filter_edit.setText("CLASSIFY")  # case-insensitive
    after = all_rows(window)
    assert len(after) < len(before)
    assert "classify_x" in after and "serving_default" not in after
    # the matches show with their parents; a match's own rows stay collapsed (but are kept)
    assert visible_rows(window) == ["one", "  serve", "    classify_x", "two", "  serve", "    classify_x"]  # fmt: skip
    assert "inputs" in after
    assert window.habits.no_match.isHidden()
    window.filter_edit.setText("no such row anywhere")
    assert window.proxy.rowCount() == 0
    assert not window.habits.no_match.isHidden()
    assert window.habits.no_match.text() == "No match for “no such row anywhere”"
    window.filter_edit.clear()
    assert all_rows(window) == before and visible_rows(window) == shown


def test_lazy_children_load_on_expand(qtbot, window: MainWindow) -> None:
    open_and_wait(qtbot, window, "/models/one")
    index = find_index(window, "Variables")
    node = index.data(NODE_ROLE)
    assert node.load_children is not None and window.proxy.rowCount(index) == 0
    window.tree_view.expand(index)
    assert [window.proxy.index(r, 0, index).data() for r in range(2)] == [
        "dense/kernel",
        "dense/bias",
    ]


def test_select_signature_emits_and_tracks(qtbot, window: MainWindow) -> None:
    open_and_wait(qtbot, window, "/models/one")
    with qtbot.waitSignal(window.signature_selected, timeout=WAIT_MS) as blocker:
        assert window.select_signature("serving_default", tags=["serve"])
    info, selection = blocker.args
    assert info.path == "/models/one"
    assert selection.signature.key == "serving_default" and selection.tags == ("serve",)
    assert window.current_signature() == selection
    assert window.current_node().name == "serving_default"
    assert not window.select_signature("serving_default", tags="serve,gpu")
    assert not window.select_signature("nope")
    # clicking an input of another signature makes that signature current
    with qtbot.waitSignal(window.signature_selected, timeout=WAIT_MS):
        window.tree_view.setCurrentIndex(find_index(window, "classify_x"))
    assert window.current_signature().key == "classify_x"


def test_copy_buttons_and_context_menu(qtbot, window: MainWindow) -> None:
    clipboard = QGuiApplication.clipboard()
    open_and_wait(qtbot, window, "/models/one")
    window.select_signature("serving_default")
    window.details.copy_json_button.click()
    assert '"method_name": "tensorflow/serving/predict"' in clipboard.text()
    window.details.copy_serving_button.click()
    assert '"signature_def"' in clipboard.text()
    window.details.copy_text_button.click()
    assert clipboard.text() == window.details.text()

    sig = window.current_node()
    actions = {a.text(): a for a in window.tree_panel.context_menu_for(sig).actions()}
    assert not actions["Copy tensor name"].isEnabled()
    actions["Copy saved_model_cli command"].trigger()
    assert clipboard.text().startswith("saved_model_cli show --dir /models/one")
    tensor = sig.children[0].children[0]
    actions = {a.text(): a for a in window.tree_panel.context_menu_for(tensor).actions()}
    actions["Copy tensor name"].trigger()
    assert clipboard.text() == "x:0"
    actions["Copy details"].trigger()
    assert clipboard.text().startswith("tensor: x")  # TreeNode.details_text()


def test_bad_folder_gives_one_status_line(qtbot, window: MainWindow, tmp_path: Path) -> None:
    bad = tmp_path / "bad_folder"
    with qtbot.waitSignal(window.model_failed, timeout=WAIT_MS) as blocker:
        window.open_model(bad)
    message = blocker.args[0]
    assert "\n" not in message and str(bad) in message
    assert window.statusBar().currentMessage() == message
    assert window.errors.box is not None and not window.errors.box.isModal()
    assert window.isVisible() and window.proxy.rowCount() == 0
    with qtbot.waitSignal(window.model_failed, timeout=WAIT_MS) as blocker:
        window.open_model(tmp_path / "boom")
    assert blocker.args[0].count("\n") == 0 and "RuntimeError" in blocker.args[0]
    open_and_wait(qtbot, window, tmp_path / "good")  # still works afterwards
    assert window.proxy.rowCount() == 1


def test_recent_models_persist(qtbot, window: MainWindow, tmp_path: Path) -> None:
    for n in range(12):
        (tmp_path / f"m{n}").mkdir()
        open_and_wait(qtbot, window, tmp_path / f"m{n}")
    recent = ui_settings.recent_models()
    assert len(recent) == ui_settings.MAX_RECENT
    assert recent[0] == str(tmp_path / "m11")
    window.close()
    other = MainWindow(load=fake_load)
    qtbot.addWidget(other)
    other.menus.recent_menu.aboutToShow.emit()
    paths = [a.data() for a in other.menus.recent_menu.actions() if a.data()]
    assert paths == recent
    with qtbot.waitSignal(other.model_opened, timeout=WAIT_MS):
        next(a for a in other.menus.recent_menu.actions() if a.data() == recent[3]).trigger()
    assert ui_settings.recent_models()[0] == recent[3]


def test_recent_list_is_written_off_the_gui_thread(window: MainWindow, tmp_path: Path) -> None:
    # Each open changes the list; its fsync happens in the writer thread, in order, and the
    # list reads back changed at once, before it is on disk.
    first, second = str(tmp_path / "a"), str(tmp_path / "b")
    ui_settings.add_recent_model(first)
    ui_settings.add_recent_model(second)
    ui_settings.remove_recent_model(first)
    assert ui_settings.recent_models() == [second]
    assert ui_settings.wait_for_writes()
    store = ui_settings.open_settings()
    assert ui_settings._as_list(store.value("recent/models")) == [second]
    ui_settings.clear_recent_models()
    ui_settings.wait_for_writes()
    assert ui_settings.open_settings().value("recent/models") is None


def test_layout_is_remembered(qtbot, window: MainWindow) -> None:
    window.resize(700, 500)  # within the offscreen 800x600 screen
    window.splitter.setSizes([250, 440])
    sizes = window.splitter.sizes()
    window.close()
    other = MainWindow(load=fake_load)
    qtbot.addWidget(other)
    with qtbot.waitExposed(other):
        other.show()
    assert (other.size().width(), other.size().height()) == (700, 500)
    # within a pixel or two: the start page's container lays the splitter out one step later
    assert all(abs(a - b) <= 2 for a, b in zip(other.splitter.sizes(), sizes, strict=True))


def test_shortcuts_close_reload_and_panels(qtbot, window: MainWindow) -> None:
    assert window.menus.find_action.shortcut() == QKeySequence("Ctrl+F")  # Find everything
    assert window.menus.filter_action.shortcut() == QKeySequence("Ctrl+L")
    assert window.menus.open_action.shortcut() == QKeySequence("Ctrl+O")
    assert window.menus.quit_action.shortcut() == QKeySequence("Ctrl+Q")
    assert window.menus.reload_action.shortcut() == QKeySequence("F5")
    window.menus.filter_action.trigger()  # the empty window shows its start page, the filter is under it
    assert window.habits.showing_start_page() or QGuiApplication.focusObject() in (window.filter_edit, None)  # fmt: skip
    open_and_wait(qtbot, window, "/models/one")
    open_and_wait(qtbot, window, "/models/two")
    window.select_signature("serving_default")
    with qtbot.waitSignal(window.model_opened, timeout=WAIT_MS):
        window.menus.reload_action.trigger()  # replaces the model in place
    assert [m.path for m in window.models()] == ["/models/one", "/models/two"]
    assert window.current_signature() is None  # the reloaded model's signature is gone
    with qtbot.waitSignal(window.model_closed, timeout=WAIT_MS):
        window.close_model()
    assert window.proxy.rowCount() == 1
    index = window.add_panel(QLabel("extra"), "Extra")
    assert index == window.panels.count() - 1 and window.panels.tabText(index) == "Extra"


def test_filtering_does_not_change_the_current_signature(qtbot, window: MainWindow) -> None:
    open_and_wait(qtbot, window, "/models/one")
    window.select_signature("serving_default")
    with qtbot.assertNotEmitted(window.signature_selected):
        window.filter_edit.setText("classify")  # hides the current row
        assert window.current_node() is None and window.details.text() == ""
        window.filter_edit.setText("serv")
    assert window.current_signature().key == "serving_default"


def test_keyboard_navigation(qtbot, window: MainWindow) -> None:
    open_and_wait(qtbot, window, "/models/one")
    view = window.tree_view
    view.setCurrentIndex(window.proxy.index(0, 0))
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert window.current_node().name == "serve"
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert window.current_node().name == "classify_x"
    qtbot.keyClick(view, Qt.Key.Key_Right)  # expands the signature
    assert view.isExpanded(view.currentIndex())
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert window.current_node().name == "inputs"
    assert window.current_signature().key == "classify_x"
    window.filter_edit.setText("serving")
    qtbot.keyClick(window.filter_edit, Qt.Key.Key_Escape)  # Escape clears the filter
    assert window.filter_edit.text() == ""


def test_slow_filter_waits_for_a_pause_in_typing(qtbot, window: MainWindow) -> None:
    open_and_wait(qtbot, window, "/models/one")
    before = all_rows(window)
    window.tree_panel.slow_filter = True  # as after a pass over a huge tree
    window.filter_edit.setText("classify")
    assert all_rows(window) == before  # not yet
    qtbot.waitUntil(lambda: "serving_default" not in all_rows(window), timeout=WAIT_MS)
    assert window.select_signature("serving_default")  # clears the filter at once
    assert window.filter_edit.text() == "" and all_rows(window) == before


def test_recent_model_that_is_gone_is_forgotten(qtbot, window: MainWindow, tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    ui_settings.add_recent_model(str(gone))
    window.menus.recent_menu.aboutToShow.emit()
    action = next(a for a in window.menus.recent_menu.actions() if a.data() == str(gone))
    with qtbot.waitSignal(window.error_shown, timeout=WAIT_MS):
        action.trigger()
    assert "no longer exists" in window.errors.last_error
    assert str(gone) not in ui_settings.recent_models()


def test_several_bad_folders_share_one_message_box(qtbot, window, tmp_path: Path) -> None:
    bad = [tmp_path / "bad_one", tmp_path / "bad_two"]
    with qtbot.waitSignals([window.model_failed] * 2, timeout=WAIT_MS):
        window.open_paths(bad)
    text = window.errors.box.text()
    assert str(bad[0]) in text and str(bad[1]) in text
    assert window.errors.box.isVisible() and not window.errors.box.isModal()


def test_select_node_reveals_a_collapsed_row(qtbot, window: MainWindow) -> None:
    open_and_wait(qtbot, window, "/models/one")
    tensor = window.models()[0].tree.find(lambda n: n.kind == "tensor" and n.name == "y")
    with qtbot.waitSignal(window.signature_selected, timeout=WAIT_MS):
        assert window.select_node(tensor)
    assert window.current_node() is tensor
    assert window.tree_view.isExpanded(window.tree_view.currentIndex().parent())
    assert window.details.text().startswith("Tensor: y")
    from inspector_app.savedmodel.tree import TreeNode

    assert not window.select_node(TreeNode("tensor", "elsewhere"))
