"""The Batch dialog's "Item" tab: the selected row's picture, its label and summary, and its
full result (the row's item run again in the job's worker, shown as the Results tab shows a
run)."""

from __future__ import annotations

from concurrent.futures import Future
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from inspector_app.inputs import images
from inspector_app.ui.background import run_in_background
from inspector_app.workflows.batch_rows import ItemRow

THUMB = 160


class ItemView(QWidget):
    """``show_row(row, job)``; ``item_shown`` carries the row once its full result is shown
    (or its failure)."""

    item_shown = Signal(object)
    _answered = Signal(object, object)  # (ItemRow, future of (feeds, outputs)), queued here

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from inspector_app.ui.results_view import ResultsView

        self.thumb = QLabel(objectName="batchThumb")
        self.thumb.setFixedHeight(THUMB)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label = QLabel("Select a row to see its item and its full result.",
                            objectName="batchItemLabel")  # fmt: skip
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.results = ResultsView()
        top = QHBoxLayout()
        top.addWidget(self.thumb)
        top.addWidget(self.label, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.results, 1)
        self.shown: ItemRow | None = None
        self._job: Any = None
        self._answered.connect(self._on_answer)

    def forget(self) -> None:
        """A new job: the next row shown is shown afresh."""
        self.shown = None

    def show_row(self, row: ItemRow, job: Any) -> None:
        """Show ``row`` of ``job`` (a BatchJob or BatchProcess): at once its texts, then its
        picture (read on a pool thread) and its result (run in the job's worker)."""
        if row is self.shown:
            return
        self.shown, self._job = row, job
        text = f"<b>{escape(row.name, quote=False)}</b>"
        if row.label is not None:
            text += f"<br>label: {escape(row.label, quote=False)}"
        text += f"<br>{escape(row.error or row.summary, quote=False)}"
        self.label.setText(text)
        self.thumb.clear()
        if job is not None and job.spec.source.kind == "images":
            path = row.path
            run_in_background(lambda: images.thumbnail(path, THUMB),
                              lambda im: self._show_thumb(row, im), lambda _e: None,
                              receiver=self)  # fmt: skip
        if row.ok and job is not None:
            job.run_item(row).add_done_callback(lambda f: self._answered.emit(row, f))
        else:
            self.results.show_outputs({})
            self.item_shown.emit(row)

    def _show_thumb(self, row: ItemRow, im: Any) -> None:
        if row is not self.shown:
            return
        qimg = QImage(im.tobytes(), im.width, im.height, 3 * im.width, QImage.Format.Format_RGB888)
        pixmap = QPixmap.fromImage(qimg.copy())
        if max(im.width, im.height) < THUMB // 2:  # a tiny picture: drawn larger, pixels kept
            pixmap = pixmap.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio)
        self.thumb.setPixmap(pixmap)

    def _on_answer(self, row: ItemRow, future: Future) -> None:
        if row is not self.shown:
            return
        err = future.exception()
        if err is not None:
            self.label.setText(self.label.text() + f"<br><i>{escape(str(err), quote=False)}</i>")
            self.item_shown.emit(row)
            return
        feeds, outputs = future.result()
        job = self._job
        context = dict(job.spec.context) if job is not None else {}
        if job is not None and job.spec.source.kind == "images":
            context["image"] = feeds.get(job.spec.plan.input_name)
        self.results.show_outputs(outputs, context)
        self.item_shown.emit(row)
