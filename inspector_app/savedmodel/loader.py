"""Parse a SavedModel on disk without the TensorFlow runtime.

``load_model`` accepts a SavedModel folder, a ``saved_model.pb``/``.pbtxt`` file, or a TF Serving
base folder whose numeric sub-folders are versions (found by ``savedmodel.locate``). Anything
wrong with the input becomes a ``ModelError`` (one line naming the path); what can be shown
despite a defect becomes a ``problems`` entry instead.
"""

from __future__ import annotations

import os
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

from inspector_app.errors import UserError
from inspector_app.safeio import SpecialFileError, read_regular, refuse_message, special_kind
from inspector_app.savedmodel import protos
from inspector_app.savedmodel.dtypes import dtype_name, shape_list
from inspector_app.savedmodel.locate import find_model
from inspector_app.savedmodel.model_info import (
    MetaGraphInfo,
    ModelError,
    SavedModelInfo,
    SignatureInfo,
    TensorInfo,
)
from inspector_app.savedmodel.sizes import folder_sizes
from inspector_app.units import human_bytes

MAX_PB_BYTES = 2**31  # protobuf's own limit: a larger saved_model.pb is damaged or not one
_VAR_OPS = {"VariableV2", "Variable", "VarHandleOp", "AutoReloadVariable"}


# --------------------------------------------------------------------------- parsing


def _read_bytes(path: Path) -> bytes:
    kind = special_kind(path)
    if kind is not None:
        raise ModelError(path, refuse_message(kind, "the SavedModel file"))
    try:
        size = path.stat().st_size
        if size > MAX_PB_BYTES:
            raise ModelError(
                path,
                f"is {human_bytes(size)}, over protobuf's {human_bytes(MAX_PB_BYTES)} limit: the "
                "file is damaged or not a SavedModel; export the model again",
            )
        return read_regular(path, MAX_PB_BYTES, "a SavedModel file")
    except SpecialFileError as err:
        raise ModelError(path, str(err.args[0])) from None
    except UserError as err:
        if isinstance(err, ModelError):
            raise
        raise ModelError(path, str(err.args[0])) from None
    except MemoryError:
        raise ModelError(path, "too large to read into memory; is it a SavedModel?") from None
    except PermissionError:
        raise ModelError(path, "permission denied: cannot read the file") from None
    except IsADirectoryError:
        raise ModelError(path, "is a folder, expected a file") from None
    except OSError as err:
        raise ModelError(path, f"cannot read: {err.strerror or err}") from None


def _parse(pb_path: Path) -> tuple[Any, str]:
    try:
        saved_model_pb2 = protos.saved_model_pb2()
    except ImportError as err:
        raise ModelError(pb_path, str(err)) from None
    data = _read_bytes(pb_path)
    if not data:
        raise ModelError(pb_path, "the file is empty (0 bytes)")
    message = saved_model_pb2.SavedModel()
    if pb_path.suffix == ".pbtxt":
        from google.protobuf import text_format

        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise ModelError(pb_path, f"not a text file (byte {err.start} is not UTF-8)") from None
        try:
            text_format.Parse(text, message, allow_unknown_extension=True)
        except text_format.ParseError as err:
            line, column = err.GetLine(), err.GetColumn()
            msg = str(err)
            # the message starts with "line:column : " when the position is known
            prefix = f"{line}:{column} : "
            if msg.startswith(prefix):
                msg = msg[len(prefix) :]
            quoted = re.match(r"'(.*)': (.+)$", msg, re.DOTALL)
            if quoted:  # the parser echoes the whole line: keep a short piece around the column
                text_line, msg = quoted.groups()
                piece = text_line.strip()
                if len(piece) > 40:
                    piece = text_line[max(0, (column or 1) - 20) : (column or 1) + 20].strip()
                msg = f"{msg} (near '{piece}')"
            where = f"line {line}, column {column}: " if line else ""
            raise ModelError(pb_path, f"syntax error at {where}{msg}") from None
        except (RecursionError, ValueError) as err:  # nesting too deep, bad enum values
            raise ModelError(pb_path, f"cannot parse the text file: {err}") from None
        fmt = "pbtxt"
    else:
        from google.protobuf.message import DecodeError

        try:
            message.ParseFromString(data)
        except (DecodeError, RuntimeError, ValueError, RecursionError) as err:
            detail = str(err).rsplit(":", 1)[-1].strip() or type(err).__name__
            raise ModelError(
                pb_path,
                f"not a valid SavedModel protobuf, the file is truncated or corrupt "
                f"({len(data):,} bytes; {detail})",
            ) from None
        fmt = "pb"
    if not message.meta_graphs:
        raise ModelError(
            pb_path,
            f"holds no MetaGraphDef ({len(data)} bytes); the file is not a SavedModel or is damaged",
        )
    return message, fmt


