"""The window through hostile input (issues 12.6 and 13): every open ends in model_opened or
model_failed (a FIFO is never opened), inputs never raise anything but UserError and their rows
show the new error, names from a model are shown escaped. No TensorFlow: nothing here runs."""

from __future__ import annotations

import contextlib

import hostile_corpus as corpus
import numpy as np
import pytest
from models_inputs import spec

from inspector_app.errors import UserError
from inspector_app.ui import MainWindow
from inspector_app.ui.input_builder import InputBuilder

OPEN_MS = 20_000


@pytest.fixture
def window(qtbot):
    win = MainWindow()
    win.show_error_dialogs = False
    qtbot.addWidget(win)
    return win


def _open(qtbot, win, path) -> tuple[str, object]:
    outcome: list[tuple[str, object]] = []
    win.model_opened.connect(lambda info: outcome.append(("opened", info)))
    win.model_failed.connect(lambda msg: outcome.append(("failed", msg)))
    win.open_model(str(path))
    qtbot.waitUntil(lambda: bool(outcome), timeout=OPEN_MS)
    return outcome[0]


def _all_rows(win):
    proxy = win.proxy
    from PySide6.QtCore import QModelIndex

    def walk(parent):
        if proxy.canFetchMore(parent):
            proxy.fetchMore(parent)
        for row in range(proxy.rowCount(parent)):
            index = proxy.index(row, 0, parent)
            yield index
            yield from walk(index)

    return list(walk(QModelIndex()))


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        pytest.param(lambda m: corpus.make_fifo(m / "fingerprint.pb"), "named pipe", id="fp_fifo"),
        pytest.param(lambda m: corpus.link_dev_zero(m / "fingerprint.pb"), "device", id="fp_zero"),
        pytest.param(lambda m: corpus.make_fifo(m / corpus.DATA), "named pipe", id="shard_fifo"),
        pytest.param(lambda m: corpus.truncate(m / corpus.DATA, 100), "truncated", id="shard_cut"),
        pytest.param(lambda m: corpus.make_fifo(m / corpus.INDEX), "named pipe", id="index_fifo"),
    ],
)
def test_special_and_damaged_files_never_block_the_window(qtbot, window, tmp_path, edit, said):
    model = corpus.copy_model(tmp_path / "model")
    edit(model)
    for _ in range(5):  # four such opens once left no way to open a model at all
        kind, value = _open(qtbot, window, model)
        assert kind == "opened", value
    texts = [
        f"{i.data()} {i.siblingAtColumn(1).data()}" for i in _all_rows(window)
    ]  # every lazy row expanded, the Variables row included
    assert any(said in t for t in texts), texts[-20:]
    good = corpus.copy_model(tmp_path / "good")
    assert _open(qtbot, window, good)[0] == "opened"


def test_a_pipe_as_saved_model_fails_with_a_message(qtbot, window, tmp_path):
    model = corpus.copy_model(tmp_path / "model")
    corpus.make_fifo(model / "saved_model.pb")
    kind, message = _open(qtbot, window, model)
    assert kind == "failed" and "named pipe" in message and "\n" not in message


@pytest.mark.slow
def test_a_base_folder_with_more_than_10000_entries_opens(qtbot, window, tmp_path):
    base = corpus.base_many_entries(tmp_path / "base", 10_050, corpus.source_model())
    kind, info = _open(qtbot, window, base)
    assert kind == "opened" and info.version == 7


def test_names_from_the_model_are_shown_escaped(qtbot, window, tmp_path):
    model = corpus.copy_model(tmp_path / "model")
    key = corpus.add_escape_names(model)
    assert _open(qtbot, window, model)[0] == "opened"
    shown = [str(i.data()) for i in _all_rows(window)]
    assert not any("\x1b" in s or "\x07" in s for s in shown)
    assert any("evil\\x1b]0;pwned\\x07" in s for s in shown)
    assert window.select_signature(key)
    title = window.runner.inputs.rows["in\x1b[31mred"].title.text()
    assert "\x1b" not in title and "in\\x1b[31mred" in title
    details = window.details  # the selected signature's title and text in the details panel
    shown = details.title.text() + details.text_view.toPlainText()
    assert "\x1b" not in shown and "\x07" not in shown and "\\x1b" in shown


