"""TF Serving warmup files (``assets.extra/tf_serving_warmup_requests``) without TF Serving.

A warmup file is a TFRecord file of ``tensorflow.serving.PredictionLog`` messages. TF Serving's
Python protos are not installed, so the few message types needed are built at run time from
descriptors, with the package, names and field numbers of ``tensorflow_serving/apis/*.proto``;
they refer to ``tensorflow.TensorProto`` and ``tensorflow.Example`` from TensorFlow's own
generated modules (loaded without the TF runtime), so the bytes match what TF Serving writes.
"""

from __future__ import annotations

import math
import os
import struct
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from inspector_app.errors import UserError
from inspector_app.fileio import apply_user_mode
from inspector_app.inputs.validate import TensorSpec, as_string_array, is_string_dtype
from inspector_app.safeio import open_regular

WARMUP_RELPATH = Path("assets.extra") / "tf_serving_warmup_requests"
_FILE_NAME = "inspector_app/tensorflow_serving_apis.proto"
_PACKAGE = "tensorflow.serving"

# ---------------------------------------------------------------- TFRecord framing + CRC32C

_CRC_TABLE: list[int] = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), as TFRecord uses."""
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def encode_record(data: bytes) -> bytes:
    """One TFRecord: length, masked CRC of the length, data, masked CRC of the data."""
    header = struct.pack("<Q", len(data))
    return (
        header
        + struct.pack("<I", masked_crc32c(header))
        + data
        + struct.pack("<I", masked_crc32c(data))
    )


def write_tfrecords(path: str | os.PathLike, records: Sequence[bytes]) -> None:
    with open(path, "wb") as f:
        for r in records:
            f.write(encode_record(r))


def iter_tfrecords(path: str | os.PathLike) -> Iterator[bytes]:
    """The records of a TFRecord file, checking both CRCs; UserError names the bad record."""
    label = str(path)
    try:
        f = open_regular(path, "a TFRecord warmup file")  # pipes and devices: never opened
    except FileNotFoundError:
        raise UserError("no such file", path=label) from None
    except OSError as exc:
        raise UserError(f"cannot read the file: {exc.strerror or exc}", path=label) from None
    try:
        size = os.fstat(f.fileno()).st_size
        number = 0
        while True:
            number += 1
            header = f.read(12)
            if not header:
                return
            if len(header) < 12:
                raise UserError(f"record {number} is cut short (truncated file)", path=label)
            (length,) = struct.unpack("<Q", header[:8])
            (length_crc,) = struct.unpack("<I", header[8:])
            if masked_crc32c(header[:8]) != length_crc:
                raise UserError(
                    f"record {number} is corrupt (length checksum mismatch); not a TFRecord file?",
                    path=label,
                )
            if length > size - f.tell() - 4:
                raise UserError(f"record {number} is cut short (truncated file)", path=label)
            data = f.read(length)
            footer = f.read(4)
            if len(data) < length or len(footer) < 4:
                raise UserError(f"record {number} is cut short (truncated file)", path=label)
            if masked_crc32c(data) != struct.unpack("<I", footer)[0]:
                raise UserError(f"record {number} is corrupt (data checksum mismatch)", path=label)
            yield data
    finally:
        f.close()


# ---------------------------------------------------------------- TF Serving messages at run time


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
            f"{count * itemsize / 2**30:,.1f} GiB, over the {max_bytes / 2**30:,.1f} GiB input "
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


# ---------------------------------------------------------------- records as input sets


@dataclass
class WarmupRecord:
    """One warmup request: its kind (predict, classify, regress), the model spec it names, and
    the inputs it carries (predict: by input key; classify/regress: serialized examples)."""

    number: int
    kind: str
    model_name: str = ""
    signature_name: str = ""
    feeds: dict[str, np.ndarray] = field(default_factory=dict)
    examples: np.ndarray | None = None

    @property
    def title(self) -> str:
        sig = self.signature_name or "serving_default"
        return f"warmup record {self.number}: {self.kind} {sig}"

    def feeds_for(self, specs: Sequence[TensorSpec]) -> dict[str, np.ndarray]:
        """The record's inputs for a signature; examples go to its one string input."""
        if self.examples is None:
            return dict(self.feeds)
        strings = [s for s in specs if is_string_dtype(s.dtype)]
        if len(strings) != 1:
            raise UserError(
                f"{self.title} holds tf.Example records, but the signature has "
                f"{len(strings)} string inputs (needs exactly one)"
            )
        return {strings[0].name: self.examples}


def find_warmup_file(model_dir: str | os.PathLike) -> Path | None:
    """``assets.extra/tf_serving_warmup_requests`` of a SavedModel folder, when present."""
    path = Path(model_dir) / WARMUP_RELPATH
    return path if path.is_file() else None


