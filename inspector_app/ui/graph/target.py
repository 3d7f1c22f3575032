"""Which graph a tree row leads to: a signature's, a library function's or a MetaGraphDef's."""

from __future__ import annotations

from typing import Any


def graph_target(info: Any, node: Any) -> tuple[Any, str | None, str] | None:
    """(MetaGraphDef, target name, crumb label) for a tree row that has a graph, else None."""
    path = node.path()
    mg_node = next((n for n in path if n.kind == "meta_graph"), None)
    if mg_node is None or info is None:
        return None
    version_node = next((n for n in path if n.kind == "version"), None)
    if version_node is not None and version_node.details.get("version") != getattr(
        info, "version", None
    ):
        return None  # another version of a base folder: not the loaded one
    tags = list(mg_node.details.get("tags", []))
    mg = next(
        (m for m in getattr(info, "meta_graphs", []) if list(getattr(m, "tags", ())) == tags),
        None,
    )
    if mg is None or getattr(mg, "proto", None) is None:  # not read from a saved_model.pb
        return None
    label = ", ".join(tags) or "(no tags)"
    sig = next((n for n in reversed(path) if n.kind == "signature"), None)
    if sig is not None:
        key = sig.details.get("key", sig.name)
        return mg.proto, key, key
    fn = next((n for n in reversed(path) if n.kind in ("function", "library_function")), None)
    if fn is not None:
        names = {f.signature.name for f in mg.proto.graph_def.library.function}
        candidates = [fn.details.get("function"), fn.details.get("concrete_function")]
        candidates += [fn.details.get("name"), fn.name]
        candidates += [o.get("concrete_function") for o in fn.details.get("options", [])]
        name = next((c for c in candidates if c in names), None)
        if name is not None:
            return mg.proto, name, name
        return None
    if node is mg_node:  # the whole top-level graph (a TF2 export's is small: its calls lead in)
        return mg.proto, ("graph" if len(mg.proto.graph_def.node) else None), label
    return None
