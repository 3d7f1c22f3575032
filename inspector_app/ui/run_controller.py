"""Inputs → Run → Results for the selected signature: the Run and Results tabs and their logic.

The main window owns one ``RunController``; it hands it the selected signature and forwards
Contract 2's ``set_input``, ``run`` and ``cancel``. Models run in the engine's worker process.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QScrollArea, QSplitter, QWidget

from inspector_app.engine import EngineError
from inspector_app.errors import UserError
from inspector_app.inputs import inputset
from inspector_app.inputs.inputset import default_config_dir
from inspector_app.resources import demo_sample_inputs
from inspector_app.results.labels import LabelMemory
from inspector_app.ui.background import run_in_background
from inspector_app.ui.engine_bridge import EngineBridge
from inspector_app.ui.input_builder import InputBuilder
from inspector_app.ui.results_view import ResultsView
from inspector_app.ui.run_panel import RunPanel, RunRecord, RunTarget

INIT_OP_KEY = "__saved_model_init_op"
LAST_USED_FOLDER = "last-used"  # beside the user's input sets, not listed with them
REMEMBER_LIMIT_BYTES = 64 * 2**20  # larger inputs are not copied into the config folder


def _image_feed(feeds: dict[str, Any]) -> np.ndarray | None:
    """The first input that looks like an image batch (for drawing masks over it)."""
    for value in feeds.values():
        arr = np.asarray(value)
        if arr.dtype.kind in "uif" and arr.ndim in (3, 4) and arr.shape[-1] in (1, 3, 4):
            return arr
    return None


def _same_values(a: inputset.InputSet, b: inputset.InputSet) -> bool:
    """The same signature fed the same arrays (the very objects) or the same file references."""
    if a.signature != b.signature or a.values.keys() != b.values.keys():
        return False
    return all(
        a.values[k] is b.values[k]
        or (  # both file references: an image row may have become an array since
            isinstance(a.values[k], inputset.FileRef)
            and isinstance(b.values[k], inputset.FileRef)
            and a.values[k] == b.values[k]
        )
        for k in a.values
    )


class RunController(QObject):
    """Owns the engine bridge, the input builder, the run panel and the results view."""

    run_finished = Signal(object)  # dict[str, np.ndarray] or an exception (UserError)
    run_started = Signal()

    def __init__(self, parent: QObject | None = None, *, warm_up: bool | None = None) -> None:
        super().__init__(parent)
        self.bridge = EngineBridge(self, warm_up=warm_up)
        from inspector_app.ui.settings import custom_ops

        self.bridge.load_ops = custom_ops()  # Run > Custom ops
        config = default_config_dir().parent
        self.inputs = InputBuilder()
        self.inputs.config_dir = default_config_dir()
        self.run_panel = RunPanel(self.bridge)
        self.run_panel.feeds_provider = self._feeds
        self.results = ResultsView(label_memory=LabelMemory(config / "labels.json"))
        self.selection: Any = None  # main_window.SignatureSelection

        scroll = QScrollArea(objectName="inputsScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.inputs)
        self.run_tab = QSplitter(Qt.Orientation.Vertical, objectName="runTab")
        self.run_tab.addWidget(scroll)
        self.run_tab.addWidget(self.run_panel)
        self.run_tab.setSizes([320, 420])

        self._snapshot: tuple[inputset.InputSet, str] | None = None  # inputs of the run going on
        self._last_saved: tuple[inputset.InputSet, str] | None = None
        self.inputs.ready_changed.connect(self._update_ready)
        self.run_panel.busy_changed.connect(self._on_busy)
        self.run_panel.finished.connect(self._on_finished)
        self.run_panel.record_opened.connect(self._show_record)

    # ------------------------------------------------------------------ state

    def set_signature(self, selection: Any) -> None:
        """Show the inputs of ``selection`` (a SignatureSelection) and make it Run's target."""
        sig, info = selection.signature, selection.info
        if sig.key == INIT_OP_KEY:  # TF's initialiser entry, listed as saved_model_cli does
            self.clear_signature()
            self.run_panel.status_label.setText(
                f"{INIT_OP_KEY} is the model's initialiser, run when the model loads; "
                "select another signature to run"
            )
            return
        self.selection = selection
        self.inputs.signature = sig.key
        self.inputs.set_model(Path(info.path).name, str(info.path), info.model_dir)
        self.inputs.set_specs(sig.inputs)
        self.inputs.set_example_features(*example_features_for(info, selection.tags, sig))
        samples = demo_sample_inputs(info.model_dir, sig.key)
        for name, sample in samples.items():
            self.inputs.set_input(name, str(sample))
        restored = "" if samples else self._restore_last_inputs(sig.key, str(info.path))
        version = f" {info.version}" if info.version is not None else ""
        label = f"{Path(info.path).name}{version} · {','.join(selection.tags)} · {sig.key}"
        self.run_panel.set_target(
            RunTarget(str(info.model_dir), list(selection.tags), sig.key, label)
        )
        self._update_ready()
        if restored:
            self.run_panel.status_label.setText(restored)

    def clear_signature(self) -> None:
        self.selection = None
        self.inputs.set_specs([])
        self.run_panel.set_target(None)

    def model_closed(self, info: Any) -> None:
        """Give the worker's memory back when the loaded model's window row goes."""
        key = self.bridge.loaded_key
        if key is not None and key[0] == str(Path(info.model_dir).resolve()):
            self.bridge.unload()
        if self.selection is not None and self.selection.info is info:
            self.clear_signature()

    def _update_ready(self, *_: object) -> None:
        ready = self.selection is not None and self.inputs.is_ready()
        self.run_panel.run_button.setEnabled(ready and not self.run_panel.busy)
        if self.selection is not None and not ready:
            problems = [c.message for c in self.inputs.checks().values() if not c.ready]
            if problems:
                self.run_panel.status_label.setText(f"Not ready: {problems[0]}")
        elif ready and not self.run_panel.busy:
            self.run_panel.status_label.setText("Ready (Ctrl+R runs)")

    # ------------------------------------------------------------------ Contract 2

    def set_input(self, name: str, value: Any) -> None:
        self.inputs.set_input(name, value)
        self._update_ready()

    def run(self) -> bool:
        """Start the selected signature; False (and ``run_finished`` with the error) if it cannot."""
        if self.selection is None:
            self.run_finished.emit(UserError("no signature is selected; select one in the tree"))
            return False
        if self.run_panel.busy:
            return False
        self.run_started.emit()
        return self.run_panel.run()

    def cancel(self) -> None:
        self.run_panel.cancel()

    def shutdown(self) -> None:
        self.bridge.close()

    # ------------------------------------------------------------------ callbacks

    def _feeds(self) -> dict[str, Any]:
        if not self.inputs.is_ready():
            problems = [
                f"{name}: {c.message}" for name, c in self.inputs.checks().items() if not c.ready
            ]
            raise UserError("inputs are not ready: " + "; ".join(problems[:3]))
        return self.inputs.feeds()

    # ------------------------------------------------------------------ last-used inputs

    def _restore_last_inputs(self, signature: str, model: str) -> str:
        """Fill the rows from the inputs last run on this signature; a line for the status."""
        path = inputset.last_input_set(self.inputs.config_dir, signature, model)
        if path is None:
            return ""
        try:
            self.inputs.apply_input_set(inputset.load_input_set(path))
        except (UserError, OSError, ValueError) as err:
            return f"The inputs of the last run could not be restored: {err}"
        return "Inputs of the last run restored"

    def _on_busy(self, busy: bool) -> None:
        sel = self.selection
        if not busy or sel is None:
            return
        snapshot = self.inputs.input_set(f"last {sel.signature.key}", sel.signature.key)
        self._snapshot = (snapshot, str(sel.info.path))

    def _remember_inputs(self) -> None:
        """Keep the inputs of a run that answered as the signature's last-used set."""
        if self._snapshot is None or self.inputs.config_dir is None:
            return
        snapshot, model = self._snapshot
        self._snapshot = None
        same = self._last_saved is not None and self._last_saved[1] == model
        if same and _same_values(self._last_saved[0], snapshot):
            return  # Run pressed again on the same inputs
        self._last_saved = (snapshot, model)
        arrays = [v for v in snapshot.values.values() if isinstance(v, np.ndarray)]
        if sum(a.nbytes for a in arrays) > REMEMBER_LIMIT_BYTES:
            return
        folder = self.inputs.config_dir
        digest = hashlib.sha1(f"{model}::{snapshot.signature}".encode()).hexdigest()[:16]
        target = folder / LAST_USED_FOLDER / f"{digest}.json"

        def save() -> None:
            target.parent.mkdir(parents=True, exist_ok=True)
            inputset.save_input_set(snapshot, path=target)
            inputset.remember_last(folder, snapshot.signature, target, model)

        # A config folder that cannot be written only costs the memory of these inputs.
        run_in_background(save, lambda _: None, lambda _err: None, receiver=self)

    def _on_finished(self, record: RunRecord) -> None:
        # Every run ends in run_finished: nothing below may stop it (a failure is a status line).
        try:
            self._update_ready()
            if record.result is not None:
                self._remember_inputs()
        except Exception as err:  # noqa: BLE001
            self.run_panel.status_label.setText(f"The inputs could not be remembered: {err}")
        if record.result is None:
            message = record.error or "the run failed"
            self.run_finished.emit(EngineError(message))
            return
        try:
            self._show_record(record)
        except Exception as err:  # noqa: BLE001
            self.run_panel.status_label.setText(f"The results could not be shown: {err}")
        self.run_finished.emit(dict(record.result.outputs))

    def _show_record(self, record: RunRecord) -> None:
        if record.result is None:
            return
        sel = self.selection
        info = sel.info if sel is not None else None
        context: dict[str, Any] = {
            "signature": record.target.signature,
            "tags": record.target.tags,
            "device": record.result.device,
            "timings": dict(record.result.timing),
            "inputs": {k: np.asarray(v) for k, v in record.feeds.items()},
            "model_path": record.target.folder,
            "assets_dir": str(Path(record.target.folder) / "assets"),
        }
        if info is not None and sel.signature.key == record.target.signature:
            context["method_name"] = sel.signature.method_name
        image = _image_feed(record.feeds)
        if image is not None:
            context["image"] = image
        self.results.show_outputs(record.result.outputs, context)

    def widgets(self) -> list[tuple[QWidget, str]]:
        """The tabs the window adds: (widget, title)."""
        return [(self.run_tab, "Run"), (self.results, "Results")]


def example_features_for(info: Any, tags: Any, sig: Any) -> tuple[list | None, bool]:
    """(the tf.Example features the signature's graph parses, whether it takes tf.Example
    records by its method name: classify or regress)."""
    from inspector_app.savedmodel.example_features import signature_example_features

    fed = sig.method_name.endswith(("/classify", "/regress"))
    if not any(t.dtype == "string" for t in sig.inputs):
        return None, False
    mg = next((m for m in info.meta_graphs if list(m.tags) == list(tags)), None)
    if mg is None or mg.proto is None:
        return None, fed
    try:
        return signature_example_features(mg.proto, sig), fed
    except (KeyError, ValueError, AttributeError):  # a malformed graph: no pre-fill, no harm
        return None, fed
