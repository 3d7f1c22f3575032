"""The window over real SavedModels read by ``savedmodel.load_model``: drops, the tree's rows,
the details panel, signatures by tag set, lazy rows, broken folders, TF Serving models."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from models_ui import build_two_tag_sets
from PySide6.QtCore import QMimeData, QModelIndex, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from inspector_app.ui import MainWindow
from inspector_app.ui.tree_model import KIND_ROLE, NODE_ROLE

WAIT_MS = 15_000


@pytest.fixture(scope="module")
def two_tags(tmp_path_factory) -> Path:
    return build_two_tag_sets(tmp_path_factory.mktemp("ui_models") / "two_tags")


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path) -> None:
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "ini"))


@pytest.fixture
def window(qtbot) -> MainWindow:
    win = MainWindow()
    win.show_error_dialogs = False
    qtbot.addWidget(win)
    win.show()
    return win


def drop(qtbot, win: MainWindow, paths: list[Path], signal=None) -> list:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    action, button, mods = Qt.DropAction.CopyAction, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier  # fmt: skip
    enter = QDragEnterEvent(QPoint(40, 40), action, mime, button, mods)
    event = QDropEvent(QPointF(40, 40), action, mime, button, mods)
    signal = signal or win.model_opened
    got: list = []
    signal.connect(got.append)
    try:
        QApplication.sendEvent(win, enter)  # as a drag does: it enters, then drops
        QApplication.sendEvent(win, event)
        qtbot.waitUntil(lambda: len(got) == len(paths), timeout=WAIT_MS)
    finally:
        signal.disconnect(got.append)
    return got


def shown_rows(win: MainWindow, parent: QModelIndex | None = None, depth: int = 0) -> list[str]:
    parent = parent or QModelIndex()
    out = []
    for row in range(win.proxy.rowCount(parent)):
        index = win.proxy.index(row, 0, parent)
        out.append("  " * depth + index.data())
        if win.tree_view.isExpanded(index):
            out += shown_rows(win, index, depth + 1)
    return out


def row(win: MainWindow, name: str, kind: str) -> QModelIndex:
    hits = win.proxy.match(
        win.proxy.index(0, 0), Qt.ItemDataRole.DisplayRole, name, -1,
        Qt.MatchFlag.MatchExactly | Qt.MatchFlag.MatchRecursive,
    )  # fmt: skip
    hits = [h for h in hits if h.data(KIND_ROLE) == kind]
    assert hits, f"no {kind} row {name!r}"
    return hits[0]


def test_drop_folder_shows_tree_and_details(qtbot, window: MainWindow, two_tags: Path) -> None:
    (info,) = drop(qtbot, window, [two_tags])
    assert [mg.tags for mg in info.meta_graphs] == [["serve"], ["serve", "gpu"]]
    rows = shown_rows(window)
    assert rows[0] == "two_tags"
    assert rows.index("  serve") < rows.index("    double") < rows.index("    serving_default")
    assert "  serve, gpu" in rows
    assert window.details.text().startswith("Model: two_tags")
    status = window.status_path.toolTip()  # the whole line (the label elides)
    assert str(two_tags) in status and "loaded in" in status

    window.tree_view.setCurrentIndex(row(window, "double", "signature"))
    text = window.details.text()
    assert "x  float32  [?, 3]  x:0" in text
    assert "y  float32  [?, 3]  doubled:0" in text
    assert window.details.copy_serving_button.isVisibleTo(window.details)


def test_select_signature_by_tag_set(qtbot, window: MainWindow, two_tags: Path) -> None:
    drop(qtbot, window, [two_tags])
    with qtbot.waitSignal(window.signature_selected, timeout=WAIT_MS) as blocker:
        assert window.select_signature("serving_default", tags=["gpu", "serve"])
    info, selection = blocker.args
    assert info.path == str(two_tags)
    assert selection.tags == ("serve", "gpu") and selection.tag_set == "serve,gpu"
    assert [t.name for t in selection.signature.outputs] == ["probs"]
    assert window.current_node() is selection.node
    assert not window.select_signature("double", tags="serve,gpu")
    assert window.select_signature("double")
    assert window.current_signature().tags == ("serve",)


def test_saved_model_pb_file_and_lazy_variables(qtbot, window, two_tags: Path) -> None:
    drop(qtbot, window, [two_tags / "saved_model.pb"])
    variables = row(window, "Variables", "variables")
    window.tree_view.expand(variables)
    kids = []
    stack = [variables]
    while stack:  # groups expand lazily too: fetch down to the variables
        index = stack.pop()
        if window.proxy.canFetchMore(index):
            window.proxy.fetchMore(index)
        for r in range(window.proxy.rowCount(index)):
            child = window.proxy.index(r, 0, index)
            kids.append(child.data(NODE_ROLE))
            stack.append(child)
    names = {n.details.get("name", n.name) for n in kids if n.kind == "variable"}
    assert any("kernel" in n for n in names) and any("bias" in n for n in names)


def test_broken_folders_keep_the_window_alive(qtbot, window, tmp_path: Path, two_tags) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    truncated = tmp_path / "truncated"
    shutil.copytree(two_tags, truncated)
    pb = truncated / "saved_model.pb"
    pb.write_bytes(pb.read_bytes()[:100])
    for bad in (empty, truncated, tmp_path / "missing"):
        with qtbot.waitSignal(window.model_failed, timeout=WAIT_MS) as blocker:
            window.open_model(bad)
        message = blocker.args[0]
        assert "\n" not in message and str(bad) in message and "Traceback" not in message
        assert window.statusBar().currentMessage() == message
    assert window.isVisible() and window.proxy.rowCount() == 0
    drop(qtbot, window, [two_tags])
    assert window.proxy.rowCount() == 1


@pytest.mark.real_models
def test_real_models_several_folders(qtbot, window: MainWindow, real_models: Path) -> None:
    names = ["saved_model_half_plus_two_cpu", "saved_model_half_plus_three"]
    drop(qtbot, window, [real_models / n for n in names])
    tops = sorted(window.proxy.index(r, 0).data() for r in range(window.proxy.rowCount()))
    assert tops == sorted(names)
    window.tree_view.setCurrentIndex(row(window, "saved_model_half_plus_two_cpu", "model"))
    with qtbot.waitSignal(window.signature_selected, timeout=WAIT_MS) as blocker:
        assert window.select_signature("regress_x_to_y2")
    info, selection = blocker.args
    assert info.path == str(real_models / "saved_model_half_plus_two_cpu")
    (x,) = selection.signature.inputs
    assert (x.dtype, x.shape) == ("string", None)


@pytest.mark.real_models
def test_real_base_folder_versions(qtbot, window: MainWindow, real_models: Path) -> None:
    (info,) = drop(qtbot, window, [real_models / "saved_model_half_plus_two_2_versions"])
    assert info.version == 124
    rows = shown_rows(window)
    assert rows[1].strip() == "124" and "  123" in rows
    older = row(window, "123", "version")
    assert not window.tree_view.isExpanded(older)
    window.tree_view.expand(older)  # the other version is read on demand
    assert window.proxy.rowCount(older) > 0
    # a signature of the version that is not loaded does not become the current signature
    assert window.select_signature("serving_default")
    assert window.current_signature().info.version == 124


@pytest.mark.real_models
def test_load_another_version_from_the_context_menu(qtbot, window, real_models: Path) -> None:
    drop(qtbot, window, [real_models / "saved_model_half_plus_two_2_versions"])
    older = row(window, "123", "version").data(NODE_ROLE)
    actions = {a.text(): a for a in window.tree_panel.context_menu_for(older).actions()}
    with qtbot.waitSignal(window.model_opened, timeout=WAIT_MS) as blocker:
        actions["Load version 123"].trigger()
    assert blocker.args[0].version == 123
    assert window.proxy.rowCount() == 1  # the same model, now on version 123
    assert window.select_signature("serving_default")
    assert window.current_signature().info.version == 123
