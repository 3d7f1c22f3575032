"""The models open in the window: one ``OpenModel`` per top-level row of the tree.

Qt-free: the list, and which model, version and tag set a tree row belongs to.
``ModelOpener`` fills the list.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the savedmodel package loads after the window is on screen
    from inspector_app.savedmodel.tree import TreeNode


@dataclass
class OpenModel:
    """One model shown in the tree (a top-level row)."""

    path: str  # as the user gave it, absolute
    version: int | None  # the version asked for (None: the default, the highest)
    info: Any  # savedmodel.SavedModelInfo
    tree: TreeNode
    load_ms: float


class OpenModels:
    """The open models in the order they were opened (a reopened path keeps its place)."""

    def __init__(self) -> None:
        self._models: list[OpenModel] = []

    def __iter__(self) -> Iterator[OpenModel]:
        return iter(list(self._models))

    def __len__(self) -> int:
        return len(self._models)

    def all(self) -> list[OpenModel]:
        return list(self._models)

    def last(self) -> OpenModel | None:
        return self._models[-1] if self._models else None

    def with_path(self, path: str) -> OpenModel | None:
        return next((m for m in self._models if m.path == path), None)

    def add(self, model: OpenModel) -> None:
        self._models.append(model)

    def remove(self, model: OpenModel) -> None:
        self._models.remove(model)

    def model_of(self, node: TreeNode | None) -> OpenModel | None:
        """The open model whose tree holds ``node`` (None for no node or a closed model's)."""
        if node is None:
            return None
        top = next((n for n in node.path() if n.kind != "root"), None)
        return next((m for m in self._models if m.tree is top), None)

    def current_first(self, current: OpenModel | None) -> list[OpenModel]:
        """``current`` first, then the others, the most recently opened first."""
        rest = [m for m in reversed(self._models) if m is not current]
        return ([current] if current is not None else []) + rest

    def is_open(self, info: Any) -> bool:
        return any(m.info is info for m in self._models)


def tags_of(node: TreeNode) -> tuple[str, ...] | None:
    """The tag set of the MetaGraphDef row above ``node`` (None when there is none)."""
    for anc in reversed(node.path()):
        if anc.kind == "meta_graph":
            tags = anc.details.get("tags")
            if isinstance(tags, str):
                tags = tags.split(",")
            if tags is None:
                tags = anc.name.split(",")
            return tuple(t.strip() for t in tags if t.strip())
    return None


def version_of(node: TreeNode) -> int | None:
    """The version of the version row above ``node`` (None outside a TF Serving base folder)."""
    for anc in reversed(node.path()):
        if anc.kind == "version":
            value = anc.details.get("version", anc.name)
            try:
                return int(value)
            except (TypeError, ValueError):
                return None
    return None
