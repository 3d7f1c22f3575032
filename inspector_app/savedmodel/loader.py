"""Find and parse a SavedModel on disk without the TensorFlow runtime.

``load_model`` accepts a SavedModel folder, a ``saved_model.pb``/``.pbtxt`` file, or a TF Serving
base folder whose numeric sub-folders are versions. Anything wrong with the input becomes a
``ModelError`` (one line naming the path); what can be shown despite a defect becomes a
``problems`` entry instead.
"""

from __future__ import annotations

import errno
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector_app.errors import UserError
from inspector_app.safeio import SpecialFileError, read_regular, refuse_message, special_kind
from inspector_app.savedmodel import protos
from inspector_app.savedmodel.dtypes import dtype_name, shape_list
from inspector_app.savedmodel.sizes import folder_sizes

PB = "saved_model.pb"
PBTXT = "saved_model.pbtxt"
_VAR_OPS = {"VariableV2", "Variable", "VarHandleOp", "AutoReloadVariable"}


class ModelError(UserError):
    """A path that cannot be opened as a SavedModel; ``str()`` names the path and the problem."""

    def __init__(self, path: str | Path, message: str) -> None:
        super().__init__(message, path=str(path))


@dataclass
class TensorInfo:
    name: str  # the key in the signature's inputs/outputs map
    dtype: str  # numpy-style: float32, int64, string, bool, ...
    shape: list[int] | None  # -1 for an unknown dimension, None for unknown rank
    tensor_name: str  # the graph tensor, e.g. "serving_default_x:0"
    encoding: str = "name"  # "name", "coo_sparse" or "composite_tensor"
    proto: Any = field(default=None, repr=False)
    kind: str = "dense"  # "dense", "ragged", "sparse" or another composite's type spec name
    written_dtype: str = ""  # as written, "_ref" kept: "float32_ref" (empty: same as dtype)

    def to_json(self) -> dict:
        out = {
            "name": self.name,
            "dtype": self.written_dtype or self.dtype,
            "shape": self.shape,
            "tensor_name": self.tensor_name,
        }
        if self.kind != "dense":
            out["kind"] = self.kind
        return out


@dataclass
class SignatureInfo:
    key: str
    method_name: str
    inputs: list[TensorInfo]
    outputs: list[TensorInfo]
    proto: Any = field(default=None, repr=False)

    def to_json(self) -> dict:
        return {
            "key": self.key,
            "method_name": self.method_name,
            "inputs": [t.to_json() for t in self.inputs],
            "outputs": [t.to_json() for t in self.outputs],
        }


@dataclass
class MetaGraphInfo:
    tags: list[str]
    signatures: list[SignatureInfo]  # sorted by key
    proto: Any = field(default=None, repr=False)  # the MetaGraphDef
    op_counts: dict[str, int] = field(default_factory=dict)  # graph + function library

    @property
    def tag_set(self) -> str:
        """Tags as ``saved_model_cli`` takes them: ``serve,gpu``."""
        return ",".join(self.tags)

    def signature(self, key: str) -> SignatureInfo | None:
        return next((s for s in self.signatures if s.key == key), None)


