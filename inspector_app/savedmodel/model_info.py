"""What a parsed SavedModel holds: its meta graphs, signatures and tensors, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector_app.errors import UserError
from inspector_app.safeio import refuse_message


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
