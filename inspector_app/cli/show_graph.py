"""``show PATH --graph [SIGNATURE|FUNCTION]``: one graph as JSON, Graphviz DOT or an SVG picture.

``--json`` prints ``{"nodes": [...], "edges": [...], "calls": [...]}`` (see
``savedmodel.graph_export.graph_json``); ``--format dot|svg`` writes the picture to stdout or
``--out FILE``. Without a name: the ``serving_default`` signature, else the whole graph.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from inspector_app.errors import UserError


def add_graph_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--graph",
        nargs="?",
        const="",
        metavar="SIGNATURE|FUNCTION",
        help="print one graph: a signature (pruned to what its outputs need), a library "
        "function, or 'graph' for the whole graph (default: serving_default)",
    )
    parser.add_argument(
        "--format",
        choices=("json", "dot", "svg"),
        help="with --graph: json (the default with --json), dot (Graphviz) or svg (laid out)",
    )
    parser.add_argument("--out", metavar="FILE", help="with --graph: write to FILE, not stdout")
    parser.add_argument(
        "--tag-set",
        metavar="TAGS",
        help="with --graph: the MetaGraphDef's tags, e.g. serve or serve,gpu (default: the only one, or serve)",
    )
    parser.add_argument(
        "--overwrite", action="store_true", help="with --out: replace an existing file"
    )


def _meta_graph(info, tag_set: str | None):
    from inspector_app.savedmodel.resolve import choose_meta_graph  # the one resolver

    return choose_meta_graph(info, tag_set)


def render(info, name: str, fmt: str, tag_set: str | None = None) -> str:
    from inspector_app.savedmodel.graph import open_graph

    mg = _meta_graph(info, tag_set)
    graph = open_graph(mg.proto, name or None)
    if fmt == "json":
        from inspector_app.savedmodel.graph_export import graph_json

        return json.dumps(graph_json(graph), indent=1) + "\n"
    from inspector_app.savedmodel import graph_export

    if fmt == "dot":
        return graph_export.to_dot(graph)
    from inspector_app.savedmodel.graph_layout import compute_layout

    return graph_export.to_svg(graph, compute_layout(graph))


def execute_graph(info, args: argparse.Namespace) -> int:
    fmt = args.format or "json"
    if args.format is None and not args.json and args.out:
        suffix = Path(args.out).suffix.lower().lstrip(".")
        fmt = suffix if suffix in ("dot", "svg", "json") else "json"
    text = render(info, args.graph, fmt, args.tag_set)
    if args.out:
        target = Path(args.out)
        if target.exists() and not args.overwrite:
            raise UserError(f"{target} exists; pass --overwrite to replace it")
        if not target.parent.is_dir():
            raise UserError(f"{target.parent} is not a folder")
        from inspector_app.fileio import atomic_write_text

        atomic_write_text(target, text, overwrite=True, model_dir=getattr(info, "path", None))
        print(f"wrote {target}", file=sys.stderr)
        return 0
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        sys.stdout = None  # type: ignore[assignment]
    return 0
