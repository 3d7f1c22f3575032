"""Engine and `run` benchmark, side by side in one run; writes benchmarks/results/run.json.

    python3 benchmarks/bench_run.py [--quick]

Measures: warm run through the Engine vs the same signature called in-process with plain
TensorFlow (a ~50 ms+ model and a tiny one), moving a 25 MB output out of the worker, the first
result of ``python -m inspector_app run`` vs ``saved_model_cli run`` on a tiny model (wall time),
cancelling a signature that never returns, and the worker's memory before/after unload.
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def main() -> None:
    quick = "--quick" in sys.argv
    n = 10 if quick else 30
    from inspector_app.engine import Cancelled, Engine

    engine = Engine()  # warms up while the models are built
    import numpy as np
    import tensorflow as tf
    from models_engine import build_tf2_model

    tmp = Path(tempfile.mkdtemp(prefix="bench-run-"))
    model = build_tf2_model(tmp / "tf2")
    results: dict = {"python": sys.version.split()[0], "tensorflow": tf.__version__,
                     "cpus": os.cpu_count()}  # fmt: skip
    engine.wait_ready(300)
    engine.load(model).result(300)
    loaded = tf.saved_model.load(str(model))

    def compare(sig: str, feeds: dict) -> dict:
        fn = loaded.signatures[sig]
        tensors = {k: tf.constant(v) for k, v in feeds.items()}
        plain, ours = [], []
        for _ in range(3):  # warm both
            {k: v.numpy() for k, v in fn(**tensors).items()}
            engine.run(sig, feeds).result(60)
        for _ in range(n):  # interleaved, so load on the machine hits both alike
            t0 = time.perf_counter()
            {k: v.numpy() for k, v in fn(**tensors).items()}
            plain.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            engine.run(sig, feeds).result(60)
            ours.append((time.perf_counter() - t0) * 1000)
        p, o = median(plain), median(ours)
        return {"plain_tf_ms_p50": round(p, 3), "engine_ms_p50": round(o, 3),
                "overhead_ms": round(o - p, 3), "overhead_pct": round(100 * (o - p) / p, 2)}  # fmt: skip

    x = np.random.default_rng(0).standard_normal((512, 512)).astype(np.float32)
    results["warm_run_large"] = compare("slow", {"x": x})
    results["warm_run_tiny"] = compare("serving_default", {"x": np.array([1.0, 2.0], np.float32)})

    transfer = []
    for _ in range(n):
        res = engine.run("big", {"scale": 1.0}).result(60)
        transfer.append(res.timing["roundtrip_ms"] - res.timing["run_ms"] - res.timing["feed_ms"])
    results["transfer_25MB_ms"] = {
        "p50": round(median(transfer), 2),
        "min": round(min(transfer), 2),
    }

    fut = engine.run("forever", {"start": 1})
    time.sleep(1.0)
    t0 = time.perf_counter()
    engine.cancel()
    with contextlib.suppress(Cancelled):
        fut.result(60)
    results["cancel_ms"] = round((time.perf_counter() - t0) * 1000, 1)

    engine.load(model).result(300)
    engine.run("big", {"scale": 1.0}).result(60)
    before = engine.worker_rss()
    engine.unload()
    engine.wait_ready(300)
    after = engine.worker_rss()
    results["worker_rss_mb"] = {"model_loaded": round(before / 2**20, 1),
                                "after_unload": round(after / 2**20, 1)}  # fmt: skip
    engine.close()

    real = REPO.parent / "shared" / "real-models" / "saved_model_half_plus_two_cpu" / "00000123"
    tiny = real if real.is_dir() else model
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    ours_cmd = [sys.executable, "-m", "inspector_app", "run", str(tiny), "--signature",
                "serving_default", "--input-exprs", "x=[[1.0], [2.0], [5.0]]"]  # fmt: skip
    cli_cmd = ["saved_model_cli", "run", "--dir", str(tiny), "--tag_set", "serve", "--signature_def",
               "serving_default", "--input_exprs", "x=[[1.0], [2.0], [5.0]]"]  # fmt: skip
    walls: dict[str, list[float]] = {"inspector_run_s": [], "saved_model_cli_run_s": []}
    for _ in range(2 if quick else 9):  # start-up times vary by a few tenths here
        for key, cmd in (("inspector_run_s", ours_cmd), ("saved_model_cli_run_s", cli_cmd)):
            t0 = time.perf_counter()
            subprocess.run(cmd, capture_output=True, env=env, check=True)
            walls[key].append(time.perf_counter() - t0)
    results["first_result_wall_s"] = {k: round(median(v), 3) for k, v in walls.items()}
    results["first_result_wall_s"]["runs"] = {k: [round(x, 3) for x in v] for k, v in walls.items()}

    out = REPO / "benchmarks" / "results" / "run.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
