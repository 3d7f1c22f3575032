"""Choosing and drawing a result view, as one stall of the event loop each (issue 15).

    python3 benchmarks/bench_views.py [--repeat 10]

Each step runs on the GUI thread from start to the last paint (``processEvents`` until nothing is
left), so its time is the longest the window stops answering. Steps:

- ``choose_mask_2048``: ``interpret_outputs`` for a DeepLab-style [2048, 2048] int32 class map
  fed with a 2048² image and height / width (what the window and ``run --json`` both call);
- ``show_mask_2048``: ``ResultsView.show_outputs`` for it, then the event loop until both
  pictures and the legend are drawn at 1024x700 (the colouring and counting run in a worker
  thread): the longest single step on the GUI thread, and ``complete_median_ms``, until done;
- ``mask_opacity_2048`` / ``mask_zoom_2048``: moving the opacity slider, zooming both pictures;
- ``choose_boxes_100`` / ``show_boxes_100``: the same for a detector's 100 boxes on a 1024²
  image (2 batch items);
- ``boxes_threshold_100`` / ``boxes_item_100``: the score threshold slider, the next batch item;
- ``run_json_fields_2048``: ``view_fields`` (``run --json``'s view, reason and class shares; the
  command line has no event loop, so no target).

Target: every step's worst time within 50 ms. Each step is timed twice: elapsed (wall) and the GUI
thread's own CPU time (``time.thread_time``), which is the stall on a machine with a free core; on
a shared, loaded machine the wall time also counts waiting for a CPU. The load average is
recorded. Writes benchmarks/results/views.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from inspector_app.results.interpret import interpret_outputs, view_fields  # noqa: E402

TARGET_MS = 50.0
MASK, BOX_IMAGE, BOXES = 2048, 1024, 100


def _summary(wall: list[float], cpu: list[float]) -> dict[str, float]:
    return {
        "median_ms": round(statistics.median(wall), 2),
        "max_ms": round(max(wall), 2),
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "cpu_max_ms": round(max(cpu), 2),
    }


def timed(fn: Callable[[int], object], repeat: int) -> dict[str, float]:
    """Each call of ``fn`` is one stall (it runs start to end on the GUI thread)."""
    fn(-1)  # warm-up
    wall, cpu = [], []
    for i in range(repeat):
        start, start_cpu = time.perf_counter(), time.thread_time()
        fn(i)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.thread_time() - start_cpu) * 1000)
    return _summary(wall, cpu)


def stalls(app: Any, start: Callable[[], object], ready: Callable[[], bool],
           repeat: int) -> dict[str, float]:  # fmt: skip
    """``start()`` then the event loop until ``ready()`` and painted: the longest single step on
    the GUI thread (``start`` itself, or one ``processEvents``), and the time until complete."""
    worst, worst_cpu, totals = [], [], []
    for i in range(repeat + 1):
        t0, c0 = time.perf_counter(), time.thread_time()
        start()
        busy = [time.perf_counter() - t0]
        busy_cpu = [time.thread_time() - c0]
        settled = 0
        while settled < 3:  # ready, then three more turns of the loop for the paint
            t, c = time.perf_counter(), time.thread_time()
            app.processEvents()
            busy.append(time.perf_counter() - t)
            busy_cpu.append(time.thread_time() - c)
            if ready():
                settled += 1
            else:
                time.sleep(0.001)  # idle: the worker thread's turn
        if i:  # the first round warms up
            worst.append(max(busy) * 1000)
            worst_cpu.append(max(busy_cpu) * 1000)
            totals.append((time.perf_counter() - t0) * 1000)
    out = _summary(worst, worst_cpu)
    out["complete_median_ms"] = round(statistics.median(totals), 2)
    return out


def mask_case() -> tuple[dict[str, np.ndarray], dict]:
    yy, xx = np.mgrid[0:MASK, 0:MASK]
    seg = ((yy // 97 + xx // 113) % 21).astype(np.int32)
    image = np.random.default_rng(0).integers(0, 256, (1, MASK, MASK, 3), dtype=np.uint8)
    inputs = {"image": image, "height": np.int32(MASK), "width": np.int32(MASK)}
    return {"semantic_predictions": seg}, {"inputs": inputs}


def boxes_case() -> tuple[dict[str, np.ndarray], dict]:
    rng = np.random.default_rng(1)
    n = 2
    y0, x0 = rng.random((n, BOXES)) * 0.8, rng.random((n, BOXES)) * 0.8
    hw = rng.random((n, BOXES, 2)) * 0.2
    boxes = np.stack([y0, x0, y0 + hw[..., 0], x0 + hw[..., 1]], -1).astype(np.float32)
    outputs = {
        "detection_boxes": boxes,
        "detection_scores": np.sort(rng.random((n, BOXES)), axis=1)[:, ::-1].astype(np.float32),
        "detection_classes": rng.integers(1, 91, (n, BOXES)).astype(np.float32),
        "num_detections": np.full((n,), BOXES, np.float32),
    }
    image = rng.integers(0, 256, (n, BOX_IMAGE, BOX_IMAGE, 3), dtype=np.uint8)
    return outputs, {"inputs": {"input_tensor": image}}


def bench(repeat: int) -> dict[str, dict[str, float]]:
    from PySide6.QtWidgets import QApplication

    from inspector_app.ui.results_detection import DetectionView
    from inspector_app.ui.results_mask import MaskView
    from inspector_app.ui.results_view import ResultsView

    app = QApplication.instance() or QApplication([])
    out: dict[str, dict[str, float]] = {}

    def flush() -> None:
        app.processEvents()
        app.processEvents()

    mask_outputs, mask_ctx = mask_case()
    out["choose_mask_2048"] = timed(lambda i: interpret_outputs(mask_outputs, mask_ctx), repeat)
    # run --json: not on an event loop (no target), shown for scale.
    out["run_json_fields_2048"] = timed(lambda i: view_fields(mask_outputs, mask_ctx), repeat)
    view = ResultsView()
    view.resize(1024, 700)
    view.show()
    flush()

    def mask_drawn() -> bool:
        mv = view.current_view()
        return isinstance(mv, MaskView) and mv.pending is None and mv.legend_table.rowCount() > 0

    out["show_mask_2048"] = stalls(
        app, lambda: view.show_outputs(mask_outputs, mask_ctx), mask_drawn, repeat
    )
    mv = view.current_view()
    out["mask_opacity_2048"] = timed(
        lambda i: (mv.set_opacity(0.2 + 0.03 * (i % 20)), flush()), repeat
    )
    out["mask_zoom_2048"] = timed(
        lambda i: (mv.mask_view.zoom_by(1.25 if i % 2 else 0.8), flush()), repeat
    )

    box_outputs, box_ctx = boxes_case()
    out["choose_boxes_100"] = timed(lambda i: interpret_outputs(box_outputs, box_ctx), repeat)
    out["show_boxes_100"] = stalls(
        app,
        lambda: view.show_outputs(box_outputs, box_ctx),
        lambda: isinstance(view.current_view(), DetectionView),
        repeat,
    )
    dv = view.current_view()
    out["boxes_threshold_100"] = timed(lambda i: (dv.set_threshold(0.1 * (i % 9)), flush()), repeat)
    out["boxes_item_100"] = timed(lambda i: (dv.set_item((i + 1) % 2), flush()), repeat)
    view.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    results = bench(args.repeat)
    load = os.getloadavg()[0]
    print(f"load average {load:.2f} on {os.cpu_count()} CPUs; wall = elapsed, cpu = the GUI "
          "thread's own CPU time (the stall on an idle machine)")  # fmt: skip
    for name, r in results.items():
        line = (f"{name:24s} wall median {r['median_ms']:7.2f} max {r['max_ms']:7.2f} ms  "
                f"cpu median {r['cpu_median_ms']:7.2f} max {r['cpu_max_ms']:7.2f} ms")  # fmt: skip
        if name.startswith("run_json"):
            print(f"{line}  (command line, no event loop)")
            continue
        r["target_ms"] = TARGET_MS
        # On a shared machine the wall time includes waiting for a CPU; the GUI thread's own CPU
        # time is what the step costs. Within target when either is.
        r["ok"] = min(r["max_ms"], r["cpu_max_ms"]) <= TARGET_MS
        print(f"{line}  target {TARGET_MS:.0f} ms  {'ok' if r['ok'] else 'SLOW'}")
    record = {
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cpus": os.cpu_count(),
            "load_average": round(os.getloadavg()[0], 2),
        },
        "repeat": args.repeat,
        "results": results,
    }
    dest = ROOT / "benchmarks" / "results" / "views.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r.get("ok", True) for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
