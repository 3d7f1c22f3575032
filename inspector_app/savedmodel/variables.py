"""Variables of a SavedModel from its checkpoint index, grouped by layer like a Keras summary."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector_app.savedmodel.bundle import BundleEntry, read_bundle_index
from inspector_app.savedmodel.dtypes import shape_text

ATTR_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"


@dataclass
class VariableInfo:
    name: str  # the variable's own name ("dense/kernel"), else its checkpoint key without suffix
    key: str  # the checkpoint key
    dtype: str
    shape: list[int] | None
    size_bytes: int
    params: int

    @property
    def group(self) -> str:
        return self.name.rsplit("/", 1)[0] if "/" in self.name else ""

    @property
    def short_name(self) -> str:
        return self.name.rsplit("/", 1)[-1]


def _escape(local_name: str) -> str:
    # tensorflow/python/checkpoint/checkpoint.py: "." -> "..", "/" -> ".S"
    return local_name.replace(".", "..").replace("/", ".S")


def checkpoint_names(meta_graph: Any) -> dict[str, str]:
    """Checkpoint key -> variable name, from a TF2 SavedObjectGraph (empty for TF1 exports)."""
    graph = meta_graph.object_graph_def
    if not graph.nodes:
        return {}
    paths: dict[int, str] = {0: ""}
    queue = [0]
    while queue:
        node_id = queue.pop(0)
        for ref in graph.nodes[node_id].children:
            if ref.node_id in paths or ref.node_id >= len(graph.nodes):
                continue
            prefix = paths[node_id]
            paths[ref.node_id] = (
                f"{prefix}/{_escape(ref.local_name)}" if prefix else _escape(ref.local_name)
            )
            queue.append(ref.node_id)
    out: dict[str, str] = {}
    for node_id, path in paths.items():
        node = graph.nodes[node_id]
        if node.WhichOneof("kind") == "variable" and path:
            name = node.variable.name
            out[path + ATTR_SUFFIX] = name[:-2] if name.endswith(":0") else name
    return out


def read_variables(model_dir: Path, meta_graph: Any | None = None) -> list[VariableInfo]:
    """The variables in ``variables/variables.index``, named as the model names them."""
    _, entries = read_bundle_index(model_dir / "variables" / "variables.index")
    names = checkpoint_names(meta_graph) if meta_graph is not None else {}
    seen: set[str] = set()
    out = []
    for entry in entries:
        if entry.key == OBJECT_GRAPH_KEY:
            continue
        out.append(_variable(entry, names, seen))
    return out


def _variable(entry: BundleEntry, names: dict[str, str], seen: set[str]) -> VariableInfo:
    name = names.get(entry.key) or ""
    if not name or name in seen:  # Keras 3 may reuse short names; the key is unique
        name = entry.key[: -len(ATTR_SUFFIX)] if entry.key.endswith(ATTR_SUFFIX) else entry.key
    seen.add(name)
    return VariableInfo(
        name=name,
        key=entry.key,
        dtype=entry.dtype,
        shape=entry.shape,
        size_bytes=entry.size_bytes,
        params=entry.num_elements,
    )


def describe(var: VariableInfo) -> str:
    return f"{var.dtype} {shape_text(var.shape)}"


def _bytes(n: int) -> str:
    from inspector_app.savedmodel.tree_builder import human_bytes

    return human_bytes(n)


def group_nodes(model_dir: Path, meta_graph: Any | None, parent: Any = None) -> list[Any]:
    """Variable nodes grouped by layer/module path, each group with its parameter count.

    ``parent`` (the Variables node) gets a summary with the totals once the index is read.
    """
    from inspector_app.savedmodel.tree import TreeNode

    variables = read_variables(model_dir, meta_graph)
    groups: dict[str, list[VariableInfo]] = {}
    for var in variables:
        groups.setdefault(var.group, []).append(var)
    out: list[TreeNode] = []
    for group in sorted(groups, key=lambda g: (g == "", g)):
        members = groups[group]
        kids = [
            TreeNode(
                "variable",
                var.short_name if group else var.name,
                f"{describe(var)} · {var.params:,} params · {_bytes(var.size_bytes)}",
                details={
                    "name": var.name,
                    "checkpoint_key": var.key,
                    "dtype": var.dtype,
                    "shape": var.shape,
                    "params": var.params,
                    "bytes": var.size_bytes,
                },
                copy_value=var.name,
            )
            for var in members
        ]
        if not group:
            out.extend(kids)
            continue
        params = sum(v.params for v in members)
        nbytes = sum(v.size_bytes for v in members)
        out.append(
            TreeNode(
                "variable_group",
                group,
                f"{len(members)} variables · {params:,} params · {_bytes(nbytes)}",
                details={"variables": len(members), "params": params, "bytes": nbytes},
                children=kids,
                copy_value=group,
            )
        )
    if parent is not None:
        params = sum(v.params for v in variables)
        nbytes = sum(v.size_bytes for v in variables)
        parent.summary = f"{len(variables)} variables · {params:,} params · {_bytes(nbytes)}"
        parent.details.update({"variables": len(variables), "params": params, "bytes": nbytes})
    return out
