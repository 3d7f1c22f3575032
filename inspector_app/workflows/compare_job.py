"""Run the same inputs through two models and compare what they answer. Qt-free.

Model A and model B are two versions of a TF Serving base folder, or two model folders with the
same signature. Each runs in an engine worker of its own (this process never imports
TensorFlow); by default both workers start at once, so they import TensorFlow side by side::

    a, b = default_pair("/models/resnet")            # its two highest versions, older first
    comparison = compare_models(a, b, "serving_default", {"x": batch})
    comparison.differing                             # names of the outputs that differ

For a window: ``plan = prepare(a, b, key, tags)`` (reads metadata, fast), then
``job = start_compare(plan, feeds, on_progress=...)``; ``job.future`` gives a ``CompareOutcome``,
``job.cancel()`` stops both workers.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.results.compare import Comparison, compare_outputs

STEPS = ("start", "load A", "run A", "load B", "run B", "compare")  # progress steps, in order

Progress = Callable[[int, int, str], None]  # (steps done, len(STEPS), what is happening now)


@dataclass(frozen=True)
class ModelRef:
    """One side of a comparison: a model folder (or saved_model.pb, or a TF Serving base folder)
    and, for a base folder, the version (None: the highest)."""

    path: str | os.PathLike
    version: int | None = None

    @property
    def label(self) -> str:
        """``resnet version 2`` or ``resnet``: short, for tables and progress lines."""
        name = Path(self.path).name or str(self.path)
        return f"{name} version {self.version}" if self.version is not None else name


@dataclass(frozen=True)
class Side:
    """A model ready to load: where it is, with which tags, and the signature to run."""

    ref: ModelRef
    model_dir: Path
    version: int | None  # the version chosen (a base folder's highest when ref.version is None)
    tags: list[str]
    signature: Any  # savedmodel.SignatureInfo

    @property
    def label(self) -> str:
        return ModelRef(self.ref.path, self.version).label


@dataclass(frozen=True)
class ComparePlan:
    """Both sides checked against each other: the signature exists in both."""

    a: Side
    b: Side
    signature: str

    @property
    def context(self) -> dict[str, Any]:
        """The context ``interpret`` takes (the signature's method, for classify outputs)."""
        return {"method_name": self.a.signature.method_name}

    def check_feeds(self, feeds: Mapping[str, Any]) -> None:
        """UserError unless ``feeds`` names exactly the inputs of the signature of both sides."""
        for side, which in ((self.a, "A"), (self.b, "B")):
            names = [t.name for t in side.signature.inputs]
            valid = ", ".join(names) or "none"
            where = f"signature {self.signature!r} of model {which} ({side.label})"
            for key in feeds:
                if key not in names:
                    raise UserError(f"{where} has no input {key!r}; its inputs: {valid}")
            missing = [n for n in names if n not in feeds]
            if missing:
                raise UserError(f"{where} needs input {missing[0]!r} (inputs: {valid})")


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


def version_dirs(path: str | os.PathLike) -> dict[int, Path]:
    """The version folders of a TF Serving base folder that hold a SavedModel ({} otherwise)."""
    from inspector_app.savedmodel import load_model

    info = load_model(path)
    return {
        v: d
        for v, d in sorted(info.version_dirs.items())
        if (d / "saved_model.pb").is_file() or (d / "saved_model.pbtxt").is_file()
    }


def default_pair(
    path: str | os.PathLike, version_a: int | None = None, version_b: int | None = None
) -> tuple[ModelRef, ModelRef]:
    """Two versions of the base folder ``path``: the two highest by default (A the older); a
    version left out is the highest one other than the version given."""
    versions = sorted(version_dirs(path))
    if not versions:
        raise UserError(
            f"{path} is a single SavedModel, not a TF Serving base folder with versions; "
            "name a second model to compare with (--other PATH2)"
        )
    have = ", ".join(map(str, versions))
    for v in (version_a, version_b):
        if v is not None and v not in versions:
            raise UserError(f"{path} has no version {v} holding a SavedModel; versions: {have}")
    if version_a is None and version_b is None:
        if len(versions) < 2:
            raise UserError(
                f"{path} has only version {versions[0]}; compare needs two versions "
                "(or --other PATH2)"
            )
        return ModelRef(path, versions[-2]), ModelRef(path, versions[-1])
    if version_a is None or version_b is None:
        given = version_a if version_a is not None else version_b
        others = [v for v in versions if v != given]
        if not others:
            raise UserError(f"{path} has only version {given}; compare needs two versions")
        if version_a is None:
            version_a = others[-1]
        else:
            version_b = others[-1]
    return ModelRef(path, version_a), ModelRef(path, version_b)


def _meta_graph(info: Any, tags: Sequence[str] | None, label: str) -> Any:
    graphs = info.meta_graphs
    sets = "; ".join(",".join(mg.tags) for mg in graphs) or "none"
    if tags:
        chosen = [mg for mg in graphs if set(mg.tags) == set(tags)]
        if not chosen:
            wanted = ",".join(tags)
            raise UserError(f"model {label} has no MetaGraphDef with tag set {wanted!r}; tag sets: {sets}")  # fmt: skip
        return chosen[0]
    if len(graphs) == 1:
        return graphs[0]
    chosen = [mg for mg in graphs if set(mg.tags) == {"serve"}]
    if not chosen:
        raise UserError(f"model {label} has several MetaGraphDefs; pick a tag set: {sets}")
    return chosen[0]


def _side(ref: ModelRef, which: str, signature: str, tags: Sequence[str] | None) -> Side:
    from inspector_app.savedmodel import load_model

    info = load_model(ref.path, version=ref.version)
    side_label = f"{which} ({ModelRef(ref.path, info.version).label})"
    mg = _meta_graph(info, tags, side_label)
    sig = mg.signature(signature)
    if sig is None:
        keys = ", ".join(s.key for s in mg.signatures if not s.key.startswith("__")) or "none"
        raise UserError(f"model {side_label} has no signature {signature!r}; signatures: {keys}")
    return Side(ref, Path(info.model_dir), info.version, list(mg.tags), sig)


def prepare(
    a: ModelRef, b: ModelRef, signature: str, tags: Sequence[str] | None = None
) -> ComparePlan:
    """Read both models' metadata (no TensorFlow, tens of ms) and check that ``signature`` exists
    in both with the same inputs. ``tags``: the MetaGraphDef (default: the only one, or serve)."""
    side_a = _side(a, "A", signature, tags)
    side_b = _side(b, "B", signature, tags)

    def inputs(side: Side) -> dict[str, str]:
        return {t.name: t.dtype for t in side.signature.inputs}

    if inputs(side_a) != inputs(side_b):

        def text(side: Side) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(inputs(side).items())) or "none"

        raise UserError(
            f"signature {signature!r} takes different inputs in A ({text(side_a)}) and B "
            f"({text(side_b)}); the same inputs cannot feed both"
        )
    return ComparePlan(side_a, side_b, signature)


