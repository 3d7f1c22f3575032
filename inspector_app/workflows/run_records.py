"""What a run is about and what it left behind: :class:`RunTarget` (model, version, tag set,
signature) and :class:`RunRecord` (one run of a target: device, inputs, outputs, timing, and
how it ended). Qt-free; the run session makes them and the window shows them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from inspector_app.engine import RunResult

RunStatus = Literal["running", "done", "failed", "cancelled"]
TITLE_ERROR_CHARS = 80  # a failed run's error in a history title (the whole text is kept)


def _dtype_label(arr: np.ndarray) -> str:
    return "string" if arr.dtype.kind in "OSU" else str(arr.dtype)


def feeds_summary(feeds: dict[str, Any]) -> str:
    """``x: float32[2, 3], y: string[1]``: the inputs of a run, for its history entry."""
    parts = []
    for name, value in feeds.items():
        arr = value if isinstance(value, np.ndarray) else np.asarray(value)
        parts.append(f"{name}: {_dtype_label(arr)}{list(arr.shape)}")
    return ", ".join(parts) or "no inputs"


def outputs_summary(result: RunResult) -> str:
    """The outputs of a run the same way (ragged and sparse outputs named by their kind)."""
    parts = [
        f"{name}: {_dtype_label(arr)}{list(arr.shape)}" for name, arr in result.outputs.items()
    ]
    for name, value in (result.composites or {}).items():
        parts.append(f"{name}: {value.dtype} {value.kind}{list(value.shape)}")
    return ", ".join(parts) or "no outputs"


@dataclass(frozen=True)
class RunTarget:
    """What Run runs: a signature of a model (one version of it) loaded with a tag set.

    Two targets are the same when these five fields are; ``info`` and ``spec`` (the
    ``savedmodel`` objects behind them, when the window has them) do not take part.
    """

    model_path: str  # what was opened: a model folder, a .pb file, or a TF Serving base folder
    model_dir: str  # the folder holding saved_model.pb (the version's folder for a base folder)
    version: int | None  # the version of a base folder, None for a plain model folder
    tags: tuple[str, ...]
    signature: str
    method_name: str = field(default="", compare=False)
    info: Any = field(default=None, compare=False, repr=False)  # savedmodel.SavedModelInfo
    spec: Any = field(default=None, compare=False, repr=False)  # savedmodel.SignatureInfo

    @classmethod
    def of(cls, info: Any, tags: Any, signature: Any) -> RunTarget:
        """The target for ``signature`` (a SignatureInfo) of an opened model ``info``."""
        return cls(
            str(info.path),
            str(info.model_dir),
            info.version,
            tuple(tags),
            signature.key,
            signature.method_name,
            info,
            signature,
        )

    @property
    def model_name(self) -> str:
        return Path(self.model_path).name or self.model_path

    def label(self) -> str:
        """``half_plus_two version 2 · serve · serving_default``: what every panel names."""
        version = f" version {self.version}" if self.version is not None else ""
        return f"{self.model_name}{version} · {','.join(self.tags)} · {self.signature}"

    def as_tuple(self) -> tuple[str, int | None, tuple[str, ...], str]:
        """(model path, version, tags, signature): ``MainWindow.run_target()``'s answer."""
        return self.model_path, self.version, self.tags, self.signature


@dataclass
class RunRecord:
    """One run of a target, kept in the history once it has ended (done, failed or cancelled)."""

    target: RunTarget
    device: str
    inputs: str  # a short summary of the feeds (see feeds_summary)
    started: float  # time.time() when Run was pressed
    feeds: dict[str, Any] = field(default_factory=dict, repr=False)
    repeat: int = 1
    status: RunStatus = "running"
    result: RunResult | None = None
    outputs: str = ""  # a short summary of the outputs, kept when the arrays are let go
    error: str | None = None  # the whole one-line reason of a failed or cancelled run
    details: str = ""  # the worker's traceback of a failed run
    clock: float = field(default_factory=time.perf_counter)  # time.perf_counter() at Run
    received: float = 0.0  # time.perf_counter() when the answer reached the session
    elapsed_s: float = 0.0  # from Run to the answer, as the user waited
    released: bool = False  # outputs and feeds let go to save memory (see RunSession)

    @property
    def ended(self) -> bool:
        return self.status != "running"

    def outputs_text(self) -> str:
        if not self.outputs and self.result is not None and not self.released:
            self.outputs = outputs_summary(self.result)
        return self.outputs

    def timing_text(self) -> str:
        """How long the run took and where: ``0.52 ms on CPU:0`` (percentiles for repeats)."""
        if self.result is None:
            return ""
        t, device = self.result.timing, self.result.device
        text = f"{t.get('run_ms', 0):.2f} ms on {device}"
        if t.get("repeat", 1) > 1:
            text = (
                f"{int(t['repeat'])} runs on {device}: p50 {t['p50_ms']:.2f} ms · "
                f"p95 {t['p95_ms']:.2f} ms · min {t['min_ms']:.2f} ms · "
                f"{t.get('throughput_per_s', 0):.1f} runs/s"
            )
        if getattr(self.result, "load_path", "function") == "session":
            text += " · MetaGraphDef loaded into a TF1 session, as saved_model_cli does"
        return text

    def outcome(self) -> str:
        """How the run ended, in a few words: its time and outputs, its error, or cancelled."""
        if self.status == "cancelled":
            return f"cancelled ({self.error})" if self.error else "cancelled"
        if self.status == "failed":
            error = self.error or "the run failed"
            cut = len(error) > TITLE_ERROR_CHARS
            return "failed: " + (error[:TITLE_ERROR_CHARS] + "…" if cut else error)
        if self.status == "running":
            return "running"
        run_ms = self.result.timing.get("run_ms", 0) if self.result is not None else 0
        return f"{run_ms:.1f} ms → {self.outputs_text()}"

    def title(self) -> str:
        """The history line: when, which model, version and signature, where, inputs, outcome."""
        when = time.strftime("%H:%M:%S", time.localtime(self.started))
        return f"{when}  {self.target.label()} on {self.device}  [{self.inputs}]  {self.outcome()}"

    def nbytes(self) -> int:
        """Memory its arrays hold (outputs and feeds)."""
        size = sum(np.asarray(a).nbytes for a in self.feeds.values())
        if self.result is not None:
            size += sum(np.asarray(a).nbytes for a in self.result.outputs.values())
            size += sum(c.nbytes for c in (self.result.composites or {}).values())
        return size

    def release(self) -> None:
        """Let the arrays go; the record stays in the history with its summaries."""
        self.outputs_text()
        if self.result is not None:
            self.result.outputs = {}
            self.result.composites = {}
        self.feeds = {}
        self.released = True
