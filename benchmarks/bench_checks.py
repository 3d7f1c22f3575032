"""All deployment checks on a model with a ~100 MB graph, in a process without TensorFlow.

    python3 benchmarks/bench_checks.py [--repeat 5] [--mb 100] [--nodes 200000]

A child Python builds the model (tf.saved_model.save of a function holding a big constant);
this process only reads it. Cases: ``big_constant`` (the ~100 MB graph of the issue) and
``many_nodes`` (a graph of --nodes small nodes, made by editing a copy's saved_model.pb).
Timed: ``load_model`` (read + parse + sizes), ``run_checks`` (every check, registry from the
cache), and the two together. Target: checks within 1 s. Writes benchmarks/results/checks.json.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from inspector_app.savedmodel import checks_registry as registry  # noqa: E402
from inspector_app.savedmodel import load_model, protos  # noqa: E402
from inspector_app.savedmodel.checks import CheckOptions, run_checks  # noqa: E402

BUILD = """
import sys, numpy as np, tensorflow as tf
n = int(sys.argv[2]) * 1_000_000 // 4
big = np.random.default_rng(0).standard_normal(n).astype(np.float32)

class M(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
    def serve(self, x):
        return {"y": x * tf.reduce_sum(tf.constant(big))}

m = M()
tf.saved_model.save(m, sys.argv[1], signatures={"serving_default": m.serve})
"""


def build_big_constant(folder: Path, mb: int) -> float:
    start = time.perf_counter()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    subprocess.run([sys.executable, "-c", BUILD, str(folder), str(mb)], check=True, env=env)
    return time.perf_counter() - start


def build_many_nodes(src: Path, dst: Path, nodes: int) -> None:
    shutil.copytree(src, dst)
    pb = dst / "saved_model.pb"
    message = protos.saved_model_pb2().SavedModel()
    message.ParseFromString(pb.read_bytes())
    graph = message.meta_graphs[0].graph_def
    del graph.library.function[:]  # drop the big constant, keep the signatures
    previous = "x"
    for i in range(nodes):
        node = graph.node.add(name=f"chain/n{i}", op="Identity" if i % 3 else "AddV2")
        node.input.append(previous)
        if i % 3 == 0:
            node.input.append(previous)
        previous = node.name
    pb.write_bytes(message.SerializeToString())


def time_case(path: Path, repeat: int, options: CheckOptions) -> dict:
    loads, checks, totals, found = [], [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        info = load_model(path)
        t1 = time.perf_counter()
        found = run_checks(info, options)
        t2 = time.perf_counter()
        loads.append((t1 - t0) * 1000)
        checks.append((t2 - t1) * 1000)
        totals.append((t2 - t0) * 1000)
    return {
        "graph_bytes": info.breakdown["graph"],
        "nodes": sum(
            len(mg.proto.graph_def.node)
            + sum(len(f.node_def) for f in mg.proto.graph_def.library.function)
            for mg in info.meta_graphs
        ),
        "load_ms_median": round(statistics.median(loads), 1),
        "checks_ms_median": round(statistics.median(checks), 1),
        "total_ms_median": round(statistics.median(totals), 1),
        "total_ms_max": round(max(totals), 1),
        "findings": sorted(f"{f.severity}:{f.id}" for f in found),
        "within_1s": max(totals) < 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--nodes", type=int, default=200_000)
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "checks.json"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench_checks_") as tmp:
        os.environ.setdefault("SMI_CACHE_DIR", str(Path(tmp) / "cache"))
        t0 = time.perf_counter()
        had_cache = registry.cached_registered_ops() is not None
        ops = registry.registered_ops(compute=True)
        registry_s = time.perf_counter() - t0
        big = Path(tmp) / "big_constant"
        build_s = build_big_constant(big, args.mb)
        many = Path(tmp) / "many_nodes"
        build_many_nodes(big, many, args.nodes)
        options = CheckOptions(registered_ops=None, devices=None)  # cached registry, real machine
        results = {
            "big_constant": time_case(big, args.repeat, options),
            "many_nodes": time_case(many, args.repeat, options),
        }
    leaked = sorted(m for m in sys.modules if m.startswith("tensorflow.python"))
    report = {
        "benchmark": "checks",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "repeat": args.repeat,
        "registry": {
            "ops": len(ops or ()),
            "seconds": round(registry_s, 2),
            "from_cache": had_cache,
        },
        "build_seconds_child_process": round(build_s, 1),
        "tensorflow_python_modules_in_process": len(leaked),
        "cases": results,
        "target": "all checks (load + run_checks) of a ~100 MB graph within 1 s, no TF runtime",
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    ok = all(c["within_1s"] for c in results.values()) and not leaked
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
