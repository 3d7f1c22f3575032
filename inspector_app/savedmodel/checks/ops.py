"""Ops: ops that read or write files or print (saved_model_cli's denylist), ops the installed
TensorFlow does not register (custom ops, and the package that provides them), and ops pinned
to devices the machine lacks. One scan of each graph (``graph_scan``) serves these and the
training-leftover rules."""

from __future__ import annotations

from collections.abc import Iterable

from inspector_app.savedmodel import checks_registry as registry
from inspector_app.savedmodel.checks import graph_scan as graph
from inspector_app.savedmodel.checks.findings import (
    CheckOptions,
    Finding,
    mg_where,
    plural,
    serve_graphs,
)
from inspector_app.savedmodel.checks.training import training_leftovers
from inspector_app.savedmodel.loader import SavedModelInfo


def check_ops(info: SavedModelInfo, options: CheckOptions) -> list[Finding]:
    denylist = registry.default_denylist() if options.denylist is None else options.denylist
    known = options.registered_ops
    if known is None:
        known = registry.registered_ops(compute=options.compute_registry)
    devices = options.devices if options.devices is not None else registry.machine_devices()
    out: list[Finding] = []
    serve = set(map(id, serve_graphs(info)))
    for mg in info.meta_graphs:
        scan = graph.scan_graph(mg.proto)
        if id(mg) in serve:
            out += training_leftovers(mg, scan)
        denied = sorted(op for op in scan.ops if op in denylist)
        if denied:
            graph.note_nodes(mg.proto, set(denied), scan)
            counts = ", ".join(f"{op} ×{scan.ops[op]}" for op in denied)
            out.append(
                Finding(
                    "ops.denylisted",
                    "warning",
                    f"ops that read or write files or print: {counts} "
                    f"(nodes: {', '.join(n for op in denied for n in scan.nodes_by_op[op][:2])})",
                    mg_where(mg, op=denied[0]),
                    "Remove file access and printing from the serving path (debug code), or "
                    "confirm that the serving machine may run them.",
                )
            )
        if known is not None:
            for op in graph.unknown_ops(scan, known):
                package = registry.op_package(op)
                installed = _installed_module(op)
                if installed:
                    out.append(
                        Finding(
                            "ops.custom_installed",
                            "warning",
                            f"op '{op}' (×{scan.ops[op]}) comes from {package}, installed here: "
                            f"the inspector imports {installed} before it loads the model",
                            mg_where(mg, op=op),
                            f"Serve it with a TF Serving build that links {package} ops (or "
                            f"import {installed} before loading the model in your own code).",
                        )
                    )
                    continue
                out.append(
                    Finding(
                        "ops.unknown",
                        "error",
                        f"op '{op}' (×{scan.ops[op]}) is not known to the installed TensorFlow"
                        + (f"; it comes from {package}" if package else ""),
                        mg_where(mg, op=op),
                        (
                            f"pip install {package.split(' ')[0]} here and use a TF Serving build "
                            "that links it"
                            if package
                            else "Load the custom-op library that "
                            "registers it, or serve with a TensorFlow build that includes it"
                        )
                        + "; the model will not load without it.",
                    )
                )
        for device, names in graph.missing_devices(scan, devices).items():
            kind = device.split(":")[0]
            have = devices.get(kind, 0)
            out.append(
                Finding(
                    "ops.device",
                    "info" if kind == "GPU" else "warning",
                    f"ops pinned to {device} but this machine has {plural(have, kind)} "
                    f"(nodes: {', '.join(names[:3])})"
                    + ("; soft placement runs them on the CPU" if kind == "GPU" else ""),
                    mg_where(mg),
                    "Export with clear_devices=True so the serving machine places the ops.",
                )
            )
    if known is None:
        out.append(
            Finding(
                "ops.registry_unknown",
                "info",
                "the ops registered by the installed TensorFlow are not known yet, so unknown "
                "ops were not looked for",
                {},
                "Run 'python -m inspector_app check' once, or wait for the engine to start.",
            )
        )
    return out


def _installed_module(op: str) -> str | None:
    """The module of the package providing ``op`` when it is installed here (not imported)."""
    import importlib.util

    from inspector_app.savedmodel.op_packages import package_of

    package = package_of(op)
    if package is None or not package.module:
        return None
    try:
        return package.module if importlib.util.find_spec(package.module) is not None else None
    except (ImportError, ValueError):
        return None


def ops_touching_files(
    info: SavedModelInfo, denylist: Iterable[str] | None = None, tags: list[str] | None = None
) -> list[str]:
    """Op types in the model that read or write files or print (for "confirm before running").

    ``denylist`` defaults to saved_model_cli's list plus ``Print`` and file-system ops;
    ``tags`` narrows to one MetaGraphDef.
    """
    names = set(registry.default_denylist() | registry.FILE_OPS if denylist is None else denylist)
    found: set[str] = set()
    for mg in info.meta_graphs:
        if tags is not None and sorted(mg.tags) != sorted(tags):
            continue
        found.update(op for op in mg.op_counts if op in names)
    return sorted(found)