def read_warmup(path: str | os.PathLike, max_bytes: int = MAX_WARMUP_BYTES) -> list[WarmupRecord]:
    """Every record of a warmup file; UserError naming the record for a corrupt one."""
    m = messages()
    out = []
    for number, data in enumerate(iter_tfrecords(path), start=1):
        log = m.PredictionLog()
        try:
            log.ParseFromString(data)
        except Exception:  # protobuf's DecodeError
            raise UserError(f"record {number} is not a PredictionLog", path=str(path)) from None
        kind = log.WhichOneof("log_type")
        if kind == "predict_log":
            req = log.predict_log.request
            try:
                feeds = {k: from_tensor_proto(v, max_bytes) for k, v in sorted(req.inputs.items())}
            except UserError as exc:
                raise UserError(f"record {number}: {exc}", path=str(path)) from None
            rec = WarmupRecord(number, "predict", feeds=feeds)
        elif kind in ("classify_log", "regress_log"):
            req = getattr(log, kind).request
            which = req.input.WhichOneof("kind")
            examples = getattr(req.input, which).examples if which else []
            values = np.empty(len(examples), dtype=object)
            values[:] = [e.SerializeToString() for e in examples]
            rec = WarmupRecord(number, kind.split("_")[0], examples=values)
        else:
            raise UserError(
                f"record {number} is a {kind or 'unknown'} log; only predict, classify and "
                "regress requests are supported",
                path=str(path),
            )
        rec.model_name = req.model_spec.name
        rec.signature_name = req.model_spec.signature_name
        out.append(rec)
    return out


def encode_prediction_log(
    feeds: Mapping[str, np.ndarray],
    *,
    kind: str = "predict",
    model_name: str = "",
    signature_name: str = "",
) -> bytes:
    """One serialized PredictionLog. ``kind`` classify/regress takes its examples from the
    single string feed (serialized tf.Example records)."""
    m = messages()
    log = m.PredictionLog()
    if kind == "predict":
        req = log.predict_log.request
        for k, v in feeds.items():
            req.inputs[k].CopyFrom(to_tensor_proto(v))
    elif kind in ("classify", "regress"):
        req = getattr(log, f"{kind}_log").request
        if len(feeds) != 1:
            raise UserError(f"a {kind} request takes one input of tf.Example records")
        for data in as_string_array(next(iter(feeds.values()))).reshape(-1):
            ex = req.input.example_list.examples.add()
            try:
                ex.ParseFromString(data)
            except Exception:
                raise UserError(f"a {kind} request needs serialized tf.Example records") from None
    else:
        raise UserError(f"unknown request kind {kind!r}; use predict, classify or regress")
    req.model_spec.name = model_name
    req.model_spec.signature_name = signature_name
    return log.SerializeToString()


def _inside_model_folder(path: Path) -> Path | None:
    for parent in path.resolve().parents:
        if (parent / "saved_model.pb").exists() or (parent / "saved_model.pbtxt").exists():
            return parent
    return None


def write_warmup(
    path: str | os.PathLike,
    requests: Sequence[Mapping[str, np.ndarray]] | Mapping[str, np.ndarray],
    *,
    kind: str = "predict",
    model_name: str = "",
    signature_name: str = "",
    overwrite: bool = False,
) -> Path:
    """Write one record per feed dict to ``path`` (atomically; never inside a model folder,
    never over an existing file unless ``overwrite``). Returns the path written."""
    target = Path(path)
    if isinstance(requests, Mapping):
        requests = [requests]
    model = _inside_model_folder(target)
    if model is not None:
        raise UserError(
            f"will not write into the model folder {model}; choose a place outside it "
            "(copy the file into assets.extra yourself when you export)",
            path=str(target),
        )
    if target.is_dir():
        raise UserError("is a folder; give a file name", path=str(target))
    if target.exists() and not overwrite:
        raise UserError(
            "already exists; choose another name or allow overwriting", path=str(target)
        )
    if not target.parent.is_dir():
        raise UserError("the folder does not exist", path=str(target.parent))
    records = [
        encode_prediction_log(r, kind=kind, model_name=model_name, signature_name=signature_name)
        for r in requests
    ]
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    apply_user_mode(fd)  # mkstemp makes 0600; exports follow the umask
    try:
        with os.fdopen(fd, "wb") as f:
            for r in records:
                f.write(encode_record(r))
            f.flush()
            os.fsync(f.fileno())
        if overwrite:
            os.replace(tmp, target)
        else:
            _link_no_overwrite(tmp, target)
    except FileExistsError:
        os.unlink(tmp)
        raise UserError(
            "already exists; choose another name or allow overwriting", path=str(target)
        ) from None
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise UserError(f"cannot write the file: {exc.strerror or exc}", path=str(target)) from None
    return target


def _link_no_overwrite(tmp: str, target: Path) -> None:
    try:
        os.link(tmp, target)  # atomic and fails if the file appeared meanwhile
    except FileExistsError:
        raise
    except OSError:  # no hard links on this file system
        if target.exists():
            raise FileExistsError(str(target)) from None
        os.replace(tmp, target)
        return
    os.unlink(tmp)
