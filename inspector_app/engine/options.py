"""How the engine's worker process is set up: ``EngineOptions``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

LOGICAL_CPUS_ENV = "INSPECTOR_LOGICAL_CPUS"


def _env_logical_cpus() -> int:
    try:
        return int(os.environ.get(LOGICAL_CPUS_ENV, "0") or 0)
    except ValueError:
        return 0


@dataclass(frozen=True)
class EngineOptions:
    """How the worker is set up. ``logical_cpus`` > 1 splits the CPU into that many logical
    devices (``CPU:0`` ... ``CPU:n-1``; default from the ``INSPECTOR_LOGICAL_CPUS`` variable)."""

    logical_cpus: int = field(default_factory=_env_logical_cpus)
    memory_growth: bool = True
    capture_stderr: bool = True  # worker stderr to a log file, whose tail explains a crash
    kill_grace_s: float = 0.3  # after terminate(), before kill()
    nice: int = 0  # the worker's niceness increment (the window sets one: it must stay responsive)
