"""Checks before a model is deployed to TF Serving or a cloud prediction service (issue 6).

``run_checks(info)`` returns ``Finding``s, each with a severity, the tree node it concerns
(``where``) and a fix in one sentence. Nothing here loads the TensorFlow runtime: whether an op
is registered comes from a cached list (``checks_registry``) that a child process or the engine
worker fills.

``where`` is a dict naming a path in the model tree, with any of these keys, outermost first:
``version`` (int), ``meta_graph`` (tags joined by ","), ``signature``, ``side`` ("inputs" or
``"outputs"``), ``tensor``, ``op`` (an op type), ``part`` ("graph", "variables", "assets"),
``ignored`` (a base-folder sub-folder), ``file`` (a path relative to the model folder). An empty
dict means the model as a whole. ``find_node`` resolves it against ``build_tree``'s nodes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector_app.savedmodel import checks_graph as graph
from inspector_app.savedmodel import checks_registry as registry
from inspector_app.savedmodel.loader import (
    MetaGraphInfo,
    ModelError,
    SavedModelInfo,
    SignatureInfo,
    load_model,
)
from inspector_app.savedmodel.tree import TreeNode

SEVERITIES = ("error", "warning", "info")
MB = 1_000_000
LEGACY_LIMIT = 500 * MB  # legacy (MLS1) prediction machine types
COMPUTE_ENGINE_LIMIT = 10_000 * MB  # Compute Engine (N1) machine types
SERVING_METHODS = {
    "tensorflow/serving/predict",
    "tensorflow/serving/classify",
    "tensorflow/serving/regress",
}
_MAX_FILES = 5_000  # leftover-file scan bound; a model folder holds a few dozen entries


@dataclass
class Finding:
    id: str  # stable, dotted: "size.legacy_limit", "ops.unknown", ...
    severity: str  # "error" | "warning" | "info"
    message: str
    where: dict[str, Any] = field(default_factory=dict)
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "message": self.message,
            "where": self.where,
            "fix": self.fix,
        }

    def where_text(self) -> str:
        return where_text(self.where)

    def text(self) -> str:
        """One finding as plain text, as ``check`` prints it and the panel copies it."""
        place = f" [{self.where_text()}]" if self.where else ""
        fix = f"\n    fix: {self.fix}" if self.fix else ""
        return f"{self.severity.upper():7} {self.id}{place}: {self.message}{fix}"


@dataclass
class CheckOptions:
    """What the checks compare against; the engine can fill in the machine's real answers."""

    denylist: frozenset[str] | None = None  # None: default_denylist()
    registered_ops: frozenset[str] | None = None  # None: the cached list, or skip the check
    compute_registry: bool = False  # compute the op list in a child process when not cached
    devices: dict[str, int] | None = None  # None: machine_devices()
    compare_versions: bool = True


def where_text(where: dict[str, Any] | str | None) -> str:
    """``{"meta_graph": "serve", "signature": "s", "tensor": "x"}`` -> ``serve > s > x``."""
    if not where:
        return ""
    if isinstance(where, str):
        return where
    parts = []
    for key, value in where.items():
        if key == "side":
            continue
        parts.append(f"version {value}" if key == "version" else str(value))
    return " > ".join(parts)


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} GB"


def _mg_where(mg: MetaGraphInfo, **more: Any) -> dict[str, Any]:
    return {"meta_graph": ",".join(mg.tags), **more}


def _serve_graphs(info: SavedModelInfo) -> list[MetaGraphInfo]:
    return [mg for mg in info.meta_graphs if "serve" in mg.tags]


def _user_signatures(mg: MetaGraphInfo) -> list[SignatureInfo]:
    """Signatures a client calls (not ``__saved_model_init_op`` and the like)."""
    return [s for s in mg.signatures if not s.key.startswith("__")]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# --------------------------------------------------------------------------- size


