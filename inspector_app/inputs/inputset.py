"""Named sets of inputs saved as JSON, and the last set used for each signature.

A set file::

    {"format": "savedmodel-inspector/input-set", "version": 1, "name": "...",
     "signature": "serving_default", "model": "/path/to/model" | null,
     "inputs": {"x": {"dtype": "float32", "shape": [2, 3], "values": [[...], [...]]},
                "s": {"dtype": "string", "shape": [2], "values": ["text", {"b64": "..."}]},
                "big": {"dtype": "float32", "shape": [...], "npy": "set.big.npy"},
                "img": {"image": ["photo.jpg"], "options": {"resize": "crop", ...}}}}

Arrays are stored inline as nested lists, or beside the JSON as ``.npy`` (above a size limit),
or as references to the files they came from (images, .npy/.npz, raw bytes). Relative paths are
relative to the JSON file.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.fileio import atomic_write, atomic_write_text
from inspector_app.inputs.arrays import load_array
from inspector_app.inputs.validate import TensorSpec, as_string_array, dtype_name, numpy_dtype
from inspector_app.safeio import check_regular, read_regular

FORMAT = "savedmodel-inspector/input-set"
VERSION = 1
INLINE_LIMIT = 65_536  # elements; larger arrays go to a .npy file beside the JSON
_LAST_FILE = "last-input-sets.json"


@dataclass(frozen=True)
class FileRef:
    """An input that comes from files: ``kind`` image, npy, npz or bytes."""

    kind: str
    paths: tuple[str, ...]
    key: str | None = None  # the array name inside an .npz
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class InputSet:
    """A named set of inputs for one signature: arrays, or references to files."""

    name: str
    signature: str = "serving_default"
    values: dict[str, np.ndarray | FileRef] = field(default_factory=dict)
    model: str | None = None

    def arrays(self, specs: Sequence[TensorSpec] = ()) -> dict[str, np.ndarray]:
        """Every input as an array (file references read now, images built for the spec)."""
        by_name = {s.name: s for s in specs}
        return {k: materialize(v, by_name.get(k)) for k, v in self.values.items()}


def default_config_dir() -> Path:
    """Where input sets live unless the user chooses: $XDG_CONFIG_HOME or the platform's."""
    if os.name == "nt":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif os.uname().sysname == "Darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "savedmodel-inspector" / "input-sets"


