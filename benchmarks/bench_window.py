"""Window speed: launch to a painted window, and a dropped model's tree complete.

    python3 benchmarks/bench_window.py [--runs 7] [PATH ...]

Each run starts ``python3 tests/window_probe.py PATH...`` in a fresh process: it starts the
window through the app's own steps (``ui.app.start_window``, as ``python -m inspector_app``
does), prints when the window is first painted, then opens the paths the way a drop does (twice:
cold, with the protobuf modules still to import, and warm), prints when the trees are complete,
whether ``tensorflow.python`` got loaded, and quits.

Targets: window within 1000 ms of launch (the process start included) with the TensorFlow
runtime not loaded; a dropped model's tree complete within 300 ms. Settings go to a temporary
folder (XDG_CONFIG_HOME), never the user's. Writes benchmarks/results/window.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "window.json"
TARGETS_MS = {"time_to_window": 1000.0, "drop_to_tree_cold": 300.0, "drop_to_tree_warm": 300.0}


def default_paths() -> list[str]:
    real = ROOT.parent / "shared" / "real-models" / "saved_model_half_plus_two_cpu"
    demos = ROOT / "resources" / "demo_models"
    if demos.is_dir():
        return [str(p) for p in sorted(demos.iterdir()) if p.is_dir()]
    return [str(real)] if real.is_dir() else []


def one_run(paths: list[str], qpa: str, timeout: float) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as config:
        env = dict(os.environ, XDG_CONFIG_HOME=config, QT_QPA_PLATFORM=qpa, PYTHONPATH=str(ROOT))
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        start = time.time()
        proc = subprocess.run(
            [sys.executable, str(ROOT / "tests" / "window_probe.py"), *paths],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    events = []
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            events.append(json.loads(line))
    shown = next((e for e in events if e["event"] == "window_shown"), None)
    trees = [e for e in events if e["event"] == "tree_complete"]
    done = next((e for e in events if e["event"] == "done"), None)
    if shown is None or len(trees) < 2 or done is None:
        raise RuntimeError(f"the app did not report (exit {proc.returncode}): {proc.stderr[-800:]}")
    errors = [e["errors"] for e in trees if e.get("errors")]
    return {
        "time_to_window": (shown["t"] - start) * 1000.0,
        "drop_to_tree_cold": trees[0]["ms"],
        "drop_to_tree_warm": trees[1]["ms"],
        "models": trees[0]["models"],
        "tf_runtime_loaded": done["tf_loaded"],
        "errors": errors,
    }


def summarize(runs: list[dict[str, object]]) -> dict[str, dict[str, float | bool]]:
    out: dict[str, dict[str, float | bool]] = {}
    for key, target in TARGETS_MS.items():
        values = [float(r[key]) for r in runs]  # type: ignore[arg-type]
        median = statistics.median(values)
        out[key] = {
            "median_ms": round(median, 1),
            "best_ms": round(min(values), 1),
            "worst_ms": round(max(values), 1),
            "target_ms": target,
            "ok": median <= target,
        }
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", help="models to drop (default: the demo models)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--platform",
        default=None,
        help="Qt platform plugin (default: xcb when DISPLAY is set, else offscreen)",
    )
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    paths = args.paths or default_paths()
    if not paths:
        parser.error("no model to open: pass a PATH")
    qpa = args.platform or ("xcb" if os.environ.get("DISPLAY") else "offscreen")

    one_run(paths, qpa, args.timeout)  # warm the file cache and the .pyc files
    runs = []
    for i in range(args.runs):
        run = one_run(paths, qpa, args.timeout)
        runs.append(run)
        print(
            f"run {i + 1}: window {run['time_to_window']:.0f} ms, drop->tree cold "
            f"{run['drop_to_tree_cold']:.0f} ms, warm {run['drop_to_tree_warm']:.0f} ms, "
            f"models {run['models']}, TF runtime loaded: {run['tf_runtime_loaded']}",
            flush=True,
        )
    summary = summarize(runs)
    tf_loaded = any(r["tf_runtime_loaded"] for r in runs)
    report = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "qt_platform": qpa,
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        },
        "paths": paths,
        "runs": args.runs,
        "results": summary,
        "tf_runtime_loaded_in_gui": tf_loaded,
        "ok": all(v["ok"] for v in summary.values()) and not tf_loaded,
        "raw": runs,
    }
    for key, value in summary.items():
        mark = "ok" if value["ok"] else "SLOW"
        print(
            f"{key:18s} median {value['median_ms']:7.1f} ms  best {value['best_ms']:7.1f}  "
            f"worst {value['worst_ms']:7.1f}  target {value['target_ms']:.0f}  {mark}"
        )
    print(f"TensorFlow runtime loaded in the GUI process: {tf_loaded}")
    if not args.no_write:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(report, indent=2) + "\n")
        print(f"wrote {OUT.relative_to(ROOT)}")
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
