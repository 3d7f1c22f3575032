"""The window's side of running, side by side with plain TensorFlow; writes results/gui.json.

    python3 benchmarks/bench_gui.py [--runs N] [--windows W]

A child process shows the real window (offscreen), opens a model, and measures: a warm run from
``MainWindow.run()`` to ``run_finished`` (a ~50 ms signature and a tiny one) and where its time
goes; the longest stall of the event loop (a 5 ms timer probe) while the model opens, a
signature is selected, its input set, the model loaded in the worker and run (each step its own
event, as a user's clicks are); the GUI process's resident memory with the model loaded (and
that TensorFlow's runtime is not in it); and the worker's memory before and after the model is
closed. A plain Python script (a fresh process for each window, as the window's worker is) calls
the same signatures with TensorFlow, each call right after one of the window's runs, so both are
measured in one run on the same machine; the parent only passes the turns between them.
"""

from __future__ import annotations

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
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PAUSE_MS = 50  # between runs, in the window and in plain TensorFlow alike
FEEDS = {"slow": ("x", (512, 512)), "serving_default": ("x", (16,))}  # 50+ ms and tiny


def _rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(model: str, runs: int) -> None:
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="bench-gui-config-")  # not the user's
    import numpy as np
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from inspector_app.ui import MainWindow
    from inspector_app.ui.gc_guard import MainThreadCollector

    app = QApplication([])
    collector = MainThreadCollector(app)  # as run_app does
    from inspector_app.ui.gil_handoff import quick_gil_handoff

    quick_gil_handoff()  # as start_window does
    win = MainWindow(warm_up=True)
    collector.freeze_startup()
    win.show_error_dialogs = False
    win.show()
    gaps: list[tuple[float, str]] = []
    phase = ["open"]
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]

    def probe() -> None:
        now = clock.nsecsElapsed()
        gaps.append(((now - last[0]) / 1e6, phase[0]))
        last[0] = now

    timer = QTimer(interval=5)
    timer.timeout.connect(probe)
    timer.start()

    def wait(signal, timeout_ms: int = 600_000):
        loop = QEventLoop()
        got: list = []
        signal.connect(lambda *a: (got.append(a), loop.quit()))
        QTimer.singleShot(timeout_ms, loop.quit)
        loop.exec()
        if not got:
            raise SystemExit(f"timed out waiting for {signal}")
        return got[0]

    # Start-up first (the run tabs, and the worker that starts with them): the stalls measured
    # are those of loading and running.
    win.loader.prewarm()  # as run_app does once the window shows
    win.runner  # noqa: B018 - made now (the window makes it once shown), with its worker
    while not win.loader.prewarmed:
        app.processEvents()
        time.sleep(0.005)
    if not win.runner.bridge.devices:
        wait(win.runner.bridge.devices_ready)
    last[0] = clock.nsecsElapsed()
    gaps.clear()
    phase[0] = "open model"
    win.open_model(model)
    wait(win.model_opened)
    result: dict = {"runs": runs}

    def settle() -> None:
        # Let Qt paint the answer before the next Run, as a user's next click would: back to
        # back, painting would compete with the worker for the two cores.
        loop = QEventLoop()
        QTimer.singleShot(PAUSE_MS, loop.quit)
        loop.exec()

    engine = win.runner.bridge.engine
    engine_run = engine.run
    sent: list[float] = []

    def stamped_run(*args, **kwargs):
        sent.append(time.perf_counter())
        return engine_run(*args, **kwargs)

    engine.run = stamped_run  # when the window hands the request to the engine
    parts: list[dict[str, float]] = []

    def timed_run() -> tuple[float, float]:
        sent.clear()
        t0 = time.perf_counter()
        win.run()
        (value,) = wait(win.run_finished)
        assert isinstance(value, dict), value
        drawn = (time.perf_counter() - t0) * 1000
        record = win.runner.session.history[-1]
        arrived = (record.received - t0) * 1000
        timing = record.result.timing
        worker = timing["run_ms"] + timing["feed_ms"]
        parts.append(
            {  # where the time goes: window before the engine, worker, pipe, back to the GUI
                "window_to_engine": (sent[0] - t0) * 1000,
                "worker_compute": timing["run_ms"],
                "worker_feed": timing["feed_ms"],
                "pipe_both_ways": timing["roundtrip_ms"] - worker,
                "reader_to_gui": arrived - (sent[0] - t0) * 1000 - timing["roundtrip_ms"],
            }
        )
        settle()
        return arrived, drawn

    inputs = {
        sig: (name, np.random.default_rng(0).normal(size=shape).astype(np.float32))
        for sig, (name, shape) in FEEDS.items()
    }
    # Pass 1, with the 5 ms probe on: the event loop's longest stalls during load and runs.
    # Each step is its own event, as a user's clicks are: the loop runs between them.
    settle()
    for sig, (name, x) in inputs.items():
        phase[0] = f"{sig}: select signature"
        win.select_signature(sig)
        settle()
        phase[0] = f"{sig}: set input"
        win.set_input(name, x)
        settle()
        for i in range(runs + 2):
            phase[0] = f"{sig}: load and first run" if i < 2 else f"{sig}: warm runs"
            timed_run()
    timer.stop()  # its wake-ups would be counted against the window
    # Pass 2: each window run is followed by one plain-TensorFlow call in the parent process
    # (asked for on stdout, answered on stdin), so both see the same machine at the same time.
    samples: dict[str, dict[str, list[float]]] = {s: {"arrived": [], "drawn": []} for s in FEEDS}
    for sig, (name, x) in inputs.items():
        win.select_signature(sig)
        win.set_input(name, x)
        timed_run()
        parts.clear()
        for _ in range(runs):
            arrived, drawn = timed_run()
            samples[sig]["arrived"].append(arrived)
            samples[sig]["drawn"].append(drawn)
            print(f"PLAIN {sig}", flush=True)
            sys.stdin.readline()
            settle()
        samples[sig]["parts"] = {k: statistics.median(p[k] for p in parts) for k in parts[0]}
    for sig in FEEDS:
        result[sig] = {
            f"{k}_ms_p50": statistics.median(v) for k, v in samples[sig].items() if k != "parts"
        }
        result[sig]["parts_ms_p50"] = samples[sig]["parts"]
    result["max_event_loop_gap_ms"] = max(g for g, _ in gaps) if gaps else None
    worst: dict[str, float] = {}
    for gap, name in gaps:
        worst[name] = max(worst.get(name, 0.0), round(gap, 1))
    result["max_event_loop_gap_ms_by_phase"] = worst
    result["gui_rss_mb_model_loaded"] = _rss_mb()
    result["tensorflow_runtime_in_gui"] = any(
        m.startswith("tensorflow.python") for m in sys.modules
    )
    engine = win.runner.bridge.engine
    result["worker_rss_mb_model_loaded"] = (engine.worker_rss() or 0) / 2**20
    win.close_model(win.models()[0])
    deadline = time.time() + 60
    while time.time() < deadline:  # the worker is replaced; wait for the fresh one to settle
        app.processEvents()
        time.sleep(0.2)
        if engine.devices().done():
            break
    time.sleep(1.0)
    result["worker_rss_mb_after_close"] = (engine.worker_rss() or 0) / 2**20
    win.close()
    print("RESULT " + json.dumps(result), flush=True)