def _tensor_info(key: str, info: Any) -> TensorInfo:
    encoding = info.WhichOneof("encoding") or "name"
    dtype, shape, kind = dtype_name(info.dtype), shape_list(info.tensor_shape), "dense"
    written = dtype_name(info.dtype, keep_ref=True)
    if encoding == "coo_sparse":
        tensor_name = info.coo_sparse.values_tensor_name
        kind = "sparse"
    elif encoding == "composite_tensor":
        names = [c.name for c in info.composite_tensor.components if c.name]
        tensor_name = ",".join(names)
        kind, dtype, shape = composite_spec(info.composite_tensor)
        written = dtype
    else:
        tensor_name = info.name
    return TensorInfo(
        name=key,
        dtype=dtype,
        shape=shape,
        tensor_name=tensor_name,
        encoding=encoding,
        proto=info,
        kind=kind,
        written_dtype=written if written != dtype else "",
    )


_SPEC_KINDS = {"RaggedTensorSpec": "ragged", "SparseTensorSpec": "sparse"}


def composite_spec(composite: Any) -> tuple[str, str, list[int] | None]:
    """(kind, dtype, shape) of a ``CompositeTensor`` TensorInfo, read from its type spec.

    RaggedTensorSpec and SparseTensorSpec keep ``(shape, dtype, ...)`` first in their state;
    other composites give their class name, the first component's dtype and shape.
    """
    spec = composite.type_spec
    name = spec.type_spec_class_name or spec.TypeSpecClass.Name(spec.type_spec_class)
    kind = _SPEC_KINDS.get(name, name)
    state = spec.type_state
    values = list(state.tuple_value.values) if state.HasField("tuple_value") else []
    shape: list[int] | None = None
    dtype = ""
    for value in values[:2]:
        field_name = value.WhichOneof("kind")
        if field_name == "tensor_shape_value" and shape is None:
            shape = shape_list(value.tensor_shape_value)
        elif field_name == "tensor_dtype_value" and not dtype:
            dtype = dtype_name(value.tensor_dtype_value)
    if not dtype:  # an unknown composite: its first component stands for it
        first = composite.components[0] if composite.components else None
        dtype = dtype_name(first.dtype) if first is not None else "invalid"
        if first is not None and shape is None:
            shape = shape_list(first.tensor_shape)
    return kind, dtype, shape


def _signature(key: str, sig: Any) -> SignatureInfo:
    return SignatureInfo(
        key=key,
        method_name=sig.method_name,
        inputs=[_tensor_info(k, sig.inputs[k]) for k in sorted(sig.inputs)],
        outputs=[_tensor_info(k, sig.outputs[k]) for k in sorted(sig.outputs)],
        proto=sig,
    )


def op_counts(meta_graph: Any) -> dict[str, int]:
    """Op types with their counts over the graph and its function library, most used first."""
    counts: Counter[str] = Counter(node.op for node in meta_graph.graph_def.node)
    for function in meta_graph.graph_def.library.function:
        counts.update(node.op for node in function.node_def)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _meta_graph(mg: Any) -> MetaGraphInfo:
    info = MetaGraphInfo(
        tags=list(mg.meta_info_def.tags),
        signatures=[_signature(k, mg.signature_def[k]) for k in sorted(mg.signature_def)],
        proto=mg,
        op_counts=op_counts(mg),
    )
    if not mg.object_graph_def.nodes:  # TF1: a TensorInfo may declare another dtype
        _feed_graph_dtypes(info)
    return info


