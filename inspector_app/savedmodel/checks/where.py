"""Where a finding points in the model tree: ``find_node`` resolves a finding's ``where`` against
``build_tree``'s nodes (the deepest node it names)."""

from __future__ import annotations

from typing import Any

from inspector_app.savedmodel.tree import TreeNode


def find_node(root: TreeNode, where: dict[str, Any] | str | None) -> TreeNode:
    """The deepest node of ``build_tree``'s tree that ``where`` names (the root if none)."""
    if not where or isinstance(where, str):
        return root
    node = root
    if "version" not in where:  # a base folder: the checks concern the loaded version
        loaded = [c for c in root.children if c.kind == "version" and c.load_children is None]
        node = loaded[0] if len(loaded) == 1 else root
    steps: list[tuple[str, Any]] = []
    for key in ("version", "ignored", "meta_graph", "signature", "side", "tensor", "op", "part"):
        if key in where:
            steps.append((key, where[key]))
    for key, value in steps:
        hit = _child(node, key, value)
        if hit is None and key == "tensor":
            for side in ("inputs", "outputs"):
                group = _child(node, "side", side)
                hit = _child(group, key, value) if group else None
                if hit:
                    break
        if hit is not None:
            node = hit
    return node


def _child(node: TreeNode, key: str, value: Any) -> TreeNode | None:
    kinds = {
        "version": ("version",),
        "ignored": ("ignored",),
        "meta_graph": ("meta_graph",),
        "signature": ("signature",),
        "side": ("inputs", "outputs"),
        "tensor": ("tensor",),
        "op": ("ops",),
        "part": ("assets", "variables"),
    }[key]
    for child in node.ensure_children():
        if child.kind not in kinds:
            continue
        if key == "meta_graph":
            tags = child.details.get("tags")
            if tags is not None and ",".join(tags) == str(value):
                return child
        elif key == "op":
            return next((c for c in child.ensure_children() if c.name == value), child)
        elif key in ("part", "side"):
            if child.kind == value:
                return child
        elif child.name == str(value):
            return child
    return None
