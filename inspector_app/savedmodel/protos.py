"""TensorFlow's generated protobuf message modules, loaded without the TensorFlow runtime.

``import tensorflow.core.protobuf.saved_model_pb2`` would run ``tensorflow/__init__.py``, which
loads the whole framework (about 1.5 s and 500 MB). The ``*_pb2`` modules themselves need only
``google.protobuf``, so when TensorFlow is not loaded yet we import them under a bare stand-in
for the ``tensorflow`` package and take the stand-in out again afterwards. A later real
``import tensorflow`` then imports the same files again; protobuf hands back the message
classes it already built, so messages from either import are interchangeable.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import sys
import threading
import types
from functools import cache

_MODULES = {
    "saved_model_pb2": "tensorflow.core.protobuf.saved_model_pb2",
    "meta_graph_pb2": "tensorflow.core.protobuf.meta_graph_pb2",
    "saved_object_graph_pb2": "tensorflow.core.protobuf.saved_object_graph_pb2",
    "struct_pb2": "tensorflow.core.protobuf.struct_pb2",
    "tensor_bundle_pb2": "tensorflow.core.protobuf.tensor_bundle_pb2",
    "trackable_object_graph_pb2": "tensorflow.core.protobuf.trackable_object_graph_pb2",
    "fingerprint_pb2": "tensorflow.core.protobuf.fingerprint_pb2",
    "graph_pb2": "tensorflow.core.framework.graph_pb2",
    "types_pb2": "tensorflow.core.framework.types_pb2",
    "tensor_pb2": "tensorflow.core.framework.tensor_pb2",
    "tensor_shape_pb2": "tensorflow.core.framework.tensor_shape_pb2",
    "example_pb2": "tensorflow.core.example.example_pb2",
}
_lock = threading.Lock()


class ProtosUnavailable(ImportError):
    """TensorFlow (which ships the message definitions) is not installed."""


@cache
def _load_all() -> dict[str, types.ModuleType]:
    with _lock:
        if "tensorflow" in sys.modules:  # the real package is loaded (engine worker, tests)
            return {k: importlib.import_module(v) for k, v in _MODULES.items() if v}
        spec = importlib.util.find_spec("tensorflow")
        if spec is None or not spec.submodule_search_locations:
            raise ProtosUnavailable(
                "TensorFlow is not installed: install it with 'pip install tensorflow'"
            )
        stub = types.ModuleType("tensorflow")
        stub.__path__ = list(spec.submodule_search_locations)
        before = set(sys.modules)
        sys.modules["tensorflow"] = stub
        try:
            loaded = {}
            for key, name in _MODULES.items():
                # a message module this TensorFlow version lacks is left out
                with contextlib.suppress(ImportError):
                    loaded[key] = importlib.import_module(name)
            return loaded
        finally:
            for name in set(sys.modules) - before:
                if name == "tensorflow" or name.startswith("tensorflow."):
                    del sys.modules[name]


def module(name: str) -> types.ModuleType:
    """One generated module by its short name, e.g. ``module("saved_model_pb2")``."""
    mods = _load_all()
    if name not in mods:
        raise ProtosUnavailable(f"the installed TensorFlow has no {name}")
    return mods[name]


def saved_model_pb2() -> types.ModuleType:
    return module("saved_model_pb2")


def meta_graph_pb2() -> types.ModuleType:
    return module("meta_graph_pb2")


def types_pb2() -> types.ModuleType:
    return module("types_pb2")
