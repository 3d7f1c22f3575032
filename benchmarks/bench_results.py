"""Result-view speed: colourise + overlay a 2048x2048 mask, switching batch item or k.

    python3 benchmarks/bench_results.py [--repeat 20] [--no-qt]

Targets: colourise + overlay <= 40 ms; switching batch item / k <= 50 ms (with Qt: the view's
redraw included). Writes benchmarks/results/results.json (median and best, in ms).
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

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inspector_app.results.masks import MaskResult, overlay  # noqa: E402
from inspector_app.results.scores import ScoresResult  # noqa: E402

SIZE = 2048
TARGETS = {"mask_overlay_2048": 40.0, "scores_switch_item": 50.0, "scores_switch_k": 50.0,
           "mask_switch_item_2048": 50.0, "qt_scores_switch_item": 50.0, "qt_scores_switch_k": 50.0,
           "qt_mask_switch_item_2048": 50.0, "qt_mask_opacity_2048": 50.0}  # fmt: skip


def timed(fn: Callable[[int], object], repeat: int) -> dict[str, float]:
    fn(-1)  # warm-up
    times = []
    for i in range(repeat):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return {"median_ms": round(statistics.median(times), 2), "best_ms": round(min(times), 2)}


def data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    masks = np.stack([((yy // (97 + 13 * i) + xx // 113) % 21) for i in range(2)]).astype(np.int64)
    image = rng.integers(0, 256, (2, SIZE, SIZE, 3), dtype=np.uint8)
    logits = rng.standard_normal((64, 1001)).astype(np.float32)
    return {"masks": masks, "image": image, "logits": logits}


def bench_core(d: dict[str, np.ndarray], repeat: int) -> dict[str, dict[str, float]]:
    out = {}
    out["mask_overlay_2048"] = timed(
        lambda i: overlay(d["image"][i % 2], d["masks"][i % 2], 0.5), repeat
    )
    scores = ScoresResult(d["logits"])
    out["scores_switch_item"] = timed(lambda i: scores.top_k(i % 64, 5), repeat)
    out["scores_switch_k"] = timed(lambda i: scores.top_k(3, 1 + (i % 50) * 20), repeat)

    def mask_item(i: int) -> None:
        res = MaskResult(d["masks"], image=d["image"])  # fresh: nothing cached
        res.colourised_rgb32(i % 2)  # what the view draws; Qt blends it over the image on screen
        res.legend(i % 2)

    out["mask_switch_item_2048"] = timed(mask_item, repeat)
    return out


def bench_qt(d: dict[str, np.ndarray], repeat: int) -> dict[str, dict[str, float]]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from inspector_app.ui.results_view import ResultsView

    app = QApplication.instance() or QApplication([])
    view = ResultsView()
    view.resize(1200, 800)
    view.show()
    view.show_outputs({"logits": d["logits"]}, {})
    sv = view.current_view()
    out = {}

    def flush() -> None:
        app.processEvents()

    out["qt_scores_switch_item"] = timed(lambda i: (sv.set_item((i + 1) % 64), flush()), repeat)
    out["qt_scores_switch_k"] = timed(lambda i: (sv.set_k(1 + (i + 1) % 50 * 20), flush()), repeat)
    view.show_outputs({"mask": d["masks"]}, {"image": d["image"]})
    mv = view.current_view()

    def switch_mask(i: int) -> None:
        mv.result._cache.clear()  # measure a real recompute, not the caches
        mv.result._legends.clear()
        mv._base_shown = None  # and redraw the input image as if each item had its own
        mv.set_item((i + 1) % 2)
        flush()

    out["qt_mask_switch_item_2048"] = timed(switch_mask, repeat)
    out["qt_mask_opacity_2048"] = timed(
        lambda i: (mv.set_opacity(0.2 + 0.03 * (i % 20)), flush()), repeat
    )
    view.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-qt", action="store_true", help="skip the Qt view timings")
    args = parser.parse_args()
    d = data()
    results = bench_core(d, args.repeat)
    if not args.no_qt:
        results.update(bench_qt(d, args.repeat))
    for name, r in results.items():
        r["target_ms"] = TARGETS[name]
        r["ok"] = r["median_ms"] <= TARGETS[name]
        print(f"{name:28s} median {r['median_ms']:8.2f} ms  best {r['best_ms']:8.2f} ms  "
              f"target {TARGETS[name]:.0f} ms  {'ok' if r['ok'] else 'SLOW'}")  # fmt: skip
    record = {
        "machine": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "cpus": os.cpu_count(),
        },
        "repeat": args.repeat,
        "results": results,
    }
    dest = ROOT / "benchmarks" / "results" / "results.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["ok"] for r in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