HOSTILE_VALUES = [
    "[[[0]*3000]*3000]*3000",
    "np.ones(2**31).astype(str)",
    "[" * 30_000 + "]" * 30_000,
    "'%0*d' % (10**11, 1)",
    object(),
    [[1], [1, 2]],
]


def test_set_input_raises_only_user_errors_and_the_row_shows_the_new_one(qtbot):
    builder = InputBuilder([spec("x", "float32", [-1, 4])])
    qtbot.addWidget(builder)
    row = builder.rows["x"]
    messages = []
    for value in HOSTILE_VALUES:
        with contextlib.suppress(UserError):  # the only exception it may raise
            builder.set_input("x", value)
        assert not row.check.ready
        messages.append(row.status.text())
        assert "\n" not in row.status.text() and len(row.status.text()) < 700
    assert len(set(messages)) > 3  # not the first error shown again and again
    builder.set_input("x", np.ones((2, 4), np.float32))
    assert row.check.ready and builder.is_ready()


@pytest.mark.parametrize(
    "body",
    [
        '{"instances": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"inputs": {"x": [[1], [1, 2]]}}',
        '{"inputs": {"x": "\\ud800"}}',
        "{" * 50_000,
    ],
    ids=["deep", "ragged", "surrogate", "braces"],
)
def test_a_hostile_rest_body_is_a_message(qtbot, monkeypatch, body):
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    builder = InputBuilder([spec("x", "float32", [-1, 4])])
    qtbot.addWidget(builder)
    shown = []
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: (body, True))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    builder.more._guarded(builder.more._paste_body)
    assert len(shown) == 1 and "\n" not in shown[0]


def test_a_hostile_warmup_file_is_a_message(qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    builder = InputBuilder([spec("images", "float32", [-1, 784])])
    qtbot.addWidget(builder)
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    for name, edit in sorted(corpus.warmup_cases().items()):
        path = corpus.warmup_file(tmp_path / name, edit)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, p=path, **k: (str(p), ""))
        builder.more._guarded(builder.more._load_warmup)
    fifo = corpus.make_fifo(tmp_path / "pipe")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(fifo), ""))
    builder.more._guarded(builder.more._load_warmup)
    assert len(shown) == len(corpus.warmup_cases()) + 1
    assert "named pipe" in shown[-1]


def test_a_path_that_is_not_utf8_opens(qtbot, window, tmp_path):
    import os

    folder = os.fsdecode(os.fsencode(str(tmp_path)) + b"/m\xff\xfe")
    corpus.copy_model(tmp_path / os.path.basename(folder))
    kind, info = _open(qtbot, window, folder)
    assert kind == "opened", info
    assert str(info.model_dir) == folder
    assert _all_rows(window)  # the tree was built and every lazy row loads


@contextlib.contextmanager
def _bounded_ms(qtbot):
    import signal

    def alarm(*_):  # noqa: ANN002
        raise TimeoutError("the window blocked on a pipe")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(10)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.mark.parametrize("name", ["pipe.npz", "pipe.npy", "pipe.png"])
def test_a_pipe_chosen_as_an_input_file_is_a_row_error(qtbot, tmp_path, name):
    builder = InputBuilder([spec("images", "float32", [-1, 784])])
    qtbot.addWidget(builder)
    fifo = corpus.make_fifo(tmp_path / name)
    with _bounded_ms(qtbot), pytest.raises(UserError, match="named pipe"):
        builder.set_input("images", str(fifo))
    row = builder.rows["images"]
    if name.endswith((".npy", ".npz")):  # as the file dialog gives it: the editor refuses it
        from inspector_app.ui.input_builder import ArrayEditor

        with _bounded_ms(qtbot):
            row.use(ArrayEditor).set_paths([str(fifo)])
    assert not row.check.ready
    assert "named pipe" in row.status.text(), row.status.text()
