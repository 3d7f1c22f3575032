"""The Batch dialog (pytest-qt, offscreen): table, filters, worst mistakes, a row's full result,
metrics, cancel and the event loop's stalls, with the numpy engine; one run with the real one."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from batch_fakes import NumpyEngine, colour_signature
from models_batch import build_colour_classifier, class_folders
from PySide6.QtCore import QElapsedTimer, Qt, QTimer
from PySide6.QtWidgets import QApplication

from inspector_app.ui.batch_dialog import BatchDialog
from inspector_app.workflows.batch_rows import COL_ITEM, COL_SCORE

WAIT_MS = 120_000


@pytest.fixture
def folders(tmp_path: Path) -> Path:
    root = class_folders(tmp_path / "data", per_class=4, wrong=1)
    (root / "red" / "corrupt.jpg").write_bytes(b"\xff\xd8\xff not a jpeg")
    (root / "notes.txt").write_text("not a picture")
    return root


class StallMeter:
    """The longest gap between ticks of a 5 ms timer: how long the event loop was held up."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.worst = 0
        self.timer = QTimer(interval=5)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.clock.start()
        self.timer.start()

    def _tick(self) -> None:
        self.worst = max(self.worst, self.clock.restart())

    def stop(self) -> int:
        self.timer.stop()
        return self.worst


def _dialog(qtbot, engine, model: Path = Path("/no-model")) -> BatchDialog:
    dialog = BatchDialog(model, ["serve"], colour_signature(),
                         engine_factory=lambda: engine, label="colours")  # fmt: skip
    qtbot.addWidget(dialog)
    dialog.resize(1024, 700)
    dialog.show()
    return dialog


def test_table_filters_metrics_and_a_rows_result(qtbot, folders, tmp_path):
    engine = NumpyEngine(delay=0.01)
    model = tmp_path / "model"
    (model / "assets").mkdir(parents=True)
    (model / "assets" / "labels.txt").write_text("red\ngreen\nblue\n")  # the model's names
    dialog = _dialog(qtbot, engine, model)
    dialog.set_source("images", folders, "folders")
    dialog.form.batch_spin.setValue(2)
    meter = StallMeter()
    meter.start()
    with qtbot.waitSignal(dialog.finished_job, timeout=WAIT_MS) as done:
        assert dialog.start(), dialog.error
    worst = meter.stop()
    report = done.args[0]
    assert report.done == 14 and len(report.failed) == 2
    assert worst < 250, f"the event loop stalled {worst} ms"  # the benchmark holds it to 50 ms
    assert dialog.model.rowCount() == dialog.model.total == 14
    assert "91.67%" in dialog.metrics.label.text()
    assert dialog.metrics.confusion.matrix.tolist() == [[4, 0, 0], [0, 4, 0], [1, 0, 3]]
    assert "items/s" in dialog.progress.status_label.text()

    dialog.rows.filter_combo.setCurrentIndex(dialog.rows.filter_combo.findData("failed"))
    assert dialog.model.rowCount() == 2
    dialog.rows.filter_combo.setCurrentIndex(dialog.rows.filter_combo.findData("all"))
    dialog.rows.filter_edit.setText("green/")
    assert dialog.model.rowCount() == 4
    dialog.rows.filter_edit.clear()
    dialog.sort_by(COL_ITEM, Qt.SortOrder.AscendingOrder)
    assert dialog.rows.row_at(0).name == "blue/blue_0.jpg"
    dialog.show_worst_first()
    assert dialog.model.rowCount() == 1
    assert dialog.rows.row_at(0).name == "blue/blue_0.jpg"
    assert dialog.rows.table.horizontalHeader().sortIndicatorSection() == COL_SCORE

    with qtbot.waitSignal(dialog.item_shown, timeout=WAIT_MS) as shown:
        row = dialog.select_row(0)
    assert shown.args[0] is row
    assert set(dialog.item.results.outputs) == {"probabilities"}
    assert dialog.item.results.outputs["probabilities"].shape == (1, 3)
    assert "label: blue" in dialog.item.label.text()
    qtbot.waitUntil(lambda: dialog.item.thumb.pixmap() is not None and not dialog.item.thumb.pixmap().isNull(), timeout=10_000)  # fmt: skip

    dialog.rows.filter_combo.setCurrentIndex(dialog.rows.filter_combo.findData("failed"))
    with qtbot.waitSignal(dialog.item_shown, timeout=WAIT_MS):
        failed = dialog.select_row(0)
    assert failed.error and "not an image" in dialog.item.label.text()
    dialog.close()
    qtbot.waitUntil(lambda: engine.closed, timeout=5_000)


