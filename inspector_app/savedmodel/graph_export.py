"""A graph as Graphviz DOT text, or a laid-out graph as an SVG picture (no Qt, no Graphviz).

Colours follow the window's: an op's family decides its fill (``op_family``).
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

from inspector_app.savedmodel.dtypes import dtype_name
from inspector_app.savedmodel.graph_details import attr_json
from inspector_app.savedmodel.graph_layout import Layout
from inspector_app.savedmodel.graph_model import ARG_OP, RET_OP, Graph

# op family -> fill colour (light theme); the window darkens them for a dark palette
FAMILY_COLOURS = {
    "io": "#9fd8d0",
    "const": "#d9d9d9",
    "variable": "#b9dfa6",
    "math": "#a9c8f0",
    "nn": "#f3b7a3",
    "call": "#cdb7ef",
    "control": "#f5d38a",
    "array": "#e6e0b8",
    "other": "#e8e8e8",
    "scope": "#f1efe6",
}
_CONTROL = re.compile(r"If|While|Case|Switch|Merge|Enter|Exit|NextIteration|LoopCond|NoOp|Assert")
_NN = re.compile(r"Conv|Pool|Relu|Softmax|Sigmoid|Tanh|Elu|Selu|Gelu|BiasAdd|BatchNorm|Dropout|LRN")
_MATH = re.compile(
    r"MatMul|Add|Sub|Mul|Div|Mean|Sum|Max|Min|Prod|Sqrt|Rsqrt|Exp|Log|Pow|Square|Abs|Neg|Cast|"
    r"Greater|Less|Equal|Maximum|Minimum|Round|Floor|Ceil|ArgMax|ArgMin|Einsum"
)
_ARRAY = re.compile(
    r"Reshape|Shape|Concat|Pack|Unpack|Slice|Gather|Transpose|Squeeze|ExpandDims|Tile|Fill|"
    r"Pad|Split|Identity|Range|Where|Select|OneHot|Stack|Tensor"
)


def op_family(op: str, functions: set[str] | frozenset[str] = frozenset()) -> str:
    if op in (ARG_OP, RET_OP, "Placeholder", "PlaceholderWithDefault"):
        return "io"
    if op in ("Const", "HostConst"):
        return "const"
    if "Variable" in op or op in ("VarHandleOp", "ReadVariableOp", "AssignVariableOp"):
        return "variable"
    if op.endswith("PartitionedCall") or op in functions:
        return "call"
    if _CONTROL.search(op):
        return "control"
    if _NN.search(op):
        return "nn"
    if _MATH.search(op):
        return "math"
    if _ARRAY.search(op):
        return "array"
    return "other"


def _dot_id(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: Graph) -> str:
    """Every node and edge; control edges dashed; calls in the node label."""
    lines = [f"digraph {_dot_id(graph.title)} {{", "  rankdir=TB;", "  node [shape=box, style="
             '"rounded,filled", fontname="Helvetica", fontsize=10];']  # fmt: skip
    for n in graph.nodes:
        label = f"{n.op}\\n{n.name}" + (f"\\n→ {n.function}" if n.function else "")
        label = label.replace('"', '\\"')
        colour = FAMILY_COLOURS[op_family(n.op, graph.functions)]
        lines.append(f'  {_dot_id(n.name)} [label="{label}", fillcolor="{colour}"];')
    for e in graph.edges:
        src, dst = _dot_id(graph.nodes[e.src].name), _dot_id(graph.nodes[e.dst].name)
        if e.control:
            lines.append(f"  {src} -> {dst} [style=dashed, color=gray50];")
        else:
            lines.append(f'  {src} -> {dst} [tooltip="{e.src_output}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_svg(graph: Graph, layout: Layout, *, margin: float = 20.0) -> str:
    """The layout as drawn in the window: scope frames, boxes, edges as curves."""
    w, h = layout.width + 2 * margin, layout.height + 2 * margin
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0f}" height="{h:.0f}" '
        f'viewBox="0 0 {w:.0f} {h:.0f}" font-family="Helvetica, Arial, sans-serif">',
        f"<title>{escape(graph.title)}</title>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<g transform="translate({margin},{margin})">',
    ]
    frames = sorted((b for b in layout.boxes if b.kind == "frame"), key=lambda b: b.depth)
    for b in frames:
        out.append(
            f'<rect x="{b.x:.1f}" y="{b.y:.1f}" width="{b.w:.1f}" height="{b.h:.1f}" rx="6" '
            f'fill="{FAMILY_COLOURS["scope"]}" fill-opacity="0.55" stroke="#9a968a"/>'
        )
        out.append(
            f'<text x="{b.x + 8:.1f}" y="{b.y + 15:.1f}" font-size="11" fill="#55524a">'
            f"{escape(b.label)}</text>"
        )
    boxes = layout.boxes
    for e in layout.edges:
        a, b = boxes[e.src], boxes[e.dst]
        x0, y0, x1, y1 = a.center_x, a.y + a.h, b.center_x, b.y
        dy = max(30.0, abs(y1 - y0) / 2)
        style = 'stroke="#9a9a9a" stroke-dasharray="4 3"' if e.control else 'stroke="#555"'
        width = min(4.0, 1.0 + 0.4 * (e.count - 1))
        out.append(
            f'<path d="M{x0:.1f},{y0:.1f} C{x0:.1f},{y0 + dy:.1f} {x1:.1f},{y1 - dy:.1f} '
            f'{x1:.1f},{y1:.1f}" fill="none" {style} stroke-width="{width:.1f}" '
            'marker-end="url(#arrow)"/>'
        )
    for b in boxes:
        if b.kind == "frame":
            continue
        if b.kind == "scope":
            fill, stroke, dash = FAMILY_COLOURS["scope"], "#6f6a5c", ' stroke-dasharray="5 2"'
        else:
            fill, stroke, dash = FAMILY_COLOURS[op_family(b.op, graph.functions)], "#555", ""
        out.append(
            f'<g><title>{escape(_title(graph, b))}</title><rect x="{b.x:.1f}" y="{b.y:.1f}" '
            f'width="{b.w:.1f}" height="{b.h:.1f}" rx="5" fill="{fill}" stroke="{stroke}"{dash}/>'
        )
        cx = b.center_x
        out.append(
            f'<text x="{cx:.1f}" y="{b.y + 16:.1f}" font-size="11" font-weight="bold" '
            f'text-anchor="middle" fill="#111">{escape(_clip(b.label))}</text>'
        )
        out.append(
            f'<text x="{cx:.1f}" y="{b.y + 30:.1f}" font-size="9.5" text-anchor="middle" '
            f'fill="#333">{escape(_clip(b.sublabel))}</text></g>'
        )
    out.insert(
        4,
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#555"/></marker></defs>',
    )
    out.append("</g></svg>")
    return "\n".join(out) + "\n"


def _title(graph: Graph, box) -> str:
    if box.kind == "node":
        return graph.nodes[box.key].name
    return f"{box.key} ({box.sublabel})"


def _clip(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def graph_json(graph: Graph, with_attrs: bool = True) -> dict:
    """``show --graph --json``: nodes, edges (by node name) and calls."""
    nodes = []
    for n in graph.nodes:
        attrs = {}
        if with_attrs and n.proto is not None:
            attrs = {k: attr_json(n.proto.attr[k]) for k in sorted(n.proto.attr)}
        elif with_attrs and n.arg is not None and bool(getattr(n.arg, "type", 0)):
            attrs = {"T": dtype_name(n.arg.type)}
            attrs.update((k, attr_json(v)) for k, v in sorted(n.arg_attrs.items()))
        nodes.append(
            {
                "name": n.name,
                "op": n.op,
                "device": n.device,
                "attrs": attrs,
                "function": n.function,
            }
        )
    names = [n.name for n in graph.nodes]
    return {
        "title": graph.title,
        "kind": graph.kind,
        "nodes": nodes,
        "edges": [
            {
                "src": names[e.src],
                "src_output": e.src_output,
                "dst": names[e.dst],
                "dst_input": e.dst_input,
                "control": e.control,
            }
            for e in graph.edges
        ],
        "calls": [
            {"node": names[c.node], "attr": c.attr, "function": c.function} for c in graph.calls
        ],
    }
