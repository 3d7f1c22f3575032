"""Opening, reopening and closing models: ``ModelLoader`` reads them in the background, the
answers go into ``OpenModels`` and the tree, in the order the user asked for them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from inspector_app.ui import settings
from inspector_app.ui.model_loader import LoadResult, ModelLoader
from inspector_app.ui.open_models import OpenModel, OpenModels
from inspector_app.ui.session import is_demo_path
from inspector_app.ui.tree_panel import TreePanel


class ModelOpener(QObject):
    """Requests models from the loader and shows each answer: a tree, or one-line error."""

    opened = Signal(object)  # SavedModelInfo, once its tree shows
    failed = Signal(str)  # one line naming the path and the problem
    closed = Signal(object)  # SavedModelInfo of a model the user closed
    replaced = Signal(object)  # SavedModelInfo of a model read again (its tree is replaced)
    message = Signal(str, int)  # status bar text, milliseconds (0: until the next)

    def __init__(
        self, loader: ModelLoader, models: OpenModels, tree: TreePanel, parent: QObject | None
    ) -> None:
        super().__init__(parent)
        self.loader = loader
        self.models = models
        self.tree = tree
        loader.loaded.connect(self._on_loaded)
        loader.failed.connect(self._on_failed)

    def open(self, path: str | Path, version: int | None = None) -> int:
        """Start reading ``path`` in the background and return at once (a request id)."""
        text = str(Path(path).expanduser().absolute())
        request_id = self.loader.load(text, version)
        self.message.emit(f"Opening {text}...", 0)
        return request_id

    def close(self, model: OpenModel) -> None:
        self.tree.remove_tree(model.tree)
        self.models.remove(model)
        self.closed.emit(model.info)
        self.tree.refresh_current()
        self.message.emit(f"Closed {model.path}", 3000)

    def reload(self, model: OpenModel) -> None:
        """Read ``model`` again from disk (its tree is replaced in place)."""
        self.open(model.path, model.version)

    def _on_loaded(self, result: LoadResult) -> None:
        try:
            model = self._insert(result)
        except Exception as err:  # noqa: BLE001 - a bad tree must not take the window down
            self._on_failed(result.request_id, result.path, f"{result.path}: cannot show: {err}")
            return
        if not is_demo_path(result.path):  # demos never push the user's models down
            settings.add_recent_model(result.path)
        info = result.info
        extra = f", {len(info.problems)} problem(s)" if getattr(info, "problems", None) else ""
        name = Path(result.path).name or result.path  # the full path is on the right
        self.message.emit(f"Opened {name} in {result.elapsed_ms:.0f} ms{extra}", 5000)
        self.opened.emit(model.info)

    def _insert(self, result: LoadResult) -> OpenModel:
        model = OpenModel(result.path, result.version, result.info, result.tree, result.elapsed_ms)
        old = self.models.with_path(model.path)
        row = None
        if old is not None:  # reopening the same path replaces it (F5 / a second drop)
            row = self.tree.remove_tree(old.tree)
            self.models.remove(old)
            self.replaced.emit(old.info)
        self.models.add(model)
        self.tree.add_tree(model.tree, row)
        return model

    def _on_failed(self, _request_id: int, path: str, message: str) -> None:
        if path not in message:
            message = f"{path}: {message}"
        self.failed.emit(message)
