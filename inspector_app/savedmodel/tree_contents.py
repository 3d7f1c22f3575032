"""The rows under a tag set beside its signatures: assets, variables (grouped by layer), ops,
functions and the function library. Variables and the library are read when first expanded."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from inspector_app.savedmodel.functions import arg_text, concrete_functions, function_library
from inspector_app.savedmodel.integrity import first_problem_message
from inspector_app.savedmodel.model_info import MetaGraphInfo, SavedModelInfo
from inspector_app.savedmodel.tree import TreeNode
from inspector_app.units import human_bytes

MAX_ASSET_FILES = 500


def _walk_files(folder: Path, limit: int) -> tuple[list[tuple[str, int]], bool]:
    out: list[tuple[str, int]] = []
    stack = [folder]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if len(out) >= limit:
                return out, False
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                    continue
                size = os.stat(entry.path).st_size
            except OSError:
                size = -1
            out.append((os.path.relpath(entry.path, folder.parent), size))
    return out, True


def assets_node(info: SavedModelInfo, mg: MetaGraphInfo) -> TreeNode:
    bound: dict[str, str] = {}
    for asset in mg.proto.asset_file_def:
        bound[asset.filename] = asset.tensor_info.name
    children: list[TreeNode] = []
    total = 0
    complete = True
    for sub in ("assets", "assets.extra"):
        folder = info.model_dir / sub
        if not folder.is_dir():
            continue
        files, done = _walk_files(folder, MAX_ASSET_FILES - len(children))
        complete = complete and done
        for rel, size in files:
            total += max(size, 0)
            fname = rel.split(os.sep, 1)[-1]
            details: dict[str, Any] = {"path": str(info.model_dir / rel), "bytes": size}
            if sub == "assets" and fname in bound:
                details["tensor_name"] = bound[fname]
            if sub == "assets.extra":
                details["note"] = (
                    "assets.extra is read by TF Serving (warm-up requests), not the graph"
                )
            children.append(
                TreeNode(
                    "asset",
                    rel.replace(os.sep, "/"),
                    human_bytes(size) if size >= 0 else "unreadable",
                    details=details,
                    copy_value=details["path"],
                )
            )
    for fname, tensor in bound.items():
        if not (info.model_dir / "assets" / fname).exists():
            children.append(
                TreeNode(
                    "problem",
                    f"assets/{fname} is missing",
                    f"the graph reads it through {tensor}",
                    severity="error",
                )
            )
    summary = f"{len(children)} files, {human_bytes(total)}" if children else "none"
    if not complete:
        summary += f" (first {MAX_ASSET_FILES} shown)"
    return TreeNode("assets", "Assets", summary, details={"bytes": total}, children=children)


def variables_node(info: SavedModelInfo, mg: MetaGraphInfo) -> TreeNode:
    index = info.model_dir / "variables" / "variables.index"
    size = info.breakdown.get("variables", 0)
    if not index.is_file():
        return TreeNode("variables", "Variables", "none (no variables/variables.index)")

    def load() -> list[TreeNode]:
        # imported on first expansion: reading the checkpoint brings numpy, which opening a
        # model does not otherwise need
        from inspector_app.savedmodel.variable_rows import variable_group_nodes

        damaged = first_problem_message(info.model_dir)  # a pipe or a cut shard: said in words
        if damaged is not None:
            return [TreeNode("problem", "damaged", damaged, severity="error")]
        return variable_group_nodes(info.model_dir, mg.proto, node)

    node = TreeNode(
        "variables",
        "Variables",
        human_bytes(size),
        details={"index": str(index), "bytes": size},
        load_children=load,
    )
    return node


def ops_node(mg: MetaGraphInfo) -> TreeNode:
    total = sum(mg.op_counts.values())
    children = [
        TreeNode("op", op, f"× {count}", details={"count": count}, copy_value=op)
        for op, count in mg.op_counts.items()
    ]
    n_graph = len(mg.proto.graph_def.node)
    n_funcs = len(mg.proto.graph_def.library.function)
    return TreeNode(
        "ops",
        "Ops",
        f"{len(children)} types, {total} nodes",
        details={
            "graph_nodes": n_graph,
            "library_functions": n_funcs,
            "op_counts": mg.op_counts,
        },
        children=children,
    )


def functions_node(mg: MetaGraphInfo) -> TreeNode | None:
    functions = concrete_functions(mg.proto)
    if not functions:
        return None
    children = []
    for fn in functions:
        options = []
        for i, opt in enumerate(fn.options, 1):
            lines = [f"Argument #{j}: {a}" for j, a in enumerate(opt.args, 1)]
            lines += [f"Named Argument #{j}: {a}" for j, a in enumerate(opt.kwargs, 1)]
            options.append(
                TreeNode(
                    "function",
                    f"Option #{i}",
                    "; ".join(opt.args + opt.kwargs) or "no arguments",
                    details={
                        "concrete_function": opt.concrete_name,
                        "callable_with": lines,
                        "returns": opt.outputs,
                    },
                    copy_value=opt.concrete_name,
                )
            )
        summary = options[0].summary if len(options) == 1 else f"{len(options)} options"
        children.append(
            TreeNode(
                "function",
                fn.name,
                summary,
                details={"kind": fn.kind, "options": [o.details for o in options]},
                children=options if len(options) > 1 else [],
                copy_value=fn.name,
            )
        )
    return TreeNode("functions", "Functions", f"{len(children)}", children=children)


def library_node(mg: MetaGraphInfo) -> TreeNode | None:
    """Every function of ``graph_def.library`` (read when the row is first expanded)."""
    count = len(mg.proto.graph_def.library.function)
    if not count:
        return None

    def load() -> list[TreeNode]:
        return library_nodes(mg.proto)

    return TreeNode(
        "library",
        "Function library",
        f"{count} function{'' if count == 1 else 's'}",
        details={"functions": count},
        load_children=load,
    )


def library_nodes(meta_graph: Any) -> list[TreeNode]:
    """Tree rows (kind ``library_function``) for every function of the library."""
    rows = []
    for fn in function_library(meta_graph):
        plain = [a for a in fn.inputs if not a.dtype.startswith("resource")]
        captured = len(fn.inputs) - len(plain)
        summary = f"({', '.join(arg_text(a) for a in plain)})"
        if captured:
            summary += f" + {captured} captured"
        summary += " -> " + ", ".join(arg_text(a) for a in fn.outputs)
        rows.append(
            TreeNode(
                "library_function",
                fn.name,
                summary,
                details={"function": fn.name, **fn.to_json()},
                copy_value=fn.name,
            )
        )
    return rows
