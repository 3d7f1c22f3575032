"""The Checks tab's work: each opened model is checked once, in the thread pool, a moment after
it shows; the tab shows the findings of the model the selection is in."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from inspector_app.ui.background import run_in_background
from inspector_app.ui.checks_panel import ChecksPanel
from inspector_app.ui.open_models import OpenModels

CHECKS_DELAY_MS = 150  # a model's checks start this long after it is shown


class ChecksController(QObject):
    """Runs the checks of the model ``target()`` names and shows them in ``panel``."""

    done = Signal(object)  # list[Finding] for the model just checked
    message = Signal(str, int)  # status bar text, milliseconds
    node_requested = Signal(object)  # TreeNode a finding points at (the user asked to jump)

    def __init__(
        self,
        panel: ChecksPanel,
        models: OpenModels,
        target: Callable[[], Any],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.panel = panel
        self.models = models
        self.target = target  # the SavedModelInfo whose findings the tab should show, or None
        self._findings: dict[int, tuple[Any, list]] = {}  # id(info) -> (info, findings)
        self._shown: Any = None  # the info whose findings the tab shows
        self._waiting: Any = None  # the info whose checks start after CHECKS_DELAY_MS
        self._engine_ops: frozenset | None = None  # from the worker; None: the cached list
        panel.jump_requested.connect(self._jump_to)

    def show_for(self, info: Any) -> None:
        """Show the findings of ``info``'s model (checked once per opened model)."""
        if info is self._shown:
            return
        self._drop_closed()
        cached = self._findings.get(id(info))
        if cached is not None and cached[0] is info:
            self._shown = info
            self.panel.show_findings(cached[1], Path(info.path).name)
        elif info is not self._waiting:
            # Not at once: a model just opened is painted first. The checks are Python in a
            # pool thread and would take the interpreter from the painting for tens of ms.
            self._waiting = info
            QTimer.singleShot(CHECKS_DELAY_MS, self, lambda: self._start_waiting(info))

    def set_registered_ops(self, ops: frozenset) -> None:
        """The worker has said which ops its TensorFlow registers: checks that could not look
        for unknown ops run again with the list (the bundle has no other way to learn it)."""
        self._engine_ops = ops
        stale = [
            info
            for info, findings in self._findings.values()
            if any(f.id == "ops.registry_unknown" for f in findings)
        ]
        for info in stale:
            self._findings.pop(id(info), None)
            if info is self.target():
                self._shown = None
                self._start(info)

    def _drop_closed(self) -> None:
        """Forget the findings of models no longer open (their graphs can be large)."""
        for key in [k for k, (info, _f) in self._findings.items() if not self.models.is_open(info)]:
            del self._findings[key]

    def _start_waiting(self, info: Any) -> None:
        if info is not self._waiting:
            return  # another model was selected meanwhile; its own timer starts its checks
        self._waiting = None
        if info is self.target():
            self._start(info)

    def _start(self, info: Any) -> None:
        ops = self._engine_ops

        def work() -> list:
            from inspector_app.savedmodel.checks import CheckOptions, run_checks

            return run_checks(info, CheckOptions(registered_ops=ops))

        def failed(err: BaseException) -> None:
            self.message.emit(f"Checks could not run: {err}", 6000)

        run_in_background(
            work, lambda findings: self._finished(info, findings), failed, receiver=self
        )

    def _finished(self, info: Any, findings: list) -> None:
        self._findings[id(info)] = (info, findings)  # the info kept alive: its id stays unique
        if info is not self.target():
            return  # the user has moved to another model meanwhile
        self.panel.show_findings(findings, Path(info.path).name)
        self._shown = info
        errors = sum(f.severity == "error" for f in findings)
        warnings = sum(f.severity == "warning" for f in findings)
        if errors or warnings:
            self.message.emit(
                f"Checks: {errors} error(s), {warnings} warning(s) (see the Checks tab)", 6000
            )
        self.done.emit(findings)

    def _jump_to(self, where: Any) -> None:
        from inspector_app.savedmodel.checks import find_node

        model = next((m for m in self.models if m.info is self._shown), None)
        if model is None:
            return
        node = find_node(model.tree, where)
        if node is not None:
            self.node_requested.emit(node)
