"""Run follows the tree across versions: a signature chosen under a version of a TF Serving base
folder that is not the loaded one becomes Run's target at once (waiting, with a reason), that
version is opened, and its signature is selected as soon as it is shown."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from inspector_app.ui.open_models import OpenModel, tags_of, version_of
from inspector_app.workflows.run_records import RunTarget

if TYPE_CHECKING:
    from inspector_app.savedmodel.tree import TreeNode


class VersionTarget(QObject):
    """Installed on the main window (``runner``, ``open_model``, ``select_signature``)."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.pending: tuple[str, int, str, tuple[str, ...] | None] | None = None
        window.model_opened.connect(self._on_opened)
        window.model_failed.connect(self._on_failed)

    def follow(self, model: OpenModel, node: TreeNode) -> None:
        """``node``: a signature row under a version of ``model`` that is not loaded."""
        version = version_of(node)
        if version is None:
            return
        tags, key = tags_of(node), node.details.get("key", node.name)
        info = model.info
        folder = (getattr(info, "version_dirs", None) or {}).get(version)
        base = getattr(info, "base_dir", None) or Path(model.path)
        target = RunTarget(
            str(info.path), str(folder or Path(base) / str(version)), version, tags or (), key
        )
        reading = f"version {version} is being read; Run is ready once its inputs show"
        self.window.runner.expect_target(target, reading)
        self.pending = (str(info.path), version, key, tags)
        self.window.open_model(model.path, version)

    def _on_opened(self, info: Any) -> None:
        pending = self.pending
        if pending is None or str(info.path) != pending[0] or info.version != pending[1]:
            return
        self.pending = None
        _path, _version, key, tags = pending
        self.window.select_signature(key, list(tags) if tags else None)

    def _on_failed(self, message: str) -> None:
        if self.pending is not None and self.pending[0] in message:
            self.pending = None
            self.window.runner.clear_signature()  # the window has shown why
