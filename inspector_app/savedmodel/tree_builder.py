"""Turn a loaded SavedModel into the tree the window shows (plain ``TreeNode``s, no Qt)."""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

from inspector_app.errors import UserError
from inspector_app.safeio import read_regular, special_kind
from inspector_app.savedmodel.dtypes import dtype_name, enum_of, shape_text, tf_dtype_name
from inspector_app.savedmodel.functions import concrete_functions
from inspector_app.savedmodel.loader import (
    MetaGraphInfo,
    SavedModelInfo,
    SignatureInfo,
    TensorInfo,
    load_model,
)
from inspector_app.savedmodel.tree import TreeNode
from inspector_app.units import human_bytes

MAX_ASSET_FILES = 500


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


def model_name(info: SavedModelInfo) -> str:
    """The name TF Serving would serve it under: the base folder, else the model folder."""
    if info.base_dir is not None:
        return info.base_dir.name
    folder = info.model_dir
    if folder.name.isdigit() and folder.parent.name:
        return folder.parent.name
    return folder.name


def serving_metadata(info: SavedModelInfo, sig: SignatureInfo) -> dict:
    """What TF Serving's REST ``GET /v1/models/NAME/metadata`` returns for this one signature."""
    from google.protobuf.json_format import MessageToDict

    try:
        body = MessageToDict(
            sig.proto, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
        )
    except TypeError:  # protobuf < 5.26
        body = MessageToDict(
            sig.proto, preserving_proto_field_name=True, including_default_value_fields=True
        )
    version = info.version
    if version is None and info.model_dir.name.isdigit():
        version = int(info.model_dir.name)
    return {
        "model_spec": {
            "name": model_name(info),
            "signature_name": "",
            "version": str(version) if version is not None else "",
        },
        "metadata": {"signature_def": {"signature_def": {sig.key: body}}},
    }


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


def _assets_node(info: SavedModelInfo, mg: MetaGraphInfo) -> TreeNode:
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


def _variables_node(info: SavedModelInfo, mg: MetaGraphInfo) -> TreeNode:
    index = info.model_dir / "variables" / "variables.index"
    size = info.breakdown.get("variables", 0)
    if not index.is_file():
        return TreeNode("variables", "Variables", "none (no variables/variables.index)")

    def load() -> list[TreeNode]:
        from inspector_app.savedmodel.integrity import first_problem_message
        from inspector_app.savedmodel.variables import group_nodes

        damaged = first_problem_message(info.model_dir)  # a pipe or a cut shard: said in words
        if damaged is not None:
            return [TreeNode("problem", "damaged", damaged, severity="error")]
        return group_nodes(info.model_dir, mg.proto, node)

    node = TreeNode(
        "variables",
        "Variables",
        human_bytes(size),
        details={"index": str(index), "bytes": size},
        load_children=load,
    )
    return node


def _ops_node(mg: MetaGraphInfo) -> TreeNode:
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


def _functions_node(mg: MetaGraphInfo) -> TreeNode | None:
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


def _library_node(mg: MetaGraphInfo) -> TreeNode | None:
    """Every function of ``graph_def.library`` (read when the row is first expanded)."""
    count = len(mg.proto.graph_def.library.function)
    if not count:
        return None

    def load() -> list[TreeNode]:
        from inspector_app.savedmodel.functions import library_nodes

        return library_nodes(mg.proto)

    return TreeNode(
        "library",
        "Function library",
        f"{count} function{'' if count == 1 else 's'}",
        details={"functions": count},
        load_children=load,
    )


def facts(info: SavedModelInfo, mg: MetaGraphInfo) -> list[tuple[str, str]]:
    """(label, value) pairs: who wrote the model and what it weighs."""
    meta = mg.proto.meta_info_def
    out = [
        ("TensorFlow version", meta.tensorflow_version or "unknown"),
        ("TensorFlow git version", meta.tensorflow_git_version or "unknown"),
        ("SavedModel schema version", str(info.proto.saved_model_schema_version)),
        ("format", f"{info.pb_path.name} ({'binary' if info.format == 'pb' else 'text'})"),
        ("written by", "TF2 (object graph)" if mg.proto.object_graph_def.nodes else "TF1"),
    ]
    fp = fingerprint(info.model_dir)
    if fp:
        out += fp
    out += [
        ("graph bytes", f"{info.breakdown.get('graph', 0):,}"),
        ("variables bytes", f"{info.breakdown.get('variables', 0):,}"),
        ("assets bytes", f"{info.breakdown.get('assets', 0):,}"),
        ("total bytes", f"{info.size_bytes:,}" + ("" if info.size_complete else " (at least)")),
        ("stripped default attrs", "yes" if meta.stripped_default_attrs else "no"),
    ]
    return out


def fingerprint(model_dir: Path) -> list[tuple[str, str]]:
    """The fields of ``fingerprint.pb`` (TF >= 2.12 writes it), or nothing."""
    path = model_dir / "fingerprint.pb"
    kind = special_kind(path)
    if kind is not None:
        return [("fingerprint", f"fingerprint.pb is {kind}, not a file: not read")]
    try:
        data = read_regular(path, 1 << 20, "a fingerprint.pb")
    except UserError as err:
        return [("fingerprint", f"fingerprint.pb not read: {err.args[0]}")] if path.exists() else []
    from inspector_app.savedmodel import protos

    try:
        fp = protos.module("fingerprint_pb2").FingerprintDef.FromString(data)
    except Exception:  # noqa: BLE001 - a damaged fingerprint is reported, not fatal
        return [("fingerprint", "fingerprint.pb is unreadable")]
    return [
        ("fingerprint saved_model_checksum", str(fp.saved_model_checksum)),
        ("fingerprint graph_def_program_hash", str(fp.graph_def_program_hash)),
        ("fingerprint signature_def_hash", str(fp.signature_def_hash)),
        ("fingerprint saved_object_graph_hash", str(fp.saved_object_graph_hash)),
        ("fingerprint checkpoint_hash", str(fp.checkpoint_hash)),
    ]


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
    children += [_assets_node(info, mg), _variables_node(info, mg), _ops_node(mg)]
    functions = _functions_node(mg)
    if functions is not None:
        children.append(functions)
    library = _library_node(mg)
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


__all__ = ["build_tree", "content_nodes", "dtype_name", "human_bytes", "serving_metadata"]
