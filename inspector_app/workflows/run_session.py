"""One owner of the run flow: what Run runs (the target), where its inputs come from, the run
going on, and the history of runs. Qt-free, so that every rule of running is tested without a
window; the window's panels observe it and the window's Run button, Ctrl+R and
``MainWindow.run()`` all call :meth:`RunSession.run`.

Usage::

    session = RunSession(engine)               # anything with run(...) -> Future and cancel()
    session.finished.subscribe(print)          # plain callbacks, called on the owner's thread
    session.set_target(RunTarget.of(info, ["serve"], signature_info))
    session.inputs = StaticInputs({"x": np.ones(3, np.float32)})
    session.run()                              # returns at once; ``finished`` tells the outcome

The engine answers on its own reader thread. ``post`` hands each answer back to the thread that
owns the session (the window passes a queued Qt call), so the session's state and its observers
only ever run on that thread; without ``post`` the answer is handled where it arrives.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from inspector_app.engine import Cancelled, EngineError, RunResult
from inspector_app.errors import UserError
from inspector_app.workflows.run_records import (
    RunRecord,
    RunStatus,
    RunTarget,
    feeds_summary,
    outputs_summary,
)

__all__ = [
    "Event",
    "InputSource",
    "Refusal",
    "RunEngine",
    "RunRecord",
    "RunSession",
    "RunStatus",
    "RunTarget",
    "StaticInputs",
    "feeds_summary",
    "outputs_summary",
]

HISTORY_KEEP_RUNS = 10  # runs whose outputs the history keeps, the latest first
HISTORY_KEEP_BYTES = 64 * 2**20  # and at most this much of them (beyond the latest run)

T = TypeVar("T")
Post = Callable[[Callable[[], None]], None]


class Event(Generic[T]):
    """A list of plain callbacks, called in the order they subscribed."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[T], object]] = []

    def subscribe(self, callback: Callable[[T], object]) -> None:
        self._callbacks.append(callback)

    def emit(self, value: T) -> None:
        for callback in list(self._callbacks):
            callback(value)


class RunEngine(Protocol):
    """What the session needs of an engine (the window's ``EngineBridge`` is one): run a
    signature of a model folder, loading it first when another is loaded; stop at once."""

    def run(
        self,
        folder: str,
        tags: list[str] | None,
        signature: str,
        feeds: Mapping[str, Any],
        *,
        device: str | None = None,
        repeat: int = 1,
    ) -> Future[RunResult]: ...

    def cancel(self) -> None: ...


class InputSource(Protocol):
    """Where the feeds of a run come from (the window's input editors, or fixed arrays)."""

    def problems(self) -> list[str]:
        """What keeps the inputs from being fed, one line each (empty: ready)."""
        ...

    def feeds(self) -> dict[str, Any]:
        """The feeds by input name; a UserError when they cannot be made."""
        ...


class StaticInputs:
    """Fixed feeds (the command line, tests, a run again with the inputs of a record)."""

    def __init__(self, feeds: Mapping[str, Any] | None = None) -> None:
        self.values = dict(feeds or {})

    def problems(self) -> list[str]:
        return []

    def feeds(self) -> dict[str, Any]:
        return dict(self.values)


@dataclass(frozen=True)
class Refusal:
    """Why Run did not start. ``silent``: nothing went wrong to report as the run's answer (the
    user said no to a question, or a run is going on); the window only mentions it."""

    reason: str
    target: RunTarget | None
    silent: bool = False


def _call_now(fn: Callable[[], None]) -> None:
    fn()


def _allow(_target: RunTarget) -> bool:
    return True