def _feed_graph_dtypes(info: MetaGraphInfo) -> None:
    """Inputs take the graph tensor's dtype where the signature declares another (TF Serving's
    half_plus_three: DT_FLOAT on a string placeholder), as saved_model_cli feeds them;
    ``written_dtype`` keeps the declared one for show."""
    from inspector_app.savedmodel.signature_graph import mismatches

    found = {(m.signature, m.name): m for m in mismatches(info.proto) if m.side == "inputs"}
    if not found:
        return
    for sig in info.signatures:
        for t in sig.inputs:
            m = found.get((sig.key, t.name))
            if m is not None:
                t.written_dtype = t.written_dtype or t.dtype
                t.dtype = dtype_name(m.graph)


def _has_variables(meta_graphs: list[MetaGraphInfo]) -> bool:
    for mg in meta_graphs:
        if any(op in _VAR_OPS for op in mg.op_counts):
            return True
        if any(n.WhichOneof("kind") == "variable" for n in mg.proto.object_graph_def.nodes):
            return True
    return False


def _check_variables(info: SavedModelInfo) -> None:
    var_dir = info.model_dir / "variables"
    index = var_dir / "variables.index"
    needs = _has_variables(info.meta_graphs)
    if not var_dir.is_dir():
        if needs:
            info.add_problem(
                "variables/ is missing: the tree shows, running will fail", severity="error"
            )
        return
    if not index.is_file():
        if needs:
            info.add_problem(
                "variables/variables.index is missing: the tree shows, running will fail",
                severity="error",
            )
        return
    kind = special_kind(index)
    if kind is not None:
        info.add_problem(
            f"variables/variables.index is {kind}, not a file: running will fail", "error"
        )
    elif not os.access(index, os.R_OK):
        info.add_problem("variables/variables.index is not readable (permission)", "error")


# --------------------------------------------------------------------------- entry point


def load_model(path: str | os.PathLike, version: int | None = None) -> SavedModelInfo:
    """Open a SavedModel folder, a saved_model.pb(txt) file or a TF Serving base folder.

    Raises ``ModelError`` (one line naming the path) when nothing can be shown.
    """
    start = time.perf_counter()
    raw = Path(os.path.expanduser(str(path)))
    opened = Path(os.path.abspath(raw))
    found = find_model(opened, version)
    proto, fmt = _parse(found.pb_path)
    meta_graphs = [_meta_graph(mg) for mg in proto.meta_graphs]
    model_dir = found.pb_path.parent
    sizes = folder_sizes(model_dir, found.pb_path.name)
    info = SavedModelInfo(
        path=str(opened),
        model_dir=model_dir,
        pb_path=found.pb_path,
        format=fmt,
        versions=found.versions,
        version=found.version,
        ignored=found.ignored,
        proto=proto,
        meta_graphs=meta_graphs,
        size_bytes=sizes.total,
        breakdown=sizes.breakdown,
        problems=[],
        load_ms=0.0,
        base_dir=found.base_dir,
        version_dirs=found.version_dirs,
        size_complete=sizes.complete,
    )
    for note in found.notes:
        info.add_problem(note, "warning")
    if not sizes.complete:
        info.add_problem(
            f"the folder is very large or loops; sizes count the first {sizes.entries} entries only",
            "warning",
        )
    info.special_files = list(sizes.special)
    for rel, kind in sizes.special[:3]:
        info.add_problem(
            f"{rel} is {kind}, not a regular file: refused without reading it; running will fail "
            "until it is replaced by the file the export wrote",
            "error",
        )
    for unreadable in sizes.unreadable[:3]:
        info.add_problem(f"cannot read {unreadable} (permission)", "warning")
    if sizes.loops:
        info.add_problem(
            f"symbolic links not followed (folders or loops): {', '.join(sizes.loops[:3])}",
            "warning",
        )
    _check_variables(info)
    info.load_ms = (time.perf_counter() - start) * 1000.0
    return info
