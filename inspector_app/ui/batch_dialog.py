"""The Batch dialog: run the selected signature over a folder of images or .npy files, or a
TFRecord file, and look at the results item by item and over the data set.

The job (``workflows.batch_job``) runs in a process of its own (``workflows.batch_process``)
with an engine worker of its own, so the window and its Run tab stay free and the GUI thread
keeps the interpreter to itself. Rows come back in chunks and join the table at most
every ``FLUSH_MS``, so that the event loop never waits long on them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QImage, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.errors import UserError
from inspector_app.inputs import images
from inspector_app.ui.background import run_in_background
from inspector_app.ui.batch_metrics import ConfusionView
from inspector_app.ui.batch_table import (
    COL_INDEX,
    COL_IOU,
    COL_ITEM,
    COL_LABEL,
    COL_PREDICTION,
    COL_RESULT,
    COL_SCORE,
    COL_TIME,
    FILTERS,
    BatchFilter,
    BatchTableModel,
)
from inspector_app.workflows.batch_job import BatchJob, BatchReport, Progress, prepare_batch
from inspector_app.workflows.batch_process import BatchProcess
from inspector_app.workflows.batch_summary import ItemRow

FLUSH_MS = 200  # rows and progress join the window at most this often
KIND_TEXT = {"images": "Images folder", "arrays": ".npy folder", "examples": "TFRecord file"}
THUMB = 160


class _Relay(QObject):
    """The job's callbacks (on its thread) as signals, queued to the dialog's thread."""

    rows = Signal(object)
    progress = Signal(object)
    done = Signal(object)  # the job's future
    item = Signal(object, object)  # (ItemRow, future of (feeds, outputs))


class BatchDialog(QDialog):
    """Run ``signature`` (a SignatureInfo) of the model in ``model_dir`` over a data set.

    ``options``: the image options of the Inputs tab; ``extra``: the Inputs tab's values, which
    feed the inputs other than the items' (the same for every item). ``finished_job`` carries the ``BatchReport`` (or the UserError that
    stopped the job before it ran); ``item_shown`` the ItemRow whose full result is shown.
    """

    finished_job = Signal(object)
    item_shown = Signal(object)

    def __init__(
        self,
        model_dir: str | os.PathLike,
        tags: list[str] | tuple[str, ...],
        signature: Any,
        parent: QWidget | None = None,
        *,
        options: images.ImageOptions | None = None,
        extra: Mapping[str, np.ndarray] | None = None,
        label: str = "",
        engine_factory: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("batchDialog")
        self.setWindowTitle("Run over a data set")
        self.model_dir = Path(model_dir)
        self.tags = list(tags)
        self.signature = signature
        self.options = options
        self.extra = dict(extra or {})
        self.engine_factory = engine_factory  # None: the job runs in a process of its own
        self.engine: Any = None
        self.job: BatchJob | BatchProcess | None = None
        self.report: BatchReport | None = None
        self.error: str | None = None
        self._pending: list[ItemRow] = []
        self._progress: Progress | None = None
        self._shown: ItemRow | None = None
        self._relay = _Relay(self)
        self._timer = QTimer(self, interval=FLUSH_MS)
        self._build_ui(label or f"{self.model_dir.name} · {signature.key}")
        self._connect_callbacks()
        app = QApplication.instance()
        if app is not None:  # the window may go without closing this dialog first
            app.aboutToQuit.connect(self.shutdown)
        self._update_buttons()

    # -- layout -------------------------------------------------------------------------
    def _build_ui(self, label: str) -> None:
        self.target_label = QLabel(f"<b>{_html(label)}</b>", objectName="batchTarget")
        self.kind_combo = QComboBox(objectName="batchKind")
        for key, text in KIND_TEXT.items():
            self.kind_combo.addItem(text, key)
        self.path_edit = QLineEdit(objectName="batchPath")
        self.path_edit.setPlaceholderText("a folder (searched recursively) or a .tfrecord file")
        self.browse_button = QPushButton("Browse…", objectName="batchBrowse")
        self.labels_combo = QComboBox(objectName="batchLabels")
        self.labels_combo.addItem("No labels", None)
        self.labels_combo.addItem("A folder per class", "folders")
        self.labels_combo.addItem("CSV file,label…", "csv")
        self.labels_edit = QLineEdit(objectName="batchLabelsCsv")
        self.labels_edit.setPlaceholderText("labels.csv")
        self.names_edit = QLineEdit(objectName="batchClassNames")
        self.names_edit.setPlaceholderText("model's class names file (default: its label asset)")
        self.names_edit.setToolTip("one class name per line, in class-id order")
        self.batch_spin = QSpinBox(objectName="batchSize")
        self.batch_spin.setRange(0, 4096)
        self.batch_spin.setSpecialValueText("auto")
        self.batch_spin.setToolTip("items per run; auto: what the signature allows, else 32")
        self.csv_edit = QLineEdit(objectName="batchCsv")
        self.csv_edit.setPlaceholderText("optional: write the rows to this CSV file as they come")
        defaults = self.options or images.ImageOptions()
        self.resize_combo = _combo("batchResize", images.RESIZE_MODES, defaults.resize)
        self.color_combo = _combo("batchColour", images.COLOR_MODES, defaults.color, auto=True)
        self.values_combo = _combo("batchValues", images.VALUE_PRESETS, defaults.values, auto=True)

        form = QFormLayout()
        source = QHBoxLayout()
        source.addWidget(self.kind_combo)
        source.addWidget(self.path_edit, 1)
        source.addWidget(self.browse_button)
        form.addRow("Items:", source)
        labels = QHBoxLayout()
        labels.addWidget(self.labels_combo)
        labels.addWidget(self.labels_edit, 1)
        labels.addWidget(self.names_edit, 1)
        form.addRow("Labels:", labels)
        opts = QHBoxLayout()
        for text, widget in (("Batch", self.batch_spin), ("Resize", self.resize_combo),
                             ("Colour", self.color_combo), ("Values", self.values_combo)):  # fmt: skip
            opts.addWidget(QLabel(text))
            opts.addWidget(widget)
        opts.addStretch(1)
        form.addRow("Options:", opts)
        form.addRow("CSV:", self.csv_edit)

        self.start_button = QPushButton("Start", objectName="batchStart")
        self.start_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel", objectName="batchCancel")
        self.progress_bar = QProgressBar(objectName="batchProgress")
        self.status_label = QLabel("", objectName="batchStatus")
        # One line that never resizes the dialog as the numbers change (the tooltip has it all).
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        run_row = QHBoxLayout()
        run_row.addWidget(self.start_button)
        run_row.addWidget(self.cancel_button)
        run_row.addWidget(self.progress_bar, 1)

        self.model = BatchTableModel(self)
        self.filter = BatchFilter(self.model, self)
        self.proxy = self.filter.proxy
        self.table = QTableView(objectName="batchTable")
        self.table.setModel(self.proxy)
        header = self.table.horizontalHeader()  # the model sorts (fast); the header drives it
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        vh = self.table.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 6)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        widths = {COL_INDEX: 48, COL_ITEM: 170, COL_LABEL: 70, COL_PREDICTION: 100,
                  COL_RESULT: 60, COL_SCORE: 60, COL_IOU: 48, COL_TIME: 66}  # fmt: skip
        for col, width in widths.items():
            hh.resizeSection(col, width)
        self.filter_edit = QLineEdit(objectName="batchFilter")
        self.filter_edit.setPlaceholderText("Filter rows (item, label, prediction, details)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_combo = QComboBox(objectName="batchFilterKind")
        for key, text in FILTERS.items():
            self.filter_combo.addItem(text, key)
        self.worst_button = QPushButton("Worst mistakes first", objectName="batchWorst")
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.filter_edit, 1)
        filter_row.addWidget(self.filter_combo)
        filter_row.addWidget(self.worst_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filter_row)
        left_layout.addWidget(self.table, 1)

        self.thumb = QLabel(objectName="batchThumb")
        self.thumb.setFixedHeight(THUMB)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.item_label = QLabel("Select a row to see its item and its full result.",
                                 objectName="batchItemLabel")  # fmt: skip
        self.item_label.setWordWrap(True)
        self.item_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        from inspector_app.ui.results_view import ResultsView

        self.results = ResultsView()
        item_tab = QWidget()
        item_layout = QVBoxLayout(item_tab)
        top = QHBoxLayout()
        top.addWidget(self.thumb)
        top.addWidget(self.item_label, 1)
        item_layout.addLayout(top)
        item_layout.addWidget(self.results, 1)
        self.metrics_label = QLabel("", objectName="batchMetrics")
        self.metrics_label.setWordWrap(True)
        self.metrics_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.confusion = ConfusionView()
        metrics_tab = QWidget()
        metrics_layout = QVBoxLayout(metrics_tab)
        metrics_layout.addWidget(self.metrics_label)
        metrics_layout.addWidget(self.confusion, 1)
        self.side_tabs = QTabWidget(objectName="batchSideTabs")
        self.side_tabs.addTab(item_tab, "Item")
        self.side_tabs.addTab(metrics_tab, "Data set")

        self.splitter = QSplitter(Qt.Orientation.Horizontal, objectName="batchSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.side_tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.target_label)
        layout.addLayout(form)
        layout.addLayout(run_row)
        layout.addWidget(self.status_label)
        layout.addWidget(self.splitter, 1)
        self.resize(1000, 660)
        self._kind_changed()

    def _connect_callbacks(self) -> None:
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.browse_button.clicked.connect(self._browse)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._kind_changed())
        self.labels_combo.currentIndexChanged.connect(lambda _i: self._labels_changed())
        self.filter_edit.textChanged.connect(self.filter.set_text)
        self.table.horizontalHeader().sortIndicatorChanged.connect(self.model.sort)
        self.filter_combo.currentIndexChanged.connect(
            lambda _i: self.filter.set_kind(self.filter_combo.currentData())
        )
        self.worst_button.clicked.connect(self.show_worst_first)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self._on_row(cur))
        self._relay.rows.connect(self._pending.extend)
        self._relay.progress.connect(self._set_progress)
        self._relay.done.connect(self._on_done)
        self._relay.item.connect(self._on_item)
        self._timer.timeout.connect(self._flush)

    # -- public -------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.job is not None and self.job.running

    def set_source(self, kind: str, path: str | os.PathLike, labels: str | None = None) -> None:
        """Choose the items: ``kind`` images/arrays/examples, and labels (``folders``, a CSV)."""
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))
        self.path_edit.setText(str(path))
        if labels == "folders":
            self.labels_combo.setCurrentIndex(1)
        elif labels:
            self.labels_combo.setCurrentIndex(2)
            self.labels_edit.setText(str(labels))
        else:
            self.labels_combo.setCurrentIndex(0)

    def image_options(self) -> images.ImageOptions:
        return images.ImageOptions(
            resize=self.resize_combo.currentData(),
            color=self.color_combo.currentData(),
            values=self.values_combo.currentData(),
        )

    def start(self) -> bool:
        """Check the choice and start the job (returns at once); False when it cannot start."""
        if self.running:
            return False
        self.report, self.error = None, None
        labels = self.labels_combo.currentData()
        if labels == "csv":
            labels = self.labels_edit.text().strip()
            if not labels:
                return self._fail("choose the CSV file of file,label rows")
        path = self.path_edit.text().strip()
        if not path:
            return self._fail("choose a folder of items or a TFRecord file")
        try:
            names = None
            if self.names_edit.text().strip():
                from inspector_app.results.labels import read_label_file

                names = read_label_file(os.path.expanduser(self.names_edit.text().strip()))
            spec = prepare_batch(
                self.model_dir, self.tags, self.signature, self.kind_combo.currentData(),
                os.path.expanduser(path), labels=labels,
                batch_size=self.batch_spin.value() or None, options=self.image_options(),
                fallback=self.extra, label_names=names,
            )  # fmt: skip
            csv_path = self.csv_edit.text().strip() or None
            self._close_job()
            if self.engine_factory is None:  # a process of its own: see workflows/batch_process
                self.job = BatchProcess(spec, on_rows=self._relay.rows.emit,
                                        on_progress=self._relay.progress.emit, csv_path=csv_path)  # fmt: skip
            else:
                if self.engine is None:
                    self.engine = self.engine_factory()
                self.job = BatchJob(spec, self.engine, on_rows=self._relay.rows.emit,
                                    on_progress=self._relay.progress.emit, csv_path=csv_path)  # fmt: skip
        except UserError as err:
            return self._fail(str(err))
        self.model.clear()
        self._pending.clear()
        self._shown = None
        self.confusion.set_matrix([], [], np.zeros((0, 0)), {})
        self.metrics_label.setText("")
        self.progress_bar.setRange(0, spec.source.count)
        self.progress_bar.setValue(0)
        self._set_status(f"{spec.source.count:,} items, batch size {spec.batch_size}; "
                         "loading the model in a worker of its own…")  # fmt: skip
        self.job.start().add_done_callback(self._relay.done.emit)
        self._timer.start()
        self._update_buttons()
        return True

    def cancel(self) -> None:
        """Stop the job at once; the rows so far stay."""
        if self.running:
            self._set_status("cancelling… (the rows so far stay)")
            self.job.cancel()

    def show_worst_first(self) -> None:
        """Only the mistakes, the most confident first."""
        self.filter_combo.setCurrentIndex(self.filter_combo.findData("wrong"))
        self.sort_by(COL_SCORE, Qt.SortOrder.DescendingOrder)

    def sort_by(self, column: int, order: Qt.SortOrder) -> None:
        """Sort the table as a click on the column's header does."""
        self.table.horizontalHeader().setSortIndicator(column, order)

    def select_row(self, proxy_row: int) -> ItemRow:
        """Select a row of the table (as shown); its full result follows (``item_shown``)."""
        self.table.selectRow(proxy_row)
        self.table.setCurrentIndex(self.proxy.index(proxy_row, 0))
        return self.filter.row(proxy_row)

    # -- callbacks ----------------------------------------------------------------------
    def _kind_changed(self) -> None:
        images_kind = self.kind_combo.currentData() == "images"
        for w in (self.resize_combo, self.color_combo, self.values_combo):
            w.setEnabled(images_kind)
        self.labels_combo.model().item(1).setEnabled(self.kind_combo.currentData() != "examples")

    def _labels_changed(self) -> None:
        csv = self.labels_combo.currentData() == "csv"
        self.labels_edit.setEnabled(csv)
        if csv and not self.labels_edit.text():
            path, _ = QFileDialog.getOpenFileName(self, "Labels: a CSV of file,label rows",
                                                  self.path_edit.text(), "CSV (*.csv);;All files (*)")  # fmt: skip
            if path:
                self.labels_edit.setText(path)

    def _browse(self) -> None:
        start = self.path_edit.text() or str(Path.home())
        if self.kind_combo.currentData() == "examples":
            path, _ = QFileDialog.getOpenFileName(self, "A TFRecord file of tf.Example records",
                                                  start, "TFRecord (*.tfrecord *.tfrecords *.rio);;All files (*)")  # fmt: skip
        else:
            path = QFileDialog.getExistingDirectory(self, "A folder of items", start)
        if path:
            self.path_edit.setText(path)

    def _set_progress(self, progress: Progress) -> None:
        self._progress = progress

    def _flush(self) -> None:
        if self._pending:
            rows, self._pending[:] = list(self._pending), []
            self.model.append_rows(rows)
        p = self._progress
        if p is not None and self.running:
            self.progress_bar.setValue(p.done)
            self._set_status(p.text())
        if self.job is not None and self.report is None:
            self._show_metrics(self.job.report, final=False)

    def _on_done(self, future: Future) -> None:
        if self.job is None or future is not self.job.future:
            return
        self._timer.stop()
        self._flush()
        err = future.exception()
        if err is not None:
            self.error = str(err)
            self.progress_bar.setValue(0)
            self._fail(self.error)
            self.finished_job.emit(err)
            return
        self.report = future.result()
        self.progress_bar.setValue(self.report.done)
        self._set_status("; ".join(self.report.summary_lines()[:2]))
        self._show_metrics(self.report, final=True)
        self._update_buttons()
        self.finished_job.emit(self.report)

    def _show_metrics(self, report: BatchReport, final: bool) -> None:
        m = report.metrics
        failed = len(report.failed)
        if not final and self._progress is not None:  # a job in another process: its count
            failed = self._progress.failed
        lines = [f"{report.done:,} of {report.total:,} items, {failed:,} failed"]
        if m.labelled:
            lines.append(f"Accuracy <b>{m.accuracy:.2%}</b> top-1, {m.top5_accuracy:.2%} top-5 "
                         f"over {m.labelled:,} labelled items")  # fmt: skip
            if self.job is not None and self.job.truth_how:
                lines.append(_html(self.job.truth_how))
            if final or m.labelled < 5000:
                truths, preds, matrix = m.confusion_matrix()
                self.confusion.set_matrix(truths, preds, matrix, report.class_names)
        if m.seg_items:
            lines.append(f"Mean IoU <b>{m.mean_iou:.4f}</b> over {m.seg_items:,} masks")
            per_class = ", ".join(f"{_html(report.name(c))} {v:.3f}"
                                  for c, v in sorted(m.per_class_iou().items())[:30])  # fmt: skip
            lines.append(f"Per class: {per_class}")
        if report.cancelled:
            lines.append("Cancelled: these are the items that ran.")
        self.metrics_label.setText("<br>".join(lines))

    def _on_row(self, current: Any) -> None:
        if not current.isValid():
            return
        row = self.filter.row(current.row())
        if row is None or row is self._shown:
            return
        self._shown = row
        text = f"<b>{_html(row.name)}</b>"
        if row.label is not None:
            text += f"<br>label: {_html(row.label)}"
        text += f"<br>{_html(row.error or row.summary)}"
        self.item_label.setText(text)
        self.thumb.clear()
        if self.job is not None and self.job.spec.source.kind == "images":
            path = row.path
            run_in_background(lambda: images.thumbnail(path, THUMB),
                              lambda im: self._show_thumb(row, im), lambda _e: None,
                              receiver=self)  # fmt: skip
        if row.ok and self.job is not None:
            fut = self.job.run_item(row)
            fut.add_done_callback(lambda f: self._relay.item.emit(row, f))
        else:
            self.results.show_outputs({})
            self.item_shown.emit(row)

    def _show_thumb(self, row: ItemRow, im: Any) -> None:
        if row is not self._shown:
            return
        qimg = QImage(im.tobytes(), im.width, im.height, 3 * im.width, QImage.Format.Format_RGB888)
        pixmap = QPixmap.fromImage(qimg.copy())
        if max(im.width, im.height) < THUMB // 2:  # a tiny picture: drawn larger, pixels kept
            pixmap = pixmap.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio)
        self.thumb.setPixmap(pixmap)

    def _on_item(self, row: ItemRow, future: Future) -> None:
        if row is not self._shown:
            return
        err = future.exception()
        if err is not None:
            self.item_label.setText(self.item_label.text() + f"<br><i>{_html(str(err))}</i>")
            self.item_shown.emit(row)
            return
        feeds, outputs = future.result()
        context = dict(self.job.spec.context) if self.job is not None else {}
        if self.job is not None and self.job.spec.source.kind == "images":
            context["image"] = feeds.get(self.job.spec.plan.input_name)
        self.results.show_outputs(outputs, context)
        self.item_shown.emit(row)

    def _fail(self, message: str) -> bool:
        self.error = message
        self._set_status(message, error=True)
        self._update_buttons()
        return False

    def _set_status(self, text: str, error: bool = False) -> None:
        self.status_label.setStyleSheet("color: #b00020;" if error else "")
        self.status_label.setText(text)
        self.status_label.setToolTip(text)

    def _update_buttons(self) -> None:
        running = self.running
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def _close_job(self) -> None:
        """End the last job's process (its worker with it), on a thread: it may take a second."""
        job = self.job
        if isinstance(job, BatchProcess):
            job.cancel()
            threading.Thread(target=job.close, name="batch-close", daemon=True).start()

    def shutdown(self) -> None:
        """Stop the job and the worker (the dialog is closing)."""
        self._timer.stop()
        if self.job is not None and self.job.running:
            self.job.cancel()
        self._close_job()
        if self.engine is not None:
            engine, self.engine = self.engine, None
            threading.Thread(target=engine.close, args=(False,), daemon=True).start()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.shutdown()
        super().closeEvent(event)

    def reject(self) -> None:
        self.shutdown()
        super().reject()


