"""The Variables rows of the model tree: variables grouped by layer or module path, like a
Keras summary, each group with its parameter count and size."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from inspector_app.savedmodel.tree import TreeNode
from inspector_app.savedmodel.variables import (
    ROLE_LABELS,
    VariableInfo,
    describe,
    parameter_counts,
    plural,
    read_variables,
    totals_text,
)
from inspector_app.units import human_bytes


def _var_summary(var: VariableInfo) -> str:
    text = describe(var)
    if var.role in ROLE_LABELS:
        text = f"[{ROLE_LABELS[var.role]}] {text}"
    if var.value is not None and len(var.value) == 1:
        text += f" = {var.value[0]:g}" if var.dtype != "bool" else f" = {var.value[0]}"
    text += f" · {plural(var.params, 'param')} · {human_bytes(var.size_bytes)}"
    if len(var.keys) > 1:
        text += f" · saved {len(var.keys)}×"
    return text


def variable_group_nodes(
    model_dir: Path, meta_graph: Any | None, parent: TreeNode | None = None
) -> list[TreeNode]:
    """Variable nodes grouped by layer/module path, each group with its parameter count.

    ``parent`` (the Variables node) gets a summary with the totals once the index is read.
    """
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
                f"{totals_text(members)} · {human_bytes(nbytes)}",
                details={"variables": len(members), "params": params, "bytes": nbytes},
                children=kids,
                copy_value=group,
            )
        )
    if parent is not None:
        counts = parameter_counts(variables)
        nbytes = sum(v.size_bytes for v in variables)
        parent.summary = f"{totals_text(variables)} · {human_bytes(nbytes)}"
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
