"""The Compare dialog (pytest-qt, offscreen): a real run over two versions, and with fake
engines (no TensorFlow) cancel, errors and the choices."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future
from types import SimpleNamespace

import numpy as np
import pytest
from models_compare import expected, versions_base
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

import inspector_app.savedmodel
from inspector_app.engine import Cancelled, EngineError
from inspector_app.errors import UserError
from inspector_app.savedmodel import load_model
from inspector_app.ui.compare_dialog import DIFFERS_BACKGROUND, CompareDialog

X = np.array([1.0, 3.0, 5.0], np.float32)
WAIT_MS = 180_000  # two workers import TensorFlow on a busy machine


@pytest.fixture(scope="session")
def base(tmp_path_factory):
    return versions_base(tmp_path_factory)


class FakeEngine:
    """Answers like an ``Engine``: ``expected()`` of the version in the folder name, or never
    (``hang``), or an error (``fail``)."""

    made: list[FakeEngine] = []

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.pending: list[Future] = []
        self.closed = threading.Event()
        self.version = 1
        FakeEngine.made.append(self)

    def _future(self, value: object) -> Future:
        fut: Future = Future()
        if self.mode == "hang":
            self.pending.append(fut)
        elif self.mode == "fail" and value is not None:
            fut.set_exception(EngineError("the kernel fell over"))
        else:
            fut.set_result(value)
        return fut

    def load(self, path, tags=None, device=None) -> Future:
        self.version = int(str(path).rstrip("/").rsplit("/", 1)[-1])
        return self._future(None)

    def run(self, signature, feeds, device=None) -> Future:
        outputs = expected(feeds["x"], self.version)
        return self._future(SimpleNamespace(outputs=outputs, device="CPU:0", timing={"run_ms": 1}))

    def close(self, graceful: bool = True) -> None:
        for fut in self.pending:
            if not fut.done():
                fut.set_exception(Cancelled("the engine was closed"))
        self.closed.set()


def make_dialog(qtbot, path, **kwargs) -> CompareDialog:
    """A dialog on a folder path, once its versions are listed (on a thread of their own)."""
    dialog = CompareDialog(path, "serving_default", {"x": X}, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.versions is not None)
    return dialog


def test_dialog_compares_two_versions_and_highlights_differences(qtbot, base):
    dialog = make_dialog(qtbot, base, version=1)
    assert dialog.objectName() == "compareDialog"
    assert dialog.version_combo.currentData() == 3  # the highest other version by default
    dialog.set_other_version(2)
    with qtbot.waitSignal(dialog.finished_comparison, timeout=WAIT_MS) as blocker:
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
        assert dialog.running and not dialog.start_button.isEnabled()
    outcome = blocker.args[0]
    assert outcome.comparison.differing == ["mask", "scores", "y"], dialog.error
    assert dialog.table.rowCount() == 3
    assert dialog.differing_rows() == ["mask", "scores", "y"]
    assert dialog.table.item(0, 0).background().color() == DIFFERS_BACKGROUND
    assert dialog.table.item(1, 3).text() == "66.7%"  # scores: top-1 agreement
    assert dialog.table.item(0, 5).text().startswith("7 (")  # mask: changed pixels
    assert dialog.progress.value() == dialog.progress.maximum()
    assert dialog.summary_label.text() == "3 of 3 outputs differ: mask, scores, y"
    assert "IoU per class: 0: 0.5000, 1: 0.8293" in dialog.table.item(0, 0).toolTip()
    assert "B: compare_versions version 2 on CPU:0" in dialog.status_label.text()
    assert dialog.copy_button.isEnabled() and dialog.start_button.isEnabled()
    dialog.copy_button.click()
    text = QApplication.clipboard().text()
    assert "A: compare_versions version 1" in text and "B: compare_versions version 2" in text
    assert "3 of 3 outputs differ" in text and "max |A-B|" in text


def test_dialog_cancel_stops_both_workers(qtbot, base):
    FakeEngine.made.clear()
    dialog = make_dialog(qtbot, base, engine_factory=lambda: FakeEngine("hang"))
    assert dialog.start()
    qtbot.waitUntil(lambda: len(FakeEngine.made) == 2 and dialog.progress.value() >= 1)
    assert dialog.cancel_button.isEnabled()
    with qtbot.waitSignal(dialog.finished_comparison) as blocker:
        dialog.cancel_button.click()
    assert isinstance(blocker.args[0], Cancelled)
    assert all(e.closed.is_set() for e in FakeEngine.made)
    assert "cancelled" in dialog.status_label.text()
    assert dialog.start_button.isEnabled() and not dialog.cancel_button.isEnabled()
    assert dialog.table.rowCount() == 0 and not dialog.copy_button.isEnabled()


def test_dialog_reports_a_failed_run_naming_the_model(qtbot, base):
    dialog = make_dialog(qtbot, base, engine_factory=lambda: FakeEngine("fail"))
    with qtbot.waitSignal(dialog.finished_comparison) as blocker:
        dialog.start()
    assert isinstance(blocker.args[0], EngineError)
    assert dialog.status_label.text() == (
        "model A (compare_versions version 3): the kernel fell over"
    )


def test_dialog_with_fake_engines_fills_the_table(qtbot, base, monkeypatch):
    FakeEngine.made.clear()
    info = load_model(base, version=2)  # what the window passes: the opened model's info
    real_load = inspector_app.savedmodel.load_model
    reads: list[tuple[int | None, bool]] = []  # (version read, on the GUI thread)

    def spy(path, version=None):
        reads.append((version, threading.current_thread() is threading.main_thread()))
        return real_load(path, version=version)

    monkeypatch.setattr(inspector_app.savedmodel, "load_model", spy)
    dialog = CompareDialog(info, "serving_default", {"x": X}, ["serve"], None, engine_factory=FakeEngine)  # fmt: skip
    qtbot.addWidget(dialog)
    assert (dialog.model_path, dialog.version, dialog.tags) == (str(base), 2, ["serve"])
    dialog.set_other_version(3)  # the same model
    with qtbot.waitSignal(dialog.finished_comparison):
        dialog.start()
    assert dialog.differing_rows() == []
    assert dialog.summary_label.text() == "all 3 outputs agree"
    assert [e.version for e in FakeEngine.made] == [2, 3]
    assert reads == []  # A's info is reused, B is read in a child process


def test_dialog_choices_and_bad_input(qtbot, base, tmp_path):
    single = make_dialog(qtbot, base / "1", engine_factory=lambda: FakeEngine("hang"))
    assert not single.version_radio.isEnabled() and single.folder_radio.isChecked()
    assert not single.start()
    assert single.status_label.text() == "choose a model folder to compare with"
    single.set_other_folder(tmp_path / "missing")  # read on the job's thread: reported after
    with qtbot.waitSignal(single.finished_comparison) as blocker:
        assert single.start()
    assert isinstance(blocker.args[0], UserError) and "missing" in single.status_label.text()
    assert not FakeEngine.made or all(e.closed.is_set() for e in FakeEngine.made)
    single.set_other_folder(base)  # a base folder: its highest version
    single.atol_edit.setText("lots")
    assert not single.start() and "tolerance 'lots'" in single.status_label.text()
    assert not single.running

    dialog = make_dialog(qtbot, base)  # no version given: the highest, 3
    assert [dialog.version_combo.itemData(i) for i in range(dialog.version_combo.count())] == [1, 2]
    assert dialog.version_combo.currentData() == 2
    dialog.feeds = {"y": X}
    with qtbot.waitSignal(dialog.finished_comparison) as blocker:
        assert dialog.start()
    assert isinstance(blocker.args[0], UserError)
    assert "has no input 'y'" in dialog.status_label.text()


def test_dialog_never_reads_a_model_on_the_gui_thread(qtbot, base, monkeypatch):
    """The versions are listed from folder names (no parse) and both models are read in a child process
    (a parse holds the GIL): the dialog opens and starts at once, shows what it reads, and its
    event loop keeps running."""
    real_load = inspector_app.savedmodel.load_model
    readers: list[bool] = []

    def slow_load(*args, **kwargs):
        readers.append(threading.current_thread() is threading.main_thread())
        time.sleep(0.3)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(inspector_app.savedmodel, "load_model", slow_load)
    FakeEngine.made.clear()
    t0 = time.perf_counter()
    dialog = CompareDialog(base, "serving_default", {"x": X}, engine_factory=FakeEngine)
    qtbot.addWidget(dialog)
    dialog.show()
    assert time.perf_counter() - t0 < 0.25
    if dialog.versions is None:  # listed from folder names on another thread
        with qtbot.waitSignal(dialog.versions_listed) as listed:
            pass
        assert listed.args[0] == [1, 2, 3]
    assert dialog.versions == [1, 2, 3] and dialog.version_combo.currentData() == 2
    assert "compare_versions version 3" in dialog.model_a_label.text()
    dialog.set_other_version(1)
    ticks: list[float] = []
    timer = QTimer(dialog)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(20)
    t0 = time.perf_counter()
    with qtbot.waitSignal(dialog.finished_comparison, timeout=10_000) as done:
        assert dialog.start()
        assert time.perf_counter() - t0 < 0.1  # returns before the models are read
        qtbot.waitUntil(lambda: "reading A" in dialog.status_label.text(), timeout=2_000)
    elapsed = time.perf_counter() - t0
    timer.stop()
    assert not isinstance(done.args[0], Exception), dialog.error
    assert done.args[0].comparison.differing == ["mask", "scores", "y"]
    assert readers == [], readers  # versions from folder names; A and B: read in the child
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    # the event loop kept running: ticks all along (however fast the child read the models)
    assert len(ticks) >= max(2, int(elapsed / 0.02 / 2)), (len(ticks), elapsed)
    assert max(gaps) < 0.25, max(gaps)
