"""``--self-test``: prove that an installation works, headless, in a few seconds.

It reads the bundled digit classifier (``resources/demo_models/mnist_softmax``) without the
TensorFlow runtime, turns the ten committed sample digits into a batch with the image input
builder, checks that the window's two helper processes (the graph's layout, the weights'
statistics) start and answer as in-process code does, runs the model in the engine's worker
process and checks that every digit comes back as its true label. One line per step with its time; ``self-test passed`` and exit 0 at the end, or
one ``self-test failed: ...`` line (stderr) and exit 1. The same code runs from the source tree,
an installed package and the PyInstaller bundle, which makes it the bundle's smoke test.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

MODEL = "mnist_softmax"
SIGNATURE = "serving_default"
INPUT = "images"
DIGITS = tuple(range(10))  # resources/samples/digit_<d>.png shows the digit d
LOAD_TIMEOUT_S = 300.0  # the worker imports TensorFlow first: slow from a cold disk cache
RUN_TIMEOUT_S = 120.0
HELPER_TIMEOUT_S = 120.0


class SelfTestError(Exception):
    """A step failed; ``str()`` is the one line the user sees."""

    step = ""


@dataclass(frozen=True)
class _ImageSpec:  # what build_image_batch needs to know: the 28x28 gray picture
    name: str
    dtype: str
    shape: list[int]


def _step(name: str, fn: Callable[[], tuple[T, str]]) -> T:
    """Run one step, print ``name: detail (N ms)``; wrap any error with the step's name."""
    start = time.perf_counter()
    try:
        value, detail = fn()
    except SelfTestError as exc:
        exc.step = name
        raise
    except Exception as exc:  # noqa: BLE001 - any failure becomes the one line
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        error = SelfTestError(f"{name}: {text}")
        error.step = name
        raise error from exc
    ms = (time.perf_counter() - start) * 1000
    print(f"{name}: {detail} ({ms:.0f} ms)", flush=True)
    return value


def _environment() -> tuple[None, str]:
    from inspector_app import __version__

    where = "bundle" if getattr(sys, "frozen", False) else "python"
    return None, (
        f"SavedModel Inspector {__version__}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.machine()} ({where})"
    )


def _qt() -> tuple[None, str]:
    """PySide6 imports, an offscreen QApplication starts and the SVG icon renders."""
    # Offscreen always: the self-test is headless, and a broken DISPLAY would abort Qt outright.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6 import __version__ as pyside_version
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from inspector_app.resources import app_icon_path

    app = QApplication.instance() or QApplication([sys.argv[0]])
    icon = QIcon(str(app_icon_path()))
    if icon.pixmap(64, 64).isNull():
        raise SelfTestError("qt: the SVG application icon does not render (Qt's SVG plugin?)")
    return None, f"PySide6 {pyside_version}, platform {app.platformName()}, icon renders"


def _start_engine() -> tuple[Any, str]:
    from inspector_app.engine import Engine

    return Engine(), "worker process started (it imports TensorFlow meanwhile)"


def _read_model() -> tuple[Any, str]:
    from inspector_app.resources import demo_model_paths
    from inspector_app.savedmodel import load_model

    path = next(p for p in demo_model_paths() if p.name == MODEL)
    info = load_model(path)
    mg = next((m for m in info.meta_graphs if m.tags == ["serve"]), None)
    sig = mg.signature(SIGNATURE) if mg else None
    spec = next((t for t in sig.inputs if t.name == INPUT), None) if sig else None
    if spec is None or spec.dtype != "float32" or spec.shape != [-1, 784]:
        raise SelfTestError(
            f"read model: {path} has no {SIGNATURE} input {INPUT} float32 [-1, 784]"
        )
    return (
        info,
        f"{MODEL}: {len(info.meta_graphs)} meta graph(s), {SIGNATURE} takes {INPUT} [-1, 784]",
    )


def _build_batch() -> tuple[np.ndarray, str]:
    from inspector_app.inputs.images import ImageOptions, build_image_batch
    from inspector_app.resources import sample_path

    pngs = [sample_path(f"digit_{d}.png") for d in DIGITS]
    spec = _ImageSpec(INPUT, "float32", [len(pngs), 28, 28, 1])
    images = build_image_batch(pngs, spec, ImageOptions(color="gray", values="unit"))
    batch = images.reshape(len(pngs), 784)
    # the committed .npy files are the model's input as the script that trained it made it
    expected = np.concatenate([np.load(sample_path(f"digit_{d}.npy")) for d in DIGITS])
    if not np.allclose(batch, expected, atol=1e-5):
        raise SelfTestError("build input: the decoded PNGs differ from the committed .npy samples")
    return batch, f"{len(pngs)} sample digits decoded to float32 {list(batch.shape)}"