def plain(model: str) -> None:
    """A plain Python script: TensorFlow loads the SavedModel and calls a signature per line read."""
    import numpy as np
    import tensorflow as tf

    loaded = tf.saved_model.load(model)
    fns = {sig: loaded.signatures[sig] for sig in FEEDS}
    xs = {
        sig: tf.constant(np.random.default_rng(0).normal(size=shape).astype(np.float32))
        for sig, (_name, shape) in FEEDS.items()
    }

    def call(sig: str) -> float:
        t0 = time.perf_counter()
        {k: v.numpy() for k, v in fns[sig](**{FEEDS[sig][0]: xs[sig]}).items()}
        return (time.perf_counter() - t0) * 1000

    for sig in FEEDS:  # traced and warm before the first comparison
        call(sig), call(sig)
    print(f"READY {tf.__version__}", flush=True)
    for line in sys.stdin:
        print(f"{call(line.strip()):.6f}", flush=True)


def main() -> None:
    if "--child" in sys.argv:
        child(sys.argv[sys.argv.index("--child") + 1], int(sys.argv[sys.argv.index("--runs") + 1]))
        return
    if "--plain" in sys.argv:
        plain(sys.argv[sys.argv.index("--plain") + 1])
        return
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 30
    repeats = int(sys.argv[sys.argv.index("--windows") + 1]) if "--windows" in sys.argv else 8
    model = Path(tempfile.mkdtemp(prefix="bench-gui-")) / "tf2"
    build = f"from models_engine import build_tf2_model; build_tf2_model({str(model)!r})"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path[:2])}
    subprocess.run([sys.executable, "-c", build], check=True, env=env, capture_output=True)
    versions: list[str] = []

    def start(*args: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, __file__, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )

    def one_window() -> tuple[dict, dict[str, float]]:
        # The plain script is a fresh process for each window, as the window's worker is: one
        # process computes the same graph a few percent faster or slower than another here, so
        # one plain process for all windows would lend its luck to every comparison.
        script = start("--plain", str(model))
        ready = script.stdout.readline()
        if not ready.startswith("READY "):
            raise SystemExit("the plain TensorFlow script failed (run it with --plain MODEL)")
        versions.append(ready.split()[1])
        proc = start("--child", str(model), "--runs", str(runs))
        plain_samples: dict[str, list[float]] = {sig: [] for sig in FEEDS}
        line = None
        for text in proc.stdout:
            if text.startswith("PLAIN "):
                sig = text.split()[1]
                script.stdin.write(sig + "\n")
                script.stdin.flush()
                plain_samples[sig].append(float(script.stdout.readline()))
                proc.stdin.write("ok\n")
                proc.stdin.flush()
            elif text.startswith("RESULT "):
                line = text
                break
        proc.wait(timeout=300)
        script.stdin.close()
        script.wait(timeout=60)
        if line is None:
            raise SystemExit("the window child failed (run it with --child MODEL --runs N)")
        return json.loads(line[len("RESULT ") :]), {
            sig: statistics.median(v) for sig, v in plain_samples.items()
        }

    # Each window starts its own worker, and one worker process can be a few percent faster or
    # slower than another at the same graph: several windows, and the median of them.
    windows = [one_window() for _ in range(repeats)]
    out = {
        "python": sys.version.split()[0],
        "tensorflow": versions[0],
        "cpus": os.cpu_count(),
        "windows": repeats,
        "runs_per_window": runs,
    }
    for sig in FEEDS:
        base = statistics.median(plain[sig] for _gui, plain in windows)
        out[sig] = {"plain_tf_ms_p50": round(base, 3)}
        for what in ("arrived", "drawn"):  # outputs in the GUI thread; views drawn too
            over = [gui[sig][f"{what}_ms_p50"] - plain[sig] for gui, plain in windows]
            pct = [100 * o / plain[sig] for o, (_gui, plain) in zip(over, windows, strict=True)]
            out[sig][f"{what}_overhead_ms"] = round(statistics.median(over), 3)
            out[sig][f"{what}_overhead_pct"] = round(statistics.median(pct), 1)
            out[sig][f"{what}_overhead_pct_each_window"] = [round(p, 1) for p in pct]
        out[sig]["plain_tf_ms_p50_each_window"] = [round(plain[sig], 3) for _gui, plain in windows]
        out[sig]["parts_ms_p50_each_window"] = [
            {k: round(v, 3) for k, v in gui[sig]["parts_ms_p50"].items()} for gui, _plain in windows
        ]
    gui = windows[-1][0]
    out["max_event_loop_gap_ms"] = max(g["max_event_loop_gap_ms"] for g, _plain in windows)
    phases = windows[0][0]["max_event_loop_gap_ms_by_phase"]
    out["max_event_loop_gap_ms_by_phase"] = {  # the worst of all windows, step by step
        name: max(g["max_event_loop_gap_ms_by_phase"].get(name, 0.0) for g, _plain in windows)
        for name in phases
    }
    for key in (
        "gui_rss_mb_model_loaded",
        "tensorflow_runtime_in_gui",
        "worker_rss_mb_model_loaded",
        "worker_rss_mb_after_close",
    ):
        out[key] = gui[key]
    print(json.dumps(out, indent=2))
    dest = REPO / "benchmarks" / "results" / "gui.json"
    dest.write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