def test_cancel_keeps_rows_and_bad_choices_say_why(qtbot, folders, tmp_path):
    engine = NumpyEngine(delay=0.1)
    dialog = _dialog(qtbot, engine)
    assert not dialog.start()
    assert "choose a folder" in dialog.progress.status_label.text()
    dialog.set_source("images", tmp_path / "missing", None)
    assert not dialog.start() and "no such folder" in dialog.error
    names = tmp_path / "names.txt"
    names.write_text("red\ngreen\nblue\n")
    dialog.form.names_edit.setText(str(names))
    dialog.set_source("images", folders, "folders")
    dialog.form.batch_spin.setValue(1)
    with qtbot.waitSignal(dialog.finished_job, timeout=WAIT_MS) as done:
        assert dialog.start()
        assert (
            dialog.progress.cancel_button.isEnabled()
            and not dialog.progress.start_button.isEnabled()
        )
        qtbot.waitUntil(lambda: dialog.model.rowCount() >= 2, timeout=WAIT_MS)
        dialog.cancel()
    report = done.args[0]
    assert report.cancelled and 2 <= report.done < 14
    assert dialog.model.total == report.done
    assert (
        dialog.progress.start_button.isEnabled() and not dialog.progress.cancel_button.isEnabled()
    )
    assert "Cancelled" in dialog.metrics.label.text()
    assert "model's class names (label file)" in dialog.metrics.label.text()


def test_run_menu_opens_the_dialog_for_the_signature(qtbot, tmp_path):
    from inspector_app.ui import MainWindow

    model = build_colour_classifier(tmp_path / "clf")
    win = MainWindow()
    win.show_error_dialogs = False
    qtbot.addWidget(win)
    assert win.menus.batch_action.shortcut().toString() == "Ctrl+B"
    assert win.menus.batch_action in win.menuBar().actions()[2].menu().actions()
    win.menus.batch_action.trigger()
    assert "select a signature" in win.errors.last_error
    with qtbot.waitSignal(win.model_opened, timeout=20_000):
        win.open_model(model)
    assert win.select_signature("serving_default")
    win.menus.batch_action.trigger()
    dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, BatchDialog)]
    assert dialogs and dialogs[-1].isVisible()
    assert dialogs[-1].signature.key == "serving_default"
    assert dialogs[-1].engine is None  # no worker until Start
    dialogs[-1].close()


@pytest.mark.slow
def test_a_real_model_in_the_dialog(qtbot, folders, tmp_path):
    model = build_colour_classifier(tmp_path / "clf")
    from inspector_app.savedmodel import load_model

    info = load_model(model)
    mg = info.meta_graphs[0]
    dialog = BatchDialog(info.model_dir, mg.tags, mg.signature("serving_default"))
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.set_source("images", folders, "folders")
    out = tmp_path / "rows.csv"
    dialog.form.csv_edit.setText(str(out))
    with qtbot.waitSignal(dialog.finished_job, timeout=WAIT_MS) as done:
        assert dialog.start(), dialog.error
    report = done.args[0]
    assert report.metrics.accuracy == pytest.approx(11 / 12)
    assert out.is_file() and report.csv_path == str(out)
    dialog.show_worst_first()
    with qtbot.waitSignal(dialog.item_shown, timeout=WAIT_MS):
        dialog.select_row(0)
    assert dialog.item.results.outputs["probabilities"].argmax() == 0  # the red picture in blue/
    dialog.close()
    time.sleep(0.1)
