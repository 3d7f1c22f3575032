"""The tree the window shows, as plain Python nodes (no Qt): the UI wraps it in a Qt item model.

``build_tree`` (in ``savedmodel.tree_builder``) turns a loaded model into these nodes. Kinds:
model, version, ignored, meta_graph, signature, inputs, outputs, tensor, assets, asset,
variables, variable_group, variable, ops, op, functions, function, library, library_function, facts, fact, problem.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False)
class TreeNode:
    kind: str
    name: str
    summary: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    children: list[TreeNode] = field(default_factory=list)
    # Children that are costly to read (variables from the bundle index) load on first expand.
    load_children: Callable[[], list[TreeNode]] | None = None
    tooltip: str = ""
    copy_value: str | None = None  # what "Copy tensor name" and similar copy
    cli_command: str | None = None  # the equivalent saved_model_cli command line
    severity: str | None = None  # "error" / "warning" for problem nodes
    parent: TreeNode | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for child in self.children:
            child.parent = self

    def ensure_children(self) -> list[TreeNode]:
        """Run ``load_children`` once; a failure becomes a single problem child."""
        if self.load_children is not None:
            loader, self.load_children = self.load_children, None
            try:
                kids = loader()
            except Exception as err:  # noqa: BLE001 - shown to the user as a tree row
                kids = [TreeNode("problem", "could not read", str(err), severity="error")]
            self.add_children(kids)
        return self.children

    def add_children(self, kids: list[TreeNode]) -> None:
        for child in kids:
            child.parent = self
        self.children.extend(kids)

    @property
    def has_children(self) -> bool:
        return bool(self.children) or self.load_children is not None

    def path(self) -> list[TreeNode]:
        node: TreeNode | None = self
        out: list[TreeNode] = []
        while node is not None:
            out.append(node)
            node = node.parent
        return out[::-1]

    def find(self, predicate: Callable[[TreeNode], bool]) -> TreeNode | None:
        """Depth-first search over loaded children."""
        if predicate(self):
            return self
        for child in self.children:
            hit = child.find(predicate)
            if hit is not None:
                return hit
        return None

    def details_text(self) -> str:
        lines = [f"{self.kind}: {self.name}" + (f"  ({self.summary})" if self.summary else "")]
        for key, value in self.details.items():
            if isinstance(value, (dict, list)):
                value = json.dumps(value, indent=2, default=str)
            lines.append(f"{key}: {value}")
        return "\n".join(lines)

    def details_json(self) -> str:
        return json.dumps(
            {"kind": self.kind, "name": self.name, "summary": self.summary, **self.details},
            indent=2,
            default=str,
        )
