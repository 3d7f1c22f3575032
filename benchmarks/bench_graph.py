"""The Graph tab on big graphs: from the request to the first painted frame, and the longest
stall of the event loop meanwhile.

Usage: ``python3 benchmarks/bench_graph.py [--repeat N] [--sizes 10000,100000]``. The graphs are
made here as GraphDef protos (no TensorFlow): blocks of 40 nodes in nested name scopes (a conv
net's shape: each block a chain with weights, a skip connection two blocks back), and a 10,000-node
graph without scopes, where every node is laid out and drawn. Writes
``benchmarks/results/graph.json``.

Targets: a 10,000-node graph laid out and shown in under 1 s; a 100,000-node graph opens (scopes
collapsed) in under 2 s; the event loop never stalls over 50 ms.

The stall is the longest gap between ticks of a 5 ms timer on the GUI thread; beside it, the CPU
the GUI thread itself used in that gap and the most it used in any gap (the machine's cores may
be shared: a long gap with little GUI-thread CPU is waiting, not work on the GUI thread). Netron
side by side: ``bench_netron.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
RESULTS = REPO / "benchmarks" / "results" / "graph.json"


def make_meta_graph(n_nodes: int, scoped: bool = True):
    """A MetaGraphDef with ``n_nodes`` nodes in blocks of 40 (4 sub-scopes of 10 nodes)."""
    from inspector_app.savedmodel import protos

    mg = protos.meta_graph_pb2().MetaGraphDef()
    nodes = mg.graph_def.node
    count = 0

    def add(name: str, op: str, inputs: list[str]) -> str:
        nonlocal count
        if not scoped:
            name = f"n{count}_{name.rsplit('/', 1)[-1]}"
        nd = nodes.add(name=name, op=op)
        nd.input.extend(inputs)
        count += 1
        return name

    prev = add("input", "Placeholder", [])
    outputs = [prev]
    b = 0
    while count < n_nodes:
        block_in = prev
        for s, scope in enumerate(("conv", "bn", "act", "proj")):
            base = f"block_{b}/{scope}"
            w = add(f"{base}/weights", "VarHandleOp", [])
            r = add(f"{base}/ReadVariableOp", "ReadVariableOp", [w])
            c = add(f"{base}/Const", "Const", [])
            x = add(
                f"{base}/{'Conv2D' if s == 0 else 'Mul'}", "Conv2D" if s == 0 else "Mul", [prev, r]
            )
            x = add(f"{base}/BiasAdd", "BiasAdd", [x, c])
            for k in range(4):
                x = add(f"{base}/op_{k}", ("Relu", "Identity", "AddV2", "Reshape")[k], [x])
            prev = x
        if len(outputs) >= 2:
            prev = add(f"block_{b}/add", "AddV2", [prev, outputs[-2]])
        else:
            prev = add(f"block_{b}/add", "AddV2", [prev, block_in])
        outputs.append(prev)
        b += 1
    # as a model's graph arrives: parsed from bytes, with no Python object per node yet (the
    # wrappers made above would otherwise sit in the collector's young generation)
    return type(mg).FromString(mg.SerializeToString())


class Stalls:
    """The longest gap between ticks of a 5 ms timer on the GUI thread, and how much CPU the GUI
    thread itself used in that gap (``time.thread_time``): on a machine whose cores are shared,
    a long gap with little GUI-thread CPU is the thread waiting for a core or the GIL, not work
    done on it. ``worst_cpu`` is the most GUI-thread CPU in any one gap."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer(interval=5)
        self.timer.timeout.connect(self._tick)
        self.start()
        self.timer.stop()

    def _tick(self) -> None:
        now, cpu = time.perf_counter(), time.thread_time()
        gap, used = now - self.last, cpu - self.last_cpu
        if gap > self.worst:
            self.worst, self.worst_gap_cpu = gap, used
        self.worst_cpu = max(self.worst_cpu, used)
        self.last, self.last_cpu = now, cpu

    def start(self) -> None:
        self.last, self.last_cpu = time.perf_counter(), time.thread_time()
        self.worst = self.worst_gap_cpu = self.worst_cpu = 0.0
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.worst * 1000


