"""TF Serving warmup files (``assets.extra/tf_serving_warmup_requests``) without TF Serving.

A warmup file is a TFRecord file (``inputs.tfrecord``) of ``tensorflow.serving.PredictionLog``
messages (``inputs.serving_protos``). TF Serving's
Python protos are not installed, so the few message types needed are built at run time from
descriptors, with the package, names and field numbers of ``tensorflow_serving/apis/*.proto``;
they refer to ``tensorflow.TensorProto`` and ``tensorflow.Example`` from TensorFlow's own
generated modules (loaded without the TF runtime), so the bytes match what TF Serving writes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from inspector_app.errors import UserError
from inspector_app.fileio import atomic_write
from inspector_app.inputs.serving_protos import (
    MAX_RANK,
    MAX_WARMUP_BYTES,
    from_tensor_proto,
    messages,
    to_tensor_proto,
)
from inspector_app.inputs.tfrecord import (
    crc32c,
    encode_record,
    iter_tfrecords,
    masked_crc32c,
    write_tfrecords,
)
from inspector_app.inputs.validate import TensorSpec, as_string_array, is_string_dtype
from inspector_app.savedmodel.discovery import holds_model

WARMUP_RELPATH = Path("assets.extra") / "tf_serving_warmup_requests"

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
        if holds_model(parent):
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

    def write(fh) -> None:
        for r in records:
            fh.write(encode_record(r))

    return atomic_write(target, write, overwrite=overwrite)


__all__ = [
    "MAX_RANK",
    "MAX_WARMUP_BYTES",
    "WARMUP_RELPATH",
    "WarmupRecord",
    "crc32c",
    "encode_prediction_log",
    "encode_record",
    "find_warmup_file",
    "from_tensor_proto",
    "iter_tfrecords",
    "masked_crc32c",
    "messages",
    "read_warmup",
    "to_tensor_proto",
    "write_tfrecords",
    "write_warmup",
]
