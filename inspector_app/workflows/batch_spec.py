"""A batch job's plan, checked before it starts: the model, the signature, the items and how
each becomes part of a feed (``prepare_batch``). Qt-free; a spec pickles (the window's job runs
in a process of its own), so the signature is kept as plain values.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from inspector_app.inputs.images import ImageOptions
from inspector_app.workflows.batch_feeds import FeedPlan, PlainSignature, make_plan
from inspector_app.workflows.batch_items import ItemSource


@dataclass
class BatchSpec:
    """Everything a job needs, checked before it starts (``prepare_batch``)."""

    model_dir: Path
    tags: list[str]
    signature: PlainSignature
    source: ItemSource
    plan: FeedPlan
    batch_size: int
    device: str | None = None
    context: dict[str, Any] = field(default_factory=dict)  # for results.interpret

    @property
    def key(self) -> str:
        return str(self.signature.key)


def prepare_batch(
    model_dir: str | os.PathLike,
    tags: list[str] | tuple[str, ...],
    signature: Any,
    kind: str,
    path: str | os.PathLike,
    *,
    labels: str | None = None,
    batch_size: int | None = None,
    options: ImageOptions | None = None,
    extra: Mapping[str, np.ndarray] | None = None,
    input_name: str | None = None,
    device: str | None = None,
    label_names: list[str] | None = None,
    fallback: Mapping[str, np.ndarray] | None = None,
) -> BatchSpec:
    """Check the items against the signature; UserError (one line) for anything wrong.
    ``fallback``: values for inputs left over once the items' input is chosen (the window's)."""
    model_dir = Path(model_dir)
    plan = make_plan(signature, kind, extra=extra, options=options, input_name=input_name,
                     fallback=fallback)  # fmt: skip
    size = plan.check_batch_size(batch_size)
    source = ItemSource(kind, path, labels)
    context: dict[str, Any] = {
        "method_name": getattr(signature, "method_name", ""),
        "assets_dir": str(model_dir / "assets"),
        "model_path": str(model_dir),
    }
    if label_names:
        context["labels"] = list(label_names)
    signature = PlainSignature.of(signature)
    return BatchSpec(model_dir, list(tags), signature, source, plan, size, device, context)
