"""Files: training checkpoints and TensorBoard events left in the export folder, pipes and
devices among the model's files, and a variables checkpoint that does not match its index or
the model (sizes, checksums)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from inspector_app.savedmodel.checks.findings import Finding
from inspector_app.savedmodel.loader import SavedModelInfo

_MAX_FILES = 5_000  # leftover-file scan bound; a model folder holds a few dozen entries

_CHECKPOINT = re.compile(
    r"^(checkpoint|.+\.ckpt(-\d+)?(\.index|\.meta|\.data-\d+-of-\d+)?|"
    r"ckpt-\d+\.(index|data-\d+-of-\d+))$"
)
_EVENTS = re.compile(r"^events\.out\.tfevents\..*")


def _walk_files(top: Path, limit: int = _MAX_FILES) -> Iterable[str]:
    seen = 0
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > limit:
                return
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                    continue
            except OSError:
                continue
            yield os.path.relpath(entry.path, top)


def _first_few(names: list[str], shown: int = 4) -> str:
    """``a, b, c, d and 3 more``."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def check_leftover_files(info: SavedModelInfo) -> list[Finding]:
    checkpoints, events = [], []
    for rel in _walk_files(info.model_dir):
        parts = Path(rel).parts
        name = parts[-1]
        if parts[0] == "variables" and len(parts) == 2 and name.startswith("variables."):
            continue  # the SavedModel's own variables checkpoint
        if _EVENTS.match(name):
            events.append(rel)
        elif _CHECKPOINT.match(name):
            checkpoints.append(rel)
    out = []
    if checkpoints:
        out.append(
            Finding(
                "files.checkpoints",
                "warning",
                f"training checkpoint files in the export folder: {_first_few(checkpoints)}",
                {"file": checkpoints[0]},
                "Keep checkpoints out of the export folder: serving reads only "
                "variables/, assets/ and saved_model.pb.",
            )
        )
    if events:
        out.append(
            Finding(
                "files.events",
                "warning",
                f"TensorBoard event files in the export folder: {_first_few(events)}",
                {"file": events[0]},
                "Write TensorBoard logs to a separate log folder, not into the export.",
            )
        )
    return out


def check_variables_files(info: SavedModelInfo) -> list[Finding]:
    """variables.index against its data shards (sizes, checksums) and the model's variables,
    and the model's files against pipes and devices; no TensorFlow."""
    from inspector_app.savedmodel.integrity import check_variables

    out = [
        Finding(
            "files.special",
            "error",
            f"{rel} is {kind}, not a regular file: TensorFlow would wait on it or read it forever",
            {"part": "variables"} if rel.startswith("variables") else {},
            "Replace it with the file the export wrote (export the model again).",
        )
        for rel, kind in info.special_files
    ]
    if any(rel.startswith("variables") for rel, _ in info.special_files):
        return out
    mg = next((m for m in info.meta_graphs if m.proto.object_graph_def.nodes), None)
    for problem in check_variables(info.model_dir, mg.proto if mg else None, checksums=True):
        out.append(
            Finding(
                f"variables.{problem.kind}",
                "error",
                problem.message,
                {"part": "variables"},
                "Export the model again, or copy its whole variables/ folder from the same export.",
            )
        )
    return out