@dataclass
class SavedModelInfo:
    path: str  # what was opened, absolute
    model_dir: Path  # the folder holding saved_model.pb(txt); the chosen version for a base folder
    pb_path: Path
    format: str  # "pb" | "pbtxt"
    versions: list[int] | None  # a TF Serving base folder's numeric sub-folders, sorted as numbers
    version: int | None  # the chosen version (default the highest)
    ignored: list[str]  # sub-folders TF Serving ignores (names that are not numbers)
    proto: Any = field(repr=False)  # the SavedModel message
    meta_graphs: list[MetaGraphInfo]
    size_bytes: int
    breakdown: dict[str, int]  # graph / variables / assets / other
    problems: list[str]
    load_ms: float
    base_dir: Path | None = None  # the TF Serving base folder, when one was opened
    version_dirs: dict[int, Path] = field(default_factory=dict)
    size_complete: bool = True  # False when the size walk stopped early (huge or looping folder)
    problem_severity: dict[str, str] = field(default_factory=dict)  # problem text -> severity
    special_files: list[tuple[str, str]] = field(default_factory=list)  # (path in folder, kind)

    def refuse_special(self) -> None:
        """ModelError naming the first pipe, device or socket in the model folder, if any."""
        if self.special_files:
            rel, kind = self.special_files[0]
            more = len(self.special_files) - 1
            raise ModelError(
                self.model_dir / rel,
                refuse_message(kind, "the file the export wrote")
                + (f" ({more} more such entries)" if more else ""),
            )

    def to_json(self) -> dict:
        """What ``show --json`` prints (docs/cli.md), plus a few extra keys."""
        return {
            "path": self.path,
            "versions": self.versions,
            "version": self.version,
            "meta_graphs": [
                {"tags": list(mg.tags), "signatures": [s.to_json() for s in mg.signatures]}
                for mg in self.meta_graphs
            ],
            "size_bytes": self.size_bytes,
            "model_dir": str(self.model_dir),
            "format": self.format,
            "ignored": self.ignored,
            "breakdown": self.breakdown,
            "problems": self.problems,
        }

    def add_problem(self, text: str, severity: str = "warning") -> None:
        self.problems.append(text)
        self.problem_severity[text] = severity


# --------------------------------------------------------------------------- discovery


INT64_MAX = 2**63 - 1
MAX_PB_BYTES = 2**31  # protobuf's own limit: a larger saved_model.pb is damaged or not one


def _is_version_name(name: str) -> bool:
    """A version as TF Serving reads it: a whole number that fits an int64."""
    return name.isascii() and name.isdigit() and int(name) <= INT64_MAX


def versions_text(versions: list[int]) -> str:
    """``1, 2, 3`` for a few versions; ``20,000 versions, 1 to 20000`` for thousands."""
    if len(versions) <= 8:
        return ", ".join(map(str, versions))
    return f"{len(versions):,} versions, {min(versions)} to {max(versions)}"


MAX_LISTED = 10_000  # a model or base folder holds a handful of entries; never list a million


