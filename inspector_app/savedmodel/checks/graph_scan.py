"""Checks that read the graph: training leftovers, denylisted and unknown ops, device pins.

One pass over the nodes of a MetaGraphDef (the graph and every function of its library) collects
what the checks need. Constant payloads are never touched, so a 100 MB graph costs no more than
its node count.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

_OPTIMIZER = re.compile(r"^(Resource)?(Sparse)?Apply[A-Z]\w*$")
_QUEUE_READER = re.compile(
    r"^(\w*Queue(V2)?|Queue\w+|\w*Reader(V2)?|Reader\w+|"
    r"(OneShot|Anonymous)?Iterator(V2|V3)?|IteratorGetNext\w*|MakeIterator)$"
)
_SUMMARY = re.compile(
    r"^(\w*Summary(V2)?|Write\w*Summary|\w*SummaryWriter|\w*Summary\w*Writer|ImportEvent)$"
)
_RANDOM_UNIFORM = {"RandomUniform", "StatelessRandomUniform", "StatelessRandomUniformV2"}
_MASK_COMPARE = {"GreaterEqual", "Greater", "Less", "LessEqual"}
_PASS_THROUGH = {"Mul", "Add", "AddV2", "Sub", "Identity", "Cast"}
_BRANCHING = {"Switch", "RefSwitch", "Merge", "If", "StatelessIf", "Case", "StatelessCase"}
_BRANCH_ATTRS = ("then_branch", "else_branch", "branches")
_DEVICE = re.compile(r"(?:^|/)(?:device:)?(GPU|TPU|XLA_GPU)(?::(\d+))?", re.IGNORECASE)
# ops whose nodes a check looks at (names for messages, attributes, the dropout pattern)
_INTERESTING = (
    _RANDOM_UNIFORM
    | _MASK_COMPARE
    | _BRANCHING
    | {"PlaceholderWithDefault", "PrintV2", "Print", "ReadFile", "WriteFile", "MatchingFiles"}
)
_LEARNING_PHASE = re.compile(r"learning_phase|keras_learning_phase|is_training|training", re.I)


@dataclass
class GraphScan:
    """What one pass over a MetaGraphDef found (op type -> node names, first few kept)."""

    ops: Counter = field(default_factory=Counter)
    nodes_by_op: dict[str, list[str]] = field(default_factory=dict)
    functions: set[str] = field(default_factory=set)
    dropout: list[str] = field(default_factory=list)  # RandomUniform nodes feeding a mask
    devices: dict[str, list[str]] = field(default_factory=dict)  # "GPU:0" -> node names
    print_to_file: list[str] = field(default_factory=list)  # PrintV2 nodes writing to file://


def _scopes(meta_graph: Any) -> Iterator[tuple[str, Any]]:
    yield "", meta_graph.graph_def.node
    for function in meta_graph.graph_def.library.function:
        yield function.signature.name, function.node_def


def _source(inp: str) -> str:
    """A node input (``name``, ``name:1``, ``name:output:0``, ``^ctrl``) -> the node name."""
    return inp.lstrip("^").split(":", 1)[0]


def _note(table: dict[str, list[str]], key: str, name: str) -> None:
    names = table.setdefault(key, [])
    if len(names) < 5:
        names.append(name)


def _branch_functions(node: Any) -> Iterator[str]:
    for attr in _BRANCH_ATTRS:
        if attr in node.attr:
            value = node.attr[attr]
            if value.HasField("func"):
                yield value.func.name
            for fn in value.list.func:
                yield fn.name


def scan_graph(meta_graph: Any) -> GraphScan:
    """One pass over the graph and its function library of a MetaGraphDef.

    Per node only ``op`` and ``device`` are read; everything else is looked at only in the
    scopes (graph or function) whose op counts say it can matter.
    """
    out = GraphScan()
    out.functions = {f.signature.name for f in meta_graph.graph_def.library.function}
    branch_functions: set[str] = set()
    for scope, nodes in _scopes(meta_graph):
        ops = Counter(node.op for node in nodes)
        out.ops.update(ops)
        devices = {node.device for node in nodes}
        devices.discard("")
        pinned = {d for d in devices if _DEVICE.search(d)}
        interesting = _INTERESTING & ops.keys()
        if not pinned and not interesting:
            continue
        by_name: dict[str, Any] = {}
        for node in nodes:
            by_name[node.name] = node
            if node.op in interesting:
                _note(out.nodes_by_op, node.op, f"{scope}/{node.name}" if scope else node.name)
            if pinned and node.device in pinned:
                match = _DEVICE.search(node.device)
                if match is None:
                    continue
                kind = match.group(1).upper().replace("XLA_", "")
                _note(out.devices, f"{kind}:{match.group(2) or 0}", node.name)
        branching = bool(_BRANCHING & ops.keys())
        for node in by_name.values():
            if node.op in _BRANCHING:
                branch_functions.update(_branch_functions(node))
            elif node.op == "PlaceholderWithDefault" and _LEARNING_PHASE.search(node.name):
                branching = True
            elif node.op == "PrintV2" and node.attr["output_stream"].s.startswith(b"file://"):
                out.print_to_file.append(node.name)
        if branching or not (_MASK_COMPARE & ops.keys() and _RANDOM_UNIFORM & ops.keys()):
            continue
        for node in by_name.values():
            if node.op in _MASK_COMPARE:
                random = _random_source(node, by_name)
                if random is not None:
                    out.dropout.append(f"{scope}/{random}" if scope else random)
    # a dropout mask inside a branch of If/Case follows a training switch: not a leftover
    out.dropout = [d for d in out.dropout if d.split("/", 1)[0] not in branch_functions]
    return out


def note_nodes(meta_graph: Any, wanted: set[str], scan: GraphScan) -> None:
    """Fill ``scan.nodes_by_op`` for op types outside the usual set (a custom denylist)."""
    missing = {op for op in wanted if op in scan.ops and op not in scan.nodes_by_op}
    if not missing:
        return
    for scope, nodes in _scopes(meta_graph):
        for node in nodes:
            if node.op in missing:
                _note(scan.nodes_by_op, node.op, f"{scope}/{node.name}" if scope else node.name)


def _random_source(compare: Any, by_name: dict[str, Any]) -> str | None:
    """The RandomUniform node a comparison reads through a few arithmetic ops, if any."""
    frontier = [_source(i) for i in compare.input if not i.startswith("^")]
    for _ in range(4):
        following = []
        for name in frontier:
            node = by_name.get(name)
            if node is None:
                continue
            if node.op in _RANDOM_UNIFORM:
                return node.name
            if node.op in _PASS_THROUGH:
                following += [_source(i) for i in node.input if not i.startswith("^")]
        frontier = following
    return None


def optimizer_ops(scan: GraphScan) -> list[str]:
    return sorted(op for op in scan.ops if _OPTIMIZER.match(op))


def queue_reader_ops(scan: GraphScan) -> list[str]:
    return sorted(op for op in scan.ops if _QUEUE_READER.match(op))


def summary_ops(scan: GraphScan) -> list[str]:
    return sorted(op for op in scan.ops if _SUMMARY.match(op))


def unknown_ops(scan: GraphScan, registered: frozenset[str]) -> list[str]:
    """Op types that are neither registered nor a function of the graph's library."""
    return sorted(op for op in scan.ops if op not in registered and op not in scan.functions)


def missing_devices(scan: GraphScan, machine: dict[str, int]) -> dict[str, list[str]]:
    """Pinned devices ("GPU:1") the machine lacks -> the first node names pinned there."""
    out = {}
    for device, names in sorted(scan.devices.items()):
        kind, _, index = device.partition(":")
        # a device number of thousands of digits (a crafted graph) is simply one we lack
        if len(index) > 9 or int(index or 0) >= machine.get(kind, 0):
            out[device] = names
    return out
