"""Which signature the window works on: chosen in the tree, or by key with ``select_signature``.

``SignatureChoice`` keeps the current ``SignatureSelection`` and says when it changes
(``selected``); the rows of the tree are matched to the loaded model's ``SignatureInfo`` here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from inspector_app.ui.open_models import OpenModel, OpenModels, tags_of, version_of

if TYPE_CHECKING:
    from inspector_app.savedmodel.tree import TreeNode
    from inspector_app.ui.tree_panel import TreePanel


@dataclass(frozen=True)
class SignatureSelection:
    """A signature of an opened model: what ``signature_selected`` carries as its second value."""

    signature: Any  # savedmodel.SignatureInfo
    tags: tuple[str, ...]
    info: Any  # savedmodel.SavedModelInfo
    node: TreeNode

    @property
    def key(self) -> str:
        return self.signature.key

    @property
    def tag_set(self) -> str:
        """Tags as ``saved_model_cli --tag_set`` takes them: ``serve,gpu``."""
        return ",".join(self.tags)


def signature_nodes(tree: TreeNode) -> list[TreeNode]:
    """The signature rows of a model's tree (loaded rows only), in tree order."""
    found: list[TreeNode] = []

    def walk(node: TreeNode) -> None:
        if node.kind == "signature":
            found.append(node)
            return
        for child in node.children:
            walk(child)

    walk(tree)
    return found


def resolve_signature(model: OpenModel, node: TreeNode) -> SignatureSelection | None:
    """The ``SignatureInfo`` behind a signature row (None when the row is not of the loaded
    version, e.g. a signature listed under another version of a TF Serving base folder)."""
    info = model.info
    version = version_of(node)
    if version is not None and getattr(info, "version", None) not in (None, version):
        return None
    from inspector_app.savedmodel.resolve import find_signature

    found = find_signature(info, tags_of(node), node.details.get("key", node.name))
    if found is None:
        return None
    meta_graph, signature = found
    return SignatureSelection(signature, tuple(meta_graph.tags), info, node)


class SignatureChoice(QObject):
    """The current signature; ``selected(info, selection)`` when it changes."""

    selected = Signal(object, object)  # SavedModelInfo, SignatureSelection
    other_version = Signal(object, object)  # OpenModel, a signature row of a version not loaded
    error = Signal(str)  # one line: no such signature

    def __init__(self, models: OpenModels, tree: TreePanel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.models = models
        self.tree = tree
        self.current: SignatureSelection | None = None

    def select(self, key: str, tags: list[str] | str | None = None) -> bool:
        """Select signature ``key`` (of the MetaGraphDef with ``tags``, if given) in the tree and
        emit ``selected``. Looks in the current model first. False when not found."""
        if isinstance(tags, str):
            tags = tags.split(",")
        wanted = None if tags is None else {t.strip() for t in tags if t.strip()}
        current = self.models.model_of(self.tree.current_node())
        for model in self.models.current_first(current):
            for node in signature_nodes(model.tree):
                if node.details.get("key", node.name) != key:
                    continue
                if wanted is not None and set(tags_of(node) or ()) != wanted:
                    continue
                selection = resolve_signature(model, node)
                if selection is None:
                    continue
                self.tree.reveal(node, quiet=True)
                self._set(selection, always_emit=True)
                return True
        where = f" with tags {','.join(sorted(wanted))}" if wanted else ""
        self.error.emit(f"no signature {key!r}{where} in the open models")
        return False

    def follow(self, node: TreeNode) -> None:
        """A row was chosen in the tree: its signature (or the one above it) becomes current."""
        sig_node = next((n for n in reversed(node.path()) if n.kind == "signature"), None)
        model = self.models.model_of(node)
        if sig_node is not None and model is not None:
            selection = resolve_signature(model, sig_node)
            if selection is not None:
                self._set(selection, always_emit=False)
            elif version_of(sig_node) not in (None, getattr(model.info, "version", None)):
                self.other_version.emit(model, sig_node)

    def forget(self, info: Any) -> None:
        """The model of ``info`` was closed or replaced: its signature is no longer current."""
        if self.current is not None and self.current.info is info:
            self.current = None

    def _set(self, selection: SignatureSelection, *, always_emit: bool) -> None:
        old = self.current
        self.current = selection
        if always_emit or old is None or old.node is not selection.node:
            self.selected.emit(selection.info, selection)
