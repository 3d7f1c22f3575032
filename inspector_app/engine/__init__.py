"""Running models in a separate worker process (the only place TensorFlow's runtime loads).

The API (Qt-free, non-blocking; the window wraps it in a QObject that re-emits as signals)::

    from inspector_app.engine import Engine, EngineOptions

    engine = Engine()                    # starts the worker now; it imports TensorFlow meanwhile
    engine.devices()                     # Future[list[DeviceInfo]]: CPU:0, GPU:0 (name, memory)...
    engine.load(folder, tags=["serve"])  # Future[ModelInfo]; a fresh worker per model
    fut = engine.run("serving_default", {"x": np.array([1.0, 2.0])}, device="cpu", repeat=1)
    fut.add_done_callback(cb)            # cb runs on the engine's reader thread
    result = fut.result()                # RunResult: .outputs dict[str, np.ndarray], .timing, .device
    engine.cancel()                      # kill + restart the worker, reload the model; pending
                                         #   futures fail with Cancelled
    engine.unload(); engine.close()      # memory back (the worker process ends)

- Requests run in order, one at a time. A model stays loaded (stateful signatures keep their
  state) until ``load``/``reload``/``unload``/``cancel``.
- Errors are ``EngineError`` subclasses (all ``UserError``: one-line ``str()``, the traceback in
  ``.details``): ``Cancelled``; ``WorkerDied`` (killed, out of memory, aborted: ``reload()``
  loads the model again); ``DeviceError`` (e.g. ``gpu:0`` on a machine without one);
  ``NoModel``.
- ``add_listener(fn)``: ``fn(event, value)`` for "ready", "loaded", "worker_died", "restarted".
- ``EngineOptions(logical_cpus=N)`` (or ``INSPECTOR_LOGICAL_CPUS=N``) splits the CPU into N
  logical devices, CPU:0 ... CPU:N-1, to try device selection without a GPU.
- ``worker_rss()`` / ``worker_pid``: the worker's memory and process id.
- Timing keys of ``RunResult.timing``: run_ms, min_ms, p50_ms, p95_ms, mean_ms, repeat,
  throughput_per_s, feed_ms (all in the worker) and roundtrip_ms (client side).
"""

from inspector_app.engine.client import process_rss
from inspector_app.engine.engine import Engine
from inspector_app.engine.options import LOGICAL_CPUS_ENV, EngineOptions
from inspector_app.engine.protocol import (
    Cancelled,
    DeviceError,
    DeviceInfo,
    EngineError,
    ModelInfo,
    NoModel,
    RunResult,
    SignatureSpec,
    TensorSpecInfo,
    WorkerDied,
)

__all__ = [
    "LOGICAL_CPUS_ENV",
    "Cancelled",
    "DeviceError",
    "DeviceInfo",
    "Engine",
    "EngineError",
    "EngineOptions",
    "ModelInfo",
    "NoModel",
    "RunResult",
    "SignatureSpec",
    "TensorSpecInfo",
    "WorkerDied",
    "process_rss",
]
