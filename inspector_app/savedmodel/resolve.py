"""Which MetaGraphDef and signature a run, a batch, a comparison or a graph view means: the one
resolver, so that the command line, Compare and the window choose alike and say the same
one-line error, naming what the model has.

- the tag set: the one given (``"serve,gpu"``, order and spaces ignored); without one, the only
  MetaGraphDef, else the one tagged exactly ``serve`` (what TF Serving loads);
- the signature: the key given, else ``serving_default``.

No Qt, no TensorFlow: reads the ``SavedModelInfo`` the loader made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from inspector_app.errors import UserError

DEFAULT_SIGNATURE = "serving_default"
TAG_SET_HINT = "pick one with --tag-set"  # what the command line says; the window passes its own


def parse_tags(tags: str | Sequence[str] | None) -> list[str] | None:
    """``"serve, gpu"`` or ``["serve", "gpu"]`` -> ``["serve", "gpu"]``; nothing given -> None."""
    if tags is None:
        return None
    items = tags.split(",") if isinstance(tags, str) else list(tags)
    out = [t.strip() for t in items if t.strip()]
    return out or None


def tag_sets_text(info: Any) -> str:
    """``serve; serve,gpu`` (``(no tags)`` for an untagged MetaGraphDef)."""
    return "; ".join(",".join(mg.tags) or "(no tags)" for mg in info.meta_graphs) or "none"


def signature_keys_text(meta_graph: Any) -> str:
    """The keys a client may call, ``__saved_model_init_op`` and the like left out."""
    keys = [s.key for s in meta_graph.signatures if not s.key.startswith("__")]
    return ", ".join(keys) or "none"


def _prefix(model: str) -> str:
    return f"{model}: " if model else ""


def choose_meta_graph(
    info: Any, tags: str | Sequence[str] | None = None, *, model: str = "", hint: str = TAG_SET_HINT
) -> Any:
    """The MetaGraphDef ``tags`` names (see the module text); ``UserError`` listing the tag sets
    otherwise. ``model`` names the model in the message (Compare's "model A (x)")."""
    graphs = list(info.meta_graphs)
    if not graphs:
        raise UserError(f"{_prefix(model)}the SavedModel has no MetaGraphDef; export it again")
    wanted = parse_tags(tags)
    if wanted is not None:
        chosen = [mg for mg in graphs if set(mg.tags) == set(wanted)]
        if not chosen:
            raise UserError(
                f"{_prefix(model)}no MetaGraphDef with tag set {','.join(wanted)!r}; "
                f"tag sets: {tag_sets_text(info)}"
            )
        return chosen[0]
    if len(graphs) == 1:
        return graphs[0]
    serve = [mg for mg in graphs if set(mg.tags) == {"serve"}]
    if not serve:
        raise UserError(
            f"{_prefix(model)}the model has several MetaGraphDefs; {hint}: {tag_sets_text(info)}"
        )
    return serve[0]


def choose_signature(meta_graph: Any, key: str | None = None, *, model: str = "") -> Any:
    """The signature ``key`` (default ``serving_default``) of ``meta_graph``; ``UserError``
    listing its signatures otherwise."""
    sig = meta_graph.signature(key or DEFAULT_SIGNATURE)
    if sig is None:
        what = f"no signature {key!r}" if key else f"no {DEFAULT_SIGNATURE} signature"
        raise UserError(
            f"{_prefix(model)}{what}; signatures: {signature_keys_text(meta_graph)} "
            f"(tag set {','.join(meta_graph.tags)!r})"
        )
    return sig


def resolve(
    info: Any,
    tags: str | Sequence[str] | None = None,
    signature: str | None = None,
    *,
    model: str = "",
    hint: str = TAG_SET_HINT,
) -> tuple[Any, Any]:
    """(MetaGraphInfo, SignatureInfo) for a tag set and a signature key, either left out for the
    default; one-line ``UserError``s that list what the model has."""
    meta_graph = choose_meta_graph(info, tags, model=model, hint=hint)
    return meta_graph, choose_signature(meta_graph, signature, model=model)


def find_signature(info: Any, tags: Sequence[str] | None, key: str) -> tuple[Any, Any] | None:
    """(MetaGraphInfo, SignatureInfo) of the signature ``key`` in the MetaGraphDef tagged
    exactly ``tags`` (any, when None), or None: the quiet lookup a tree selection needs."""
    for meta_graph in getattr(info, "meta_graphs", []):
        if tags is not None and tuple(meta_graph.tags) != tuple(tags):
            continue
        sig = next((s for s in meta_graph.signatures if s.key == key), None)
        if sig is not None:
            return meta_graph, sig
    return None