def _helpers(info: Any) -> tuple[None, str]:
    """The window's two spawned helper processes (the graph's layout, the weights'
    statistics) start and answer as this process would; in the bundle each re-runs its
    executable (``freeze_support``)."""
    import threading

    from inspector_app.savedmodel.checkpoint import CheckpointReader, all_stats
    from inspector_app.savedmodel.graph_sugiyama import igraph_sugiyama_many
    from inspector_app.ui.graph.layout_job import layout_process_id, sugiyama_in_helper
    from inspector_app.workflows.weight_stats_process import StatsService

    jobs = [(4, [(0, 1), (1, 2), (0, 3)])]
    coords = sugiyama_in_helper(jobs, HELPER_TIMEOUT_S)
    if layout_process_id(HELPER_TIMEOUT_S) == os.getpid() or coords != igraph_sugiyama_many(jobs):
        raise SelfTestError("helpers: the graph layout helper's answer differs from igraph's here")
    reader = CheckpointReader.for_model(info.model_dir)
    want = all_stats(reader)
    got: dict[str, Any] = {}
    pids: set[int] = set()
    errors: list[str] = []
    finished = threading.Event()

    def failed(message: str, _lost: bool) -> None:
        errors.append(message)
        finished.set()

    service = StatsService()
    try:
        job = service.submit(
            info.model_dir, sorted(want), on_stats=got.update, on_done=finished.set,
            on_error=failed,
        )  # fmt: skip
        if not finished.wait(HELPER_TIMEOUT_S):
            raise SelfTestError(f"helpers: no weight statistics in {HELPER_TIMEOUT_S:.0f} s")
        pids = job.pids
    finally:
        service.close()
    if errors:
        raise SelfTestError(f"helpers: weight statistics: {errors[0]}")
    same = all(
        got.get(k) is not None and (got[k].min, got[k].max, got[k].mean) == (s.min, s.max, s.mean)
        for k, s in want.items()
    )
    if not want or not same or os.getpid() in pids:
        raise SelfTestError("helpers: the weight statistics helper's answer differs from here")
    return None, (
        f"graph layout and weight statistics ({len(want)} variables) answered by helper processes"
    )


def _wait_ready(engine: Any) -> tuple[None, str]:
    devices = engine.wait_ready(timeout=LOAD_TIMEOUT_S)
    return None, "TensorFlow ready in the worker; devices " + ", ".join(d.name for d in devices)


def _load(engine: Any, info: Any) -> tuple[None, str]:
    model = engine.load(info.model_dir, tags=["serve"]).result(timeout=LOAD_TIMEOUT_S)
    return None, f"loaded in the worker ({model.backend}, {model.load_ms:.0f} ms there)"


def _run(engine: Any, batch: np.ndarray) -> tuple[Any, str]:
    result = engine.run(SIGNATURE, {INPUT: batch}, device="cpu").result(timeout=RUN_TIMEOUT_S)
    return result, f"{SIGNATURE} on {result.device} in {result.timing['run_ms']:.1f} ms"


def _check(result: Any) -> tuple[None, str]:
    classes = np.asarray(result.outputs["classes"]).reshape(-1)
    scores = np.asarray(result.outputs["scores"])
    want = np.array(DIGITS)
    if classes.shape != want.shape or not np.array_equal(classes, want):
        raise SelfTestError(f"check answer: predicted {classes.tolist()}, expected {want.tolist()}")
    if not np.array_equal(scores.argmax(axis=1), want):
        raise SelfTestError("check answer: the scores' best classes disagree with 'classes'")
    lowest = float(scores[np.arange(len(want)), want].min())
    return None, f"{len(want)}/{len(want)} digits right (lowest winning score {lowest:.2f})"


def self_test() -> int:
    """Run the self-test; 0 when it passed, 1 (after one explanatory line on stderr) otherwise."""
    start = time.perf_counter()
    engine = None
    try:
        _step("environment", _environment)
        # the worker warms TensorFlow up while this process checks Qt and builds the input
        engine = _step("engine", _start_engine)
        _step("qt", _qt)
        info = _step("read model", _read_model)
        batch = _step("build input", _build_batch)
        _step("helpers", lambda: _helpers(info))
        _step("worker", lambda: _wait_ready(engine))
        _step("load", lambda: _load(engine, info))
        result = _step("run", lambda: _run(engine, batch))
        _step("check answer", lambda: _check(result))
    except (SelfTestError, KeyboardInterrupt) as exc:
        text = str(exc) or "interrupted"
        tail = engine.log_tail(3).strip() if engine is not None else ""
        in_worker = getattr(exc, "step", "") in ("worker", "load", "run")
        hint = f" [worker log: {' | '.join(tail.splitlines())}]" if tail and in_worker else ""
        print(f"self-test failed: {text}{hint}", file=sys.stderr, flush=True)
        return 1
    finally:
        if engine is not None:
            engine.close(graceful=False)
    total = time.perf_counter() - start
    print(f"self-test passed in {total:.1f} s", flush=True)
    return 0