def _combo(
    name: str, choices: dict[str, str], current: str | None, auto: bool = False
) -> QComboBox:
    combo = QComboBox(objectName=name)
    if auto:
        combo.addItem("Auto", None)
    for key, text in choices.items():
        combo.addItem(text, key)
    index = combo.findData(current)
    combo.setCurrentIndex(max(0, index))
    return combo


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def open_for_window(window: Any) -> BatchDialog | None:
    """The Batch dialog for the window's current signature, with the image options and the
    other inputs of its Inputs tab (the Run menu's "Run over a data set…", Ctrl+B)."""
    selection = window.current_signature()
    if selection is None:
        window.errors.show("select a signature to run over a data set first", dialog=False)
        return None
    sig = selection.signature
    options, extra = None, {}
    runner = getattr(window, "_runner", None)
    if runner is not None and getattr(runner, "selection", None) is selection:
        from inspector_app.ui.input_builder import ImageEditor

        for spec in sig.inputs:
            with_row = _row(runner.inputs, spec.name)
            if with_row is None:
                continue
            editor = with_row.editor()
            if isinstance(editor, ImageEditor):
                options = editor.options()
                continue
            try:
                value = with_row.value()
            except UserError:
                value = None
            if value is not None:
                extra[spec.name] = value
    info = selection.info
    version = f" {info.version}" if getattr(info, "version", None) is not None else ""
    label = f"{Path(info.path).name}{version} · {','.join(selection.tags)} · {sig.key}"
    dialog = BatchDialog(info.model_dir, list(selection.tags), sig, window, options=options,
                         extra=extra, label=label)  # fmt: skip
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    return dialog


def _row(builder: Any, name: str) -> Any:
    try:
        return builder.row(name)
    except (KeyError, UserError):
        return None
