"""Versions: the chosen version of a base folder against the previous one that holds a model,
for changes that break clients (removed signatures, inputs, changed dtypes and shapes)."""

from __future__ import annotations

from typing import Any

from inspector_app.savedmodel.checks.findings import Finding, serve_graphs, user_signatures
from inspector_app.savedmodel.discovery import version_folders
from inspector_app.savedmodel.loader import ModelError, SavedModelInfo, SignatureInfo, load_model
from inspector_app.savedmodel.tree_builder import short_method


def _signature_map(info: SavedModelInfo) -> dict[str, SignatureInfo]:
    serve = serve_graphs(info)
    return {s.key: s for s in user_signatures(serve[0])} if serve else {}


def _shape_compatible(old: list[int] | None, new: list[int] | None) -> bool:
    """Does every request valid for ``old`` still fit ``new``?"""
    if new is None:
        return True
    if old is None or len(old) != len(new):
        return False
    return all(n < 0 or n == o for o, n in zip(old, new, strict=True))


def compare_versions(old: SavedModelInfo, new: SavedModelInfo) -> list[Finding]:
    """Changes from ``old`` to ``new`` that break clients (errors) or add to the API (info)."""
    before, after = _signature_map(old), _signature_map(new)
    v_old, v_new = old.version, new.version
    out: list[Finding] = []
    fix = (
        f"Keep the old signatures and inputs in version {v_new} (add new ones beside them), or "
        "publish the change under a new model name so existing clients keep working."
    )

    def breaking(message: str, **where: Any) -> None:
        out.append(
            Finding(
                "serving.breaking_change",
                "error",
                f"version {v_new} vs {v_old}: {message}",
                {"version": v_new, "meta_graph": "serve", **where},
                fix,
            )
        )

    for key in sorted(before.keys() - after.keys()):
        breaking(f"signature '{key}' was removed")
    for key in sorted(before.keys() & after.keys()):
        a, b = before[key], after[key]
        if a.method_name != b.method_name:
            breaking(
                f"signature '{key}' changed method {short_method(a.method_name)} -> "
                f"{short_method(b.method_name)}",
                signature=key,
            )
        for side, old_t, new_t in (
            ("inputs", a.inputs, b.inputs),
            ("outputs", a.outputs, b.outputs),
        ):
            olds, news = {t.name: t for t in old_t}, {t.name: t for t in new_t}
            removed = sorted(olds.keys() - news.keys())
            added = sorted(news.keys() - olds.keys())
            for name in removed:
                hint = (
                    f" (renamed to '{added[0]}'?)" if len(removed) == 1 and len(added) == 1 else ""
                )
                breaking(f"{side[:-1]} '{name}' of '{key}' was removed{hint}", signature=key)
            if side == "inputs":
                for name in added:
                    breaking(
                        f"new input '{name}' of '{key}' that clients do not send",
                        signature=key,
                        side=side,
                        tensor=name,
                    )
            for name in sorted(olds.keys() & news.keys()):
                o, n = olds[name], news[name]
                tw = {"signature": key, "side": side, "tensor": name}
                if o.dtype != n.dtype:
                    breaking(
                        f"{side[:-1]} '{name}' of '{key}' changed dtype {o.dtype} -> {n.dtype}",
                        **tw,
                    )
                elif side == "inputs" and not _shape_compatible(o.shape, n.shape):
                    breaking(
                        f"input '{name}' of '{key}' changed shape {o.shape} -> {n.shape}", **tw
                    )
                elif side == "outputs" and o.shape != n.shape:
                    breaking(
                        f"output '{name}' of '{key}' changed shape {o.shape} -> {n.shape}", **tw
                    )
    for key in sorted(after.keys() - before.keys()):
        out.append(
            Finding(
                "serving.new_signature",
                "info",
                f"version {v_new} adds signature '{key}' (not in version {v_old})",
                {"version": v_new, "meta_graph": "serve", "signature": key},
            )
        )
    return out


def check_versions(info: SavedModelInfo) -> list[Finding]:
    """The chosen version against the previous one that holds a model (found by the folder
    discovery, read with the loader)."""
    if info.base_dir is None or info.version is None:
        return []
    older = [v for v in version_folders(info.base_dir, with_model=True) if v < info.version]
    if not older:
        return []
    try:
        previous = load_model(info.base_dir, version=older[-1])
    except ModelError as err:
        return [
            Finding(
                "serving.previous_unreadable",
                "warning",
                f"version {older[-1]} cannot be read to compare signatures: {err}",
                {"version": older[-1]},
                "Repair or remove that version folder.",
            )
        ]
    return compare_versions(previous, info)
