"""Reading SavedModels from disk without the TensorFlow runtime: discovery, metadata, diagnostics."""

from inspector_app.savedmodel.loader import (
    MetaGraphInfo,
    ModelError,
    SavedModelInfo,
    SignatureInfo,
    TensorInfo,
    load_model,
)
from inspector_app.savedmodel.tree_builder import build_tree

__all__ = [
    "MetaGraphInfo",
    "ModelError",
    "SavedModelInfo",
    "SignatureInfo",
    "TensorInfo",
    "build_tree",
    "load_model",
]
