"""A layered (Sugiyama) layout of a graph whose name scopes are boxes, some collapsed.

Each expanded scope is laid out on its own, over its direct items (its nodes and its child
scopes), with igraph's ``layout_sugiyama`` (layer assignment, crossing reduction, placement);
an expanded child scope is an item as large as its own layout. Edges between items of different
scopes are drawn between the visible boxes that hold their ends (a collapsed scope stands for
every node inside it). Qt-free: the window runs it in a thread, the command line for ``--format
svg``.

Every level's Sugiyama input (item count and edges) is known before any level is placed, so the
levels are laid out in one batch call; igraph's C code holds the GIL while it runs, so a caller on
a GUI thread's behalf may pass its own ``sugiyama`` batch function (the window sends the batch to
a helper process).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from inspector_app.savedmodel.graph_model import (
    _EVERY,
    ARG_OP,
    CAPTURES,
    RET_OP,
    Graph,
    checkpoint,
)
from inspector_app.savedmodel.graph_scopes import Scope, scope_tree
from inspector_app.savedmodel.graph_sugiyama import igraph_sugiyama_many

NODE_H = 38.0
SCOPE_H = 44.0
HEADER = 22.0  # an expanded scope's title band
PAD = 12.0
HGAP = 22.0
VGAP = 34.0
CHAR_W = 6.6
DEFAULT_BUDGET = 300  # items shown when a graph opens, before scopes are collapsed
MIN_SHOWN = 24  # below this many items a scope opens whatever its size (one big model scope)
WRAP = 60  # a layer with more items than this is folded into several rows

# [(vertex count, edge list), ...] -> for each level, per vertex (x in units, layer number)
SugiyamaJobs = list[tuple[int, list[tuple[int, int]]]]
SugiyamaFn = Callable[[SugiyamaJobs], list[list[tuple[float, float]]]]
__all__ = [
    "Box",
    "DrawnEdge",
    "Layout",
    "compute_layout",
    "default_expanded",
    "igraph_sugiyama_many",
]


@dataclass(slots=True)  # no __dict__: one object per box for the collector, not two
class Box:
    kind: str  # "node" | "scope" (collapsed) | "frame" (an expanded scope's outline)
    key: int | str  # the node index, or the scope path
    label: str  # the op (nodes) or the scope name
    sublabel: str  # the node's short name, or "N nodes" for a scope
    x: float = 0.0  # top-left, in scene units
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0
    depth: int = 0
    op: str = ""

    @property
    def center_x(self) -> float:
        return self.x + self.w / 2


@dataclass(slots=True)
class DrawnEdge:
    src: int  # box index
    dst: int
    control: bool
    count: int = 1  # graph edges it stands for


@dataclass
class Layout:
    boxes: list[Box]
    edges: list[DrawnEdge]
    width: float
    height: float
    node_box: list[int]  # graph node index -> the box that shows it (its own or a scope's)
    expanded: frozenset[str]
    elapsed_ms: float = 0.0
    levels: int = 0  # Sugiyama runs
    largest_level: int = 0  # items in the biggest one
    scope_box: dict[str, int] = field(default_factory=dict)


def default_expanded(root: Scope, budget: int = DEFAULT_BUDGET) -> set[str]:
    """Open scopes breadth-first, smallest first, while the shown items stay within ``budget``;
    a scope that holds just one child scope opens with its parent (it adds no item), and so does
    any scope while fewer than ``MIN_SHOWN`` items are shown, and one that holds most of the
    graph (a Keras model's top scope, beside the function's many captured-variable arguments)."""
    expanded: set[str] = set()
    shown = len(root.nodes) + len(root.children)
    queue = sorted((s for s in root.children.values() if s.path != CAPTURES), key=lambda s: s.size)
    while queue:
        nxt: list[Scope] = []
        for scope in queue:
            grows = len(scope.nodes) + len(scope.children) - 1
            dominant = scope.size * 2 > root.size  # most of the graph: a model's top scope
            if (
                shown + grows <= budget
                or grows <= 0
                or shown < min(MIN_SHOWN, budget)
                or (dominant and budget > MIN_SHOWN)
            ):
                expanded.add(scope.path)
                shown += grows
                nxt.extend(scope.children.values())
        queue = sorted(nxt, key=lambda s: s.size)
    return expanded


def _short(name: str) -> str:
    return name.rpartition("/")[2] or name


def _width(*texts: str) -> float:
    return min(260.0, max(96.0, CHAR_W * max(len(t) for t in texts) + 20))


@dataclass
class _Level:
    scope: Scope
    items: list[tuple[str, int | str]] = field(default_factory=list)  # ("n", i) | ("s", path)
    edges: set[tuple[int, int]] = field(default_factory=set)
    pos: dict[int, tuple[float, float]] = field(default_factory=dict)  # item -> top-left
    w: float = 0.0
    h: float = 0.0


def compute_layout(
    graph: Graph,
    expanded: set[str] | frozenset[str] | None = None,
    *,
    tree: tuple[Scope, list[Scope]] | None = None,
    sugiyama: SugiyamaFn | None = None,
) -> Layout:
    """Lay out ``graph`` with the scopes in ``expanded`` open (None: ``default_expanded``);
    ``sugiyama`` lays out a batch of levels (default: igraph here, one after another)."""
    start = time.perf_counter()
    sugiyama = sugiyama or igraph_sugiyama_many
    root, owner = tree if tree is not None else scope_tree(graph)
    if expanded is None:
        expanded = default_expanded(root)
    expanded = frozenset(expanded)

    # the collapsed scope (if any) that stands for each scope
    rep: dict[int, Scope | None] = {id(root): None}
    levels: dict[int, _Level] = {id(root): _Level(root)}
    order: list[Scope] = [root]  # expanded scopes, parents first
    stack = [root]
    while stack:
        s = stack.pop()
        for child in s.children.values():
            r = rep[id(s)]
            if r is None and child.path not in expanded:
                r = child
            rep[id(child)] = r
            if r is None:
                levels[id(child)] = _Level(child)
                order.append(child)
            stack.append(child)

    # items of each level: direct nodes, then child scopes
    item_of_node: list[tuple[int, int]] = []  # node -> (level id, item number)
    item_of_scope: dict[int, tuple[int, int]] = {}
    for s in order:
        lv = levels[id(s)]
        for child in s.children.values():
            item_of_scope[id(child)] = (id(s), len(lv.items))
            lv.items.append(("s", child.path))
    for i, _node in enumerate(graph.nodes):
        if i % _EVERY == _EVERY - 1:
            checkpoint()
        s = owner[i]
        r = rep[id(s)]
        if r is not None:
            item_of_node.append(item_of_scope[id(r)])
        else:
            lv = levels[id(s)]
            item_of_node.append((id(s), len(lv.items)))
            lv.items.append(("n", i))

    # edges: each is laid out in the lowest level holding both ends
    def container(i: int) -> Scope:
        s = owner[i]
        r = rep[id(s)]
        return r.parent if r is not None and r.parent is not None else s

    def chain(s: Scope) -> list[Scope]:
        out = []
        node: Scope | None = s
        while node is not None:
            out.append(node)
            node = node.parent
        return out[::-1]

    chains: dict[int, list[Scope]] = {}
    visible_pairs: dict[tuple[tuple[int, int], tuple[int, int], bool], int] = {}
    checkpoint()
    captures = {i for i, s in enumerate(owner) if s.path == CAPTURES}
    for k, e in enumerate(graph.edges):
        if k % _EVERY == _EVERY - 1:
            checkpoint()
        if e.src in captures and CAPTURES not in expanded:
            continue  # a captured variable's read: in the details, not drawn across the graph
        a, b = item_of_node[e.src], item_of_node[e.dst]
        if a == b:
            continue
        if a[0] == b[0]:
            levels[a[0]].edges.add((a[1], b[1]))
        else:
            ca, cb = container(e.src), container(e.dst)
            pa = chains.setdefault(id(ca), chain(ca))
            pb = chains.setdefault(id(cb), chain(cb))
            k = 0
            while k < min(len(pa), len(pb)) and pa[k] is pb[k]:
                k += 1
            lca = pa[k - 1]
            ia = a[1] if len(pa) == k else item_of_scope[id(pa[k])][1]
            ib = b[1] if len(pb) == k else item_of_scope[id(pb[k])][1]
            if ia != ib:
                levels[id(lca)].edges.add((ia, ib))
        pair = (a, b, e.control)
        visible_pairs[pair] = visible_pairs.get(pair, 0) + 1

    # every level's Sugiyama layout in one batch (its input does not depend on the sizes)
    checkpoint()
    jobs: SugiyamaJobs = []
    job_of: dict[int, int] = {}
    for s in order:
        lv = levels[id(s)]
        if len(lv.items) > 1:
            job_of[id(s)] = len(jobs)
            jobs.append((len(lv.items), sorted(lv.edges)))
    all_coords = sugiyama(jobs) if jobs else []
    runs = len(jobs)
    largest = max((n for n, _e in jobs), default=0)

    # item sizes and positions in each level, children first
    sizes: dict[tuple[int, int], tuple[float, float]] = {}
    for s in reversed(order):
        checkpoint()
        lv = levels[id(s)]
        dims: list[tuple[float, float]] = []
        for n_item, (kind, key) in enumerate(lv.items):
            if n_item % _EVERY == _EVERY - 1:
                checkpoint()
            if kind == "n":
                node = graph.nodes[key]  # type: ignore[index]
                op = node.op + ("  ⤵" if node.function else "")
                dims.append((_width(op, _short(node.name)), NODE_H))
            else:
                child = _scope_by_path(s, key)  # type: ignore[arg-type]
                if child.path in expanded:
                    clv = levels[id(child)]
                    dims.append((clv.w, clv.h))
                else:
                    dims.append((_width(child.name, f"{child.size} nodes"), SCOPE_H))
            sizes[(id(s), n_item)] = dims[-1]
        if not lv.items:
            lv.w, lv.h = 120.0, HEADER
            continue
        job = job_of.get(id(s))
        _place(lv, dims, all_coords[job] if job is not None else [(0.0, 0.0)])

    # absolute positions, parents first
    boxes: list[Box] = []
    box_of_item: dict[tuple[int, int], int] = {}
    scope_box: dict[str, int] = {}
    offset: dict[int, tuple[float, float]] = {id(root): (0.0, 0.0)}
    for s in order:
        checkpoint()  # cheap: the window's collector may want a pass
        lv = levels[id(s)]
        ox, oy = offset[id(s)]
        for n_item, (kind, key) in enumerate(lv.items):
            if n_item % _EVERY == _EVERY - 1:
                checkpoint()
            x, y = lv.pos[n_item]
            w, h = sizes[(id(s), n_item)]
            x, y = x + ox, y + oy
            if kind == "n":
                node = graph.nodes[key]  # type: ignore[index]
                box = Box("node", key, node.op, _short(node.name), x, y, w, h, s.depth, node.op)
            else:
                child = _scope_by_path(s, key)  # type: ignore[arg-type]
                if child.path in expanded:
                    box = Box("frame", child.path, child.name, f"{child.size} nodes",
                              x, y, w, h, child.depth)  # fmt: skip
                    offset[id(child)] = (x, y)
                else:
                    box = Box("scope", child.path, child.name, f"{child.size} nodes",
                              x, y, w, h, child.depth, _top_op(child))  # fmt: skip
                scope_box[child.path] = len(boxes)
            box_of_item[(id(s), n_item)] = len(boxes)
            boxes.append(box)
    checkpoint()
    node_box = [box_of_item[item] for item in item_of_node]
    edges = []
    for (ka, kb, control), count in visible_pairs.items():
        edges.append(DrawnEdge(box_of_item[ka], box_of_item[kb], control, count))
    root_lv = levels[id(root)]
    return Layout(
        boxes=boxes,
        edges=edges,
        width=root_lv.w,
        height=root_lv.h,
        node_box=node_box,
        expanded=expanded,
        elapsed_ms=(time.perf_counter() - start) * 1000,
        levels=runs,
        largest_level=largest,
        scope_box=scope_box,
    )


def _top_op(scope: Scope) -> str:
    return max(scope.ops.items(), key=lambda kv: kv[1])[0] if scope.ops else ""


def _scope_by_path(parent: Scope, path: str) -> Scope:
    return parent.children[path.rpartition("/")[2]]


def _place(lv: _Level, dims: list[tuple[float, float]], coords: list[tuple[float, float]]) -> None:
    """Item positions from Sugiyama's (x, layer): layers stacked by their tallest item, items in a
    layer kept in Sugiyama's order without overlapping; very wide layers fold into rows."""
    by_layer: dict[int, list[int]] = {}
    for i, (_x, layer) in enumerate(coords):
        by_layer.setdefault(int(round(layer)), []).append(i)
    widths = sorted(w for w, _h in dims)
    unit = widths[len(widths) // 2] + HGAP
    rows: list[list[int]] = []
    for layer in sorted(by_layer):
        members = sorted(by_layer[layer], key=lambda i: coords[i][0])
        for k in range(0, len(members), WRAP):
            rows.append(members[k : k + WRAP])
    top = HEADER + PAD
    pos: dict[int, tuple[float, float]] = {}
    right_edge = 0.0
    min_x = float("inf")
    for row in rows:
        folded = len(row) == WRAP or len(rows) > 1 and len(by_layer) < len(rows)
        prev_right = -float("inf")
        height = 0.0
        for n, i in enumerate(row):
            w, h = dims[i]
            want = (n * unit if folded else coords[i][0] * unit) - w / 2
            x = max(want, prev_right + HGAP)
            pos[i] = (x, top)
            prev_right = x + w
            height = max(height, h)
            min_x = min(min_x, x)
        right_edge = max(right_edge, prev_right)
        top += height + VGAP
    shift = PAD - min_x
    lv.pos = {i: (x + shift, y) for i, (x, y) in pos.items()}
    lv.w = max(right_edge + shift + PAD, 120.0)
    lv.h = top - VGAP + PAD


def pseudo(op: str) -> bool:
    return op in (ARG_OP, RET_OP)
