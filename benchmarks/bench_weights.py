"""Weight statistics of a 1 GB checkpoint without TensorFlow, against ``tf.train.load_checkpoint``.

Usage: ``python3 benchmarks/bench_weights.py [--dir DIR] [--mb 1024] [--repeat 3]``. Builds (once,
with TensorFlow, in DIR, default a folder in the temporary directory) a SavedModel whose checkpoint
holds about ``--mb`` MB of float32 weights in tensors of several sizes, then times, each in a fresh
process: (a) ours: read the index, stream every tensor and compute min, max, mean, std, zeros,
NaN/Inf and a 64-bin histogram (``checkpoint.all_stats``), checking that TensorFlow was never
imported; (b) TensorFlow: ``tf.train.load_checkpoint`` + ``get_tensor`` of every key + numpy
min/max/mean/std (the import of TensorFlow included, as a user would pay it). Both runs read from
the page cache (a warm-up read comes first). Writes ``benchmarks/results/weights.json``.
A third run fills the Weights panel of an offscreen window with the same statistics (computed in
the panel's helper process, started as the window starts it when a model opens) while a 5 ms
timer measures the longest gap of the event loop, and the GUI thread's own CPU time in that gap
(``time.thread_time``: on a shared machine a long gap with little CPU is the thread waiting for
a core, not work done on it). Garbage collection as in the app (``MainThreadCollector``, the
startup objects frozen). A fourth run opens the model in a whole window and, 2 s later (the
Weights panel is made ahead meanwhile, hidden), shows the Weights tab as a click on it does,
measuring the same gaps from then until every statistic is in (and, apart, those while the panel
was made ahead).
Targets: ours under 3 s for 1 GB; no event-loop gap over 50 ms.
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

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "benchmarks" / "results" / "weights.json"
ENV = {
    **os.environ,
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "CUDA_VISIBLE_DEVICES": "",
    "PYTHONPATH": str(REPO),
}

BUILD = """
import sys, numpy as np, tensorflow as tf
mb = int(sys.argv[2])
rng = np.random.default_rng(0)
module = tf.Module()
sizes = [256 * 1024 * 1024 // 4] * 3 + [64 * 1024 * 1024 // 4] * 3 + [1024 * 1024 // 4] * 64
total, i = 0, 0
module.vars = []
for n in sizes:
    if total + n * 4 > mb * 1024 * 1024:
        continue
    values = rng.standard_normal(n, dtype=np.float32)
    values[:: 97] = 0.0
    module.vars.append(tf.Variable(values.reshape(-1, 256), name=f"w{i}"))
    total += n * 4
    i += 1
module.f = tf.function(lambda x: x * 2.0, input_signature=[tf.TensorSpec([None], tf.float32)])
tf.saved_model.save(module, sys.argv[1])
print(total)
"""

OURS = """
import sys, time
t0 = time.perf_counter()
from inspector_app.savedmodel.checkpoint import CheckpointReader, all_stats
reader = CheckpointReader.for_model(sys.argv[1])
stats = all_stats(reader)
elapsed = time.perf_counter() - t0
assert "tensorflow" not in sys.modules, "TensorFlow was imported"
print(elapsed, len(stats), sum(s.count for s in stats.values()))
"""

GUI = """
import os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from inspector_app.savedmodel import load_model
from inspector_app.ui.gc_guard import MainThreadCollector
from inspector_app.ui.weights import WeightsPanel
from inspector_app.workflows.weight_stats_process import prewarm, stats_service
collector = MainThreadCollector(app)  # as run_app does: collection on the GUI thread
from inspector_app.ui.gil_handoff import quick_gil_handoff
quick_gil_handoff()  # as start_window does
panel = WeightsPanel()
panel.resize(1024, 700)
panel.show()
collector.freeze_startup()  # as run_app does once the window is made
info = load_model(sys.argv[1])  # the window has the model already; the panel reads the rest
t = time.perf_counter()
prewarm()  # as the window does when a model opens: here the Weights tab is shown at once
prewarm_ms = (time.perf_counter() - t) * 1000
app.processEvents()
gaps, last = [], [time.perf_counter(), time.thread_time()]
first = []  # the index in gaps when the first statistics arrived
panel.feed.arrived.connect(lambda *_: first or first.append(len(gaps)))
worst = [0.0, 0.0, 0.0]  # longest gap, the GUI thread's CPU in it, the most CPU in any gap
def tick():
    now, cpu = time.perf_counter(), time.thread_time()
    gap, used = now - last[0], cpu - last[1]
    gaps.append(gap)
    if gap > worst[0]:
        worst[0], worst[1] = gap, used
    worst[2] = max(worst[2], used)
    last[0], last[1] = now, cpu
timer = QTimer(interval=5, timeout=tick)
timer.start()
loop = QEventLoop()
panel.stats_done.connect(loop.quit)
t0 = time.perf_counter()
last[0], last[1] = t0, time.thread_time()
panel.set_model(info)
QTimer.singleShot(120000, loop.quit)
loop.exec()
elapsed = time.perf_counter() - t0
timer.stop()
assert "tensorflow" not in sys.modules
assert panel.feed.source == "process", panel.stats_note
streaming = max(gaps[first[0] + 1:] or [0.0]) * 1000  # while the statistics stream in
print(elapsed, max(gaps) * 1000, sum(g > 0.05 for g in gaps), len(panel.model.stats),
      worst[1] * 1000, worst[2] * 1000, prewarm_ms, streaming)
stats_service().close()
"""

TAB = """
import os, sys, time
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from inspector_app.ui import MainWindow
from inspector_app.ui.gc_guard import MainThreadCollector
from inspector_app.ui.gil_handoff import quick_gil_handoff
from inspector_app.workflows.weight_stats_process import stats_service
collector = MainThreadCollector(app)
quick_gil_handoff()
win = MainWindow(warm_up=False)
win.resize(1280, 800)
win.show()
collector.freeze_startup()
loop = QEventLoop()
win.model_opened.connect(loop.quit)
win.open_model(sys.argv[1])
loop.exec()
gaps, last = [], [time.perf_counter(), time.thread_time()]
def tick():
    now, cpu = time.perf_counter(), time.thread_time()
    gaps.append((now - last[0], cpu - last[1]))
    last[0], last[1] = now, cpu
timer = QTimer(interval=5, timeout=tick)
timer.start()
def run_for(seconds):
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
run_for(0.2)  # the tree's first paints
gaps.clear()
run_for(1.8)  # meanwhile the Weights tab is made ahead, hidden
ahead = max(gaps) if gaps else (0.0, 0.0)
ahead_cpu = max(c for _, c in gaps) if gaps else 0.0
gaps.clear()
t0 = time.perf_counter()
def show():
    win.inspect.show_weights()  # as a click on the tab does
    win.inspect.weights_panel.stats_done.connect(loop.quit)
QTimer.singleShot(0, show)
QTimer.singleShot(120000, loop.quit)
loop.exec()
elapsed = time.perf_counter() - t0
timer.stop()
assert "tensorflow" not in sys.modules
worst = max(gaps)
print(elapsed, worst[0] * 1000, sum(g > 0.05 for g, _ in gaps), worst[1] * 1000,
      max(c for _, c in gaps) * 1000, ahead[0] * 1000, ahead_cpu * 1000)
stats_service().close()
"""

THEIRS = """
import sys, time
t0 = time.perf_counter()
import numpy as np, tensorflow as tf
reader = tf.train.load_checkpoint(sys.argv[1] + "/variables/variables")
n = 0
for key in reader.get_variable_to_shape_map():
    if key == "_CHECKPOINTABLE_OBJECT_GRAPH":
        continue
    a = reader.get_tensor(key)
    if a.dtype.kind in "fiu":
        a.min(), a.max(), a.mean(), a.std(); n += 1
print(time.perf_counter() - t0, n)
"""


def _run(code: str, *args: str) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=ENV, timeout=900
    )
    if proc.returncode != 0:
        raise SystemExit(f"failed: {proc.stderr[-800:]}")
    return proc.stdout.split()


def _gaps_row(
    elapsed: str, max_gap: str, stalls: str, gap_cpu: str, worst_cpu: str, **extra: float
) -> dict:
    """One window run's figures (as its script printed them) for the JSON, and the load."""
    return {
        "stats_s": float(elapsed), "max_gap_ms": float(max_gap), "gaps_over_50ms": int(stalls),
        "gui_cpu_in_max_gap_ms": float(gap_cpu), "gui_cpu_worst_gap_ms": float(worst_cpu),
        **extra, "load_average": round(os.getloadavg()[0], 1),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()) / "bench-weights")
    parser.add_argument("--mb", type=int, default=1024)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-tf", action="store_true", help="skip the TensorFlow comparison")
    args = parser.parse_args()
    model = args.dir / f"model-{args.mb}mb"
    if not (model / "saved_model.pb").is_file():
        print(f"building {model} with TensorFlow...", flush=True)
        model.parent.mkdir(parents=True, exist_ok=True)
        _run(BUILD, str(model), str(args.mb))
    data = sum(p.stat().st_size for p in (model / "variables").glob("variables.data-*"))
    for p in (model / "variables").glob("variables.data-*"):  # into the page cache
        with open(p, "rb") as fh:
            while fh.read(1 << 24):
                pass
    ours, theirs, gui, tab = [], [], [], []
    for _ in range(args.repeat):
        elapsed, max_gap, stalls, tensors, gap_cpu, worst_cpu, prewarm_ms, streaming = _run(
            GUI, str(model)
        )
        gui.append(_gaps_row(elapsed, max_gap, stalls, gap_cpu, worst_cpu,
                             max_gap_while_streaming_ms=float(streaming),
                             prewarm_call_ms=float(prewarm_ms)))  # fmt: skip
        print(f"window: all statistics in {float(elapsed):.2f} s, longest event-loop gap "
              f"{float(max_gap):.0f} ms (GUI thread's CPU in it {float(gap_cpu):.0f} ms; "
              f"most in any gap {float(worst_cpu):.0f} ms), {stalls} gaps over 50 ms, longest "
              f"once the statistics stream in {float(streaming):.0f} ms, {tensors} tensors; "
              f"prewarm() {float(prewarm_ms):.0f} ms; load {os.getloadavg()[0]:.1f}",
              flush=True)  # fmt: skip
        elapsed, max_gap, stalls, gap_cpu, worst_cpu, ahead_gap, ahead_cpu = _run(TAB, str(model))
        tab.append(_gaps_row(elapsed, max_gap, stalls, gap_cpu, worst_cpu,
                             made_ahead_max_gap_ms=float(ahead_gap),
                             made_ahead_gui_cpu_worst_gap_ms=float(ahead_cpu)))  # fmt: skip
        print(f"tab in a window: first show of the Weights tab to all statistics "
              f"{float(elapsed):.2f} s, longest event-loop gap {float(max_gap):.0f} ms (GUI "
              f"thread's CPU in it {float(gap_cpu):.0f} ms; most in any gap "
              f"{float(worst_cpu):.0f} ms), {stalls} gaps over 50 ms; while the tab was made "
              f"ahead: longest gap {float(ahead_gap):.0f} ms, most CPU in any gap "
              f"{float(ahead_cpu):.0f} ms; load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
        elapsed, tensors, values = _run(OURS, str(model))
        ours.append(float(elapsed))
        print(
            f"ours: {float(elapsed):.2f} s, {tensors} tensors, {int(values):,} values", flush=True
        )
        if not args.no_tf:
            elapsed, _n = _run(THEIRS, str(model))
            theirs.append(float(elapsed))
            print(f"tf.train.load_checkpoint + numpy: {float(elapsed):.2f} s", flush=True)
    result = {
        "checkpoint_bytes": data,
        "ours_s": ours,
        "ours_median_s": statistics.median(ours),
        "tensorflow_s": theirs,
        "tensorflow_median_s": statistics.median(theirs) if theirs else None,
        "window": gui,
        "window_max_gap_ms": max(g["max_gap_ms"] for g in gui),
        "tab": tab,
        "tab_max_gap_ms": max(g["max_gap_ms"] for g in tab),
        "target_s": 3.0,
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 1),  # the machine may be shared
        "machine": platform.platform(),
        "date": time.strftime("%Y-%m-%d"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