class RunSession:
    """The target, its inputs, the run going on and the history of runs."""

    def __init__(self, engine: RunEngine, *, post: Post = _call_now) -> None:
        self.engine = engine
        self._post = post
        self.target: RunTarget | None = None
        self.inputs: InputSource = StaticInputs()
        # Asked before each run (the window asks about ops that touch files); False: no run.
        self.permit: Callable[[RunTarget], bool] = _allow
        self.device = "CPU:0"
        self.repeat = 1
        self.history: list[RunRecord] = []
        self.current: RunRecord | None = None  # the run going on
        self.shown: RunRecord | None = None  # the run whose outputs the panels show
        self.target_changed: Event[RunTarget | None] = Event()
        self.started: Event[RunRecord] = Event()
        self.finished: Event[RunRecord] = Event()  # done, failed or cancelled
        self.refused: Event[Refusal] = Event()
        self.shown_changed: Event[RunRecord | None] = Event()
        self.readiness: Event[list[str]] = Event()  # the inputs' problems (empty: ready)

    @property
    def busy(self) -> bool:
        return self.current is not None

    # -- target and inputs ----------------------------------------------------------------------
    def set_target(self, target: RunTarget | None) -> None:
        """Make ``target`` what Run runs. Another target clears the outputs shown (they belong
        to the old one); the same target again only takes its newer ``info``."""
        changed = target != self.target
        self.target = target
        if not changed:
            return
        if self.shown is not None:
            self.shown = None
            self.shown_changed.emit(None)
        self.target_changed.emit(target)

    def set_inputs(self, inputs: InputSource) -> None:
        self.inputs = inputs
        self.check_inputs()

    def check_inputs(self) -> list[str]:
        """Tell the observers whether the inputs are ready (call when they change)."""
        problems = self.inputs.problems() if self.target is not None else []
        self.readiness.emit(problems)
        return problems

    # -- running --------------------------------------------------------------------------------
    def run(self) -> RunRecord | None:
        """Start the target with the current inputs and return at once (``finished`` follows).
        None when nothing started: no target, a run going on, the user declined, or inputs that
        cannot be fed (``refused`` says why, and nothing enters the history)."""
        target = self.target
        if target is None:
            return self._refused("no signature is selected; select one in the tree", None)
        if self.busy:
            return self._refused(
                f"a run of {self.current_label()} is going on", target, silent=True
            )
        problems = self.inputs.problems()
        if problems:
            return self._refused("inputs are not ready: " + "; ".join(problems[:3]), target)
        try:
            feeds = self.inputs.feeds()
        except UserError as err:
            return self._refused(str(err), target)
        if not self.permit(target):
            return self._refused("run declined", target, silent=True)
        record = RunRecord(
            target, self.device, feeds_summary(feeds), time.time(), feeds=feeds, repeat=self.repeat
        )
        self.current = record
        try:
            future = self.engine.run(
                target.model_dir,
                list(target.tags),
                target.signature,
                feeds,
                device=record.device,
                repeat=record.repeat,
            )
        except Exception as err:  # noqa: BLE001 - every run ends in ``finished``
            self._fail(record, err)
            return record
        self.started.emit(record)
        future.add_done_callback(lambda f: self._post(lambda: self._answer(record, f)))
        return record

    def cancel(self) -> bool:
        """Stop the run going on at once (the engine restarts its worker); False when idle."""
        if self.current is None:
            return False
        self.engine.cancel()
        return True

    def engine_failed(self, err: BaseException) -> None:
        """The engine's owner reports a failure that is not the run's own answer (the model
        did not load): the run waiting on it ends with that reason."""
        if self.current is not None:
            self._fail(self.current, err)

    def current_label(self) -> str:
        return self.current.target.label() if self.current is not None else ""

    # -- history --------------------------------------------------------------------------------
    def show(self, record: RunRecord) -> bool:
        """Show a run of the history again; False when its outputs were let go."""
        if record.released:
            return False
        self.shown = record
        self.shown_changed.emit(record)
        return True

    # -- answers --------------------------------------------------------------------------------
    def _refused(
        self, reason: str, target: RunTarget | None, silent: bool = False
    ) -> RunRecord | None:
        """Tell the observers why nothing started; None, what ``run`` answers then."""
        self.refused.emit(Refusal(reason, target, silent))
        return None

    def _answer(self, record: RunRecord, future: Future[RunResult]) -> None:
        if record is not self.current:
            return  # ended already (a load failure said why)
        try:
            record.result = future.result()
        except (Cancelled, CancelledError) as err:
            self._end(record, "cancelled", str(err) or "cancelled")
            return
        except BaseException as err:  # noqa: BLE001 - the worker's error, told as it is
            self._fail(record, err)
            return
        self._end(record, "done")

    def _fail(self, record: RunRecord, err: BaseException) -> None:
        if isinstance(err, Cancelled):
            self._end(record, "cancelled", str(err))
            return
        text = str(err) if isinstance(err, UserError) else f"{type(err).__name__}: {err}"
        record.details = getattr(err, "details", "") or ""
        self._end(record, "failed", text or type(err).__name__)

    def _end(self, record: RunRecord, status: RunStatus, error: str | None = None) -> None:
        record.received = time.perf_counter()
        record.elapsed_s = record.received - record.clock
        record.status = status
        record.error = error
        self.current = None
        self.history.append(record)
        self._release_old_outputs()
        if record.target == self.target:
            self.shown = record
            self.shown_changed.emit(record)
        self.finished.emit(record)

    def _release_old_outputs(self) -> None:
        """Keep the arrays of the latest runs only, so that many runs do not fill the memory."""
        kept, total = 0, 0
        for record in reversed(self.history):
            if record.released or (record.result is None and not record.feeds):
                continue
            size = record.nbytes()
            if kept >= HISTORY_KEEP_RUNS or (kept and total + size > HISTORY_KEEP_BYTES):
                record.release()
            else:
                kept, total = kept + 1, total + size


def run_error(record: RunRecord) -> EngineError:
    """A run that gave no outputs as the error Contract 2's ``run_finished`` carries
    (``Cancelled`` for a cancelled run)."""
    if record.status == "cancelled":
        return Cancelled(record.error or "cancelled")
    return EngineError(record.error or "the run failed", details=record.details)
