"""Signature specs, in the worker: the inputs and outputs of a loaded signature as
``SignatureSpec`` (from a ``tf.function``'s structured signature, or a SignatureDef's
TensorInfo for a model loaded into a TF1 Session)."""

from __future__ import annotations

from typing import Any

from inspector_app.engine.protocol import SignatureSpec, TensorSpecInfo


def function_spec(tf: Any, key: str, fn: Any) -> SignatureSpec:
    """The spec of the signature function ``fn`` (a loaded model's ``signatures[key]``)."""
    _, kwargs = fn.structured_input_signature
    inputs = [tensor_spec(tf, name, s) for name, s in sorted(kwargs.items())]
    outputs = fn.structured_outputs
    outs = (
        [tensor_spec(tf, n, s) for n, s in sorted(outputs.items())]
        if isinstance(outputs, dict)
        else []
    )
    return SignatureSpec(key, inputs, outs)


def tensor_spec(tf: Any, name: str, spec: Any) -> TensorSpecInfo:
    """A ``tf.TensorSpec`` (or ragged / sparse spec) as a ``TensorSpecInfo``."""
    dtype = "string" if spec.dtype == tf.string else spec.dtype.name
    shape = spec.shape.as_list() if spec.shape.rank is not None else None
    if shape is not None:
        shape = [-1 if d is None else int(d) for d in shape]
    kind = "dense"
    if isinstance(spec, (tf.RaggedTensor, tf.RaggedTensorSpec)):
        kind = "ragged"
    elif isinstance(spec, (tf.SparseTensor, tf.SparseTensorSpec)):
        kind = "sparse"
    return TensorSpecInfo(name, dtype, shape, kind)


def proto_spec(name: str, info: Any, graph: Any = None) -> TensorSpecInfo:
    """A SignatureDef TensorInfo as a spec; for plain tensors the dtype is the graph tensor's
    (TF Serving's half_plus_three declares DT_FLOAT on a string placeholder: feed a string)."""
    from inspector_app.savedmodel.dtypes import dtype_name  # noqa: PLC0415
    from inspector_app.savedmodel.loader import composite_spec  # noqa: PLC0415

    encoding = info.WhichOneof("encoding")
    shape = None if info.tensor_shape.unknown_rank else [int(d.size) for d in info.tensor_shape.dim]
    dtype, kind = dtype_name(info.dtype), "dense"
    if encoding == "coo_sparse":
        kind = "sparse"
    elif encoding == "composite_tensor":
        kind, dtype, shape = composite_spec(info.composite_tensor)
    elif graph is not None:
        try:
            tensor = graph.get_tensor_by_name(info.name)
            real = "string" if tensor.dtype.name == "string" else tensor.dtype.base_dtype.name
            dtype = real or dtype
        except (KeyError, ValueError, TypeError):
            pass
    return TensorSpecInfo(name, dtype, shape, kind)
