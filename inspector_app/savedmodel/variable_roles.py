"""The role of each checkpoint variable: ``weight``, ``optimizer_slot`` or ``bookkeeping``.

Read from the checkpoint's own object graph (``TrackableObjectGraph``) when it has one: slot
variables, anything an optimizer holds, counters and metrics; else guessed from the key (TF1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inspector_app.savedmodel.bundle import BundleError
from inspector_app.savedmodel.checkpoint import OBJECT_GRAPH_KEY, CheckpointError, CheckpointReader

ROLE_WEIGHT = "weight"
ROLE_SLOT = "optimizer_slot"
ROLE_BOOKKEEPING = "bookkeeping"

# Object-graph edge names that lead to an optimizer, and those of counters and metrics.
_OPTIMIZER_EDGES = {"optimizer", "_optimizer", "inner_optimizer", "_inner_optimizer"}
_BOOKKEEPING_EDGES = {
    "save_counter", "_save_counter", "_iterations", "iterations", "iter", "_loss_tracker",
    "loss_tracker", "compile_metrics", "_compile_metrics", "_metrics", "metrics",
    "_seed_generator", "seed_generator", "_tracker", "global_step",
}  # fmt: skip
# TF1 variable names: what optimizers (tf.compat.v1.train.*) add beside each weight.
_TF1_SLOT_SUFFIXES = (
    "/Adam", "/Adam_1", "/Momentum", "/Adagrad", "/RMSProp", "/RMSProp_1", "/Ftrl", "/Ftrl_1",
    "/Adadelta", "/Adadelta_1", "/ExponentialMovingAverage",
)  # fmt: skip
_TF1_BOOKKEEPING = {"global_step", "beta1_power", "beta2_power"}


@dataclass
class ObjectGraphFacts:
    """What the checkpoint's object graph says about each key."""

    full_names: dict[str, str] = field(default_factory=dict)  # key -> variable name
    roles: dict[str, str] = field(default_factory=dict)  # key -> role
    slot_of: dict[str, str] = field(default_factory=dict)  # slot key -> its variable's key


def _attr_key(node: Any) -> str | None:
    for attr in node.attributes:
        if attr.name == "VARIABLE_VALUE":
            return attr.checkpoint_key
    return None


def object_graph_facts(graph: Any) -> ObjectGraphFacts:
    """Roles from a ``TrackableObjectGraph``: slot variables (``slot_variables``, or anything an
    optimizer holds in a list), counters and metrics as bookkeeping, the rest weights."""
    facts = ObjectGraphFacts()
    nodes = graph.nodes
    key_of = {i: _attr_key(n) for i, n in enumerate(nodes)}
    for i, node in enumerate(nodes):
        key = key_of[i]
        if key is not None:
            facts.full_names[key] = next(
                (a.full_name for a in node.attributes if a.name == "VARIABLE_VALUE"), ""
            )
        for slot in node.slot_variables:
            slot_key = key_of.get(slot.slot_variable_node_id)
            if slot_key is not None:
                facts.roles[slot_key] = ROLE_SLOT
                original = key_of.get(slot.original_variable_node_id)
                if original is not None:
                    facts.slot_of[slot_key] = original
    # Optimizers: objects that hold slot variables, or that sit under an optimizer-like name.
    optimizers = {i for i, n in enumerate(nodes) if n.slot_variables}
    for node in nodes:
        optimizers.update(r.node_id for r in node.children if r.local_name in _OPTIMIZER_EDGES)
    # Walk from the root: first path to each node, remembering whether it passed an optimizer
    # or a counter/metric edge.
    seen: dict[int, tuple[bool, bool]] = {}  # node -> (under an optimizer, under bookkeeping)
    queue: list[tuple[int, bool, bool]] = [(0, False, False)]
    while queue:
        node_id, under_opt, books = queue.pop(0)
        if node_id in seen or node_id >= len(nodes):
            continue
        seen[node_id] = (under_opt or node_id in optimizers, books)
        for ref in nodes[node_id].children:
            name = ref.local_name
            queue.append(
                (
                    ref.node_id,
                    under_opt or node_id in optimizers or name in _OPTIMIZER_EDGES,
                    books or name in _BOOKKEEPING_EDGES,
                )
            )
    direct_of_optimizer = {
        ref.node_id
        for i in optimizers
        if i < len(nodes)
        for ref in nodes[i].children
        if ref.node_id < len(nodes) and key_of.get(ref.node_id) is not None
    }
    for node_id, (under_opt, books) in seen.items():
        key = key_of.get(node_id)
        if key is None or key in facts.roles:
            continue
        if books or node_id in direct_of_optimizer:
            facts.roles[key] = ROLE_BOOKKEEPING
        elif under_opt:
            facts.roles[key] = ROLE_SLOT
        else:
            facts.roles[key] = ROLE_WEIGHT
    for key in key_of.values():  # reachable only oddly: trust the key's path
        if key is not None and key not in facts.roles:
            facts.roles[key] = role_from_key(key)
    return facts


def role_from_key(key: str) -> str:
    """The role a checkpoint key suggests when there is no object graph (TF1 checkpoints)."""
    name = key.split("/.ATTRIBUTES/")[0]
    first = name.split("/", 1)[0]
    last = name.rsplit("/", 1)[-1]
    if name in _TF1_BOOKKEEPING or last in _TF1_BOOKKEEPING or first in _BOOKKEEPING_EDGES:
        return ROLE_BOOKKEEPING
    if first in _OPTIMIZER_EDGES or name.endswith(_TF1_SLOT_SUFFIXES):
        return ROLE_SLOT
    if "/.OPTIMIZER_SLOT/" in key:
        return ROLE_SLOT
    return ROLE_WEIGHT


def checkpoint_roles(reader: CheckpointReader) -> ObjectGraphFacts:
    """Roles of every key: from the object graph when the checkpoint has one, else the names."""
    try:
        graph = reader.object_graph()
    except (CheckpointError, BundleError, OSError, ValueError):
        graph = None
    facts = object_graph_facts(graph) if graph is not None else ObjectGraphFacts()
    for key in reader.entries:
        if key != OBJECT_GRAPH_KEY and key not in facts.roles:
            facts.roles[key] = role_from_key(key)
    return facts
