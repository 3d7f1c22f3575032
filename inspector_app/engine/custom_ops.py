"""Custom ops in the worker: import the package that provides a model's unregistered ops, load
the modules and op libraries the user names, and say in one line what is still missing.

Runs in the worker process (TensorFlow loaded); the functions take the ``tensorflow`` module so
that this file imports no TensorFlow itself.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Sequence
from typing import Any

from inspector_app.engine.protocol import EngineError
from inspector_app.savedmodel import op_packages, protos
from inspector_app.savedmodel.discovery import model_file_in

OP_LIBRARY_SUFFIXES = (".so", ".dylib", ".dll")


def registered_ops() -> frozenset[str]:
    """The op names registered in this process now (the C++ registry: libraries count too)."""
    from inspector_app.engine.op_registry import registered_op_names

    return frozenset(registered_op_names())


def read_meta_graphs(path: str) -> list[Any]:
    """The MetaGraphDefs of the SavedModel in folder ``path`` (empty when it cannot be read)."""
    model = protos.saved_model_pb2().SavedModel()
    pb = model_file_in(path)
    try:
        if pb is None or not pb.is_file():  # never a pipe or a device
            return []
        if pb.suffix == ".pb":
            model.ParseFromString(pb.read_bytes())
        else:
            from google.protobuf import text_format

            text_format.Parse(pb.read_text(encoding="utf-8"), model, allow_unknown_extension=True)
    except Exception:  # noqa: BLE001 - tf.saved_model.load will say what is wrong with it
        return []
    return list(model.meta_graphs)


def choose_meta_graph(meta_graphs: list[Any], tags: Sequence[str] | None) -> Any | None:
    wanted = set(tags or ["serve"])
    for mg in meta_graphs:
        if set(mg.meta_info_def.tags) == wanted:
            return mg
    return meta_graphs[0] if len(meta_graphs) == 1 else None


def graph_ops(meta_graph: Any) -> set[str]:
    """Op types used by the graph and its functions, less the functions' own names."""
    graph = meta_graph.graph_def
    ops = {node.op for node in graph.node}
    for function in graph.library.function:
        ops.update(node.op for node in function.node_def)
    return ops - {f.signature.name for f in graph.library.function}


def node_ops(meta_graph: Any) -> dict[str, str]:
    """Node name -> op type over the graph and its functions (for error messages)."""
    out: dict[str, str] = {}
    graph = meta_graph.graph_def
    for function in graph.library.function:
        for node in function.node_def:
            out.setdefault(node.name, node.op)
    for node in graph.node:
        out[node.name] = node.op
    return out


def load_user_ops(tf: Any, items: Iterable[str]) -> list[str]:
    """Import each Python module or load each op library (``.so``) in ``items``; what was loaded.

    Raises EngineError (one line) for one that cannot be loaded."""
    done = []
    for item in items:
        item = item.strip()
        if not item:
            continue
        if item.endswith(OP_LIBRARY_SUFFIXES) or os.sep in item or "/" in item:
            path = os.path.abspath(os.path.expanduser(item))
            if not os.path.isfile(path):
                raise EngineError(f"op library {item} does not exist; give the path of a .so file")
            try:
                tf.load_op_library(path)
            except Exception as exc:  # noqa: BLE001 - NotFoundError, a wrong ABI...
                first = (getattr(exc, "message", None) or str(exc)).strip().splitlines()
                reason = first[0] if first else type(exc).__name__
                raise EngineError(
                    f"cannot load op library {item}: {reason} (it must be built for "
                    f"TensorFlow {tf.__version__})"
                ) from None
        else:
            try:
                importlib.import_module(item)
            except ImportError as exc:
                raise EngineError(
                    f"cannot import {item!r} to register custom ops: {exc}; install it or "
                    "give the path of an op library (.so)"
                ) from None
            except Exception as exc:  # noqa: BLE001 - a broken package
                raise EngineError(
                    f"importing {item!r} failed: {type(exc).__name__}: {exc}"
                ) from None
        done.append(item)
    return done


def missing_message(missing: Iterable[str]) -> str:
    """One line naming the unregistered ops and what to install or load for them."""
    known, unknown = op_packages.group_by_package(missing)
    parts = []
    for package, ops in known.items():
        parts.append(
            f"{', '.join(ops[:4])}{' …' if len(ops) > 4 else ''} from {op_packages.label(package)}"
            f" (pip install {package.pip})"
        )
    if unknown:
        parts.append(
            f"{', '.join(unknown[:4])}{' …' if len(unknown) > 4 else ''} from an unknown library "
            "(load it with --load-ops MODULE_OR_SO, or Run > Custom ops in the window)"
        )
    return "the model uses ops this TensorFlow does not register: " + "; ".join(parts)


def prepare(
    tf: Any, meta_graph: Any | None, registered: frozenset[str], user_items: Sequence[str]
) -> tuple[frozenset[str], list[str], set[str]]:
    """Make the model's ops available before it loads.

    Loads ``user_items`` first (EngineError for one that cannot be loaded), then imports the
    installed package of each op still unregistered. Returns the registered ops afterwards,
    notes of what was loaded, and the ops still unregistered: should the load fail,
    ``missing_message`` of those says why in one line.
    """
    notes = [f"loaded {item}" for item in load_user_ops(tf, user_items)]
    if notes:
        registered = registered_ops()
    if meta_graph is None:
        return registered, notes, set()
    missing = graph_ops(meta_graph) - registered
    if not missing:
        return registered, notes, set()
    known, _ = op_packages.group_by_package(missing)
    for package in known:
        if not package.module:
            continue
        try:
            importlib.import_module(package.module)
        except ImportError:
            continue  # named in the message below
        except Exception as exc:  # noqa: BLE001 - installed but broken (a TensorFlow mismatch)
            raise EngineError(
                f"{package.pip} is installed but importing {package.module} failed "
                f"({type(exc).__name__}: {exc}); install the {package.pip} release made for "
                f"TensorFlow {tf.__version__}"
            ) from None
        notes.append(f"imported {package.module} for its ops")
    registered = registered_ops()
    return registered, notes, missing - registered
