"""The Batch dialog: run the selected signature over a folder of images or .npy files, or a
TFRecord file, and look at the results item by item and over the data set.

The dialog composes: the choices (``batch_form``), the run row (``progress_row``), the table
(``batch_rows_view``), a row's item and full result (``batch_item_view``) and the data-set
metrics (``batch_metrics``). The job (``workflows.batch_job``) runs in a process of its own
(``workflows.batch_process``) with an engine worker of its own, so the window and its Run tab
stay free and the GUI thread keeps the interpreter to itself. Rows and progress land in a
queue on the job's reader thread (no Qt event each) and join the window at most every
``FLUSH_MS``, one insert per flush, so that the event loop never waits long on them.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QLabel,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.errors import UserError
from inspector_app.inputs import images
from inspector_app.ui.batch_form import BatchForm
from inspector_app.ui.batch_item_view import ItemView
from inspector_app.ui.batch_metrics import MetricsPanel
from inspector_app.ui.batch_rows_view import BatchRowsView
from inspector_app.ui.progress_row import ProgressRow
from inspector_app.workflows.batch_job import BatchJob
from inspector_app.workflows.batch_process import BatchProcess
from inspector_app.workflows.batch_report import BatchReport, Progress
from inspector_app.workflows.batch_rows import ItemRow
from inspector_app.workflows.batch_spec import prepare_batch

FLUSH_MS = 200  # progress joins the window at most this often
ROWS_EVERY = 5  # rows join the table every 5th flush (1 s): each join repaints the table


class BatchDialog(QDialog):
    """Run ``signature`` (a SignatureInfo) of the model in ``model_dir`` over a data set.

    ``options``: the image options of the Inputs tab; ``extra``: the Inputs tab's values, which
    feed the inputs other than the items' (the same for every item). ``finished_job`` carries
    the ``BatchReport`` (or the UserError that stopped the job before it ran); ``item_shown``
    the ItemRow whose full result is shown. ``engine_factory``: the job runs in this process
    with an engine it makes (tests); by default the job runs in a process of its own.
    """

    finished_job = Signal(object)
    item_shown = Signal(object)
    _done = Signal(object)  # the job's future, queued from its thread

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
        self.extra = dict(extra or {})
        self.engine_factory = engine_factory
        self.engine: Any = None
        self.job: BatchJob | BatchProcess | None = None
        self.report: BatchReport | None = None
        self.error: str | None = None
        self._inbox: deque[ItemRow] = deque()  # filled on the job's thread, emptied by _flush
        self._progress: Progress | None = None  # set on the job's thread
        self._timer = QTimer(self, interval=FLUSH_MS)
        self._flushes = 0
        self._build_ui(label or f"{self.model_dir.name} · {signature.key}", options)
        self._connect()
        app = QApplication.instance()
        if app is not None:  # the window may go without closing this dialog first
            app.aboutToQuit.connect(self.shutdown)

    def _build_ui(self, label: str, options: images.ImageOptions | None) -> None:
        self.target_label = QLabel(f"<b>{escape(label, quote=False)}</b>", objectName="batchTarget")
        self.form = BatchForm(options)
        self.progress = ProgressRow("Start", "Cancel",
                                    ("batchStart", "batchCancel", "batchProgress", "batchStatus"),
                                    one_line=True)  # fmt: skip
        self.rows = BatchRowsView()
        self.model = self.rows.model
        self.item = ItemView()
        self.metrics = MetricsPanel()
        self.side_tabs = QTabWidget(objectName="batchSideTabs")
        self.side_tabs.addTab(self.item, "Item")
        self.side_tabs.addTab(self.metrics, "Data set")
        self.splitter = QSplitter(Qt.Orientation.Horizontal, objectName="batchSplitter")
        self.splitter.addWidget(self.rows)
        self.splitter.addWidget(self.side_tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.target_label)
        layout.addWidget(self.form)
        layout.addWidget(self.progress)
        layout.addWidget(self.splitter, 1)
        self.resize(1000, 660)

    def _connect(self) -> None:
        self.progress.start_button.clicked.connect(self.start)
        self.progress.cancel_button.clicked.connect(self.cancel)
        self.rows.row_selected.connect(lambda row: self.item.show_row(row, self.job))
        self.item.item_shown.connect(self.item_shown)
        self._done.connect(self._on_done)
        self._timer.timeout.connect(self._flush)

    # -- public -------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.job is not None and self.job.running

    def set_source(self, kind: str, path: str | os.PathLike, labels: str | None = None) -> None:
        """Choose the items: ``kind`` images/arrays/examples, and labels (``folders``, a CSV)."""
        self.form.set_source(kind, path, labels)

    def start(self) -> bool:
        """Check the choice and start the job (returns at once); False when it cannot start."""
        if self.running:
            return False
        self.report, self.error = None, None
        try:
            choice = self.form.choice()
            spec = prepare_batch(
                self.model_dir, self.tags, self.signature, choice.kind, choice.path,
                labels=choice.labels, batch_size=choice.batch_size, options=choice.options,
                fallback=self.extra, label_names=choice.label_names,
            )  # fmt: skip
            self._close_job()
            self.job = self._make_job(spec, choice.csv_path)
        except UserError as err:
            return self._fail(str(err))
        self.model.clear()
        self._inbox.clear()
        self._progress = None
        self.item.forget()
        self.metrics.clear()
        self.progress.set_progress(0, spec.source.count)
        self.progress.set_status(f"{spec.source.count:,} items, batch size {spec.batch_size}; "
                                 "loading the model in a worker of its own…")  # fmt: skip
        self.job.start().add_done_callback(self._done.emit)
        self._timer.start()
        self.progress.set_running(True)
        return True

    def _make_job(self, spec: Any, csv_path: str | None) -> BatchJob | BatchProcess:
        if self.engine_factory is None:  # a process of its own: see workflows/batch_process
            return BatchProcess(spec, on_rows=self._inbox.extend, on_progress=self._set_progress,
                                csv_path=csv_path)  # fmt: skip
        if self.engine is None:
            self.engine = self.engine_factory()
        return BatchJob(spec, self.engine, on_rows=self._inbox.extend,
                        on_progress=self._set_progress, csv_path=csv_path)  # fmt: skip

    def cancel(self) -> None:
        """Stop the job at once; the rows so far stay."""
        if self.running:
            self.progress.set_status("cancelling… (the rows so far stay)")
            self.job.cancel()

    def show_worst_first(self) -> None:
        """Only the mistakes, the most confident first."""
        self.rows.show_worst_first()

    def sort_by(self, column: int, order: Qt.SortOrder) -> None:
        """Sort the table as a click on the column's header does."""
        self.rows.sort_by(column, order)

    def select_row(self, visible: int) -> ItemRow | None:
        """Select a row of the table (as shown); its full result follows (``item_shown``)."""
        self.rows.select_row(visible)
        return self.item.shown

    # -- the job's news -------------------------------------------------------------------
    def _set_progress(self, progress: Progress) -> None:
        self._progress = progress  # on the job's thread: the next flush shows it

    def _flush(self, last: bool = False) -> None:
        self._flushes += 1
        inbox = self._inbox
        if inbox and (last or self._flushes % ROWS_EVERY == 0 or self.model.total < 100):
            rows = [inbox.popleft() for _ in range(len(inbox))]
            self.model.append_rows(rows)
        p = self._progress
        if p is not None and self.running:
            self.progress.set_progress(p.done)
            self.progress.set_status(p.text())
        if self.job is not None and self.report is None:
            self._show_metrics(self.job.report, final=False)

    def _on_done(self, future: Future) -> None:
        if self.job is None or future is not self.job.future:
            return
        self._timer.stop()
        self._flush(last=True)
        err = future.exception()
        if err is not None:
            self.progress.set_progress(0)
            self._fail(str(err))
            self.finished_job.emit(err)
            return
        self.report = future.result()
        self.progress.set_progress(self.report.done)
        self.progress.set_status("; ".join(self.report.summary_lines()[:2]))
        self._show_metrics(self.report, final=True)
        self.progress.set_running(self.running)
        self.finished_job.emit(self.report)

    def _show_metrics(self, report: BatchReport, final: bool) -> None:
        failed = len(report.failed)
        if not final and self._progress is not None:  # a job in another process: its count
            failed = self._progress.failed
        how = self.job.truth_how if self.job is not None else ""
        self.metrics.show_report(report, failed, how, final)

    def _fail(self, message: str) -> bool:
        self.error = message
        self.progress.set_status(message, error=True)
        self.progress.set_running(self.running)
        return False

    # -- closing ------------------------------------------------------------------------
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
