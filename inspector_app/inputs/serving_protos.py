"""TF Serving's request and log messages (PredictionLog, PredictRequest...) built at run time
from descriptors with the package, names and field numbers of ``tensorflow_serving/apis/*.proto``
(TF Serving's Python protos are not installed), and TensorProto <-> numpy conversion with the
size of every tensor checked before it is built."""

from __future__ import annotations

import math
from functools import cache
from types import SimpleNamespace

import numpy as np

from inspector_app.errors import UserError
from inspector_app.inputs.validate import as_string_array
from inspector_app.units import human_bytes

_FILE_NAME = "inspector_app/tensorflow_serving_apis.proto"
_PACKAGE = "tensorflow.serving"


def _tf_modules():
    from inspector_app.savedmodel import protos

    return protos.module("tensor_pb2"), protos.module("example_pb2"), protos.types_pb2()


@cache
def messages() -> SimpleNamespace:
    """The TF Serving message classes: PredictionLog, PredictLog, PredictRequest,
    PredictResponse, ModelSpec, ClassifyLog, RegressLog, ClassificationRequest/Response,
    RegressionRequest/Response, Input, ExampleList, ..."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory, wrappers_pb2

    tensor_pb2, example_pb2, _ = _tf_modules()
    pool = descriptor_pool.Default()
    try:
        pool.FindMessageTypeByName(f"{_PACKAGE}.PredictionLog")
    except KeyError:
        fdp = descriptor_pb2.FileDescriptorProto(
            name=_FILE_NAME,
            package=_PACKAGE,
            syntax="proto3",
            dependency=[
                wrappers_pb2.DESCRIPTOR.name,
                tensor_pb2.DESCRIPTOR.name,
                example_pb2.DESCRIPTOR.name,
            ],
        )
        _define(fdp, descriptor_pb2)
        pool.Add(fdp)
    names = [
        "ModelSpec", "PredictRequest", "PredictResponse", "ExampleList", "ExampleListWithContext",
        "Input", "Class", "Classifications", "ClassificationResult", "ClassificationRequest",
        "ClassificationResponse", "Regression", "RegressionResult", "RegressionRequest",
        "RegressionResponse", "ClassifyLog", "RegressLog", "PredictLog", "PredictionLog",
        "LogMetadata", "SamplingConfig",
    ]  # fmt: skip
    classes = {
        n: message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{_PACKAGE}.{n}"))
        for n in names
    }
    return SimpleNamespace(**classes)


def _define(fdp, d) -> None:
    F = d.FieldDescriptorProto
    opt, rep = F.LABEL_OPTIONAL, F.LABEL_REPEATED

    def msg(name: str, *fields, nested=(), oneofs=()):
        m = fdp.message_type.add(name=name)
        for o in oneofs:
            m.oneof_decl.add(name=o)
        for fname, number, ftype, label, type_name, *oneof in fields:
            f = m.field.add(name=fname, number=number, type=ftype, label=label)
            if type_name:
                f.type_name = type_name
            if oneof:
                f.oneof_index = oneof[0]
        for n in nested:
            m.nested_type.add().CopyFrom(n)
        return m

    def map_entry(name: str, value_type: str):
        e = d.DescriptorProto(name=name)
        e.options.map_entry = True
        e.field.add(name="key", number=1, type=F.TYPE_STRING, label=opt)
        e.field.add(name="value", number=2, type=F.TYPE_MESSAGE, label=opt, type_name=value_type)
        return e

    S, M, FL, DBL = F.TYPE_STRING, F.TYPE_MESSAGE, F.TYPE_FLOAT, F.TYPE_DOUBLE
    p = f".{_PACKAGE}."
    # model.proto
    msg(
        "ModelSpec",
        ("name", 1, S, opt, ""),
        ("version", 2, M, opt, ".google.protobuf.Int64Value", 0),
        ("version_label", 4, S, opt, "", 0),
        ("signature_name", 3, S, opt, ""),
        oneofs=("version_choice",),
    )
    # predict.proto
    msg(
        "PredictRequest",
        ("model_spec", 1, M, opt, p + "ModelSpec"),
        ("inputs", 2, M, rep, p + "PredictRequest.InputsEntry"),
        ("output_filter", 3, S, rep, ""),
        nested=(map_entry("InputsEntry", ".tensorflow.TensorProto"),),
    )
    msg(
        "PredictResponse",
        ("model_spec", 2, M, opt, p + "ModelSpec"),
        ("outputs", 1, M, rep, p + "PredictResponse.OutputsEntry"),
        nested=(map_entry("OutputsEntry", ".tensorflow.TensorProto"),),
    )
    # input.proto
    msg("ExampleList", ("examples", 1, M, rep, ".tensorflow.Example"))
    msg(
        "ExampleListWithContext",
        ("examples", 1, M, rep, ".tensorflow.Example"),
        ("context", 2, M, opt, ".tensorflow.Example"),
    )
    msg(
        "Input",
        ("example_list", 1, M, opt, p + "ExampleList", 0),
        ("example_list_with_context", 2, M, opt, p + "ExampleListWithContext", 0),
        oneofs=("kind",),
    )
    # classification.proto
    msg("Class", ("label", 1, S, opt, ""), ("score", 2, FL, opt, ""))
    msg("Classifications", ("classes", 1, M, rep, p + "Class"))
    msg("ClassificationResult", ("classifications", 1, M, rep, p + "Classifications"))
    msg(
        "ClassificationRequest",
        ("model_spec", 1, M, opt, p + "ModelSpec"),
        ("input", 2, M, opt, p + "Input"),
    )
    msg(
        "ClassificationResponse",
        ("model_spec", 2, M, opt, p + "ModelSpec"),
        ("result", 1, M, opt, p + "ClassificationResult"),
    )
    # regression.proto
    msg("Regression", ("value", 1, FL, opt, ""))
    msg("RegressionResult", ("regressions", 1, M, rep, p + "Regression"))
    msg(
        "RegressionRequest",
        ("model_spec", 1, M, opt, p + "ModelSpec"),
        ("input", 2, M, opt, p + "Input"),
    )
    msg(
        "RegressionResponse",
        ("model_spec", 2, M, opt, p + "ModelSpec"),
        ("result", 1, M, opt, p + "RegressionResult"),
    )
    # logging_config.proto / logging.proto (the metadata part of a log record)
    msg("SamplingConfig", ("sampling_rate", 1, DBL, opt, ""))
    msg(
        "LogMetadata",
        ("model_spec", 1, M, opt, p + "ModelSpec"),
        ("sampling_config", 2, M, opt, p + "SamplingConfig"),
        ("saved_model_tags", 3, S, rep, ""),
    )
    # prediction_log.proto (multi-inference, session-run and streamed logs are left out: their
    # fields stay unknown fields, and such records are reported as unsupported)
    msg(
        "ClassifyLog",
        ("request", 1, M, opt, p + "ClassificationRequest"),
        ("response", 2, M, opt, p + "ClassificationResponse"),
    )
    msg(
        "RegressLog",
        ("request", 1, M, opt, p + "RegressionRequest"),
        ("response", 2, M, opt, p + "RegressionResponse"),
    )
    msg(
        "PredictLog",
        ("request", 1, M, opt, p + "PredictRequest"),
        ("response", 2, M, opt, p + "PredictResponse"),
    )
    msg(
        "PredictionLog",
        ("log_metadata", 1, M, opt, p + "LogMetadata"),
        ("classify_log", 2, M, opt, p + "ClassifyLog", 0),
        ("regress_log", 3, M, opt, p + "RegressLog", 0),
        ("predict_log", 6, M, opt, p + "PredictLog", 0),
        oneofs=("log_type",),
    )


# ---------------------------------------------------------------- TensorProto <-> numpy

_NUMPY_TO_DT = {
    "float32": "DT_FLOAT", "float64": "DT_DOUBLE", "int32": "DT_INT32", "uint8": "DT_UINT8",
    "int16": "DT_INT16", "int8": "DT_INT8", "complex64": "DT_COMPLEX64", "int64": "DT_INT64",
    "bool": "DT_BOOL", "uint16": "DT_UINT16", "complex128": "DT_COMPLEX128",
    "float16": "DT_HALF", "uint32": "DT_UINT32", "uint64": "DT_UINT64",
}  # fmt: skip
_VAL_FIELD = {
    "DT_FLOAT": "float_val", "DT_DOUBLE": "double_val", "DT_INT32": "int_val",
    "DT_UINT8": "int_val", "DT_INT16": "int_val", "DT_INT8": "int_val", "DT_UINT16": "int_val",
    "DT_INT64": "int64_val", "DT_BOOL": "bool_val", "DT_UINT32": "uint32_val",
    "DT_UINT64": "uint64_val", "DT_HALF": "half_val", "DT_COMPLEX64": "scomplex_val",
    "DT_COMPLEX128": "dcomplex_val",
}  # fmt: skip


def to_tensor_proto(value: np.ndarray | object):
    """A ``tensorflow.TensorProto`` for a numpy array (numbers as tensor_content, strings as
    string_val)."""
    tensor_pb2, _, types_pb2 = _tf_modules()
    arr = np.asarray(value)
    proto = tensor_pb2.TensorProto()
    for d in arr.shape:
        proto.tensor_shape.dim.add(size=int(d))
    if arr.dtype.kind in "OSU":
        proto.dtype = types_pb2.DT_STRING
        proto.string_val.extend(as_string_array(arr).reshape(-1).tolist())
        return proto
    name = _NUMPY_TO_DT.get(arr.dtype.name)
    if name is None:
        raise UserError(f"cannot write a {arr.dtype} tensor to a TF Serving request")
    proto.dtype = types_pb2.DataType.Value(name)
    proto.tensor_content = np.ascontiguousarray(arr, dtype=arr.dtype.newbyteorder("<")).tobytes()
    return proto


MAX_WARMUP_BYTES = 2 * 2**30  # as --max-input-bytes
MAX_RANK = 32


def from_tensor_proto(proto, max_bytes: int = MAX_WARMUP_BYTES) -> np.ndarray:
    """A numpy array from a ``tensorflow.TensorProto`` (tensor_content or the typed *_val
    fields, with TensorFlow's rule that a short value list repeats its last value).

    The shape times the dtype's size is checked against ``max_bytes`` before anything is built.
    """
    try:
        return _from_tensor_proto(proto, max_bytes)
    except (ValueError, OverflowError, TypeError) as exc:
        raise UserError(f"a damaged tensor ({str(exc)[:120]})") from None
    except MemoryError:
        raise UserError("a tensor too large for memory") from None


def _from_tensor_proto(proto, max_bytes: int) -> np.ndarray:
    _, _, types_pb2 = _tf_modules()
    try:
        dt_name = types_pb2.DataType.Name(proto.dtype)
    except ValueError:
        raise UserError(f"a tensor of unknown dtype number {proto.dtype}") from None
    dims = [int(d.size) for d in proto.tensor_shape.dim]
    if len(dims) > MAX_RANK:
        raise UserError(f"a tensor of rank {len(dims)} (at most {MAX_RANK})")
    if any(d < 0 for d in dims):
        raise UserError(f"a tensor with a negative dimension, shape {dims[:8]}")
    shape = tuple(dims)
    count = math.prod(shape)
    itemsize = 8 if dt_name == "DT_STRING" else _ITEMSIZE.get(dt_name, 8)
    if count * itemsize > max_bytes:
        raise UserError(
            f"a {dt_name} tensor of shape {list(shape)[:8]} would take "
            f"{human_bytes(count * itemsize)}, over the {human_bytes(max_bytes)} input "
            "limit (--max-input-bytes)"
        )
    if dt_name == "DT_STRING":
        values = list(proto.string_val)
        return _expand(values, count, shape, object, b"")
    np_name = {v: k for k, v in _NUMPY_TO_DT.items()}.get(dt_name)
    if np_name is None:
        raise UserError(f"tensors of type {dt_name} are not supported")
    dtype = np.dtype(np_name)
    if proto.tensor_content:
        arr = np.frombuffer(proto.tensor_content, dtype=dtype.newbyteorder("<"))
        if arr.size != count:
            raise UserError(f"a {dt_name} tensor of shape {list(shape)} has {arr.size} values")
        return arr.astype(dtype).reshape(shape)
    values = list(getattr(proto, _VAL_FIELD[dt_name]))
    if dt_name == "DT_HALF":
        values = np.array(values, dtype=np.uint16).view(np.float16).tolist()
    elif dt_name in ("DT_COMPLEX64", "DT_COMPLEX128"):
        values = [complex(r, i) for r, i in zip(values[::2], values[1::2], strict=False)]
    return _expand(values, count, shape, dtype, 0)


_ITEMSIZE = {
    "DT_FLOAT": 4, "DT_DOUBLE": 8, "DT_INT32": 4, "DT_UINT8": 1, "DT_INT16": 2, "DT_INT8": 1,
    "DT_INT64": 8, "DT_BOOL": 1, "DT_UINT16": 2, "DT_HALF": 2, "DT_UINT32": 4, "DT_UINT64": 8,
    "DT_COMPLEX64": 8, "DT_COMPLEX128": 16, "DT_BFLOAT16": 2,
}  # fmt: skip


def _expand(values: list, count: int, shape: tuple, dtype, fill) -> np.ndarray:
    if len(values) > count:
        raise UserError(f"a tensor of shape {list(shape)} holds {len(values)} values")
    if len(values) < count:
        values = values + [values[-1] if values else fill] * (count - len(values))
    out = np.empty(count, dtype=dtype) if dtype is object else None
    if out is not None:
        out[:] = values
        return out.reshape(shape)
    return np.array(values, dtype=dtype).reshape(shape)
