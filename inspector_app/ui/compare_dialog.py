"""The Compare dialog: the current inputs through the current model (A) and another version of its
base folder, or another model folder (B); a table of the differences, the differing outputs
highlighted. Both models run in engine workers of their own (``workflows.compare_job``), in the
background, with progress and cancel. Nothing here reads a model: the job reads both models'
metadata on its thread, and a base folder's versions are listed on another (``find_versions``).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.errors import UserError
from inspector_app.results.compare import COLUMNS
from inspector_app.ui.compare_table import (  # noqa: F401 - DIFFERS_*: tests import them here
    DIFFERS_BACKGROUND,
    DIFFERS_ROLE,
    differing_rows,
    fill_table,
)
from inspector_app.ui.progress_row import ProgressRow
from inspector_app.workflows.compare_job import (
    STEPS,
    CompareJob,
    CompareOutcome,
    CompareRequest,
    ModelRef,
    find_versions,
    start_compare,
    versions_with_model,
)


class CompareDialog(QDialog):
    """Compare model A (``model``: a folder path at ``version``, or the ``SavedModelInfo`` of an
    opened model) with another version of its base folder or another model folder (B).

    ``feeds`` are the current inputs (name -> numpy array), run unchanged through both.
    ``versions_listed`` carries the base folder's versions once known (at once for an opened
    model's info, from a background thread for a path). ``finished_comparison`` carries a
    ``CompareOutcome``, or the ``UserError`` that stopped it (``engine.Cancelled`` after a
    cancel). ``engine_factory`` makes the engines (tests).
    """

    finished_comparison = Signal(object)
    versions_listed = Signal(list)
    _versions_found = Signal(object)  # find_versions' future, queued to the GUI thread
    _job_progress = Signal(int, int, str)  # from the job's thread, queued to the GUI thread
    _job_done = Signal(object)  # the job's future

    def __init__(
        self,
        model: str | os.PathLike | Any,
        signature: str,
        feeds: Mapping[str, np.ndarray],
        tags: list[str] | tuple[str, ...] | None = None,
        parent: QWidget | None = None,
        *,
        version: int | None = None,
        device: str | None = None,
        engine_factory: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle("Compare models")
        known: list[int] | None = None  # the versions, when the model's info says
        self._info_a = None  # A's SavedModelInfo, when given: the job need not read A again
        if hasattr(model, "model_dir"):  # a savedmodel.SavedModelInfo: the version it shows
            self._info_a = model if version in (None, model.version) else None
            if version is None:
                version = model.version if model.base_dir is not None else None
            known = sorted(versions_with_model(model.version_dirs)) if model.base_dir else []
            model = model.base_dir if model.base_dir is not None else model.model_dir
        self.model_path = str(model)
        self.signature = signature
        self.feeds = dict(feeds)
        self.tags = list(tags) if tags else None
        self.device = device
        self.engine_factory = engine_factory
        self.job: CompareJob | None = None
        self.outcome: CompareOutcome | None = None
        self.error: str | None = None
        self.versions: list[int] | None = None  # None while they are being listed
        self.version = version
        self._build_ui()
        self._connect_callbacks()
        self._set_versions(known)
        if known is None:  # reading a base folder parses a model: not on this thread
            find_versions(self.model_path).add_done_callback(_emitter(self._versions_found))
        self._update_buttons()

    # -- layout -------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.model_a_label = QLabel(objectName="compareModelALabel")
        self.model_a_label.setWordWrap(True)

        self.version_radio = QRadioButton("Another version:", objectName="compareVersionRadio")
        self.version_combo = QComboBox(objectName="compareVersionCombo")
        self.folder_radio = QRadioButton("Another model folder:", objectName="compareFolderRadio")
        self.folder_edit = QLineEdit(objectName="compareFolderEdit")
        self.folder_edit.setPlaceholderText("a SavedModel folder or a TF Serving base folder")
        self.browse_button = QPushButton("Browse…", objectName="compareBrowseButton")
        self.mode_group = QButtonGroup(self)
        self.mode_group.addButton(self.version_radio)
        self.mode_group.addButton(self.folder_radio)
        self.folder_radio.setChecked(True)

        other_box = QGroupBox("B: compare with")
        grid = QFormLayout(other_box)
        grid.addRow(self.version_radio, self.version_combo)
        folder_row = QHBoxLayout()
        folder_row.addWidget(self.folder_edit, 1)
        folder_row.addWidget(self.browse_button)
        grid.addRow(self.folder_radio, folder_row)
        self.atol_edit = QLineEdit("1e-06", objectName="compareAtolEdit")
        self.atol_edit.setToolTip("largest absolute difference that still counts as the same")
        grid.addRow("Tolerance (atol):", self.atol_edit)

        self.run_row = ProgressRow("Compare", "Cancel run", ("compareStartButton",
                                   "compareCancelButton", "compareProgress", "compareStatus"))  # fmt: skip
        self.run_row.set_progress(0, len(STEPS))
        row = self.run_row  # its parts keep the names the dialog and its tests use
        self.start_button, self.cancel_button = row.start_button, row.cancel_button
        self.progress, self.status_label = row.bar, row.status_label

        self.table = QTableWidget(0, len(COLUMNS), objectName="compareTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.summary_label = QLabel("", objectName="compareSummary")
        self.summary_label.setWordWrap(True)

        self.copy_button = QPushButton("Copy as text", objectName="compareCopyButton")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.addWidget(self.model_a_label)
        layout.addWidget(other_box)
        layout.addWidget(self.run_row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.buttons)
        self.resize(760, 420)

    def _connect_callbacks(self) -> None:
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.copy_button.clicked.connect(self.copy_text)
        self.browse_button.clicked.connect(self._browse)
        self.buttons.rejected.connect(self.reject)
        self.folder_edit.textEdited.connect(lambda _t: self.folder_radio.setChecked(True))
        self.version_combo.activated.connect(lambda _i: self.version_radio.setChecked(True))
        self._job_progress.connect(self._on_progress)
        self._job_done.connect(self._on_done)
        self._versions_found.connect(
            lambda found: self._set_versions([] if found.exception() else found.result())
        )

    def _set_versions(self, versions: list[int] | None) -> None:
        """Show model A and the other versions to choose (None: still being listed)."""
        self.versions = versions
        if versions and self.version is None:
            self.version = versions[-1]
        a_label = ModelRef(self.model_path, self.version).label
        inputs = ", ".join(f"{k} {list(np.shape(v))}" for k, v in sorted(self.feeds.items()))
        self.model_a_label.setText(
            f"A: <b>{_html(a_label)}</b>, signature <b>{_html(self.signature)}</b>, "
            f"inputs {_html(inputs) or 'none'}"
        )
        others = [v for v in versions or [] if v != self.version]
        self.version_combo.clear()
        for v in others:
            self.version_combo.addItem(f"version {v}", v)
        if others:
            self.version_combo.setCurrentIndex(len(others) - 1)  # the highest other one
        elif versions is None:
            self.version_combo.addItem("listing the versions…")
        self.version_radio.setEnabled(bool(others))
        self.version_combo.setEnabled(bool(others))
        if others and not self.folder_edit.text().strip():
            self.version_radio.setChecked(True)
        elif not others:
            self.folder_radio.setChecked(True)
        if versions is not None:
            self.versions_listed.emit(versions)

    # -- public -------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.job is not None and self.job.running

    def set_other_version(self, version: int) -> None:
        """Compare with ``version`` of the base folder."""
        index = self.version_combo.findData(version)
        if index < 0:
            raise UserError(f"{self.model_path} has no other version {version}")
        self.version_combo.setCurrentIndex(index)
        self.version_radio.setChecked(True)

    def set_other_folder(self, path: str | os.PathLike) -> None:
        """Compare with the model in ``path`` (its highest version for a base folder)."""
        self.folder_edit.setText(str(path))
        self.folder_radio.setChecked(True)

    def other_ref(self) -> ModelRef:
        """Model B as chosen in the dialog (UserError when nothing is chosen)."""
        if self.version_radio.isChecked():
            return ModelRef(self.model_path, self.version_combo.currentData())
        text = self.folder_edit.text().strip()
        if not text:
            raise UserError("choose a model folder to compare with")
        return ModelRef(os.path.expanduser(text))

    def start(self) -> bool:
        """Check the choice and start both runs (returns at once); False when it cannot start."""
        if self.running:
            return False
        self.outcome, self.error = None, None
        self._fill_table(None)
        try:
            atol = float(self.atol_edit.text())
            if not math.isfinite(atol) or atol < 0:
                raise ValueError
        except ValueError:
            return self._fail(f"tolerance {self.atol_edit.text()!r} is not a number of 0 or more")
        try:
            a = ModelRef(self.model_path, self.version)
            request = CompareRequest(a, self.other_ref(), self.signature, self.tags, self._info_a)
            self.job = start_compare(
                request,
                self.feeds,
                device=self.device,
                atol=atol,
                engine_factory=self.engine_factory,
                on_progress=_emitter(self._job_progress),
            )
        except UserError as err:
            return self._fail(str(err))
        self.progress.setValue(0)
        self._set_status(f"B: {request.b.label}; reading the models…")
        self.job.future.add_done_callback(_emitter(self._job_done))
        self._update_buttons()
        return True

    def cancel(self) -> None:
        """Stop both workers; ``finished_comparison`` follows with ``Cancelled``."""
        if self.running:
            self._set_status("cancelling…")
            self.job.cancel()

    def as_text(self) -> str:
        """The models, the table and the summary as plain text (what Copy puts on the clipboard)."""
        if self.outcome is None:
            return self.error or ""
        plan = self.outcome.plan
        lines = [
            f"A: {plan.a.label} ({plan.a.model_dir})",
            f"B: {plan.b.label} ({plan.b.model_dir})",
            f"signature {plan.signature!r}, tags {','.join(plan.a.tags)}",
            "",
            self.outcome.comparison.table(),
        ]
        return "\n".join(lines)

    def copy_text(self) -> None:
        QApplication.clipboard().setText(self.as_text())

    # -- callbacks ----------------------------------------------------------------------
    def _browse(self) -> None:
        start = self.folder_edit.text() or str(Path(self.model_path).parent)
        path = QFileDialog.getExistingDirectory(self, "Model folder to compare with", start)
        if path:
            self.set_other_folder(path)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        if self.job is None or not self.job.running:
            return
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self._set_status(text + "…")

    def _on_done(self, future: Future) -> None:
        if self.job is None or future is not self.job.future:
            return
        err = future.exception()
        if err is None:
            self.outcome = future.result()
            self.progress.setValue(self.progress.maximum())
            self._fill_table(self.outcome)
            plan, out = self.outcome.plan, self.outcome
            self._set_status(
                f"A: {plan.a.label} on {out.device_a}; B: {plan.b.label} on {out.device_b}; "
                f"run {out.timing_ms['run_a_ms']:.1f} ms / {out.timing_ms['run_b_ms']:.1f} ms"
            )
            self.finished_comparison.emit(self.outcome)
        else:
            self.progress.setValue(0)
            self._fail(str(err))
            self.finished_comparison.emit(err)
        self._update_buttons()

    def _fail(self, message: str) -> bool:
        self.error = message
        self._set_status(message, error=True)
        self._update_buttons()
        return False

    def _set_status(self, text: str, error: bool = False) -> None:
        self.run_row.set_status(text, error)

    def _update_buttons(self) -> None:
        self.run_row.set_running(self.running)
        self.copy_button.setEnabled(self.outcome is not None)

    def _fill_table(self, outcome: CompareOutcome | None) -> None:
        fill_table(self.table, outcome)
        self.summary_label.setText(outcome.comparison.summary() if outcome else "")

    def differing_rows(self) -> list[str]:
        """The output names of the highlighted rows."""
        return differing_rows(self.table)

    def reject(self) -> None:
        self.cancel()
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.cancel()
        super().closeEvent(event)


def _emitter(signal: Any) -> Callable[..., None]:
    """``signal.emit`` for a background thread; silent once the dialog is closed and deleted."""

    def emit(*args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # "Internal C++ object already deleted"
            signal.emit(*args)

    return emit


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
