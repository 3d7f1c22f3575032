"""Variables of a SavedModel from its checkpoint: names, dtypes, shapes, sizes, roles, small values."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector_app.savedmodel.bundle import BundleEntry
from inspector_app.savedmodel.checkpoint import OBJECT_GRAPH_KEY, CheckpointError, CheckpointReader
from inspector_app.savedmodel.dtypes import shape_text
from inspector_app.savedmodel.object_graph import ATTR_SUFFIX, checkpoint_names, trainable_flags
from inspector_app.savedmodel.variable_roles import ObjectGraphFacts, checkpoint_roles


@dataclass
class VariableInfo:
    name: str  # the variable's own name ("dense/kernel"), else its checkpoint key without suffix
    key: str  # the checkpoint key
    dtype: str
    shape: list[int] | None
    size_bytes: int  # on disk, all copies
    params: int  # elements, counted once
    keys: list[str] = field(default_factory=list)  # every key holding it (Keras 3 saves two)
    value: list | None = None  # the values of a small numeric variable (at most 16 elements)
    role: str = "weight"  # weight | optimizer_slot | bookkeeping (see savedmodel.variable_roles)
    trainable: bool | None = None  # as the SavedObjectGraph records it (TF2), else None

    @property
    def group(self) -> str:
        return self.name.rsplit("/", 1)[0] if "/" in self.name else ""

    @property
    def short_name(self) -> str:
        return self.name.rsplit("/", 1)[-1]


def read_variables(model_dir: Path, meta_graph: Any | None = None) -> list[VariableInfo]:
    """The variables in ``variables/variables.index``, named as the model names them.

    Keras 3 exports track each variable twice (``variables/N`` and ``_all_variables/N``): copies
    with the same name, dtype and shape become one entry listing both keys.
    """
    reader = CheckpointReader.for_model(model_dir)
    values = reader.small_values()
    names = checkpoint_names(meta_graph) if meta_graph is not None else {}
    trainable = trainable_flags(meta_graph) if meta_graph is not None else {}
    roles = _roles(reader)
    by_name: dict[str, VariableInfo] = {}
    for entry in reader.entries.values():
        if entry.key == OBJECT_GRAPH_KEY:
            continue
        var = _variable(entry, names)
        var.value = values.get(entry.key)
        var.role = roles.roles.get(entry.key, "weight")
        if not names.get(entry.key) and roles.full_names.get(entry.key):
            var.name = roles.full_names[entry.key]
        var.trainable = trainable.get(entry.key)
        same = by_name.get(var.name)
        if same is not None and (same.dtype, same.shape) == (var.dtype, var.shape):
            same.keys.append(var.key)
            same.size_bytes += var.size_bytes
            continue
        if same is not None:  # a different variable under the same name: keep the key
            var.name = _strip(entry.key)
        by_name[var.name] = var
    return list(by_name.values())


def _roles(reader: CheckpointReader) -> ObjectGraphFacts:
    try:
        return checkpoint_roles(reader)
    except (CheckpointError, OSError, ValueError):
        return ObjectGraphFacts()


def _strip(key: str) -> str:
    return key[: -len(ATTR_SUFFIX)] if key.endswith(ATTR_SUFFIX) else key


def _variable(entry: BundleEntry, names: dict[str, str]) -> VariableInfo:
    return VariableInfo(
        name=names.get(entry.key) or _strip(entry.key),
        key=entry.key,
        dtype=entry.dtype,
        shape=entry.shape,
        size_bytes=entry.size_bytes,
        params=entry.num_elements,
        keys=[entry.key],
    )


def describe(var: VariableInfo) -> str:
    return f"{var.dtype} {shape_text(var.shape)}"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


ROLE_LABELS = {"optimizer_slot": "optimizer slot", "bookkeeping": "bookkeeping"}


def parameter_counts(variables: list[VariableInfo]) -> dict[str, int]:
    """Values per role: ``weight`` is the model's parameter count (slots and counters apart)."""
    out = {"weight": 0, "optimizer_slot": 0, "bookkeeping": 0}
    for var in variables:
        out[var.role] = out.get(var.role, 0) + var.params
    return out


def totals_text(variables: list[VariableInfo]) -> str:
    """``4 variables · 12,562 params`` (weights), then the optimizer slots and bookkeeping apart."""
    weights = [v for v in variables if v.role == "weight"]
    slots = [v for v in variables if v.role == "optimizer_slot"]
    books = [v for v in variables if v.role == "bookkeeping"]
    parts = []
    if weights or not (slots or books):
        parts.append(
            f"{plural(len(weights), 'variable')} · {plural(sum(v.params for v in weights), 'param')}"
        )
    if slots:
        parts.append(
            f"optimizer: {plural(len(slots), 'slot')} ({sum(v.params for v in slots):,} values)"
        )
    if books:
        parts.append(f"bookkeeping: {len(books)}")
    return " · ".join(parts)
