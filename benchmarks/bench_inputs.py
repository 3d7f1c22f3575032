"""Image batch speed: our builder vs a plain pillow decode + resize loop, on the same 32 JPEGs.

    python3 benchmarks/bench_inputs.py [--repeat 7] [--source 640x480]

Writes benchmarks/results/inputs.json. The target is 224x224; the JPEGs are written at
--source size (default 640x480, a typical photo) and, as a second case, at 224x224.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from inspector_app.inputs.images import ImageOptions, build_image_batch  # noqa: E402

N_IMAGES = 32
TARGET = (224, 224)


class Spec:
    name = "images"
    dtype = "float32"
    shape = [-1, TARGET[0], TARGET[1], 3]


def write_jpegs(folder: Path, size: tuple[int, int]) -> list[Path]:
    rng = np.random.default_rng(0)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    paths = []
    for i in range(N_IMAGES):
        base = np.stack([(xx * 255 // w), (yy * 255 // h), np.full_like(xx, i * 8)], axis=-1)
        noise = rng.integers(0, 40, size=base.shape)
        pixels = np.clip(base + noise, 0, 255).astype(np.uint8)
        path = folder / f"img{i:02d}_{w}x{h}.jpg"
        Image.fromarray(pixels).save(path, quality=90)
        paths.append(path)
    return paths


def plain_loop(paths: list[Path]) -> list[Image.Image]:
    """The reference: open, convert to RGB, resize (same bilinear filter), nothing else."""
    out = []
    for p in paths:
        with Image.open(p) as im:
            out.append(im.convert("RGB").resize(TARGET, Image.Resampling.BILINEAR))
    return out


def ours(paths: list[Path]) -> np.ndarray:
    return build_image_batch(paths, Spec(), ImageOptions(values="unit"))


def best_of(fn, arg, repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(arg)
        times.append(time.perf_counter() - t0)
    return min(times) * 1000, statistics.median(times) * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--source", default="640x480", help="WxH of the JPEGs written")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "inputs.json"))
    args = ap.parse_args()
    src = tuple(int(v) for v in args.source.lower().split("x"))
    cases = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in (src, TARGET):
            paths = write_jpegs(Path(tmp), size)
            ours(paths), plain_loop(paths)  # warm the file cache and pillow's plugins
            ob, om = best_of(ours, paths, args.repeat)
            pb, pm = best_of(plain_loop, paths, args.repeat)
            case = {
                "jpeg_size": f"{size[0]}x{size[1]}",
                "images": N_IMAGES,
                "target": f"{TARGET[0]}x{TARGET[1]}",
                "ours_best_ms": round(ob, 2),
                "ours_median_ms": round(om, 2),
                "plain_pillow_best_ms": round(pb, 2),
                "plain_pillow_median_ms": round(pm, 2),
                "ratio_best": round(ob / pb, 3),
                "ratio_median": round(om / pm, 3),
                "limit": 1.5,
            }
            case["ok"] = case["ratio_median"] <= 1.5
            cases.append(case)
            print(
                f"{case['jpeg_size']:>9} JPEGs x{N_IMAGES} -> float32 [32, 224, 224, 3]: "
                f"ours {om:7.1f} ms   plain pillow loop {pm:7.1f} ms   "
                f"ratio {case['ratio_median']:.2f} (limit 1.5)"
            )
    result = {
        "benchmark": "image batch: build_image_batch vs plain pillow decode+resize loop",
        "python": platform.python_version(),
        "pillow": Image.__version__,
        "numpy": np.__version__,
        "machine": platform.machine(),
        "repeat": args.repeat,
        "cases": cases,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {out}")
    return 0 if all(c["ok"] for c in cases) else 1


if __name__ == "__main__":
    raise SystemExit(main())
