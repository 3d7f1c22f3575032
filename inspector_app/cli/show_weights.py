"""What ``show --variables`` and ``show --functions`` add: variables with their checkpoint key,
role and statistics, the parameter count of weights only, and the whole function library."""

from __future__ import annotations

from typing import Any, TextIO


def _variables(info: Any) -> list | None:
    from inspector_app.savedmodel.variables import read_variables

    if not (info.model_dir / "variables" / "variables.index").is_file():
        return None
    mg = info.meta_graphs[0].proto if info.meta_graphs else None
    return read_variables(info.model_dir, mg)


def variables_json(info: Any) -> tuple[list[dict] | None, dict[str, int]]:
    """Per variable name, key, dtype, shape, bytes, params, role, trainable and stats; and the
    values per role (``weight`` is the model's parameter count)."""
    from inspector_app.savedmodel.checkpoint import CheckpointReader, all_stats
    from inspector_app.savedmodel.variables import parameter_counts

    variables = _variables(info)
    if variables is None:
        return None, {"weight": 0, "optimizer_slot": 0, "bookkeeping": 0}
    reader = CheckpointReader.for_model(info.model_dir)
    stats = all_stats(reader, [v.key for v in variables])
    out = []
    for v in variables:
        item: dict[str, Any] = {
            "name": v.name,
            "key": v.key,
            "dtype": v.dtype,
            "shape": v.shape,
            "bytes": v.size_bytes,
            "params": v.params,
            "role": v.role,
            "trainable": v.trainable,
            "stats": stats[v.key].to_json() if v.key in stats else None,
        }
        if len(v.keys) > 1:
            item["keys"] = v.keys
        out.append(item)
    return out, parameter_counts(variables)


def write_variables(info: Any, out: TextIO) -> None:
    from inspector_app.savedmodel.variables import ROLE_LABELS, describe, totals_text
    from inspector_app.units import human_bytes

    variables = _variables(info)
    if variables is None:
        out.write("\nVariables: none\n")
        return
    out.write(f"\nVariables ({totals_text(variables)}):\n")
    for v in variables:
        role = f"  [{ROLE_LABELS[v.role]}]" if v.role in ROLE_LABELS else ""
        out.write(
            f"  {v.name}: {describe(v)}, {v.params:,} params, {human_bytes(v.size_bytes)}{role}\n"
        )


def functions_json(info: Any) -> list[dict]:
    """Every function of each MetaGraphDef's library, with the tags of its MetaGraphDef."""
    from inspector_app.savedmodel.functions import function_library

    out = []
    for mg in info.meta_graphs:
        for fn in function_library(mg.proto):
            out.append({"tags": mg.tags, **fn.to_json()})
    return out


def write_functions(info: Any, out: TextIO) -> None:
    from inspector_app.savedmodel.functions import arg_text, function_library

    for mg in info.meta_graphs:
        library = function_library(mg.proto)
        out.write(f"\nFunction library of '{', '.join(mg.tags)}' ({len(library)} functions):\n")
        for fn in library:
            where = f"  (as {', '.join(fn.attached_to)})" if fn.attached_to else ""
            out.write(f"  {fn.name}: {fn.nodes} nodes{where}\n")
            for arg in fn.inputs:
                out.write(f"    in  {arg_text(arg)}\n")
            for arg in fn.outputs:
                out.write(f"    out {arg_text(arg)}\n")
            if fn.calls:
                out.write(f"    calls {', '.join(fn.calls)}\n")
