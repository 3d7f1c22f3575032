"""Variables of a SavedModel from its checkpoint index, grouped by layer like a Keras summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector_app.savedmodel.bundle import BundleEntry, read_bundle_index, small_values
from inspector_app.savedmodel.dtypes import shape_text

ATTR_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"


@dataclass
class VariableInfo:
    name: str  # the variable's own name ("dense/kernel"), else its checkpoint key without suffix
    key: str  # the checkpoint key
    dtype: str
    shape: list[int] | None
    size_bytes: int  # on disk, all copies
    params: int  # elements, counted once
    keys: list[str] = field(default_factory=list)  # every key holding it (Keras 3 saves two)
    value: list | None = None  # the values of a small numeric variable (at most 16 elements)
    role: str = "weight"  # weight | optimizer_slot | bookkeeping (see savedmodel.checkpoint)
    trainable: bool | None = None  # as the SavedObjectGraph records it (TF2), else None

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
    """The variables in ``variables/variables.index``, named as the model names them.

    Keras 3 exports track each variable twice (``variables/N`` and ``_all_variables/N``): copies
    with the same name, dtype and shape become one entry listing both keys.
    """
    header, entries = read_bundle_index(model_dir / "variables" / "variables.index")
    shards = int(header.num_shards) if header is not None else 1
    values = small_values(model_dir / "variables", shards, entries)
    names = checkpoint_names(meta_graph) if meta_graph is not None else {}
    trainable = _trainable(meta_graph) if meta_graph is not None else {}
    roles = _roles(model_dir, (header, entries))
    by_name: dict[str, VariableInfo] = {}
    for entry in entries:
        if entry.key == OBJECT_GRAPH_KEY:
            continue
        var = _variable(entry, names)
        var.value = values.get(entry.key)
        var.role = roles.roles.get(entry.key, "weight")
        if not names.get(entry.key) and roles.full_names.get(entry.key):
            var.name = roles.full_names[entry.key]
        var.trainable = trainable.get(entry.key)
        same = by_name.get(var.name)
        if same is not None and (same.dtype, same.shape) == (var.dtype, var.shape):
            same.keys.append(var.key)
            same.size_bytes += var.size_bytes
            continue
        if same is not None:  # a different variable under the same name: keep the key
            var.name = _strip(entry.key)
        by_name[var.name] = var
    return list(by_name.values())


def _roles(model_dir: Path, index: tuple[Any, list[BundleEntry]]) -> Any:
    from inspector_app.savedmodel.checkpoint import (
        CheckpointError,
        CheckpointReader,
        ObjectGraphFacts,
        checkpoint_roles,
    )

    try:
        return checkpoint_roles(CheckpointReader.for_model(model_dir, index))
    except (CheckpointError, OSError, ValueError):
        return ObjectGraphFacts()


def _trainable(meta_graph: Any) -> dict[str, bool]:
    """Checkpoint key -> the variable's ``trainable`` flag, from the SavedObjectGraph."""
    graph = meta_graph.object_graph_def
    if not graph.nodes:
        return {}
    by_name: dict[str, bool] = {}
    for node in graph.nodes:
        if node.WhichOneof("kind") == "variable":
            name = node.variable.name
            by_name[name[:-2] if name.endswith(":0") else name] = bool(node.variable.trainable)
    return {
        key: by_name[name] for key, name in checkpoint_names(meta_graph).items() if name in by_name
    }


def _strip(key: str) -> str:
    return key[: -len(ATTR_SUFFIX)] if key.endswith(ATTR_SUFFIX) else key


def _variable(entry: BundleEntry, names: dict[str, str]) -> VariableInfo:
    return VariableInfo(
        name=names.get(entry.key) or _strip(entry.key),
        key=entry.key,
        dtype=entry.dtype,
        shape=entry.shape,
        size_bytes=entry.size_bytes,
        params=entry.num_elements,
        keys=[entry.key],
    )


def describe(var: VariableInfo) -> str:
    return f"{var.dtype} {shape_text(var.shape)}"


def _bytes(n: int) -> str:
    from inspector_app.savedmodel.tree_builder import human_bytes

    return human_bytes(n)


def _n(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


ROLE_LABELS = {"optimizer_slot": "optimizer slot", "bookkeeping": "bookkeeping"}


def parameter_counts(variables: list[VariableInfo]) -> dict[str, int]:
    """Values per role: ``weight`` is the model's parameter count (slots and counters apart)."""
    out = {"weight": 0, "optimizer_slot": 0, "bookkeeping": 0}
    for var in variables:
        out[var.role] = out.get(var.role, 0) + var.params
    return out


def totals_text(variables: list[VariableInfo]) -> str:
    """``4 variables · 12,562 params`` (weights), then the optimizer slots and bookkeeping apart."""
    weights = [v for v in variables if v.role == "weight"]
    slots = [v for v in variables if v.role == "optimizer_slot"]
    books = [v for v in variables if v.role == "bookkeeping"]
    parts = []
    if weights or not (slots or books):
        parts.append(
            f"{_n(len(weights), 'variable')} · {_n(sum(v.params for v in weights), 'param')}"
        )
    if slots:
        parts.append(
            f"optimizer: {_n(len(slots), 'slot')} ({sum(v.params for v in slots):,} values)"
        )
    if books:
        parts.append(f"bookkeeping: {len(books)}")
    return " · ".join(parts)


def _var_summary(var: VariableInfo) -> str:
    text = describe(var)
    if var.role in ROLE_LABELS:
        text = f"[{ROLE_LABELS[var.role]}] {text}"
    if var.value is not None and len(var.value) == 1:
        text += f" = {var.value[0]:g}" if var.dtype != "bool" else f" = {var.value[0]}"
    text += f" · {_n(var.params, 'param')} · {_bytes(var.size_bytes)}"
    if len(var.keys) > 1:
        text += f" · saved {len(var.keys)}×"
    return text


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
                _var_summary(var),
                details={
                    "name": var.name,
                    "checkpoint_keys": var.keys,
                    "dtype": var.dtype,
                    "shape": var.shape,
                    "params": var.params,
                    "bytes": var.size_bytes,
                    "role": var.role,
                    **({"trainable": var.trainable} if var.trainable is not None else {}),
                    **({"value": var.value} if var.value is not None else {}),
                },
                copy_value=var.name,
            )
            for var in members
        ]
        if not group:
            out.extend(kids)
            continue
        params = parameter_counts(members)["weight"]
        nbytes = sum(v.size_bytes for v in members)
        out.append(
            TreeNode(
                "variable_group",
                group,
                f"{totals_text(members)} · {_bytes(nbytes)}",
                details={"variables": len(members), "params": params, "bytes": nbytes},
                children=kids,
                copy_value=group,
            )
        )
    if parent is not None:
        counts = parameter_counts(variables)
        nbytes = sum(v.size_bytes for v in variables)
        parent.summary = f"{totals_text(variables)} · {_bytes(nbytes)}"
        parent.details.update(
            {
                "variables": len(variables),
                "params": counts["weight"],
                "optimizer_slot_values": counts["optimizer_slot"],
                "bookkeeping_values": counts["bookkeeping"],
                "bytes": nbytes,
            }
        )
    return out
