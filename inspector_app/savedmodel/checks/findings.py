"""What a check finds (``Finding``), what the checks compare against (``CheckOptions``), and the
small helpers the rule families share.

``where`` is a dict naming a path in the model tree, with any of these keys, outermost first:
``version`` (int), ``meta_graph`` (tags joined by ","), ``signature``, ``side`` ("inputs" or
``"outputs"``), ``tensor``, ``op`` (an op type), ``part`` ("graph", "variables", "assets"),
``ignored`` (a base-folder sub-folder), ``file`` (a path relative to the model folder). An empty
dict means the model as a whole. ``where.find_node`` resolves it against ``build_tree``'s nodes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from inspector_app.savedmodel.loader import MetaGraphInfo, SavedModelInfo, SignatureInfo

SEVERITIES = ("error", "warning", "info")
ORDER = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass
class Finding:
    id: str  # stable, dotted: "size.legacy_limit", "ops.unknown", ...
    severity: str  # "error" | "warning" | "info"
    message: str
    where: dict[str, Any] = field(default_factory=dict)
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "message": self.message,
            "where": self.where,
            "fix": self.fix,
        }

    def where_text(self) -> str:
        return where_text(self.where)

    def text(self) -> str:
        """One finding as plain text, as ``check`` prints it and the panel copies it."""
        place = f" [{self.where_text()}]" if self.where else ""
        fix = f"\n    fix: {self.fix}" if self.fix else ""
        return f"{self.severity.upper():7} {self.id}{place}: {self.message}{fix}"


@dataclass
class CheckOptions:
    """What the checks compare against; the engine can fill in the machine's real answers."""

    denylist: frozenset[str] | None = None  # None: default_denylist()
    registered_ops: frozenset[str] | None = None  # None: the cached list, or skip the check
    compute_registry: bool = False  # compute the op list in a child process when not cached
    devices: dict[str, int] | None = None  # None: machine_devices()
    compare_versions: bool = True


def where_text(where: dict[str, Any] | str | None) -> str:
    """``{"meta_graph": "serve", "signature": "s", "tensor": "x"}`` -> ``serve > s > x``."""
    if not where:
        return ""
    if isinstance(where, str):
        return where
    parts = []
    for key, value in where.items():
        if key == "side":
            continue
        parts.append(f"version {value}" if key == "version" else str(value))
    return " > ".join(parts)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def mg_where(mg: MetaGraphInfo, **more: Any) -> dict[str, Any]:
    return {"meta_graph": ",".join(mg.tags), **more}


def serve_graphs(info: SavedModelInfo) -> list[MetaGraphInfo]:
    return [mg for mg in info.meta_graphs if "serve" in mg.tags]


def user_signatures(mg: MetaGraphInfo) -> list[SignatureInfo]:
    """Signatures a client calls (not ``__saved_model_init_op`` and the like)."""
    return [s for s in mg.signatures if not s.key.startswith("__")]


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
