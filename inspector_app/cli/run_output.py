"""What ``run`` makes of a result: ``--outdir`` (one ``.npy`` per output, composites as their
components, each file written atomically), ``--json`` (one object, values cut at
``JSON_MAX_VALUES``) or text as ``saved_model_cli run`` prints it."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.fileio import atomic_write
from inspector_app.results.outfiles import file_stem, output_files
from inspector_app.safeio import display, escape

JSON_MAX_VALUES = 1000  # values per output in --json before "truncated": true


def output_keys(signature: Any) -> list[str]:
    """The names ``--outdir`` writes for a signature's outputs (composites: their components)."""
    names = []
    for t in signature.outputs:
        kind = getattr(t, "kind", "dense")
        if kind == "ragged":  # one ragged dimension is the common case
            names += [f"{t.name}.flat_values", f"{t.name}.row_splits"]
        elif kind == "sparse":
            names += [f"{t.name}.{part}" for part in ("indices", "values", "dense_shape")]
        else:
            names.append(t.name)
    return names


def components(composites: dict[str, Any]) -> dict[str, np.ndarray]:
    """``words`` ragged -> ``words.flat_values``, ``words.row_splits`` (files of --outdir)."""
    out = {}
    for key, value in composites.items():
        for part, arr in value.components().items():
            out[f"{key}.{part}"] = arr
    return out


def save(
    outputs: dict[str, np.ndarray], outdir: Path, overwrite: bool, checked: dict | None = None
) -> None:
    """One .npy per output, each written atomically (``checked``: the targets ``check_outdir``
    vetted before the run)."""
    outdir.mkdir(parents=True, exist_ok=True)
    targets = output_files(outdir, outputs)
    if not overwrite:
        existing = [str(p) for p in targets.values() if p.exists()]
        if existing:
            raise UserError(f"{existing[0]} exists; pass --overwrite to replace it")
    for key, target in targets.items():
        value = outputs[key]
        atomic_write(
            target,
            lambda fh, value=value: np.save(fh, value, allow_pickle=value.dtype == object),
            overwrite=overwrite,
        )


def jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return value.hex()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, complex):
        return [value.real, value.imag]
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def to_json(result: Any) -> dict:
    outputs = {}
    for key, arr in sorted(result.outputs.items()):
        entry: dict[str, Any] = {
            "dtype": "string" if arr.dtype.kind in "OSU" else arr.dtype.name,
            "shape": list(arr.shape),
        }
        if arr.size > JSON_MAX_VALUES:
            entry["values"] = jsonable(arr.reshape(-1)[:JSON_MAX_VALUES].tolist())
            entry["truncated"] = True
        else:
            entry["values"] = jsonable(arr.tolist())
        outputs[key] = entry
    for key, value in sorted((getattr(result, "composites", None) or {}).items()):
        outputs[key] = value.to_json(jsonable, JSON_MAX_VALUES)
    timing = {k: round(v, 3) for k, v in result.timing.items()}
    return {
        "outputs": dict(sorted(outputs.items())),
        "timing_ms": timing,
        "device": result.device,
        # "function": tf.saved_model.load; "session": the MetaGraphDef in a TF1 Session, as
        # saved_model_cli run does, when the object graph could not be loaded
        "load_path": getattr(result, "load_path", "function"),
    }


def print_text(result: Any, saved: bool, outdir: Path) -> None:
    from inspector_app.engine.composites import text as composite_text

    composites = getattr(result, "composites", None) or {}
    for key in sorted({**result.outputs, **composites}):
        value = result.outputs.get(key)
        if saved:
            parts = (
                [key] if value is not None else [f"{key}.{p}" for p in composites[key].components()]
            )
            for part in parts:
                target = display(outdir / (file_stem(part) + ".npy"))
                print(f"Output {escape(key)} is saved to {target}")
        elif value is not None:
            print(f"Result for output key {escape(key)}:")
            print(np.array2string(value, threshold=1000))
        else:
            print(f"Result for output key {escape(key)} ({composites[key].kind}):")
            print(escape(composite_text(composites[key]), keep_newlines=True))
    t = result.timing
    line = f"Ran on {result.device} in {t['run_ms']:.2f} ms"
    if getattr(result, "load_path", "function") == "session":
        line += " (MetaGraphDef loaded into a TF1 session, as saved_model_cli run does)"
    if t.get("repeat", 1) > 1:
        line += (
            f"; {int(t['repeat'])} runs: p50 {t['p50_ms']:.2f} ms, p95 {t['p95_ms']:.2f} ms, "
            f"min {t['min_ms']:.2f} ms, {t['throughput_per_s']:.1f} runs/s"
        )
    print(line, file=sys.stderr)