EngineFactory = Callable[[], Any]


def _default_engine() -> Any:
    from inspector_app.engine import Engine

    return Engine()


class CompareJob:
    """Both runs in the background. ``future`` resolves to a ``CompareOutcome`` or fails with a
    ``UserError`` (``engine.Cancelled`` after ``cancel()``); ``on_progress(done, total, text)``
    is called from a background thread."""

    def __init__(
        self,
        plan: ComparePlan,
        feeds: Mapping[str, Any],
        *,
        device: str | None = None,
        atol: float = 1e-6,
        parallel: bool = True,
        engine_factory: EngineFactory | None = None,
        on_progress: Progress | None = None,
    ) -> None:
        self.plan = plan
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
        plan, dev, both = self.plan, self._device, self._parallel
        self._progress(0, "starting the model worker" + ("s" if both else ""))
        first = self._engine()
        second = self._engine() if both else first
        load_a = first.load(plan.a.model_dir, plan.a.tags, dev)
        run_a = first.run(plan.signature, self._feeds, device=dev)
        if both:
            load_b = second.load(plan.b.model_dir, plan.b.tags, dev)
            run_b = second.run(plan.signature, self._feeds, device=dev)
        self._progress(1, f"loading A ({plan.a.label})" + (" and B" if both else ""))
        _side_result(load_a, "A", plan.a)
        self._progress(2, f"running A ({plan.a.label})")
        res_a = _side_result(run_a, "A", plan.a)
        if not both:  # in a fresh worker: A's memory goes back first
            load_b = first.load(plan.b.model_dir, plan.b.tags, dev)
            run_b = first.run(plan.signature, self._feeds, device=dev)
        self._progress(3, f"loading B ({plan.b.label})")
        _side_result(load_b, "B", plan.b)
        self._progress(4, f"running B ({plan.b.label})")
        res_b = _side_result(run_b, "B", plan.b)
        self._progress(5, "comparing the outputs")
        comparison = compare_outputs(res_a.outputs, res_b.outputs, plan.context, self._atol)
        timing = {
            "run_a_ms": float(res_a.timing.get("run_ms", 0.0)),
            "run_b_ms": float(res_b.timing.get("run_ms", 0.0)),
        }
        self._progress(6, comparison.summary())
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
    plan: ComparePlan,
    feeds: Mapping[str, Any],
    *,
    device: str | None = None,
    atol: float = 1e-6,
    parallel: bool = True,
    engine_factory: EngineFactory | None = None,
    on_progress: Progress | None = None,
) -> CompareJob:
    """Check ``feeds`` against both sides, then run both in the background (returns at once).

    ``parallel``: one worker per model at the same time (faster); False loads one model after
    the other in a single worker (half the memory). The job closes the engines it made.
    """
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
