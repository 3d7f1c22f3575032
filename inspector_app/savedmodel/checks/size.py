"""Size: the model folder against the deployment limits (500 MB for legacy prediction machine
types, 10 GB for Compute Engine ones, decimal units as the guides state them), with the part
that makes it big and how to shrink it."""

from __future__ import annotations

from inspector_app.savedmodel.checks.findings import Finding
from inspector_app.savedmodel.loader import SavedModelInfo
from inspector_app.units import MB, human_bytes

LEGACY_LIMIT = 500 * MB  # legacy (MLS1) prediction machine types
COMPUTE_ENGINE_LIMIT = 10_000 * MB  # Compute Engine (N1) machine types


def check_size(info: SavedModelInfo) -> list[Finding]:
    parts = {k: v for k, v in info.breakdown.items() if v}
    split = ", ".join(
        f"{k} {human_bytes(v)}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1])
    )
    biggest = max(info.breakdown, key=lambda k: info.breakdown[k]) if info.breakdown else "other"
    fix = {
        "graph": "Large constants sit in the graph: keep weights in variables, export only "
        "the serving path, and lower their precision (float16) or quantise them.",
        "variables": "Export only what serving needs, store weights as float16 or quantise "
        "them (post-training quantisation), or prune unused layers.",
        "assets": "Use smaller vocabularies or lookup tables, and leave files serving does "
        "not read out of assets/.",
    }.get(biggest, "Remove files serving does not need from the model folder.")
    total = human_bytes(info.size_bytes)
    where = {"part": biggest} if biggest in ("graph", "variables", "assets") else {}
    if info.size_bytes > COMPUTE_ENGINE_LIMIT:
        return [
            Finding(
                "size.compute_engine_limit",
                "error",
                f"the model folder is {total} ({split}), over the 10 GB limit of Compute "
                "Engine machine types",
                where,
                fix,
            )
        ]
    if info.size_bytes > LEGACY_LIMIT:
        return [
            Finding(
                "size.legacy_limit",
                "warning",
                f"the model folder is {total} ({split}), over the 500 MB limit of legacy "
                "prediction machine types (Compute Engine machine types take up to 10 GB)",
                where,
                fix,
            )
        ]
    return [
        Finding(
            "size.ok",
            "info",
            f"the model folder is {total} ({split or 'empty'}), within the 500 MB limit of "
            "legacy prediction machine types",
        )
    ]