def check_size(info: SavedModelInfo) -> list[Finding]:
    parts = {k: v for k, v in info.breakdown.items() if v}
    split = ", ".join(
        f"{k} {human_bytes(v)}" for k, v in sorted(parts.items(), key=lambda kv: -kv[1])
    )
    biggest = max(info.breakdown, key=lambda k: info.breakdown[k]) if info.breakdown else "other"
    fix = {
        "graph": "Large constants sit in the graph: keep weights in variables, export only "
        "the serving path, and lower their precision (float16) or quantise them.",
        "variables": "Export only what serving needs, store weights as float16 or quantise "
        "them (post-training quantisation), or prune unused layers.",
        "assets": "Use smaller vocabularies or lookup tables, and leave files serving does "
        "not read out of assets/.",
    }.get(biggest, "Remove files serving does not need from the model folder.")
    total = human_bytes(info.size_bytes)
    where = {"part": biggest} if biggest in ("graph", "variables", "assets") else {}
    if info.size_bytes > COMPUTE_ENGINE_LIMIT:
        return [
            Finding(
                "size.compute_engine_limit",
                "error",
                f"the model folder is {total} ({split}), over the 10 GB limit of Compute "
                "Engine machine types",
                where,
                fix,
            )
        ]
    if info.size_bytes > LEGACY_LIMIT:
        return [
            Finding(
                "size.legacy_limit",
                "warning",
                f"the model folder is {total} ({split}), over the 500 MB limit of legacy "
                "prediction machine types (Compute Engine machine types take up to 10 GB)",
                where,
                fix,
            )
        ]
    return [
        Finding(
            "size.ok",
            "info",
            f"the model folder is {total} ({split or 'empty'}), within the 500 MB limit of "
            "legacy prediction machine types",
        )
    ]


# --------------------------------------------------------------------------- tags and signatures


def check_tags(info: SavedModelInfo) -> list[Finding]:
    serve = _serve_graphs(info)
    if not serve:
        tags = "; ".join(",".join(mg.tags) or "(none)" for mg in info.meta_graphs)
        return [
            Finding(
                "tags.no_serve",
                "error",
                f"no MetaGraphDef has the 'serve' tag (tag sets: {tags}); TF Serving and cloud "
                "prediction load 'serve' by default",
                {},
                "Export with tags=[tf.saved_model.SERVING] (tf.saved_model.save does this).",
            )
        ]
    out = []
    for mg in serve:
        if mg.signature("serving_default") is None:
            keys = ", ".join(s.key for s in _user_signatures(mg)) or "none"
            out.append(
                Finding(
                    "signatures.no_serving_default",
                    "warning" if _user_signatures(mg) else "error",
                    f"no 'serving_default' signature (signatures: {keys}); requests that name "
                    "no signature fail",
                    _mg_where(mg),
                    "Export with signatures={'serving_default': fn} "
                    "(tf.saved_model.DEFAULT_SERVING_SIGNATURE_DEF_KEY).",
                )
            )
    return out


