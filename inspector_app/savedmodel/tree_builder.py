"""Turn a loaded SavedModel into the tree the window shows (plain ``TreeNode``s, no Qt)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

from inspector_app.savedmodel.dtypes import enum_of, shape_text, tf_dtype_name
from inspector_app.savedmodel.loader import load_model
from inspector_app.savedmodel.model_facts import facts, serving_metadata
from inspector_app.savedmodel.model_info import (
    MetaGraphInfo,
    SavedModelInfo,
    SignatureInfo,
    TensorInfo,
)
from inspector_app.savedmodel.tree import TreeNode
from inspector_app.savedmodel.tree_contents import (
    assets_node,
    functions_node,
    library_node,
    ops_node,
    variables_node,
)
from inspector_app.units import human_bytes


def short_method(method_name: str) -> str:
    """``tensorflow/serving/predict`` -> ``predict``."""
    return method_name.rsplit("/", 1)[-1]


def tensor_summary(t: TensorInfo) -> str:
    """``float32 [?, 3]``; as written for reference types (``float32_ref scalar``), and with the
    kind of a composite (``string ragged [?, ?]``)."""
    dtype = t.written_dtype or t.dtype
    if t.kind != "dense":
        dtype = f"{dtype} {t.kind}"
    return f"{dtype} {shape_text(t.shape)}" if t.shape is not None else f"{dtype} unknown rank"


def cli_show_command(info: SavedModelInfo, mg: MetaGraphInfo, key: str | None = None) -> str:
    parts = ["saved_model_cli", "show", "--dir", str(info.model_dir), "--tag_set", mg.tag_set]
    if key is not None:
        parts += ["--signature_def", key]
    return shlex.join(parts)


# --------------------------------------------------------------------------- nodes


def _tensor_node(t: TensorInfo) -> TreeNode:
    details: dict[str, Any] = {
        "dtype": t.dtype,
        "tf_dtype": tf_dtype_name(t.proto.dtype) if t.proto is not None else "",
        "shape": t.shape,
        "tensor_name": t.tensor_name,
    }
    if t.encoding != "name":
        details["encoding"] = t.encoding
    if t.kind != "dense":
        details["kind"] = t.kind
        if t.encoding == "composite_tensor":
            details["tf_dtype"] = tf_dtype_name(enum_of(t.dtype))
    return TreeNode(
        "tensor",
        t.name,
        tensor_summary(t),
        details=details,
        tooltip=t.tensor_name,
        copy_value=t.tensor_name,
    )


def _signature_node(info: SavedModelInfo, mg: MetaGraphInfo, sig: SignatureInfo) -> TreeNode:
    inputs = TreeNode(
        "inputs",
        "inputs",
        f"{len(sig.inputs)}",
        children=[_tensor_node(t) for t in sig.inputs],
    )
    outputs = TreeNode(
        "outputs",
        "outputs",
        f"{len(sig.outputs)}",
        children=[_tensor_node(t) for t in sig.outputs],
    )
    return TreeNode(
        "signature",
        sig.key,
        short_method(sig.method_name),
        details={
            "key": sig.key,
            "method_name": sig.method_name,
            "tags": mg.tags,
            "inputs": [t.to_json() for t in sig.inputs],
            "outputs": [t.to_json() for t in sig.outputs],
            "serving_metadata": serving_metadata(info, sig),
        },
        children=[inputs, outputs],
        tooltip=sig.method_name,
        copy_value=sig.key,
        cli_command=cli_show_command(info, mg, sig.key),
    )


def _facts_node(info: SavedModelInfo, mg: MetaGraphInfo) -> TreeNode:
    pairs = facts(info, mg)
    children = [TreeNode("fact", k, v, details={"value": v}, copy_value=v) for k, v in pairs]
    meta = mg.proto.meta_info_def
    return TreeNode(
        "facts",
        "Facts",
        f"TF {meta.tensorflow_version or '?'}, {info.format}",
        details=dict(pairs),
        children=children,
    )


def _meta_graph_node(info: SavedModelInfo, mg: MetaGraphInfo) -> TreeNode:
    children = [_signature_node(info, mg, sig) for sig in mg.signatures]
    if not mg.signatures:
        children.append(
            TreeNode(
                "problem",
                "no signatures",
                "TF Serving cannot serve this tag set",
                severity="warning",
            )
        )
    children += [assets_node(info, mg), variables_node(info, mg), ops_node(mg)]
    functions = functions_node(mg)
    if functions is not None:
        children.append(functions)
    library = library_node(mg)
    if library is not None:
        children.append(library)
    children.append(_facts_node(info, mg))
    n = len(mg.signatures)
    return TreeNode(
        "meta_graph",
        ", ".join(mg.tags) or "(no tags)",
        f"{n} signature{'' if n == 1 else 's'}",
        details={"tags": mg.tags, "signature_keys": [s.key for s in mg.signatures]},
        children=children,
        copy_value=mg.tag_set,
        cli_command=cli_show_command(info, mg),
    )


def _problem_nodes(info: SavedModelInfo) -> list[TreeNode]:
    return [
        TreeNode(
            "problem",
            text.split(":", 1)[0],
            text,
            details={"problem": text},
            severity=info.problem_severity.get(text, "warning"),
        )
        for text in info.problems
    ]


def content_nodes(info: SavedModelInfo) -> list[TreeNode]:
    """Problems, then the MetaGraphDefs by tag set."""
    return _problem_nodes(info) + [_meta_graph_node(info, mg) for mg in info.meta_graphs]


def _other_version_node(base: Path, version: int, folder: Path) -> TreeNode:
    def load() -> list[TreeNode]:
        return content_nodes(load_model(base, version=version))

    return TreeNode(
        "version",
        str(version),
        f"folder {folder.name}",
        details={"version": version, "folder": str(folder)},
        load_children=load,
        copy_value=str(folder),
    )


def _display_name(info: SavedModelInfo) -> str:
    """The base folder's name; for a version folder ("00000123") its parent's name too."""
    shown = info.base_dir if info.base_dir is not None else Path(info.path)
    if shown.name in (info.pb_path.name,):  # a saved_model.pb file was opened
        shown = shown.parent
    if shown.name.isdigit() and shown.parent.name:
        return f"{shown.parent.name}/{shown.name}"
    return shown.name or str(shown)


def build_tree(info: SavedModelInfo) -> TreeNode:
    """The whole tree for one opened model: kind "model" at the top."""
    root = TreeNode(
        "model",
        _display_name(info),
        human_bytes(info.size_bytes),
        details={
            "path": info.path,
            "model_dir": str(info.model_dir),
            "file": str(info.pb_path),
            "format": info.format,
            "size_bytes": info.size_bytes,
            "breakdown": info.breakdown,
            "versions": info.versions,
            "version": info.version,
            "load_ms": round(info.load_ms, 1),
        },
        tooltip=info.path,
        copy_value=info.path,
    )
    if info.versions is None or info.base_dir is None:
        root.add_children(content_nodes(info))
        return root
    kids: list[TreeNode] = []
    for v in sorted(info.versions, reverse=True):
        folder = info.version_dirs.get(v, info.base_dir / str(v))
        if v == info.version:
            latest = v == max(info.versions)
            node = TreeNode(
                "version",
                str(v),
                "latest, loaded" if latest else "loaded",
                details={"version": v, "folder": str(folder), "size_bytes": info.size_bytes},
                children=content_nodes(info),
                copy_value=str(folder),
            )
        else:
            node = _other_version_node(info.base_dir, v, folder)
        kids.append(node)
    for name in info.ignored:
        kids.append(
            TreeNode(
                "ignored",
                name,
                "ignored by TF Serving (not a version number)",
                details={"folder": str(info.base_dir / name)},
            )
        )
    root.add_children(kids)
    return root


__all__ = ["build_tree", "content_nodes", "facts"]
