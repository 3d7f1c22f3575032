"""The TF2 SavedObjectGraph, walked once: each object with its path of attribute names.

Checkpoint keys, the variables' names and specs, and where a concrete function is attached
(``serve``, ``signatures.x``) all come from the same walk from the root object.
"""

from __future__ import annotations

from typing import Any

from inspector_app.savedmodel.dtypes import dtype_name, shape_list

ATTR_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"


def object_paths(meta_graph: Any) -> dict[int, tuple[str, ...]]:
    """Node id -> the attribute names leading to it from the root (``()`` for the root), breadth
    first so each object gets its shortest path, as TensorFlow's checkpoint names it. Empty for
    a TF1 export (no object graph)."""
    nodes = meta_graph.object_graph_def.nodes
    if not nodes:
        return {}
    paths: dict[int, tuple[str, ...]] = {0: ()}
    queue = [0]
    while queue:
        node_id = queue.pop(0)
        for ref in nodes[node_id].children:
            if ref.node_id in paths or ref.node_id >= len(nodes):
                continue
            paths[ref.node_id] = (*paths[node_id], ref.local_name)
            queue.append(ref.node_id)
    return paths


def escape(local_name: str) -> str:
    """One path element as a checkpoint key writes it (tensorflow/python/checkpoint:
    ``.`` -> ``..``, ``/`` -> ``.S``)."""
    return local_name.replace(".", "..").replace("/", ".S")


def checkpoint_path(path: tuple[str, ...]) -> str:
    return "/".join(escape(name) for name in path)


def _variables(meta_graph: Any) -> list[tuple[str, Any]]:
    """(checkpoint path, VariableObject) of every reachable variable but the root."""
    nodes = meta_graph.object_graph_def.nodes
    return [
        (checkpoint_path(path), nodes[node_id].variable)
        for node_id, path in object_paths(meta_graph).items()
        if path and nodes[node_id].WhichOneof("kind") == "variable"
    ]


def _plain_name(name: str) -> str:
    return name[:-2] if name.endswith(":0") else name


def checkpoint_names(meta_graph: Any) -> dict[str, str]:
    """Checkpoint key -> variable name (empty for TF1 exports)."""
    return {path + ATTR_SUFFIX: _plain_name(var.name) for path, var in _variables(meta_graph)}


def variable_specs(meta_graph: Any) -> dict[str, tuple[str, list[int] | None]]:
    """Checkpoint path (the key without ``ATTR_SUFFIX``) -> (dtype, shape) the graph declares;
    dtype is "" and shape None where the graph does not say."""
    return {
        path: (
            dtype_name(var.dtype) if var.dtype else "",
            shape_list(var.shape) if var.HasField("shape") else None,
        )
        for path, var in _variables(meta_graph)
    }


def trainable_flags(meta_graph: Any) -> dict[str, bool]:
    """Checkpoint key -> the variable's ``trainable`` flag."""
    return {path + ATTR_SUFFIX: bool(var.trainable) for path, var in _variables(meta_graph)}


def concrete_names(node: Any) -> list[str] | None:
    """The concrete function names an object-graph node holds (None: the node is no function)."""
    kind = node.WhichOneof("kind")
    if kind == "function":
        return list(node.function.concrete_functions)
    if kind == "bare_concrete_function":
        return [node.bare_concrete_function.concrete_function_name]
    return None


def function_attachments(meta_graph: Any) -> dict[str, list[str]]:
    """Concrete function name -> the attribute paths (``serve``, ``signatures.x``) that call it."""
    nodes = meta_graph.object_graph_def.nodes
    where: dict[str, list[str]] = {}
    for node_id, path in object_paths(meta_graph).items():
        names = concrete_names(nodes[node_id])
        if names is None:
            continue
        for name in names:
            where.setdefault(name, []).append(".".join(path) or "(root)")
    return where
