"""Run the same inputs through two models and compare what they answer. Qt-free.

Model A and model B are two versions of a TF Serving base folder, or two model folders with the
same signature (``compare_plan`` reads and checks them). Each runs in an engine worker of its own
(this process never imports TensorFlow); by default both workers start at once, so they import
TensorFlow side by side::

    a, b = default_pair("/models/resnet")            # its two highest versions, older first
    comparison = compare_models(a, b, "serving_default", {"x": batch})
    comparison.differing                             # names of the outputs that differ

For a window: ``job = start_compare(CompareRequest(a, b, key, tags), feeds, on_progress=...)``
returns at once; the job reads the models' metadata in a child process (``compare_read``: never
in the window's process, whose event loop a parse would stop);
``job.future`` gives a ``CompareOutcome``, ``job.cancel()`` stops both workers. The command line
may ``prepare`` the ``ComparePlan`` first and pass that.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.results.compare import Comparison, compare_outputs
from inspector_app.workflows.compare_plan import (
    ComparePlan,
    CompareRequest,
    ModelRef,
    Side,
    default_pair,
    find_versions,
    prepare,
    version_dirs,
    versions_with_model,
)
from inspector_app.workflows.compare_read import PlanReader

__all__ = [  # the plan's names too: callers import them from here
    "STEPS",
    "CompareJob",
    "CompareOutcome",
    "ComparePlan",
    "CompareRequest",
    "ModelRef",
    "Side",
    "compare_models",
    "default_pair",
    "find_versions",
    "prepare",
    "start_compare",
    "version_dirs",
    "versions_with_model",
]

# progress steps, in order
STEPS = ("read", "start", "load A", "run A", "load B", "run B", "compare")

Progress = Callable[[int, int, str], None]  # (steps done, len(STEPS), what is happening now)


@dataclass
class CompareOutcome:
    """What a finished comparison gives back: the comparison and both runs' outputs."""

    plan: ComparePlan
    comparison: Comparison
    outputs_a: dict[str, np.ndarray]
    outputs_b: dict[str, np.ndarray]
    device_a: str = ""
    device_b: str = ""
    timing_ms: dict[str, float] = field(default_factory=dict)  # run_a_ms, run_b_ms

    @property
    def agree(self) -> bool:
        return not self.comparison.differing


EngineFactory = Callable[[], Any]


def _default_engine() -> Any:
    from inspector_app.engine import Engine

    return Engine()


