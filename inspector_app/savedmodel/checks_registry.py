"""What the machine offers, asked without loading TensorFlow in this process.

- the op names the installed TensorFlow registers: computed once in a child ``python3`` that
  imports TensorFlow, then kept in the user cache folder keyed by the TensorFlow version (the
  engine worker, which has TensorFlow loaded anyway, can hand its list over with
  ``store_registered_ops``);
- the ops ``saved_model_cli scan`` denylists, read from the installed ``saved_model_cli.py`` as
  text;
- the devices (GPU, TPU) the machine has, from device files and the environment.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

from inspector_app.savedmodel import op_packages

# saved_model_cli's _OP_DENYLIST in TF 2.x, used when the installed file cannot be read.
_SCAN_DENYLIST_FALLBACK = frozenset({"WriteFile", "ReadFile", "PrintV2"})
# Ops that read or write files or print, beyond saved_model_cli's list (tf.compat.v1.Print).
_EXTRA_DENYLIST = frozenset({"Print"})
# Of those, the ones that touch the file system (PrintV2 too when its output_stream is file://).
FILE_OPS = frozenset({"ReadFile", "WriteFile", "MatchingFiles", "DeleteFile"})


def op_package(op: str) -> str | None:
    """The pip package that provides a custom op, where known (``op_packages`` holds the table)."""
    package = op_packages.package_of(op)
    return op_packages.label(package) if package is not None else None


def _tf_dir() -> Path | None:
    try:
        spec = importlib.util.find_spec("tensorflow")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


@cache
def scan_denylist() -> frozenset[str]:
    """``saved_model_cli scan``'s default denylist, read from the installed file as text."""
    folder = _tf_dir()
    if folder is not None:
        try:
            text = (folder / "python" / "tools" / "saved_model_cli.py").read_text("utf-8")
        except OSError:
            text = ""
        match = re.search(r"^_OP_DENYLIST\s*=\s*set\(\[([^\]]*)\]\)", text, re.MULTILINE)
        if match:
            names = re.findall(r"['\"]([A-Za-z0-9_>]+)['\"]", match.group(1))
            if names:
                return frozenset(names)
    return _SCAN_DENYLIST_FALLBACK


def default_denylist() -> frozenset[str]:
    """Ops that read or write files or print: saved_model_cli's list plus ``Print``."""
    return scan_denylist() | _EXTRA_DENYLIST


def parse_denylist(text: str) -> frozenset[str]:
    """``"ReadFile, WriteFile"`` -> the set; an empty string gives the empty set (as in scan)."""
    return frozenset(part.strip() for part in text.split(",") if part.strip())


# --------------------------------------------------------------------------- registered ops


def tf_version() -> str | None:
    """The installed TensorFlow's version, from its package metadata (no import)."""
    for dist in (
        "tensorflow",
        "tensorflow-cpu",
        "tensorflow-gpu",
        "tf-nightly",
        "tensorflow-macos",
    ):
        try:
            return importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def cache_dir() -> Path:
    """The user cache folder (``SMI_CACHE_DIR`` overrides it, for tests)."""
    override = os.environ.get("SMI_CACHE_DIR")
    if override:
        return Path(override)
    if sys.platform == "win32":
        root = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        root = Path.home() / "Library" / "Caches"
    else:
        root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return root / "savedmodel-inspector"


def _cache_file(version: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", version)
    return cache_dir() / f"registered_ops-tf{safe}.json"


def cached_registered_ops(version: str | None = None) -> frozenset[str] | None:
    """The cached op names for this TensorFlow version, or None when not computed yet."""
    version = version or tf_version()
    if version is None:
        return None
    try:
        data = json.loads(_cache_file(version).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    ops = data.get("ops") if isinstance(data, dict) else None
    if not isinstance(ops, list) or not ops:
        return None
    return frozenset(str(op) for op in ops)


def store_registered_ops(ops: list[str] | frozenset[str], version: str | None = None) -> None:
    """Keep ``ops`` for this TensorFlow version (written atomically; errors are ignored)."""
    version = version or tf_version()
    if version is None or not ops:
        return
    from inspector_app.errors import UserError
    from inspector_app.fileio import atomic_write_text

    target = _cache_file(version)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"tensorflow": version, "ops": sorted(ops)})
        atomic_write_text(target, text, overwrite=True)
    except (OSError, UserError):
        pass


# Run in a child process: the op names registered by the installed TensorFlow (C++ registry,
# so ops of loaded custom-op libraries count too), or the public raw_ops names as a fallback.
_LIST_OPS = """
import json, sys
import tensorflow as tf
try:
    from tensorflow.core.framework import op_def_pb2
    from tensorflow.python.client import pywrap_tf_session as s
    ol = op_def_pb2.OpList()
    ol.ParseFromString(s.TF_GetBuffer(s.TF_GetAllOpList()))
    names = [op.name for op in ol.op]
except Exception:
    names = [n for n in dir(tf.raw_ops) if not n.startswith("_")]
json.dump({"tensorflow": tf.__version__, "ops": sorted(names)}, sys.stdout)
"""


def run_tensorflow_child(script: str, timeout: float) -> str | None:
    """What a child ``python`` running ``script`` (which imports TensorFlow: a few seconds)
    prints; None where no such child can start (a frozen bundle, no TensorFlow) or it fails."""
    if getattr(sys, "frozen", False) or _tf_dir() is None:
        return None
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    try:
        proc = subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return proc.stdout


def compute_registered_ops(timeout: float = 120.0) -> frozenset[str] | None:
    """Ask a child ``python`` for the registered op names and cache them; None on failure.

    In a frozen bundle there is no ``python`` to start; the engine worker answers with
    ``store_registered_ops`` instead.
    """
    out = run_tensorflow_child(_LIST_OPS, timeout)
    if out is None:
        return None
    try:
        data = json.loads(out)
        ops = frozenset(data["ops"])
    except (ValueError, KeyError, TypeError):
        return None
    if not ops:
        return None
    store_registered_ops(ops, tf_version() or str(data.get("tensorflow")))
    return ops


def registered_ops(compute: bool = True) -> frozenset[str] | None:
    """The cached list, else (when ``compute``) computed now in a child process."""
    ops = cached_registered_ops()
    if ops is None and compute:
        ops = compute_registered_ops()
    return ops


# --------------------------------------------------------------------------- devices


def _count(pattern: str, folder: str) -> int:
    try:
        return sum(1 for name in os.listdir(folder) if re.fullmatch(pattern, name))
    except OSError:
        return 0


def machine_devices() -> dict[str, int]:
    """Accelerators this machine offers to TensorFlow, cheaply: ``{"CPU": 1, "GPU": n, "TPU": n}``.

    GPUs: NVIDIA device files (``/dev/nvidia0``...), narrowed by ``CUDA_VISIBLE_DEVICES``; TPUs:
    ``/dev/accel*`` or ``TPU_NAME``. The engine worker can give the real list instead.
    """
    gpus = _count(r"nvidia\d+", "/dev") or _count(r".+", "/proc/driver/nvidia/gpus")
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        ids = [v for v in visible.split(",") if v.strip() and not v.strip().startswith("-")]
        gpus = min(gpus, len(ids))
    tpus = _count(r"accel\d+", "/dev") or (1 if os.environ.get("TPU_NAME") else 0)
    return {"CPU": 1, "GPU": gpus, "TPU": tpus}