def measure(panel, mg, name: str, expand_all: bool = False) -> dict:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    stalls = Stalls()
    loop = QEventLoop()
    got = []
    panel.graph_shown.connect(lambda lay: (got.append(lay), loop.quit()))
    stalls.start()
    start = time.perf_counter()
    cpu = time.process_time()
    panel.show_target(mg, name)
    QTimer.singleShot(60_000, loop.quit)
    loop.exec()
    shown = panel.layout_now
    if expand_all:
        got.clear()
        start = time.perf_counter()
        cpu = time.process_time()
        panel.expand_all()
        loop.exec()
        shown = panel.layout_now
    panel.view.viewport().repaint()  # the first frame, painted now
    QApplication.processEvents()
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu  # this process, all threads (the machine is shared)
    worst = stalls.stop()
    panel.graph_shown.disconnect()
    return {
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(cpu, 3),
        "layout_ms": round(shown.elapsed_ms, 1),
        "boxes": len(shown.boxes),
        "drawn_edges": len(shown.edges),
        "largest_level": shown.largest_level,
        "worst_stall_ms": round(worst, 1),
        "worst_stall_gui_cpu_ms": round(stalls.worst_gap_cpu * 1000, 1),
        "worst_gui_cpu_per_gap_ms": round(stalls.worst_cpu * 1000, 1),
        "collector_passes": panel.collector.passes,
    }


def write_saved_model(folder: Path, mg) -> Path:
    """A SavedModel folder holding ``mg`` (no variables): what the window opens."""
    from inspector_app.savedmodel import protos

    sm = protos.saved_model_pb2().SavedModel(saved_model_schema_version=1)
    meta = sm.meta_graphs.add()
    meta.CopyFrom(mg)
    meta.meta_info_def.tags.append("serve")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "saved_model.pb").write_bytes(sm.SerializeToString())
    return folder