class CompareJob:
    """Both runs in the background (and, for a ``CompareRequest``, reading both models first:
    ``plan`` is None until then). ``future`` resolves to a ``CompareOutcome`` or fails with a
    ``UserError`` (``engine.Cancelled`` after ``cancel()``); ``on_progress(done, total, text)``
    is called from a background thread."""

    def __init__(
        self,
        plan: ComparePlan | CompareRequest,
        feeds: Mapping[str, Any],
        *,
        device: str | None = None,
        atol: float = 1e-6,
        parallel: bool = True,
        engine_factory: EngineFactory | None = None,
        on_progress: Progress | None = None,
    ) -> None:
        # None until the job has read both models (a CompareRequest is read on the job's thread)
        self.plan: ComparePlan | None = plan if isinstance(plan, ComparePlan) else None
        self._request = plan if isinstance(plan, CompareRequest) else None
        self.future: Future[CompareOutcome] = Future()
        self._feeds = dict(feeds)
        self._device = device
        self._atol = atol
        self._parallel = parallel
        self._factory = engine_factory or _default_engine
        self._on_progress = on_progress
        self._engines: list[Any] = []
        self._lock = threading.Lock()
        self._cancelled = False
        self._closer: threading.Thread | None = None
        self._reader: PlanReader | None = None
        self._thread = threading.Thread(target=self._main, name="compare-job", daemon=True)
        self._thread.start()

    def _progress(self, done: int, text: str) -> None:
        if self._on_progress is not None:
            with contextlib.suppress(Exception):  # a listener's bug must not stop the job
                self._on_progress(done, len(STEPS), text)

    def _engine(self) -> Any:
        with self._lock:
            if self._cancelled:
                from inspector_app.engine import Cancelled

                raise Cancelled("the comparison was cancelled")
            engine = self._factory()
            self._engines.append(engine)
            return engine

    def _main(self) -> None:
        outcome: CompareOutcome | None = None
        error: BaseException | None = None
        try:
            outcome = self._compare()
        except BaseException as exc:  # noqa: BLE001 - handed to the future's owner
            error = exc
        # the workers go before the answer, so that nothing outlives a finished comparison
        self._close_engines(graceful=False)
        closer = self._closer
        if closer is not None:
            closer.join(10.0)
        if self._cancelled:
            from inspector_app.engine import Cancelled

            outcome, error = None, Cancelled("the comparison was cancelled")
        _settle(self.future, outcome, error)

    def _compare(self) -> CompareOutcome:
        dev, both = self._device, self._parallel
        plan = self.plan
        if plan is None:
            assert self._request is not None
            request = self._request
            read = f"A ({request.a.label}) and " if request.info_a is None else ""
            self._progress(0, f"reading {read}B ({request.b.label})")
            reader = PlanReader(request)  # a child process: the parse would stop this process
            with self._lock:
                self._reader = reader
                if self._cancelled:
                    reader.stop()
            plan = reader.plan()
            plan.check_feeds(self._feeds)
            self.plan = plan
        self._progress(1, "starting the model worker" + ("s" if both else ""))
        first = self._engine()
        second = self._engine() if both else first
        load_a = first.load(plan.a.model_dir, plan.a.tags, dev)
        run_a = first.run(plan.signature, self._feeds, device=dev)
        if both:
            load_b = second.load(plan.b.model_dir, plan.b.tags, dev)
            run_b = second.run(plan.signature, self._feeds, device=dev)
        self._progress(2, f"loading A ({plan.a.label})" + (" and B" if both else ""))
        _side_result(load_a, "A", plan.a)
        self._progress(3, f"running A ({plan.a.label})")
        res_a = _side_result(run_a, "A", plan.a)
        if not both:  # in a fresh worker: A's memory goes back first
            load_b = first.load(plan.b.model_dir, plan.b.tags, dev)
            run_b = first.run(plan.signature, self._feeds, device=dev)
        self._progress(4, f"loading B ({plan.b.label})")
        _side_result(load_b, "B", plan.b)
        self._progress(5, f"running B ({plan.b.label})")
        res_b = _side_result(run_b, "B", plan.b)
        self._progress(6, "comparing the outputs")
        comparison = compare_outputs(res_a.outputs, res_b.outputs, plan.context, self._atol)
        timing = {
            "run_a_ms": float(res_a.timing.get("run_ms", 0.0)),
            "run_b_ms": float(res_b.timing.get("run_ms", 0.0)),
        }
        self._progress(7, comparison.summary())
        return CompareOutcome(
            plan, comparison, res_a.outputs, res_b.outputs, res_a.device, res_b.device, timing
        )

    def _close_engines(self, graceful: bool) -> None:
        with self._lock:
            engines, self._engines = self._engines, []
        for engine in engines:
            with contextlib.suppress(Exception):  # closing is best effort
                engine.close(graceful=graceful)

    def cancel(self) -> None:
        """Stop both workers now; ``future`` fails with ``Cancelled``. Returns at once."""
        with self._lock:
            if self._cancelled:
                return
            self._cancelled = True
            if self._reader is not None:
                self._reader.stop()
            self._closer = threading.Thread(target=self._close_engines, args=(False,), daemon=True)
        self._closer.start()

    @property
    def running(self) -> bool:
        return not self.future.done()

    def wait(self, timeout: float | None = None, limit: float | None = None) -> CompareOutcome:
        """Block until done; after ``timeout`` seconds cancel the job and raise a UserError that
        names ``limit`` (default ``timeout``), once the workers are gone."""
        try:
            return self.future.result(timeout)
        except FutureTimeout:
            self.cancel()
            with contextlib.suppress(Exception):
                self.future.exception(15.0)
            shown = timeout if limit is None else limit
            raise UserError(f"timed out after {shown:g} s; the workers were stopped") from None


def _side_result(fut: Future, which: str, side: Side) -> Any:
    """The future's value; its error names the side (A or B) it came from."""
    from inspector_app.engine import EngineError

    try:
        return fut.result()
    except CancelledError:
        raise
    except EngineError as exc:
        text = f"model {which} ({side.label}): {exc}"
        raise type(exc)(text, details=exc.details) from exc
    except UserError as exc:
        raise UserError(f"model {which} ({side.label}): {exc}") from exc


def _settle(fut: Future, value: Any, exc: BaseException | None = None) -> None:
    if fut.done():
        return
    if exc is None:
        fut.set_result(value)
    else:
        fut.set_exception(exc)


def start_compare(
    plan: ComparePlan | CompareRequest,
    feeds: Mapping[str, Any],
    *,
    device: str | None = None,
    atol: float = 1e-6,
    parallel: bool = True,
    engine_factory: EngineFactory | None = None,
    on_progress: Progress | None = None,
) -> CompareJob:
    """Run both sides in the background (returns at once). A ``ComparePlan``'s inputs are
    checked against ``feeds`` now; a ``CompareRequest`` is read in a child process and checked
    by the job (its errors come through ``job.future``), so that a window never parses a model.

    ``parallel``: one worker per model at the same time (faster); False loads one model after
    the other in a single worker (half the memory). The job closes the engines it made.
    """
    if isinstance(plan, ComparePlan):
        plan.check_feeds(feeds)
    return CompareJob(
        plan,
        feeds,
        device=device,
        atol=atol,
        parallel=parallel,
        engine_factory=engine_factory,
        on_progress=on_progress,
    )


def compare_models(
    a: ModelRef,
    b: ModelRef,
    signature: str,
    feeds: Mapping[str, Any],
    tags: Sequence[str] | None = None,
    device: str | None = None,
    *,
    atol: float = 1e-6,
    timeout: float | None = None,
    parallel: bool = True,
) -> Comparison:
    """Run ``signature`` of A and of B on ``feeds`` (each in its own worker) and compare the
    outputs by name. Blocks; raises UserError for bad input or a failed load or run."""
    plan = prepare(a, b, signature, tags)
    job = start_compare(plan, feeds, device=device, atol=atol, parallel=parallel)
    return job.wait(timeout).comparison
