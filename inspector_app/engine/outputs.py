"""A run's outputs and timing, in the worker: TensorFlow values to numpy, Session fetches to
values, and the timing figures of ``RunResult.timing``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from inspector_app.engine.composites import RaggedValue, SparseValue, is_composite
from inspector_app.engine.protocol import EngineError, RunResult


def flat_outputs(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, (list, tuple)):
        return {f"output_{i}": v for i, v in enumerate(raw)}
    return {"output_0": raw}


def timing(times: list[float], feed_ms: float) -> dict[str, float]:
    ordered = sorted(times)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]

    total = sum(times)
    return {
        "run_ms": times[-1],
        "min_ms": ordered[0],
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "mean_ms": total / len(times),
        "repeat": float(len(times)),
        "throughput_per_s": len(times) / (total / 1000) if total > 0 else float("inf"),
        "feed_ms": feed_ms,
    }


def host(value: Any) -> Any:
    """An output as numpy: an array, or a RaggedValue / SparseValue of arrays."""
    if hasattr(value, "nested_row_splits") and hasattr(value, "flat_values"):
        return RaggedValue(value.flat_values.numpy(), [s.numpy() for s in value.nested_row_splits])
    if hasattr(value, "indices") and hasattr(value, "dense_shape"):
        return SparseValue(value.indices.numpy(), value.values.numpy(), value.dense_shape.numpy())
    return value.numpy()


def run_result(
    signature: str, outputs: dict[str, Any], timing: dict, device: str, load_path: str
) -> RunResult:
    dense = {k: v for k, v in outputs.items() if not is_composite(v)}
    composites = {k: v for k, v in outputs.items() if is_composite(v)}
    return RunResult(signature, dense, timing, device, load_path=load_path, composites=composites)


def fetch_names(info: Any) -> Any:
    encoding = info.WhichOneof("encoding")
    if encoding == "coo_sparse":
        c = info.coo_sparse
        return [c.indices_tensor_name, c.values_tensor_name, c.dense_shape_tensor_name]
    if encoding == "composite_tensor":
        return [c.name for c in info.composite_tensor.components]
    return info.name


def session_value(info: Any, fetched: Any) -> Any:
    encoding = info.WhichOneof("encoding")
    if encoding == "coo_sparse":
        indices, values, dense_shape = (np.asarray(v) for v in fetched)
        return SparseValue(indices, values, dense_shape)
    if encoding == "composite_tensor":
        parts = [np.asarray(v) for v in fetched]
        name = info.composite_tensor.type_spec.type_spec_class_name
        if name == "RaggedTensorSpec" and parts:
            return RaggedValue(parts[0], parts[1:])
        if name == "SparseTensorSpec" and len(parts) == 3:
            return SparseValue(parts[0], parts[1], parts[2])
        raise EngineError(f"outputs of type {name or 'unknown'} cannot be shown yet")
    return np.asarray(fetched)