def measure_window(folder: Path, repeat: int) -> dict:
    """The window as a user has it (``start_window``'s collector, GIL hand-over and startup
    freeze): open the model, show the Graph tab, then open the MetaGraphDef's whole graph from
    its tree row ``repeat`` times; the longest event-loop gap from the tab's first showing to
    one second after each graph is on screen."""
    from PySide6.QtCore import QEventLoop, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder.parent))
    from inspector_app.ui.app import start_window

    app, win, _collector = start_window()
    win.show_error_dialogs = False
    win.resize(1024, 700)
    win.show()

    def wait(signal, ms: int = 60_000) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        signal.disconnect(loop.quit)

    def idle(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            QApplication.processEvents()
            time.sleep(0.002)

    QTimer.singleShot(0, lambda: win.open_model(str(folder)))
    wait(win.model_opened)
    idle(1.0)
    stalls = Stalls()
    stalls.start()
    win.panels.setCurrentWidget(win.graph_panel)
    idle(2.0)  # the tab's warm-up
    tab = (stalls.stop(), stalls.worst_gap_cpu * 1000)
    row = win.models()[0].tree.find(lambda n: n.kind == "meta_graph")
    runs = []
    for _ in range(repeat):
        win.graph_panel.clear()
        idle(0.3)
        stalls.start()
        start = time.perf_counter()
        QTimer.singleShot(0, lambda: win.select_node(row))
        wait(win.graph_panel.graph_shown)
        elapsed = time.perf_counter() - start
        idle(1.0)  # the job's last pass, the closed graph freed
        runs.append((elapsed, stalls.stop(), stalls.worst_gap_cpu * 1000))
    nodes = len(win.graph_panel.graph.nodes)
    win.close()
    return {
        "case": "window: Graph tab, then a 10k-node model's graph from its tree row",
        "nodes": nodes,
        "target_s": 1.0,
        "median_s": round(statistics.median(r[0] for r in runs), 3),
        "worst_stall_ms": round(max(tab[0], *(r[1] for r in runs)), 1),
        "worst_stall_gui_cpu_ms": round(max((tab, *((r[1], r[2]) for r in runs)))[1], 1),
        "tab_first_shown_stall_ms": round(tab[0], 1),
        "runs_s": [round(r[0], 3) for r in runs],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--no-window", action="store_true", help="only the panel's cases")
    parser.add_argument("--window-case", metavar="FOLDER", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.window_case:
        print(json.dumps(measure_window(Path(args.window_case), args.repeat)))
        return

    from PySide6.QtWidgets import QApplication

    from inspector_app.ui.gc_guard import MainThreadCollector
    from inspector_app.ui.graph import GraphPanel

    app = QApplication([])
    collector = MainThreadCollector(app)  # as run_app does: collection on the GUI thread
    from inspector_app.ui.gil_handoff import quick_gil_handoff

    quick_gil_handoff()  # as start_window does
    panel = GraphPanel()
    panel.fetch_op_descriptions = False
    panel.resize(1024, 700)
    panel.show()
    collector.freeze_startup()
    # the tab's warm-up (igraph, the helper process), started when it was first shown
    deadline = time.monotonic() + 30
    while panel.collector.busy and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)

    cases = [
        ("10k nodes in scopes, all scopes open", make_meta_graph(10_000), True, 1.0),
        ("10k nodes without scopes", make_meta_graph(10_000, scoped=False), False, 1.0),
        ("100k nodes in scopes, opened collapsed", make_meta_graph(100_000), False, 2.0),
    ]
    import gc

    gc.collect()  # what making the test graphs left, as the app's idle collections would
    time.sleep(1.5)  # the helper process has started
    rows = []
    for title, mg, expand, target in cases:
        runs = [measure(panel, mg, "graph", expand) for _ in range(args.repeat)]
        best = min(runs, key=lambda r: r["seconds"])
        row = {
            "case": title,
            "nodes": len(mg.graph_def.node),
            "target_s": target,
            "median_s": round(statistics.median(r["seconds"] for r in runs), 3),
            "median_cpu_s": round(statistics.median(r["cpu_seconds"] for r in runs), 3),
            "worst_stall_ms": max(r["worst_stall_ms"] for r in runs),
            "worst_stall_gui_cpu_ms": max(r["worst_stall_gui_cpu_ms"] for r in runs),
            "worst_gui_cpu_per_gap_ms": max(r["worst_gui_cpu_per_gap_ms"] for r in runs),
            **{
                k: v
                for k, v in best.items()
                if k not in ("seconds", "cpu_seconds") and not k.startswith("worst")
            },
            "runs_s": [r["seconds"] for r in runs],
        }
        rows.append(row)
        print(
            f"{title:42s} {row['nodes']:>7,} nodes  median {row['median_s']:.3f} s "
            f"(cpu {row['median_cpu_s']:.3f} s, target {target} s)  layout {row['layout_ms']:.0f} ms  {row['boxes']:,} boxes  "
            f"worst stall {row['worst_stall_ms']:.0f} ms (GUI thread CPU in it "
            f"{row['worst_stall_gui_cpu_ms']:.0f} ms; most GUI CPU in a gap "
            f"{row['worst_gui_cpu_per_gap_ms']:.0f} ms)",
            flush=True,
        )
    if not args.no_window:  # in a process of its own, as the app starts
        import subprocess
        import tempfile

        with tempfile.TemporaryDirectory(prefix="bench-graph-") as tmp:
            folder = write_saved_model(Path(tmp) / "model10k", make_meta_graph(10_000))
            out = subprocess.run(
                [sys.executable, __file__, "--window-case", str(folder), "--repeat",
                 str(args.repeat)],
                capture_output=True, text=True, check=True,
            )  # fmt: skip
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{row['case']}  median {row['median_s']:.3f} s  worst stall "
            f"{row['worst_stall_ms']:.0f} ms (GUI thread CPU in it "
            f"{row['worst_stall_gui_cpu_ms']:.0f} ms; on the tab's first showing "
            f"{row['tab_first_shown_stall_ms']:.0f} ms)",
            flush=True,
        )
    comparison = "see benchmarks/bench_netron.py and results/netron.json"
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "cases": rows,
        "netron": comparison,
    }
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    panel.close()
    del app


if __name__ == "__main__":
    main()
