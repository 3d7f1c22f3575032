"""The window's side of running, side by side with plain TensorFlow; writes results/gui.json.

    python3 benchmarks/bench_gui.py [--runs N]

A child process shows the real window (offscreen), opens a model, and measures: a warm run from
``MainWindow.run()`` to ``run_finished`` (a ~50 ms signature and a tiny one), the longest stall
of the event loop during load and runs (a 5 ms timer probe), the GUI process's resident memory
with the model loaded (and that TensorFlow's runtime is not in it), and the worker's memory
before and after the model is closed. The parent calls the same signatures with plain
TensorFlow in-process, so both are measured in one run.
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

FEEDS = {"slow": ("x", (512, 512)), "serving_default": ("x", (16,))}  # 50+ ms and tiny


def _rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def child(model: str, runs: int) -> None:
    import numpy as np
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from inspector_app.ui import MainWindow

    app = QApplication([])
    win = MainWindow(warm_up=True)
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

    win.open_model(model)
    wait(win.model_opened)
    result: dict = {"runs": runs}
    gaps.clear()
    for sig, (name, shape) in FEEDS.items():
        win.select_signature(sig)
        win.set_input(name, np.random.default_rng(0).normal(size=shape).astype(np.float32))
        times, arrived = [], []
        # Pass 1 with the 5 ms probe on (stalls); pass 2 with it off (latency: the probe's
        # wake-ups would otherwise be counted against the window).
        for probing, count in ((True, runs + 2), (False, runs)):
            if probing:
                last[0] = clock.nsecsElapsed()  # the pause while it was off is no stall
                timer.start()
            else:
                timer.stop()
            for i in range(count):
                phase[0] = f"{sig}: load and first run" if i < 2 else f"{sig}: warm runs"
                t0 = time.perf_counter()
                win.run()
                (value,) = wait(win.run_finished)
                assert isinstance(value, dict), value
                if not probing:
                    times.append((time.perf_counter() - t0) * 1000)
                    arrived.append((win.runner.run_panel.history[-1].received - t0) * 1000)
                # Let Qt paint the answer before the next Run, as a user's next click would:
                # back to back, painting would compete with the worker for the two cores.
                settle = QEventLoop()
                QTimer.singleShot(50, settle.quit)
                settle.exec()
        last[0] = clock.nsecsElapsed()
        timer.start()
        print(sig, [round(t, 1) for t in arrived], file=sys.stderr)
        result[sig] = {
            "arrived_ms_p50": statistics.median(arrived),
            "drawn_ms_p50": statistics.median(times),
        }
        app.processEvents()
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


def main() -> None:
    if "--child" in sys.argv:
        child(sys.argv[sys.argv.index("--child") + 1], int(sys.argv[sys.argv.index("--runs") + 1]))
        return
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 30
    import numpy as np
    import tensorflow as tf
    from models_engine import build_tf2_model

    model = build_tf2_model(Path(tempfile.mkdtemp(prefix="bench-gui-")) / "tf2")
    loaded = tf.saved_model.load(str(model))
    plain = {}
    for sig, (name, shape) in FEEDS.items():
        fn = loaded.signatures[sig]
        x = tf.constant(np.random.default_rng(0).normal(size=shape).astype(np.float32))
        times = []
        for i in range(runs + 2):
            t0 = time.perf_counter()
            {k: v.numpy() for k, v in fn(**{name: x}).items()}
            if i >= 2:
                times.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.05)  # the same pause as between the window's runs
        plain[sig] = statistics.median(times)
    proc = subprocess.run(
        [sys.executable, __file__, "--child", str(model), "--runs", str(runs)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        raise SystemExit(f"the window child failed:\n{proc.stdout}\n{proc.stderr[-3000:]}")
    gui = json.loads(line[len("RESULT ") :])
    out = {"python": sys.version.split()[0], "tensorflow": tf.__version__, "cpus": os.cpu_count()}
    for sig in FEEDS:
        base = plain[sig]
        out[sig] = {"plain_tf_ms_p50": round(base, 3)}
        for what in ("arrived", "drawn"):  # outputs in the GUI thread; views drawn too
            ms = gui[sig][f"{what}_ms_p50"]
            out[sig][f"window_{what}_ms_p50"] = round(ms, 3)
            out[sig][f"{what}_overhead_ms"] = round(ms - base, 3)
            out[sig][f"{what}_overhead_pct"] = round(100 * (ms - base) / base, 1)
    for key in (
        "max_event_loop_gap_ms",
        "max_event_loop_gap_ms_by_phase",
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