def _short_method(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def check_signatures(info: SavedModelInfo) -> list[Finding]:
    out: list[Finding] = []
    for mg in _serve_graphs(info):
        for sig in _user_signatures(mg):
            out += _check_signature(mg, sig)
    return out


def _check_signature(mg: MetaGraphInfo, sig: SignatureInfo) -> list[Finding]:
    out: list[Finding] = []
    here = _mg_where(mg, signature=sig.key)
    method = sig.method_name
    if method not in SERVING_METHODS:
        out.append(
            Finding(
                "signatures.unknown_method",
                "error",
                f"signature '{sig.key}' has method name '{method or '(empty)'}', which TF "
                "Serving does not know (predict, classify, regress)",
                here,
                "Build the signature with tf.compat.v1.saved_model.predict_signature_def (or "
                "classification_/regression_signature_def), or export with tf.saved_model.save.",
            )
        )
    elif method.endswith("/classify"):
        names = {t.name for t in sig.outputs}
        if not names & {"classes", "scores"}:
            out.append(
                Finding(
                    "signatures.classify_outputs",
                    "error",
                    f"classify signature '{sig.key}' has no 'classes' or 'scores' output "
                    f"(outputs: {', '.join(sorted(names)) or 'none'}); the Classify API "
                    "rejects it",
                    here,
                    "Name the outputs 'classes' (string) and/or 'scores' (float) with "
                    "classification_signature_def, or make it a predict signature.",
                )
            )
    elif method.endswith("/regress") and (len(sig.inputs) != 1 or len(sig.outputs) != 1):
        out.append(
            Finding(
                "signatures.regress_arity",
                "error",
                f"regress signature '{sig.key}' has {_plural(len(sig.inputs), 'input')} and "
                f"{_plural(len(sig.outputs), 'output')}; the Regress API needs exactly one of each",
                here,
                "Use regression_signature_def with one input and one output, or make it a "
                "predict signature.",
            )
        )
    for side, tensors in (("inputs", sig.inputs), ("outputs", sig.outputs)):
        for t in tensors:
            where = {**here, "side": side, "tensor": t.name}
            if side == "inputs" and t.shape and t.shape[0] > 0:
                rank2 = len(t.shape) >= 2
                out.append(
                    Finding(
                        "signatures.fixed_batch",
                        "warning" if rank2 else "info",
                        f"input '{t.name}' of '{sig.key}' has a fixed first dimension "
                        f"{t.shape}: requests cannot be batched"
                        + ("" if rank2 else " (if that dimension is the batch)"),
                        where,
                        "Export with None as the first dimension of the input signature "
                        "(tf.TensorSpec([None, ...])).",
                    )
                )
            if t.dtype == "float64":
                out.append(
                    Finding(
                        "signatures.wide_dtype",
                        "warning",
                        f"{side[:-1]} '{t.name}' of '{sig.key}' is float64: twice the bytes "
                        "of float32 and slow on GPUs and TPUs",
                        where,
                        "Cast to float32 in the serving function unless the extra precision "
                        "is needed.",
                    )
                )
            elif t.dtype == "int64" and t.encoding == "name":
                out.append(
                    Finding(
                        "signatures.wide_dtype",
                        "info",
                        f"{side[:-1]} '{t.name}' of '{sig.key}' is int64: int32 halves the "
                        "bytes where values stay below 2^31",
                        where,
                        "Cast to int32 in the serving function if ids and counts are small.",
                    )
                )
    return out


# --------------------------------------------------------------------------- ops


def check_ops(info: SavedModelInfo, options: CheckOptions) -> list[Finding]:
    denylist = registry.default_denylist() if options.denylist is None else options.denylist
    known = options.registered_ops
    if known is None:
        known = registry.registered_ops(compute=options.compute_registry)
    devices = options.devices if options.devices is not None else registry.machine_devices()
    out: list[Finding] = []
    serve = set(map(id, _serve_graphs(info)))
    for mg in info.meta_graphs:
        scan = graph.scan_graph(mg.proto)
        if id(mg) in serve:
            out += _training_leftovers(mg, scan)
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
                    _mg_where(mg, op=denied[0]),
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
                            _mg_where(mg, op=op),
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
                        _mg_where(mg, op=op),
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
                    f"ops pinned to {device} but this machine has {_plural(have, kind)} "
                    f"(nodes: {', '.join(names[:3])})"
                    + ("; soft placement runs them on the CPU" if kind == "GPU" else ""),
                    _mg_where(mg),
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


def _training_leftovers(mg: MetaGraphInfo, scan: graph.GraphScan) -> list[Finding]:
    out = []
    rules = (
        (
            "training.optimizer_ops",
            graph.optimizer_ops(scan),
            "optimizer update ops in the serving graph",
            "Export the serving graph without the training op (build it in PREDICT mode or "
            "save a tf.function that only runs inference).",
        ),
        (
            "training.queues_readers",
            graph.queue_reader_ops(scan),
            "input-pipeline queues, readers or iterators in the serving graph",
            "Feed serving inputs through placeholders or a serving input function, not the "
            "training input pipeline.",
        ),
        (
            "training.summaries",
            graph.summary_ops(scan),
            "summary ops in the serving graph",
            "Leave tf.summary calls out of the serving path (export in PREDICT mode).",
        ),
    )
    for rule_id, ops, what, fix in rules:
        if ops:
            listed = ", ".join(f"{op} ×{scan.ops[op]}" for op in ops[:6])
            more = f" and {len(ops) - 6} more" if len(ops) > 6 else ""
            out.append(
                Finding(
                    rule_id, "warning", f"{what}: {listed}{more}", _mg_where(mg, op=ops[0]), fix
                )
            )
    if scan.dropout:
        out.append(
            Finding(
                "training.dropout",
                "warning",
                "dropout is active in the serving graph: a random mask with no training switch "
                f"(at {', '.join(scan.dropout[:3])}); predictions will be random",
                _mg_where(mg, op="RandomUniform"),
                "Call the model with training=False (or set the Keras learning phase to 0) "
                "before exporting.",
            )
        )
    return out


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


# --------------------------------------------------------------------------- files and folders

_CHECKPOINT = re.compile(
    r"^(checkpoint|.+\.ckpt(-\d+)?(\.index|\.meta|\.data-\d+-of-\d+)?|"
    r"ckpt-\d+\.(index|data-\d+-of-\d+))$"
)
_EVENTS = re.compile(r"^events\.out\.tfevents\..*")


def _walk_files(top: Path, limit: int = _MAX_FILES) -> Iterable[str]:
    seen = 0
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            seen += 1
            if seen > limit:
                return
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                    continue
            except OSError:
                continue
            yield os.path.relpath(entry.path, top)


def _first_few(names: list[str], shown: int = 4) -> str:
    """``a, b, c, d and 3 more``."""
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def check_leftover_files(info: SavedModelInfo) -> list[Finding]:
    checkpoints, events = [], []
    for rel in _walk_files(info.model_dir):
        parts = Path(rel).parts
        name = parts[-1]
        if parts[0] == "variables" and len(parts) == 2 and name.startswith("variables."):
            continue  # the SavedModel's own variables checkpoint
        if _EVENTS.match(name):
            events.append(rel)
        elif _CHECKPOINT.match(name):
            checkpoints.append(rel)
    out = []
    if checkpoints:
        out.append(
            Finding(
                "files.checkpoints",
                "warning",
                f"training checkpoint files in the export folder: {_first_few(checkpoints)}",
                {"file": checkpoints[0]},
                "Keep checkpoints out of the export folder: serving reads only "
                "variables/, assets/ and saved_model.pb.",
            )
        )
    if events:
        out.append(
            Finding(
                "files.events",
                "warning",
                f"TensorBoard event files in the export folder: {_first_few(events)}",
                {"file": events[0]},
                "Write TensorBoard logs to a separate log folder, not into the export.",
            )
        )
    return out


def check_variables_files(info: SavedModelInfo) -> list[Finding]:
    """variables.index against its data shards (sizes, checksums) and the model's variables,
    and the model's files against pipes and devices; no TensorFlow."""
    from inspector_app.savedmodel.integrity import check_variables

    out = [
        Finding(
            "files.special",
            "error",
            f"{rel} is {kind}, not a regular file: TensorFlow would wait on it or read it forever",
            {"part": "variables"} if rel.startswith("variables") else {},
            "Replace it with the file the export wrote (export the model again).",
        )
        for rel, kind in info.special_files
    ]
    if any(rel.startswith("variables") for rel, _ in info.special_files):
        return out
    mg = next((m for m in info.meta_graphs if m.proto.object_graph_def.nodes), None)
    for problem in check_variables(info.model_dir, mg.proto if mg else None, checksums=True):
        out.append(
            Finding(
                f"variables.{problem.kind}",
                "error",
                problem.message,
                {"part": "variables"},
                "Export the model again, or copy its whole variables/ folder from the same export.",
            )
        )
    return out


def check_serving_folder(info: SavedModelInfo) -> list[Finding]:
    out: list[Finding] = []
    if info.base_dir is None:
        if info.pb_path.parent.name.isdigit():
            return out  # a version folder opened on its own
        out.append(
            Finding(
                "serving.no_version",
                "info",
                f"'{info.model_dir.name}' is not inside a numeric version folder; TF Serving "
                "serves base/<version>/saved_model.pb",
                {},
                f"Put the model in a version folder, e.g. {info.model_dir.name}/1/, and give "
                "TF Serving the parent as model_base_path.",
            )
        )
        return out
    for name in info.ignored:
        holds_model = any(
            (info.base_dir / name / f).is_file() for f in ("saved_model.pb", "saved_model.pbtxt")
        )
        out.append(
            Finding(
                "serving.ignored_folder",
                "warning" if holds_model else "info",
                f"TF Serving ignores the folder '{name}' (not a version number)"
                + ("; it holds a SavedModel that will never be served" if holds_model else ""),
                {"ignored": name},
                "Rename it to a number (the version) or move it out of the base folder."
                if holds_model
                else "Move it out of the base folder to keep it tidy.",
            )
        )
    for version in info.versions or []:
        folder = info.version_dirs.get(version)
        if folder is not None and not any(
            (folder / f).is_file() for f in ("saved_model.pb", "saved_model.pbtxt")
        ):
            out.append(
                Finding(
                    "serving.version_without_model",
                    "warning",
                    f"version folder '{folder.name}' holds no saved_model.pb; TF Serving "
                    "fails to load that version",
                    {"version": version},
                    "Remove the folder or finish the export into it (write to a temporary "
                    "folder, then rename it to the version number).",
                )
            )
    return out


def _signature_map(info: SavedModelInfo) -> dict[str, SignatureInfo]:
    serve = _serve_graphs(info)
    return {s.key: s for s in _user_signatures(serve[0])} if serve else {}


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
                f"signature '{key}' changed method {_short_method(a.method_name)} -> "
                f"{_short_method(b.method_name)}",
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
    """The chosen version against the previous one that holds a model."""
    if info.base_dir is None or not info.versions or info.version is None:
        return []
    older = [
        v
        for v in info.versions
        if v < info.version
        and any(
            (info.version_dirs[v] / f).is_file() for f in ("saved_model.pb", "saved_model.pbtxt")
        )
    ]
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


# --------------------------------------------------------------------------- entry points

_ORDER = {s: i for i, s in enumerate(SEVERITIES)}


def check_signature_dtypes(info: SavedModelInfo) -> list[Finding]:
    """Signature tensors whose TensorInfo dtype is not the graph tensor's (half_plus_three)."""
    from inspector_app.savedmodel.dtypes import tf_dtype_name
    from inspector_app.savedmodel.signature_graph import mismatches

    out = []
    for mg in info.meta_graphs:
        for m in mismatches(mg.proto):
            declared, real = tf_dtype_name(m.declared), tf_dtype_name(m.graph)
            out.append(
                Finding(
                    "signatures.dtype_mismatch",
                    "warning",
                    f"{m.side[:-1]} '{m.name}' of '{m.signature}' is declared {declared} but "
                    f"graph tensor {m.tensor_name} is {real}; clients that follow the signature "
                    f"send the wrong type (run feeds {real}, as saved_model_cli does)",
                    _mg_where(mg, signature=m.signature, side=m.side, tensor=m.name),
                    f"Export the signature with dtype {real} for '{m.name}' (build the "
                    "TensorInfo from the tensor itself).",
                )
            )
    return out


def run_checks(info: SavedModelInfo, options: CheckOptions | None = None) -> list[Finding]:
    """All checks of a loaded model, errors first."""
    options = options or CheckOptions()
    findings = (
        check_serving_folder(info)
        + check_tags(info)
        + check_signatures(info)
        + check_signature_dtypes(info)
        + check_ops(info, options)
        + check_leftover_files(info)
        + check_variables_files(info)
        + (check_versions(info) if options.compare_versions else [])
        + check_size(info)
    )
    return sorted(findings, key=lambda f: _ORDER.get(f.severity, 3))


def check_path(
    path: str | Path, version: int | None = None, options: CheckOptions | None = None
) -> list[Finding]:
    """Load and check; a folder with SavedModels only in non-numeric sub-folders gives an error
    finding instead of a ``ModelError``. Other unreadable input raises ``ModelError``."""
    try:
        info = load_model(path, version=version)
    except ModelError:
        nested = _nested_models(Path(path)) if version is None else []
        if not nested:
            raise
        return [
            Finding(
                "serving.no_version",
                "error",
                f"no numeric version folder: TF Serving serves nothing here; the SavedModels "
                f"are in {', '.join(repr(n) for n in nested[:3])}",
                {"ignored": nested[0]},
                f"Rename '{nested[0]}' to a version number (e.g. 1) or give TF Serving that "
                "folder's parent after moving the model into <base>/1/.",
            )
        ]
    return run_checks(info, options)


def _nested_models(path: Path) -> list[str]:
    try:
        if not path.is_dir():
            return []
        return sorted(  # a numeric folder is a version: its own error names the damaged file
            e.name
            for e in os.scandir(path)
            if e.is_dir()
            and not (e.name.isascii() and e.name.isdigit())
            and any(Path(e.path, f).is_file() for f in ("saved_model.pb", "saved_model.pbtxt"))
        )
    except OSError:
        return []


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity == "error" for f in findings)