def safe_file_name(name: str) -> str:
    """A file name for a set name (letters, digits, ``-_.``)."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name.strip()).strip("._")
    return cleaned or "inputs"


def _encode_array(arr: np.ndarray, stem: Path, key: str, inline_limit: int) -> dict[str, Any]:
    arr = np.asarray(arr)
    entry: dict[str, Any] = {"dtype": dtype_name(arr), "shape": list(arr.shape)}
    if arr.dtype.kind in "OSU":
        strings = as_string_array(arr).reshape(-1)
        flat = np.empty(strings.size, dtype=object)
        flat[:] = [_string_json(b) for b in strings]
        entry["values"] = flat.reshape(arr.shape).tolist()
        return entry
    if arr.dtype.kind == "c":
        entry["values"] = np.stack([arr.real, arr.imag], axis=-1).tolist()
        entry["complex"] = True
        return entry
    if arr.size > inline_limit:
        npy = stem.with_name(f"{stem.name}.{safe_file_name(key)}.npy")
        atomic_write(npy, lambda f: np.save(f, arr, allow_pickle=False), overwrite=True)
        entry["npy"] = npy.name
        return entry
    entry["values"] = arr.tolist()
    return entry


def _string_json(b: bytes) -> Any:
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        return {"b64": base64.b64encode(b).decode("ascii")}


def _decode_strings(values: Any) -> Any:
    if isinstance(values, list):
        return [_decode_strings(v) for v in values]
    if isinstance(values, dict) and "b64" in values:
        return base64.b64decode(values["b64"])
    if isinstance(values, str):
        return values.encode("utf-8")
    raise UserError(f"unexpected string value {values!r}")


def save_input_set(
    input_set: InputSet,
    folder: str | os.PathLike | None = None,
    *,
    path: str | os.PathLike | None = None,
    overwrite: bool = True,
    inline_limit: int = INLINE_LIMIT,
) -> Path:
    """Write ``input_set`` as ``folder/<name>.json`` (or to ``path``); returns the file."""
    if path is None:
        base = Path(folder) if folder is not None else default_config_dir()
        base.mkdir(parents=True, exist_ok=True)
        target = base / f"{safe_file_name(input_set.name)}.json"
    else:
        target = Path(path)
    if not target.parent.is_dir():
        raise UserError("the folder does not exist", path=str(target.parent))
    if target.exists() and not overwrite:
        raise UserError(
            "already exists; choose another name or allow overwriting", path=str(target)
        )
    stem = target.with_suffix("")
    inputs: dict[str, Any] = {}
    for key, value in input_set.values.items():
        if isinstance(value, FileRef):
            ref: dict[str, Any] = {value.kind: list(value.paths)}
            if value.key is not None:
                ref["key"] = value.key
            if value.options:
                ref["options"] = dict(value.options)
            inputs[key] = ref
        else:
            inputs[key] = _encode_array(value, stem, key, inline_limit)
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "name": input_set.name,
        "signature": input_set.signature,
        "model": input_set.model,
        "inputs": inputs,
    }
    text = json.dumps(doc, indent=1, allow_nan=True) + "\n"
    atomic_write_text(target, text, overwrite=True)
    return target


MAX_SET_FILE_BYTES = 1 << 30  # a set file holds small arrays inline, large ones as .npy


def load_input_set(path: str | os.PathLike) -> InputSet:
    """Read a set file; UserError for anything that is not one."""
    path = Path(path)
    try:
        doc = json.loads(read_regular(path, MAX_SET_FILE_BYTES, "an input-set file").decode())
    except FileNotFoundError:
        raise UserError("no such file", path=str(path)) from None
    except RecursionError:
        raise UserError("not an input-set file (nested too deeply)", path=str(path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UserError(f"not a readable input-set file: {exc}", path=str(path)) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise UserError("not an input-set file (no input-set format marker)", path=str(path))
    if int(doc.get("version", 0)) > VERSION:
        raise UserError("written by a newer version of the inspector", path=str(path))
    values: dict[str, np.ndarray | FileRef] = {}
    for key, entry in (doc.get("inputs") or {}).items():
        try:
            values[key] = _decode_entry(entry, path.parent)
        except UserError as exc:
            raise UserError(f"input {key!r}: {exc}", path=str(path)) from None
        except (KeyError, TypeError, ValueError) as exc:
            raise UserError(f"input {key!r} is malformed ({exc})", path=str(path)) from None
    return InputSet(
        name=str(doc.get("name") or path.stem),
        signature=str(doc.get("signature") or "serving_default"),
        values=values,
        model=doc.get("model"),
    )


def _decode_entry(entry: Mapping[str, Any], folder: Path) -> np.ndarray | FileRef:
    for kind in ("image", "npz", "bytes", "file_npy"):
        if kind in entry:
            paths = tuple(str(_resolve(p, folder)) for p in entry[kind])
            return FileRef(kind, paths, entry.get("key"), dict(entry.get("options") or {}))
    dtype = numpy_dtype(entry["dtype"])
    shape = tuple(int(d) for d in entry["shape"])
    if "npy" in entry:
        arr = load_array(str(_resolve(entry["npy"], folder)))  # sized, no pipes, no pickles
    elif dtype.kind == "O":
        data = _decode_strings(entry["values"])
        arr = np.empty(int(np.prod(shape)) if shape else 1, dtype=object)
        arr[:] = np.array(data, dtype=object).reshape(-1).tolist()
    elif entry.get("complex"):
        pairs = np.asarray(entry["values"], dtype=np.float64)
        arr = (pairs[..., 0] + 1j * pairs[..., 1]).astype(dtype)
    else:
        arr = np.asarray(entry["values"], dtype=dtype)
    if arr.size != int(np.prod(shape)):
        raise UserError(f"has {arr.size} values for shape {list(shape)}")
    return arr.reshape(shape).astype(dtype, copy=False)


def _resolve(p: str, folder: Path) -> Path:
    path = Path(p)
    return path if path.is_absolute() else folder / path


def materialize(value: np.ndarray | FileRef, spec: TensorSpec | None = None) -> np.ndarray:
    """The array for a stored value; file references are read now."""
    if not isinstance(value, FileRef):
        return value
    if value.kind == "image":
        from inspector_app.inputs.images import ImageOptions, build_image_batch

        known = set(ImageOptions.__dataclass_fields__)
        opts = {k: v for k, v in value.options.items() if k in known}
        if "size" in opts and opts["size"] is not None:
            opts["size"] = tuple(opts["size"])
        return build_image_batch(list(value.paths), spec, ImageOptions(**opts))
    if value.kind == "bytes":
        from inspector_app.inputs.strings import file_bytes

        return file_bytes(list(value.paths), spec)
    check_regular(value.paths[0], "a .npy or .npz file")  # a pipe would block np.load
    try:
        with np.load(value.paths[0], allow_pickle=False) as data:
            if value.kind == "file_npy" or not hasattr(data, "files"):
                return np.asarray(data)
            if value.key not in data.files:
                raise UserError(
                    f"has no array {value.key!r} (it has {', '.join(data.files) or 'none'})",
                    path=value.paths[0],
                )
            return data[value.key]
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read the array file: {exc}", path=value.paths[0]) from None


def file_ref(kind: str, paths: Sequence[str | os.PathLike], **kwargs: Any) -> FileRef:
    """A reference to input files (kind: image, npz, bytes, file_npy)."""
    if kind not in ("image", "npz", "bytes", "file_npy"):
        raise UserError(f"unknown file reference kind {kind!r}")
    opts = kwargs.pop("options", None)
    if opts is not None and not isinstance(opts, Mapping):
        opts = asdict(opts)
    return FileRef(kind, tuple(str(Path(p).resolve()) for p in paths), options=opts or {}, **kwargs)


def list_input_sets(folder: str | os.PathLike | None = None) -> list[Path]:
    """The set files in ``folder`` (default: the config folder), by name."""
    base = Path(folder) if folder is not None else default_config_dir()
    if not base.is_dir():
        return []
    return sorted(p for p in base.glob("*.json") if p.name != _LAST_FILE)


def _last_key(signature: str, model: str | None) -> str:
    return f"{model or ''}::{signature}"


def remember_last(
    folder: str | os.PathLike | None,
    signature: str,
    set_path: str | os.PathLike,
    model: str | None = None,
) -> None:
    """Note ``set_path`` as the last set used for ``signature`` (of ``model``)."""
    base = Path(folder) if folder is not None else default_config_dir()
    base.mkdir(parents=True, exist_ok=True)
    index_path = base / _LAST_FILE
    try:
        index = json.loads(index_path.read_text(encoding="utf-8"))
        if not isinstance(index, dict):
            index = {}
    except (OSError, ValueError):
        index = {}
    index[_last_key(signature, model)] = str(Path(set_path).resolve())
    text = json.dumps(index, indent=1, sort_keys=True) + "\n"
    atomic_write_text(index_path, text, overwrite=True)


def last_input_set(
    folder: str | os.PathLike | None, signature: str, model: str | None = None
) -> Path | None:
    """The set last used for ``signature`` (of ``model``), when its file still exists."""
    base = Path(folder) if folder is not None else default_config_dir()
    try:
        index = json.loads((base / _LAST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    found = index.get(_last_key(signature, model)) if isinstance(index, dict) else None
    return Path(found) if found and Path(found).is_file() else None