def _list_dir(path: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(path) as it:
            out = []
            for entry in it:
                out.append(entry)
                if len(out) >= MAX_LISTED:
                    break
            return out
    except PermissionError:
        raise ModelError(path, "permission denied: cannot list this folder") from None
    except OSError as err:
        raise ModelError(path, f"cannot list this folder: {err.strerror or err}") from None


MAX_SCANNED = 2_000_000


def _version_entries(path: Path, first: list[os.DirEntry]) -> list[os.DirEntry]:
    """The version folders of a base folder too large to list whole (plus the first entries,
    for the description): the scan keeps only numeric names, so it stays small."""
    keep = list(first)
    seen = {e.name for e in first}
    try:
        with os.scandir(path) as it:
            for n, entry in enumerate(it):
                if n >= MAX_SCANNED:
                    break
                if entry.name not in seen and _is_version_name(entry.name):
                    keep.append(entry)
    except OSError:
        pass
    return keep


def _entry_is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:  # a symlink loop or a dangling link
        return False


def _entry_is_file(entry: os.DirEntry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _model_file_in(folder: Path) -> Path | None:
    for name in (PB, PBTXT):
        candidate = folder / name
        try:
            if candidate.is_file():
                return candidate
        except OSError:
            continue
    for name in (PB, PBTXT):  # a pipe or device under that name: refused by name, not read
        if special_kind(folder / name) is not None:
            return folder / name
    return None


def _describe(entries: list[os.DirEntry]) -> str:
    files = sum(1 for e in entries if _entry_is_file(e))
    dirs = sum(1 for e in entries if _entry_is_dir(e))
    other = len(entries) - files - dirs

    def n(count: int, word: str) -> str:
        return f"{count} {word}{'' if count == 1 else 's'}"

    if len(entries) >= MAX_LISTED:
        return f"more than {MAX_LISTED:,} entries"
    parts = [n(files, "file"), n(dirs, "folder")]
    if other:
        parts.append(n(other, "other entry").replace("entrys", "entries"))
    return ", ".join(parts)


def _check_exists(path: Path) -> None:
    try:
        path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise ModelError(path, "is a broken symbolic link") from None
        raise ModelError(path, "does not exist") from None
    except PermissionError:
        raise ModelError(path, "permission denied") from None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise ModelError(path, "is a symbolic link loop") from None
        raise ModelError(path, f"cannot open: {err.strerror or err}") from None


@dataclass
class _Found:
    pb_path: Path
    base_dir: Path | None = None
    versions: list[int] | None = None
    version: int | None = None
    ignored: list[str] = field(default_factory=list)
    version_dirs: dict[int, Path] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _find(path: Path, version: int | None) -> _Found:
    _check_exists(path)
    if path.is_file():
        if version is not None:
            raise ModelError(path, "--version applies to a TF Serving base folder, not to a file")
        return _Found(pb_path=path)
    if not path.is_dir():
        raise ModelError(
            path,
            refuse_message(
                special_kind(path) or "not a regular file", "a SavedModel folder or saved_model.pb"
            ),
        )
    model_file = _model_file_in(path)
    if model_file is not None:
        if version is not None:
            raise ModelError(
                path,
                f"--version {version} given, but this is a SavedModel folder, not a base folder",
            )
        return _Found(pb_path=model_file)
    entries = _list_dir(path)
    if len(entries) >= MAX_LISTED:  # a huge folder: look through all of it for version folders
        entries = _version_entries(path, entries)
    if not entries:
        raise ModelError(path, "the folder is empty; expected saved_model.pb or saved_model.pbtxt")
    version_dirs: dict[int, Path] = {}
    ignored: list[str] = []
    for entry in entries:
        if not _entry_is_dir(entry):
            continue
        if _is_version_name(entry.name):
            number = int(entry.name)
            # "0123" and "123" name the same version; TF Serving keeps one, so do we
            version_dirs.setdefault(number, Path(entry.path))
        else:
            ignored.append(entry.name)
    ignored.sort()
    if not version_dirs:
        hint = ""
        nested = [n for n in ignored[:50] if _model_file_in(path / n) is not None]
        if nested:
            hint = f"; sub-folder '{nested[0]}' holds one, open that"
        raise ModelError(
            path,
            f"found {_describe(entries)}; no saved_model.pb or saved_model.pbtxt{hint}",
        )
    versions = sorted(version_dirs)
    notes = []
    if version is None:
        with_model = [v for v in versions if _model_file_in(version_dirs[v]) is not None]
        if not with_model:
            raise ModelError(
                path,
                f"a TF Serving base folder with versions {versions_text(versions)}, "
                "but none holds saved_model.pb or saved_model.pbtxt; put the export in one",
            )
        version = with_model[-1]
        for v in versions:
            if v not in with_model:
                notes.append(f"version {v} holds no saved_model.pb: TF Serving cannot load it")
    elif version not in version_dirs:
        raise ModelError(
            path,
            f"no version {version}; versions here: {versions_text(versions)}; "
            "choose one of them with --version",
        )
    chosen = version_dirs[version]
    model_file = _model_file_in(chosen)
    if model_file is None:
        raise ModelError(chosen, "no saved_model.pb or saved_model.pbtxt in this version folder")
    return _Found(
        pb_path=model_file,
        base_dir=path,
        versions=versions,
        version=version,
        ignored=ignored,
        version_dirs=version_dirs,
        notes=notes,
    )


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
                f"is {size / 2**30:,.1f} GiB, over protobuf's 2 GiB limit: the file is damaged "
                "or not a SavedModel; export the model again",
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
    found = _find(opened, version)
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
