"""Inputs → Run → Results for the selected signature: the Run and Results tabs over one run
session (``workflows.run_session``), which owns the target, the run going on and the history.

The main window owns one ``RunController``; it hands it the selected signature and forwards
Contract 2's ``set_input``, ``run`` and ``cancel``, which all go to the session. The session's
answers reach this thread through ``GuiPost`` (a queued call); the panels observe the session.
Models run in the engine's worker process.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QScrollArea, QSplitter, QWidget

from inspector_app.errors import UserError
from inspector_app.inputs import inputset
from inspector_app.inputs.inputset import default_config_dir
from inspector_app.resources import demo_sample_inputs
from inspector_app.results.labels import LabelMemory
from inspector_app.ui.background import run_in_background
from inspector_app.ui.engine_bridge import EngineBridge
from inspector_app.ui.gui_post import GuiPost
from inspector_app.ui.input_builder import InputBuilder
from inspector_app.ui.results_view import ResultsView
from inspector_app.ui.run_panel import RunPanel
from inspector_app.workflows.run_session import (
    Refusal,
    RunRecord,
    RunSession,
    RunTarget,
    run_error,
)

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


class BuilderInputs:
    """The input editors as the run session's input source."""

    def __init__(self, builder: InputBuilder) -> None:
        self.builder = builder

    def problems(self) -> list[str]:
        if self.builder.is_ready():
            return []
        return [f"{name}: {c.message}" for name, c in self.builder.checks().items() if not c.ready]

    def feeds(self) -> dict[str, Any]:
        return self.builder.feeds()


