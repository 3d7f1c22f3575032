"""Ask before running a model whose ops read or write files or print: the run session's
``permit`` for the window. Qt-free; the question itself is the window's (``ask``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from inspector_app.workflows.run_records import RunTarget

SHOWN_OPS = 6  # op names listed in the question


class FileOpsPermit:
    """``permit(target)``: True when the target's graph has no such ops, or when the user said
    yes for this opened model and tag set (asked once; a "no" is asked again next time)."""

    def __init__(self, ask: Callable[[str], bool]) -> None:
        self.ask = ask
        self._allowed: dict[tuple[int, tuple[str, ...]], weakref.ref[Any]] = {}

    def __call__(self, target: RunTarget) -> bool:
        info = target.info
        if info is None:
            return True  # nothing read of the model here: the engine reports what fails
        self._allowed = {k: ref for k, ref in self._allowed.items() if ref() is not None}
        key = (id(info), tuple(target.tags))
        ref = self._allowed.get(key)
        if ref is not None and ref() is info:
            return True
        ops = self._ops(info, list(target.tags))
        allowed = True
        if ops:
            shown = ", ".join(sorted(set(ops))[:SHOWN_OPS])
            allowed = self.ask(
                f"This model's graph has ops that read or write files or print ({shown}). "
                "Running it may touch files on this machine. Run it anyway?"
            )
        if allowed:
            self._allowed[key] = weakref.ref(info)
        return allowed

    @staticmethod
    def _ops(info: Any, tags: list[str]) -> list[str]:
        from inspector_app.savedmodel.checks import ops_touching_files  # with the first run

        try:
            return list(ops_touching_files(info, tags=tags))
        except Exception:  # noqa: BLE001 - a graph that cannot be read must not block runs
            return []
