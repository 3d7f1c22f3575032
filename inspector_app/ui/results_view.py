"""The result area: every output listed with the view that fits it and why; views switchable.

``ResultsView.show_outputs(outputs, context)`` takes the outputs as numpy arrays by name and the
context dict described in ``inspector_app.results.interpret`` (method_name, image, labels,
assets_dir, model_path) plus, for the run export, signature, tags, device, inputs, timings.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from inspector_app.errors import UserError
from inspector_app.results.export import run_record, save_npy, save_npz, save_run_json
from inspector_app.results.interpret import (
    Interpretation,
    build_result,
    describe,
    image_from_inputs,
    interpret_outputs,
)
from inspector_app.results.labels import LabelMemory, read_label_file
from inspector_app.results.masks import image_batch
from inspector_app.ui import settings
from inspector_app.ui.results_common import export_button, run_export, safe_name
from inspector_app.ui.results_detection import DetectionView
from inspector_app.ui.results_mask import MaskView
from inspector_app.ui.results_scores import ScoresView
from inspector_app.ui.results_tensor import ImageView, TensorView

VIEW_TITLES = {
    "scores": "Class scores",
    "mask": "Segmentation mask",
    "detection": "Detection boxes",
    "image": "Image",
    "tensor": "Values",
}


class ResultsView(QWidget):
    """Outputs list on the left; the chosen output's view, its reason and a view switcher."""

    class_hovered = Signal(str, int, str)  # output name, class id, class name
    labels_changed = Signal(str)  # the label file the user chose

    def __init__(
        self, parent: QWidget | None = None, label_memory: LabelMemory | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("resultsView")
        self.label_memory = label_memory
        self.outputs: dict[str, np.ndarray] = {}
        self.context: dict[str, Any] = {}
        self.interpretations: dict[str, Interpretation] = {}
        self._views: dict[tuple[str, str], QWidget] = {}
        self._chosen: dict[str, str] = {}
        self.output_list = QListWidget()
        self.output_list.setObjectName("outputList")
        self.view_combo = QComboBox()
        self.view_combo.setObjectName("viewCombo")
        self.view_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        # which run the outputs are of: model, version, tag set, signature, when, where, timing
        self.title_label = QLabel("", objectName="resultsTarget")
        self.title_label.setWordWrap(True)
        self.title_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.title_label.setStyleSheet("font-weight: bold;")
        self.title_label.hide()
        self.reason_label = QLabel("Run a signature to see its outputs here.")
        self.reason_label.setObjectName("reasonLabel")
        self.reason_label.setWordWrap(True)
        self.reason_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stack = QStackedWidget()
        self.stack.setObjectName("resultsStack")
        self.stack.addWidget(QLabel("No outputs yet."))
        self._build_layout()
        self._connect_callbacks()

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Show as"))
        bar.addWidget(self.view_combo)
        bar.addStretch(1)
        # The export buttons get a row of their own so that the panel stays narrow.
        exports = QHBoxLayout()
        exports.addWidget(QLabel("Export"))
        exports.addWidget(
            export_button("Output .npy…", "exportOutputNpyButton", self._export_output)
        )
        exports.addWidget(export_button("All .npz…", "exportAllNpzButton", self._export_all))
        exports.addWidget(export_button("Run JSON…", "exportRunJsonButton", self._export_run))
        exports.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(bar)
        right_layout.addLayout(exports)
        right_layout.addWidget(self.reason_label)
        right_layout.addWidget(self.stack, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.output_list)
        split.addWidget(right)
        split.setStretchFactor(1, 4)
        split.setSizes([180, 800])
        self.output_list.setMaximumWidth(260)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title_label)
        layout.addWidget(split, 1)

    def _connect_callbacks(self) -> None:
        self.output_list.currentRowChanged.connect(self._on_output_selected)
        self.view_combo.activated.connect(lambda i: self.set_view(self.view_combo.itemData(i)))

    # -- public API ---------------------------------------------------------------------------
    def show_outputs(
        self, outputs: Mapping[str, np.ndarray], context: Mapping[str, Any] | None = None
    ) -> None:
        """Show a run's outputs, each in the view that fits it."""
        self.outputs = {k: np.asarray(v) for k, v in outputs.items()}
        self.context = dict(context or {})
        if not self.context.get("labels") and self.label_memory and self.context.get("model_path"):
            remembered = self.label_memory.get(self.context["model_path"])
            if remembered:
                with contextlib.suppress(UserError):
                    self.context["labels"] = read_label_file(remembered)
        self.interpretations = interpret_outputs(self.outputs, self.context)
        self._clear_views()
        self._chosen = {name: self._remembered(it) for name, it in self.interpretations.items()}
        self.output_list.blockSignals(True)
        self.output_list.clear()
        for name, it in self.interpretations.items():
            item = QListWidgetItem(
                f"{name}\n{VIEW_TITLES[it.view]} · {describe(self.outputs[name])}"
            )
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setToolTip(it.reason)
            self.output_list.addItem(item)
        self.output_list.blockSignals(False)
        if self.interpretations:
            # Open on the output that says the most: a mask, then scores, then a picture.
            rank = {"mask": 0, "detection": 0, "scores": 1, "image": 2}
            views = [it.view for it in self.interpretations.values()]
            first = min(range(len(views)), key=lambda i: (rank.get(views[i], 3), i))
            self.output_list.setCurrentRow(first)  # shows it (currentRowChanged)

    def set_title(self, text: str) -> None:
        """Name the run shown (model, version, signature...) above the outputs."""
        self.title_label.setText(text)
        self.title_label.setVisible(bool(text))

    def clear(
        self, title: str = "", message: str = "Run a signature to see its outputs here."
    ) -> None:
        """No outputs: those shown belonged to another target, or the run gave none."""
        self.outputs, self.interpretations, self._chosen = {}, {}, {}
        self.context = {}
        self._clear_views()
        self.output_list.clear()
        self.view_combo.clear()
        self.reason_label.setText(message)
        self.stack.setCurrentIndex(0)
        self.set_title(title)

    def select_output(self, name: str) -> None:
        names = list(self.interpretations)
        self.output_list.setCurrentRow(names.index(name))

    def current_output(self) -> str | None:
        item = self.output_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def current_view(self) -> QWidget:
        return self.stack.currentWidget()

    def set_view(self, view: str) -> None:
        """Show the current output with ``view`` (one of its options)."""
        name = self.current_output()
        if name is None or view not in self.interpretations[name].options:
            return
        self._chosen[name] = view
        model = self.context.get("model_path")
        if model:
            it = self.interpretations[name]
            settings.remember_view(str(model), name, None if view == it.view else view)
        self._show(name)

    def _remembered(self, it: Interpretation) -> str:
        """The view the user chose for this output of this model before, else the chosen one."""
        model = self.context.get("model_path")
        if model:
            view = settings.remembered_view(str(model), it.name)
            if view in it.options:
                return str(view)
        return it.view

    def set_labels(self, names: list[str], source_path: str | None = None) -> None:
        """Use ``names`` for class labels from now on (rebuilds the views)."""
        self.context["labels"] = list(names)
        if source_path and self.label_memory and self.context.get("model_path"):
            self.label_memory.set(self.context["model_path"], source_path)
        current = self.current_output()
        self._clear_views()
        if current:
            self._show(current)

    # -- internals ----------------------------------------------------------------------------
    def _clear_views(self) -> None:
        for widget in self._views.values():
            self.stack.removeWidget(widget)
            widget.deleteLater()
        self._views.clear()

    def _on_output_selected(self, row: int) -> None:
        if 0 <= row < len(self.interpretations):
            self._show(list(self.interpretations)[row])

    def _show(self, name: str) -> None:
        it = self.interpretations[name]
        view = self._chosen[name]
        self.view_combo.clear()
        for option in it.options:
            self.view_combo.addItem(VIEW_TITLES[option], option)
        self.view_combo.setCurrentIndex(it.options.index(view))
        chosen = ""
        if view != it.view:
            kept = ", remembered for this model" if self.context.get("model_path") else ""
            chosen = f" · shown as {VIEW_TITLES[view].lower()} (your choice{kept})"
        self.reason_label.setText(f"{it.reason}{chosen}")
        key = (name, view)
        if key not in self._views:
            try:
                widget = self._make_view(name, view)
            except (ValueError, IndexError, UserError) as err:
                widget = QLabel(f"Cannot show {name} as {VIEW_TITLES[view].lower()}: {err}")
            self._views[key] = widget
            self.stack.addWidget(widget)
        self.stack.setCurrentWidget(self._views[key])

    def _make_view(self, name: str, view: str) -> QWidget:
        it = self.interpretations[name]
        result = build_result(name, view, self.outputs, self.context, it.class_axis)
        if view == "scores":
            widget: QWidget = ScoresView(name, result)
            widget.labels_requested.connect(self._choose_labels)
        elif view == "mask":
            widget = MaskView(name, result)
            widget.labels_requested.connect(self._choose_labels)
            widget.class_hovered.connect(
                lambda cid, label, _x, _y: self.class_hovered.emit(name, cid, label)
            )
        elif view == "detection":
            widget = DetectionView(name, result)
            widget.labels_requested.connect(self._choose_labels)
        elif view == "image":
            widget = ImageView(name, result, images=self._input_images())
        else:
            widget = TensorView(name, result, images=self._input_images())
        return widget

    def _input_images(self) -> np.ndarray | None:
        """The run's input images as [N, H, W, 3] uint8 (for the batch items' thumbnails)."""
        image = self.context.get("image")
        if image is None:
            image = image_from_inputs(self.context.get("inputs"))
        return image_batch(image)

    def _choose_labels(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a label file", "", "Text files (*.txt *.labels);;All files (*)"
        )
        if not path:
            return
        try:
            names = read_label_file(path)
        except UserError as err:
            QMessageBox.warning(self, "Label file", str(err))
            return
        self.set_labels(names, path)
        self.labels_changed.emit(path)

    def _export_kw(self) -> dict[str, Any]:
        model = self.context.get("model_path")
        return {"model_dir": model if model and Path(model).is_dir() else None}

    def _export_output(self) -> None:
        name = self.current_output()
        if name is not None:
            run_export(self, "Export output", "NumPy array (*.npy)", f"{safe_name(name)}.npy",
                       lambda p, **kw: save_npy(p, self.outputs[name], **kw, **self._export_kw()))  # fmt: skip

    def _export_all(self) -> None:
        if self.outputs:
            run_export(self, "Export outputs", "NumPy archive (*.npz)", "outputs.npz",
                       lambda p, **kw: save_npz(p, self.outputs, **kw, **self._export_kw()))  # fmt: skip

    def run_record(self) -> dict[str, Any]:
        """The run as the JSON export writes it."""
        c = self.context
        return run_record(
            signature=str(c.get("signature", "")),
            outputs=self.outputs,
            inputs=c.get("inputs"),
            device=c.get("device"),
            timings=c.get("timings"),
            model_path=str(c["model_path"]) if c.get("model_path") else None,
            tags=c.get("tags"),
            views=self._chosen,
        )

    def _export_run(self) -> None:
        if self.outputs:
            run_export(self, "Export run", "JSON (*.json)", "run.json",
                       lambda p, **kw: save_run_json(p, self.run_record(), **kw, **self._export_kw()))  # fmt: skip
