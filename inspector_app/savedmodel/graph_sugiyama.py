"""The layered (Sugiyama) layout of one level of a graph: layer numbers that keep a deep graph's
constants and weights beside their consumers, then igraph's crossing reduction and placement.

Qt-free; ``graph_layout`` runs it once per open name scope, all of a graph's levels in one batch
(the window runs the batch in a helper process: igraph's C code holds the GIL while it runs).
"""

from __future__ import annotations

from collections.abc import Sequence


def layer_numbers(n: int, edges: Sequence[tuple[int, int]]) -> list[int]:
    """Layers for the Sugiyama layout: cycles broken at the back edges of a depth-first search,
    longest path from the sources, then every node moved down to just above its first consumer
    (a constant or a weight sits beside the op that reads it, not in the top row with a long
    edge down: igraph's own layering puts every source in layer 0, which on a deep graph makes
    millions of dummy vertices)."""
    succ: list[list[int]] = [[] for _ in range(n)]
    for a, b in edges:
        if a != b:
            succ[a].append(b)
    state = [0] * n  # 0 new, 1 on the stack, 2 done
    post: list[int] = []
    dag: list[list[int]] = [[] for _ in range(n)]
    for root in range(n):
        if state[root]:
            continue
        state[root] = 1
        stack = [(root, iter(succ[root]))]
        while stack:
            v, it = stack[-1]
            for w in it:
                if state[w] == 0:
                    dag[v].append(w)
                    state[w] = 1
                    stack.append((w, iter(succ[w])))
                    break
                if state[w] == 2:
                    dag[v].append(w)
                # state 1: a back edge, left out of the layering
            else:
                state[v] = 2
                post.append(v)
                stack.pop()
    topo = post[::-1]
    layer = [0] * n
    for v in topo:
        lv = layer[v] + 1
        for w in dag[v]:
            if layer[w] < lv:
                layer[w] = lv
    for v in post:  # sinks first: pull each node down to just above its nearest consumer
        if dag[v]:
            layer[v] = min(layer[w] for w in dag[v]) - 1
    return layer


def igraph_sugiyama(n: int, edges: Sequence[tuple[int, int]]) -> list[tuple[float, float]]:
    """igraph's layered layout (crossing reduction and placement) over ``layer_numbers``."""
    import igraph

    layers = layer_numbers(n, edges)
    g = igraph.Graph(n=n, directed=True)
    g.add_edges(edges)  # much faster than Graph(edges=...) the first time
    maxiter = 100 if n < 500 else 20 if n < 5000 else 4
    lay = g.layout_sugiyama(layers=layers, maxiter=maxiter, hgap=1, vgap=1)
    return [(float(x), float(y)) for x, y in lay.coords[:n]]


def igraph_sugiyama_many(
    jobs: Sequence[tuple[int, Sequence[tuple[int, int]]]],
) -> list[list[tuple[float, float]]]:
    """``igraph_sugiyama`` over each (vertex count, edges) of a batch: the levels of one graph,
    sent to a helper process in one round trip by the window."""
    return [igraph_sugiyama(n, edges) for n, edges in jobs]