class WaitingInputs:
    """No inputs yet: the target's model is still being read."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def problems(self) -> list[str]:
        return [self.reason]

    def feeds(self) -> dict[str, Any]:
        raise UserError(self.reason)


class RunController(QObject):
    """Builds the Run and Results tabs over one :class:`RunSession` and answers Contract 2."""

    run_finished = Signal(object)  # dict[str, np.ndarray] or an exception (UserError)
    record_finished = Signal(object)  # RunRecord: done, failed or cancelled
    target_changed = Signal(object)  # RunTarget or None
    refused = Signal(str)  # why Run did not start (before run_finished carries it)

    def __init__(self, parent: QObject | None = None, *, warm_up: bool | None = None) -> None:
        super().__init__(parent)
        self.bridge = EngineBridge(self, warm_up=warm_up)
        from inspector_app.ui.settings import custom_ops

        self.bridge.load_ops = custom_ops()  # Run > Custom ops
        self.session = RunSession(self.bridge, post=GuiPost(self))
        config = default_config_dir().parent
        self.inputs = InputBuilder()
        self.inputs.config_dir = default_config_dir()
        self._builder_inputs = BuilderInputs(self.inputs)
        self.session.inputs = self._builder_inputs
        self.run_panel = RunPanel(self.session, self.bridge)
        self.results = ResultsView(label_memory=LabelMemory(config / "labels.json"))
        self.selection: Any = None  # the window's SignatureSelection behind the target

        scroll = QScrollArea(objectName="inputsScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.inputs)
        self.run_tab = QSplitter(Qt.Orientation.Vertical, objectName="runTab")
        self.run_tab.addWidget(scroll)
        self.run_tab.addWidget(self.run_panel)
        self.run_tab.setSizes([320, 420])

        self._snapshot: tuple[inputset.InputSet, str] | None = None  # inputs of the run going on
        self._last_saved: tuple[inputset.InputSet, str] | None = None
        self.inputs.ready_changed.connect(lambda *_: self.session.check_inputs())
        self.bridge.load_failed.connect(self.session.engine_failed)  # after the panel's slot
        self.session.target_changed.subscribe(self._on_target)
        self.session.started.subscribe(self._on_started)
        self.session.finished.subscribe(self._on_finished)
        self.session.refused.subscribe(self._on_refused)
        self.session.shown_changed.subscribe(self._show_in_results)

    # ------------------------------------------------------------------ state

    def set_signature(self, selection: Any) -> None:
        """Make ``selection`` (a SignatureSelection) Run's target and show its inputs."""
        sig, info = selection.signature, selection.info
        if sig.key == INIT_OP_KEY:  # TF's initialiser entry, listed as saved_model_cli does
            self.clear_signature()
            self.run_panel.say(
                f"{INIT_OP_KEY} is the model's initialiser, run when the model loads; "
                "select another signature to run"
            )
            return
        self.selection = selection
        self.session.set_target(RunTarget.of(info, selection.tags, sig))
        self.session.inputs = self._builder_inputs
        self.inputs.signature = sig.key
        self.inputs.set_model(Path(info.path).name, str(info.path), info.model_dir)
        self.inputs.set_specs(sig.inputs)
        self.inputs.set_example_features(*example_features_for(info, selection.tags, sig))
        samples = demo_sample_inputs(info.model_dir, sig.key)
        for name, sample in samples.items():
            self.inputs.set_input(name, str(sample))
        restored = "" if samples else self._restore_last_inputs(sig.key, str(info.path))
        self.session.check_inputs()
        if restored:
            self.run_panel.say(restored)

    def expect_target(self, target: RunTarget, reading: str) -> None:
        """``target`` is Run's target from now on, its model still being read (another version
        of a base folder): Run says so until ``set_signature`` brings its inputs."""
        self.selection = None
        self.session.set_target(target)
        self.inputs.set_specs([])
        self.session.set_inputs(WaitingInputs(reading))

    def clear_signature(self) -> None:
        self.selection = None
        self.session.set_target(None)
        self.session.inputs = self._builder_inputs
        self.inputs.set_specs([])

    def run_target(self) -> tuple[str, int | None, tuple[str, ...], str] | None:
        """(model path, version, tags, signature) of what Run runs now, or None."""
        target = self.session.target
        return target.as_tuple() if target is not None else None

    def model_closed(self, info: Any) -> None:
        """Give the worker's memory back when the loaded model's window row goes."""
        key = self.bridge.loaded_key
        if key is not None and key[0] == str(Path(info.model_dir).resolve()):
            self.bridge.unload()
        if self.selection is not None and self.selection.info is info:
            self.clear_signature()

    # ------------------------------------------------------------------ Contract 2

    def set_input(self, name: str, value: Any) -> None:
        self.inputs.set_input(name, value)
        self.session.check_inputs()

    def run(self) -> bool:
        """Start the target (the Run button's door too); False, and ``run_finished`` with the
        reason unless the user declined or a run is going on, when nothing started."""
        return self.session.run() is not None

    def cancel(self) -> None:
        self.session.cancel()

    def shutdown(self) -> None:
        self.bridge.close()

    # ------------------------------------------------------------------ the session

    def _on_target(self, target: RunTarget | None) -> None:
        self.target_changed.emit(target)

    def _on_refused(self, refusal: Refusal) -> None:
        if not refusal.silent:
            self.refused.emit(refusal.reason)
            self.run_finished.emit(UserError(refusal.reason))

    def _on_started(self, record: RunRecord) -> None:
        target = record.target
        snapshot = self.inputs.input_set(f"last {target.signature}", target.signature)
        self._snapshot = (snapshot, target.model_path)

    def _on_finished(self, record: RunRecord) -> None:
        # Every run ends in run_finished: nothing below may stop it (a failure is a status line).
        try:
            if record.status == "done":
                self._remember_inputs()
        except Exception as err:  # noqa: BLE001
            self.run_panel.say(f"The inputs could not be remembered: {err}")
        self.record_finished.emit(record)
        if record.result is None:
            self.run_finished.emit(run_error(record))
        else:
            self.run_finished.emit(dict(record.result.outputs))

    def _show_in_results(self, record: RunRecord | None) -> None:
        """The Results tab names the run it shows; another target clears it."""
        target = self.session.target
        if record is None:
            label = target.label() if target is not None else ""
            self.results.clear(label, "Run this signature to see its outputs here.")
            return
        when = time.strftime("%H:%M:%S", time.localtime(record.started))
        title = f"{record.target.label()} · run at {when}"
        if record.result is None:
            self.results.clear(title, f"No outputs: {record.outcome()} (the Run tab has it all)")
            return
        try:
            self.results.show_outputs(record.result.outputs, self._context(record))
        except Exception as err:  # noqa: BLE001
            self.run_panel.say(f"The results could not be shown: {err}")
        self.results.set_title(f"{title} · {record.timing_text()}")

    @staticmethod
    def _context(record: RunRecord) -> dict[str, Any]:
        target, result = record.target, record.result
        assert result is not None
        context: dict[str, Any] = {
            "signature": target.signature,
            "tags": list(target.tags),
            "device": result.device,
            "timings": dict(result.timing),
            "inputs": {k: np.asarray(v) for k, v in record.feeds.items()},
            "model_path": target.model_dir,
            "assets_dir": str(Path(target.model_dir) / "assets"),
        }
        if target.method_name:
            context["method_name"] = target.method_name
        image = _image_feed(record.feeds)
        if image is not None:
            context["image"] = image
        return context

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
