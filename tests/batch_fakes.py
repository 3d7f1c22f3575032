"""A stand-in for ``engine.Engine`` that computes the colour classifier of ``models_batch`` in
numpy, on one thread, in order (as the worker does): batch-job tests without TensorFlow."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from types import SimpleNamespace

import numpy as np

from inspector_app.engine import Cancelled, EngineError, WorkerDied


def colour_signature(shape=(-1, 16, 16, 3), dtype="float32", extra_inputs=()):
    inputs = [SimpleNamespace(name="images", dtype=dtype, shape=list(shape))]
    inputs += [SimpleNamespace(name=n, dtype=d, shape=s) for n, d, s in extra_inputs]
    outputs = [SimpleNamespace(name="probabilities", dtype="float32", shape=[-1, 3])]
    return SimpleNamespace(key="serving_default", method_name="", inputs=inputs, outputs=outputs)


def colour_scores(images: np.ndarray) -> np.ndarray:
    means = images.reshape(images.shape[0], -1, images.shape[-1]).mean(axis=1) * 20.0
    e = np.exp(means - means.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


class NumpyEngine:
    """``run`` answers ``{"probabilities": ...}``. ``white``: "fail" raises like a model on a
    batch holding a white picture, "die" acts as a worker that dies on it. ``delay`` seconds per
    run make a slow model."""

    def __init__(self, white: str | None = None, delay: float = 0.0) -> None:
        self.white = white
        self.delay = delay
        self.pool = ThreadPoolExecutor(1)
        self.runs: list[int] = []  # batch size of each run
        self.reloads = 0
        self.cancelled = threading.Event()
        self.closed = False
        self.lost = False

    def load(self, path, tags=None, device=None) -> Future:
        fut: Future = Future()
        info = SimpleNamespace(signatures={"serving_default": None}, device="CPU:0")
        fut.set_result(info)
        return fut

    def reload(self) -> Future:
        self.reloads += 1
        self.lost = False
        return self.load(None)

    def run(self, signature, feeds, *, device=None, repeat=1) -> Future:
        images = np.asarray(feeds["images"], dtype=np.float32)

        def work():
            if self.cancelled.is_set():
                raise Cancelled("cancelled; the worker was stopped")
            if self.lost:
                raise WorkerDied("the model worker died (killed by SIGKILL); reload the model")
            time.sleep(self.delay)
            self.runs.append(images.shape[0])
            white = images.reshape(images.shape[0], -1).min(axis=1) > 0.9
            if white.any() and self.white == "fail":
                raise EngineError("InvalidArgumentError: assertion failed: [a white picture]")
            if white.any() and self.white == "die":
                self.lost = True
                raise WorkerDied("the model worker died (killed by SIGKILL); reload the model")
            return SimpleNamespace(
                outputs={"probabilities": colour_scores(images)},
                timing={"run_ms": 1.0 * images.shape[0]},
                device="CPU:0",
            )

        return self.pool.submit(work)

    def cancel(self, reload: bool = True) -> Future | None:
        self.cancelled.set()
        return None

    def close(self, graceful: bool = True) -> None:
        self.closed = True
        self.pool.shutdown(wait=False, cancel_futures=True)
