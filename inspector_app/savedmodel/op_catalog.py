"""A one-line description and the output arguments of every op TensorFlow registers.

The window process may not import the TensorFlow runtime, and the C++ op registry of a pip
TensorFlow has its descriptions stripped (``OpDef.summary`` is empty for most ops). The generated
op wrappers (``tf.raw_ops.X``) keep them as docstrings, so a child ``python`` that imports
TensorFlow writes them once per TensorFlow version into the user cache (the same folder and the same
way as ``checks_registry`` keeps the registered op names); later starts read the JSON file.
In a frozen bundle there is no ``python`` to start: ``store`` lets the engine worker write it.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from inspector_app.errors import UserError
from inspector_app.fileio import atomic_write_text
from inspector_app.savedmodel.checks_registry import cache_dir, run_tensorflow_child, tf_version


@dataclass(frozen=True)
class OpArg:
    name: str
    type: str  # a fixed type ("float32") or the attribute that holds it ("T")
    is_list: bool  # number_attr or type_list_attr: several tensors


@dataclass(frozen=True)
class OpInfo:
    summary: str
    inputs: tuple[OpArg, ...]
    outputs: tuple[OpArg, ...]


_SCRIPT = (
    "import json, sys\n"
    "from inspector_app.engine.op_registry import op_catalog\n"
    "json.dump(op_catalog(), sys.stdout)\n"
)

_lock = threading.Lock()
_loaded: dict[str, OpInfo] | None = None


def _cache_file(version: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", version)
    return cache_dir() / f"op_catalog-tf{safe}.json"


def _parse(data: object) -> dict[str, OpInfo] | None:
    ops = data.get("ops") if isinstance(data, dict) else None
    if not isinstance(ops, dict) or not ops:
        return None
    out: dict[str, OpInfo] = {}
    for name, entry in ops.items():
        try:
            summary, ins, outs = entry
            out[str(name)] = OpInfo(
                str(summary),
                tuple(OpArg(str(a), str(t), bool(li)) for a, t, li in ins),
                tuple(OpArg(str(a), str(t), bool(li)) for a, t, li in outs),
            )
        except (TypeError, ValueError):
            continue
    return out or None


def cached(version: str | None = None) -> dict[str, OpInfo] | None:
    """The catalog in the cache for this TensorFlow version, or None."""
    global _loaded
    if _loaded is not None:
        return _loaded
    version = version or tf_version()
    if version is None:
        return None
    try:
        data = json.loads(_cache_file(version).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    parsed = _parse(data)
    if parsed is not None:
        _loaded = parsed
    return parsed


def store(text: str, version: str | None = None) -> dict[str, OpInfo] | None:
    """Keep the JSON ``text`` the script printed (atomically; write errors are ignored)."""
    global _loaded
    try:
        data = json.loads(text)
    except ValueError:
        return None
    parsed = _parse(data)
    if parsed is None:
        return None
    version = version or tf_version() or str(data.get("tensorflow"))
    target = _cache_file(version)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(target, text, overwrite=True)
    except (OSError, UserError):
        pass
    _loaded = parsed
    return parsed


def compute(timeout: float = 180.0) -> dict[str, OpInfo] | None:
    """Ask a child ``python`` (a few seconds: it imports TensorFlow); None when it cannot."""
    with _lock:
        done = cached()
        if done is not None:
            return done
        out = run_tensorflow_child(_SCRIPT, timeout)
        return None if out is None else store(out)


def catalog(compute_missing: bool = False) -> dict[str, OpInfo] | None:
    found = cached()
    if found is None and compute_missing:
        found = compute()
    return found
