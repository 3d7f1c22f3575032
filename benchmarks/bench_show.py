"""``show --json`` against ``saved_model_cli show --all``, side by side, and the in-process tree.

Usage: ``python3 benchmarks/bench_show.py [MODEL ...] [--repeat N]``. Without models it uses the
real TF Serving test models in ../shared/real-models (and builds a TF2 and a Keras 3 model in a
temporary folder when TensorFlow is importable, ``--no-build`` to skip). Runs alternate between
the two programs so both see the same machine load. Writes ``benchmarks/results/show.json``.
Targets: ours at least 4x faster than saved_model_cli; load_model + build_tree under 0.3 s.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "show.json"
REAL = REPO.parent / "shared" / "real-models"
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}


def _time(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, env=ENV, timeout=300)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(
            f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr.decode()[-500:]}"
        )
    return elapsed


def _in_process(model: Path, repeat: int) -> dict:
    """load_model + build_tree + expanding every node (variables included), in a fresh process."""
    code = f"""
import json, sys, time
t0 = time.perf_counter()
from inspector_app.savedmodel import build_tree, load_model
t1 = time.perf_counter()
runs = []
for _ in range({repeat}):
    s = time.perf_counter()
    root = build_tree(load_model({str(model)!r}))
    stack = [root]
    while stack:
        stack.extend(stack.pop().ensure_children())
    runs.append(time.perf_counter() - s)
print(json.dumps({{"import_s": t1 - t0, "runs_s": runs,
                  "tf_runtime_loaded": "tensorflow.python" in sys.modules}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env=ENV, check=True
    )
    return json.loads(out.stdout)


def _build_models(root: Path) -> list[Path]:
    sys.path.insert(0, str(REPO / "tests"))
    import models_savedmodel as m

    return [m.build_tf2(root / "tf2_module"), m.build_keras3(root / "keras3_export")]


def bench(models: list[Path], repeat: int) -> dict:
    cli = shutil.which("saved_model_cli")
    if cli is None:
        raise SystemExit("saved_model_cli is not on PATH (it is installed with tensorflow)")
    rows = []
    for model in models:
        ours, theirs = [], []
        _time([sys.executable, "-m", "inspector_app", "show", str(model), "--json"])  # warm caches
        for _ in range(repeat):
            ours.append(
                _time([sys.executable, "-m", "inspector_app", "show", str(model), "--json"])
            )
            theirs.append(_time([cli, "show", "--all", "--dir", str(_model_dir(model))]))
        tree = _in_process(model, repeat)
        row = {
            "model": str(model),
            "ours_show_json_s": _stats(ours),
            "saved_model_cli_show_all_s": _stats(theirs),
            "ratio_median": statistics.median(theirs) / statistics.median(ours),
            "tree_in_process_s": _stats(tree["runs_s"]),
            "savedmodel_import_s": round(tree["import_s"], 4),
            "tf_runtime_loaded": tree["tf_runtime_loaded"],
        }
        rows.append(row)
        print(
            f"{model.name:40s} ours {row['ours_show_json_s']['median']:.3f} s   "
            f"saved_model_cli {row['saved_model_cli_show_all_s']['median']:.3f} s   "
            f"ratio {row['ratio_median']:.1f}x   tree {row['tree_in_process_s']['median'] * 1000:.1f} ms"
            f" (import {row['savedmodel_import_s'] * 1000:.0f} ms)"
        )
    return {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpus",
        "load_avg_before": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "repeat": repeat,
        "targets": {"ratio_min": 4.0, "tree_max_s": 0.3},
        "models": rows,
        "min_ratio": min(r["ratio_median"] for r in rows),
        "max_tree_s": max(r["tree_in_process_s"]["median"] for r in rows),
    }


def _model_dir(model: Path) -> Path:
    """saved_model_cli wants the SavedModel folder: the highest version for a base folder."""
    if (model / "saved_model.pb").exists() or (model / "saved_model.pbtxt").exists():
        return model
    versions = [p for p in model.iterdir() if p.name.isdigit()]
    return max(versions, key=lambda p: int(p.name)) if versions else model


def _stats(values: list[float]) -> dict:
    return {
        "median": round(statistics.median(values), 4),
        "min": round(min(values), 4),
        "max": round(max(values), 4),
        "runs": [round(v, 4) for v in values],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-build", action="store_true", help="only the real models")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        models = list(args.models)
        if not models:
            if REAL.is_dir():
                models += [
                    REAL / "saved_model_half_plus_two_cpu",
                    REAL / "saved_model_half_plus_two_tf2_cpu",
                    REAL / "saved_model_half_plus_two_2_versions",
                ]
            if not args.no_build:
                models += _build_models(Path(tmp))
        if not models:
            raise SystemExit("no models: pass folders, or put the real models in ../shared")
        result = bench(models, args.repeat)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    ok = result["min_ratio"] >= 4.0 and result["max_tree_s"] < 0.3
    print(
        f"min ratio {result['min_ratio']:.1f}x (target >= 4x), "
        f"max tree {result['max_tree_s'] * 1000:.0f} ms (target < 300 ms): "
        f"{'OK' if ok else 'MISSED'}; written to {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