def find_node(root: TreeNode, where: dict[str, Any] | str | None) -> TreeNode:
    """The deepest node of ``build_tree``'s tree that ``where`` names (the root if none)."""
    if not where or isinstance(where, str):
        return root
    node = root
    if "version" not in where:  # a base folder: the checks concern the loaded version
        loaded = [c for c in root.children if c.kind == "version" and c.load_children is None]
        node = loaded[0] if len(loaded) == 1 else root
    steps: list[tuple[str, Any]] = []
    for key in ("version", "ignored", "meta_graph", "signature", "side", "tensor", "op", "part"):
        if key in where:
            steps.append((key, where[key]))
    for key, value in steps:
        hit = _child(node, key, value)
        if hit is None and key == "tensor":
            for side in ("inputs", "outputs"):
                group = _child(node, "side", side)
                hit = _child(group, key, value) if group else None
                if hit:
                    break
        if hit is not None:
            node = hit
    return node


def _child(node: TreeNode, key: str, value: Any) -> TreeNode | None:
    kinds = {
        "version": ("version",),
        "ignored": ("ignored",),
        "meta_graph": ("meta_graph",),
        "signature": ("signature",),
        "side": ("inputs", "outputs"),
        "tensor": ("tensor",),
        "op": ("ops",),
        "part": ("assets", "variables"),
    }[key]
    for child in node.ensure_children():
        if child.kind not in kinds:
            continue
        if key == "meta_graph":
            tags = child.details.get("tags")
            if tags is not None and ",".join(tags) == str(value):
                return child
        elif key == "op":
            return next((c for c in child.ensure_children() if c.name == value), child)
        elif key in ("part", "side"):
            if child.kind == value:
                return child
        elif child.name == str(value):
            return child
    return None
