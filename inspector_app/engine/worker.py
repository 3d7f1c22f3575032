"""The engine worker: a separate process, the only one that imports TensorFlow.

``worker_main`` is the ``multiprocessing`` (spawn) target. It imports TensorFlow at once, sets up
the devices, sends a ``ready`` reply (id 0) listing them, then serves requests one at a time.
A worker holds at most one model: the client starts a fresh worker for each load, so models
never share TensorFlow's process-wide state (TF1 variables are global by name) and unloading
gives all memory back.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import sys
import time
import traceback
from dataclasses import dataclass
from typing import Any

import numpy as np

from inspector_app.engine import custom_ops, tf_errors
from inspector_app.engine.composites import RaggedValue, SparseValue, is_composite
from inspector_app.engine.feeds import coerce_feeds
from inspector_app.engine.protocol import (
    DeviceInfo,
    EngineError,
    KeptFeed,
    ModelInfo,
    NoModel,
    Reply,
    Request,
    RunResult,
    SignatureSpec,
    TensorSpecInfo,
    normalize_device,
    recv_message,
    send_message,
)


@dataclass(frozen=True)
class WorkerOptions:
    logical_cpus: int = 0  # >1: split the CPU into this many logical devices (tests, demos)
    memory_growth: bool = True
    log_path: str | None = None  # the worker's stderr goes here (None: inherit)
    nice: int = 0  # added to the worker's niceness (the window's engine uses a little)


def _die_with_parent() -> None:
    """End this process when the one that started it ends, whatever ended it (SIGKILL too):
    a thread watches the parent id, which changes when the parent dies (the orphan is adopted).
    Thread-independent, unlike PR_SET_PDEATHSIG, which fires when the starting *thread* ends."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.25)
            if os.getppid() != parent:
                os._exit(0)

    import threading  # noqa: PLC0415

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def worker_main(conn: Any, options: WorkerOptions) -> None:
    """Process entry point: warm up, then serve requests until ``exit`` or the pipe closes."""
    _die_with_parent()
    if options.log_path:
        fd = os.open(options.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(fd, 2)
        os.close(fd)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if options.nice and hasattr(os, "nice"):
        # On a machine with few cores the window must win when both want the CPU.
        with contextlib.suppress(OSError):
            os.nice(options.nice)
    try:
        server = _Server(options)
        send_message(conn, Reply(0, value=server.devices))
    except BaseException as exc:  # TensorFlow missing or broken: say so, then leave
        send_message(conn, Reply(0, error=_error_tuple(exc)))
        return
    # the op names this TensorFlow registers, for the unknown-op check (window, bundle)
    send_message(conn, Reply(OPS_REPLY_ID, value=sorted(server.registered)))
    if getattr(sys, "frozen", False):  # a bundle has no python to start: the op descriptions
        _store_op_catalog()  # for the graph view's details are written here, once a version
    request: Request | None
    reply: Reply | None
    while True:
        try:
            request = recv_message(conn)
        except (EOFError, OSError):
            return
        if request.op == "exit":
            send_message(conn, Reply(request.id))
            return
        try:
            value = server.handle(request)
            reply = Reply(request.id, value=value)
        except BaseException as exc:
            reply = Reply(request.id, error=_error_tuple(exc, server.op_of))
        send_message(conn, reply)
        # Outputs (and the request's inputs) go now, not when the next request has run: their
        # memory is then free for that run, as in a plain script that drops its results.
        value = reply = request = None


OPS_REPLY_ID = -1  # the worker's second unsolicited message: its registered op names


def _store_op_catalog() -> None:
    import json

    from inspector_app.engine.op_registry import op_catalog
    from inspector_app.savedmodel import op_catalog as cache

    with contextlib.suppress(Exception):  # descriptions are a nicety: never fail the worker
        if cache.cached() is None:
            cache.store(json.dumps(op_catalog()))


def _error_tuple(exc: BaseException, op_of: Any = None) -> tuple[str, str, str]:
    """(class name, one line, traceback): TensorFlow's own message, the node and op it names,
    and a hint (``tf_errors.describe``)."""
    details = "".join(traceback.format_exception(exc))
    if isinstance(exc, EngineError):
        return (type(exc).__name__, str(exc), details)
    return ("EngineError", tf_errors.describe(exc, op_of), details)


class _Server:
    def __init__(self, options: WorkerOptions) -> None:
        import tensorflow as tf  # noqa: PLC0415 - the whole point of this process

        tf.get_logger().setLevel("ERROR")
        self.tf = tf
        if options.logical_cpus > 1:
            cpu = tf.config.list_physical_devices("CPU")[0]
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * options.logical_cpus
            )
        gpus = tf.config.list_physical_devices("GPU")
        if options.memory_growth:
            for gpu in gpus:
                with contextlib.suppress(RuntimeError, ValueError):
                    tf.config.experimental.set_memory_growth(gpu, True)
        tf.config.set_soft_device_placement(True)
        self.devices = self._list_devices(gpus)
        self.default_device = "GPU:0" if any(d.name == "GPU:0" for d in self.devices) else "CPU:0"
        with tf.device(self.default_device):  # first op: starts the runtime's thread pools
            (tf.constant(1.0) + 1.0).numpy()
        self.model: Any = None
        self.info: ModelInfo | None = None
        self.meta_graph: Any = None  # the loaded MetaGraphDef (protobuf), for error messages
        self._node_ops: dict[str, str] | None = None
        try:
            self.registered = custom_ops.registered_ops()
        except Exception:  # noqa: BLE001 - private API; the check then waits for another source
            self.registered = frozenset()
        self.session: Any = None
        self.signatures: dict[str, Any] = {}
        # (signature, input) -> (id of the request that sent it, array, device, tensor): the
        # inputs of each signature's last run, which the client may refer to with a KeptFeed
        self.kept: dict[tuple[str, str], tuple[int, np.ndarray, str, Any]] = {}

    # ------------------------------------------------------------------ devices

    def _list_devices(self, gpus: list) -> list[DeviceInfo]:
        tf = self.tf
        details: dict[str, tuple[str, int | None]] = {}
        try:  # memory limit and name of each device (one call, after the configuration)
            from tensorflow.python.client import device_lib  # noqa: PLC0415

            for attr in device_lib.list_local_devices():
                short = attr.name.split("device:")[-1]
                details[short] = (attr.physical_device_desc, int(attr.memory_limit) or None)
        except Exception:  # noqa: BLE001 - the listing is a nicety
            pass
        out = []
        for dev in tf.config.list_logical_devices():
            short = dev.name.split("device:")[-1]
            if dev.device_type not in ("CPU", "GPU"):
                continue
            desc, memory = details.get(short, ("", None))
            if dev.device_type == "GPU":
                desc = self._gpu_description(gpus, short, desc)
            else:
                desc = ""
                memory = None
            out.append(DeviceInfo(short, dev.device_type, desc, memory))
        return out

    def _gpu_description(self, gpus: list, short: str, fallback: str) -> str:
        try:
            index = int(short.split(":")[1])
            info = self.tf.config.experimental.get_device_details(gpus[index])
            text = info.get("device_name", "")
            if info.get("compute_capability"):
                major, minor = info["compute_capability"]
                text += f", compute capability {major}.{minor}"
            return text or fallback
        except (IndexError, ValueError, RuntimeError):
            return fallback

    def _device(self, name: str | None) -> str:
        return normalize_device(name, self.devices)

    # ------------------------------------------------------------------ requests

    def handle(self, request: Request) -> Any:
        if request.op == "run":
            return self.op_run(**request.args, request_id=request.id)
        return getattr(self, f"op_{request.op}")(**request.args)

    def op_ping(self) -> dict:
        return {"pid": os.getpid(), "model": self.info.path if self.info else None}

    def op_of(self, node: str) -> str | None:
        """The op type of node ``node`` of the loaded model (for error messages)."""
        if self.meta_graph is None:
            return None
        if self._node_ops is None:
            self._node_ops = custom_ops.node_ops(self.meta_graph)
        return self._node_ops.get(node) or self._node_ops.get(node.split("/")[-1])

    def op_unload(self) -> None:
        self.model = self.info = self.session = None
        self.meta_graph = self._node_ops = None
        self.signatures = {}
        self.kept = {}
        gc.collect()

    def op_load(
        self,
        path: str,
        tags: list[str] | None,
        device: str | None = None,
        load_ops: list[str] | None = None,
    ) -> ModelInfo:
        if self.info is not None:
            self.op_unload()
        dev = self._device(device)
        start = time.perf_counter()
        tf = self.tf
        warnings: list[str] = []
        meta_graphs = custom_ops.read_meta_graphs(path)
        self.meta_graph = custom_ops.choose_meta_graph(meta_graphs, tags)
        # ops from other packages (tensorflow-text...) and the user's libraries, before loading
        self.registered, notes, unregistered = custom_ops.prepare(
            tf, self.meta_graph, self.registered, load_ops or []
        )
        tf1 = not any(mg.object_graph_def.nodes for mg in meta_graphs) if meta_graphs else True
        try:
            with tf.device(dev):  # TF1 variables are created and restored on this device
                self.model = tf.saved_model.load(path, tags=tags)
            self.signatures = dict(self.model.signatures)
            specs = {k: self._function_spec(k, f) for k, f in self.signatures.items()}
            backend = "function"
        except Exception as exc:
            # TF1 exports tf.saved_model.load cannot prune, and object graphs it cannot revive
            # (Keras 2.4-era optimizer slots: "'_UserObject' object has no attribute 'add_slot'")
            # while the MetaGraphDef is sound: load that into a Session, as saved_model_cli does.
            self.model = None
            first = _error_tuple(exc, self.op_of)[1]
            try:
                with tf.device(dev):
                    specs = self._load_session(path, tags)
            except Exception as session_exc:
                self.session = None
                if unregistered:  # what to install or load, in one line
                    raise EngineError(custom_ops.missing_message(unregistered)) from exc
                if tf1:
                    raise
                raise exc from session_exc
            warnings.append(
                f"tf.saved_model.load failed ({first}); loaded the MetaGraphDef into a TF1 "
                "session instead, as saved_model_cli run does"
            )
            backend = "session"
        self.info = ModelInfo(
            path=path,
            tags=tags,
            signatures=specs,
            backend=backend,
            load_ms=(time.perf_counter() - start) * 1000,
            warnings=warnings,
            device=dev,
            device_bound=tf1 or backend == "session",
            custom_ops=notes,
        )
        return self.info

    def _function_spec(self, key: str, fn: Any) -> SignatureSpec:
        _, kwargs = fn.structured_input_signature
        inputs = [self._spec(name, s) for name, s in sorted(kwargs.items())]
        outputs = fn.structured_outputs
        outs = (
            [self._spec(n, s) for n, s in sorted(outputs.items())]
            if isinstance(outputs, dict)
            else []
        )
        return SignatureSpec(key, inputs, outs)

    def _spec(self, name: str, spec: Any) -> TensorSpecInfo:
        dtype = "string" if spec.dtype == self.tf.string else spec.dtype.name
        shape = spec.shape.as_list() if spec.shape.rank is not None else None
        if shape is not None:
            shape = [-1 if d is None else int(d) for d in shape]
        kind = "dense"
        if isinstance(spec, (self.tf.RaggedTensor, self.tf.RaggedTensorSpec)):
            kind = "ragged"
        elif isinstance(spec, (self.tf.SparseTensor, self.tf.SparseTensorSpec)):
            kind = "sparse"
        return TensorSpecInfo(name, dtype, shape, kind)

    def _load_session(self, path: str, tags: list[str] | None) -> dict[str, SignatureSpec]:
        tf = self.tf
        graph = tf.Graph()
        config = tf.compat.v1.ConfigProto(allow_soft_placement=True)
        self.session = tf.compat.v1.Session(graph=graph, config=config)
        with graph.as_default():
            meta = tf.compat.v1.saved_model.loader.load(self.session, tags or ["serve"], path)
        specs = {}
        self.signatures = {}
        for key, sig in meta.signature_def.items():
            self.signatures[key] = sig
            specs[key] = SignatureSpec(
                key,
                [_proto_spec(n, t, graph) for n, t in sorted(sig.inputs.items())],
                [_proto_spec(n, t, graph) for n, t in sorted(sig.outputs.items())],
            )
        return specs

    def op_run(
        self,
        signature: str,
        feeds: dict[str, Any],
        device: str | None,
        repeat: int,
        request_id: int = 0,
    ) -> RunResult:
        if self.info is None:
            raise NoModel("no model is loaded; load one first")
        if signature not in self.signatures:
            keys = ", ".join(sorted(self.signatures)) or "none"
            raise EngineError(f"the model has no signature {signature!r}; it has: {keys}")
        dev = self._device(device)
        if self.info.device_bound and dev != self.info.device:
            raise EngineError(
                f"this TF1 model keeps its variables on {self.info.device}, where it was loaded; "
                f"load it again on {dev} to run there"
            )
        repeat = max(1, int(repeat))
        spec = self.info.signatures[signature]
        t0 = time.perf_counter()
        if self.session is None:
            feeds = _split_sparse_feeds(spec, feeds)
        kept = {n: self._kept(signature, n, v) for n, v in feeds.items() if isinstance(v, KeptFeed)}
        feeds = coerce_feeds(spec, {**feeds, **{n: k[1] for n, k in kept.items()}})
        tensors = self._tensors(spec, feeds, kept, dev) if self.session is None else {}
        sent_in = {n: k[0] for n, k in kept.items()}
        self.kept = {k: v for k, v in self.kept.items() if k[0] != signature}
        for name, value in feeds.items():
            if is_composite(value):
                continue
            made_in = sent_in.get(name, request_id)
            self.kept[(signature, name)] = (made_in, value, dev, tensors.get(name))
        if self.session is not None:
            return self._run_session(signature, feeds, dev, repeat)
        fn = self.signatures[signature]
        feed_ms = (time.perf_counter() - t0) * 1000
        times = []
        outputs: dict[str, Any] = {}
        # TensorFlow places on the default device by itself; a device scope around the call
        # costs about 0.3 ms a run here, so it is entered only for another device.
        scope = self.tf.device(dev) if dev != self.default_device else contextlib.nullcontext()
        with scope:
            for _ in range(repeat):
                t0 = time.perf_counter()
                raw = fn(**tensors)
                outputs = {k: _host(v) for k, v in _flat_outputs(raw).items()}
                times.append((time.perf_counter() - t0) * 1000)
        used = dev
        for value in _flat_outputs(raw).values():
            if hasattr(value, "device"):
                used = str(value.device).split("device:")[-1] or dev
                break
        return _result(signature, outputs, _timing(times, feed_ms), used, "function")

    def _tensors(self, spec: SignatureSpec, feeds: dict, kept: dict, dev: str) -> dict[str, Any]:
        tf = self.tf
        tensors = {}
        for name in feeds:  # made on this device by an earlier run
            old = kept.get(name)
            if old is not None and old[2] == dev and old[3] is not None:
                tensors[name] = old[3]
        if len(tensors) == len(feeds):
            return tensors  # no device scope to enter on a rerun of the same inputs
        with tf.device(dev):
            for name, value in feeds.items():
                if name in tensors:
                    continue
                if is_composite(value):
                    raise EngineError(
                        f"input {name!r} takes a plain tensor; this signature feeds ragged and "
                        "sparse values through their components (see its inputs)"
                    )
                tensor = tf.constant(value)
                if any(t.name == name and t.dtype == "bfloat16" for t in spec.inputs):
                    tensor = tf.cast(tensor, tf.bfloat16)  # numpy has no bfloat16: fed as float32
                tensors[name] = tensor
        return tensors

    def _kept(self, signature: str, name: str, marker: KeptFeed) -> tuple:
        kept = self.kept.get((signature, name))
        if kept is None or kept[0] != marker.sent_in:
            raise EngineError(f"input {name!r} is no longer held by the worker; run again")
        return kept

    def _run_session(
        self, signature: str, feeds: dict[str, np.ndarray], dev: str, repeat: int
    ) -> RunResult:
        sig = self.signatures[signature]
        feed_dict: dict[str, Any] = {}
        for key, value in feeds.items():
            info = sig.inputs.get(key)
            if info is None:
                continue
            if info.WhichOneof("encoding") == "coo_sparse":
                sparse = value if isinstance(value, SparseValue) else _sparse_from_dense(value)
                feed_dict[info.coo_sparse.indices_tensor_name] = sparse.indices
                feed_dict[info.coo_sparse.values_tensor_name] = sparse.values
                feed_dict[info.coo_sparse.dense_shape_tensor_name] = sparse.dense_shape
            else:
                feed_dict[info.name] = value
        fetches = {k: _fetch_names(t) for k, t in sig.outputs.items()}
        times = []
        fetched: dict[str, Any] = {}
        for _ in range(repeat):
            t0 = time.perf_counter()
            fetched = self.session.run(fetches, feed_dict=feed_dict)
            times.append((time.perf_counter() - t0) * 1000)
        outputs = {k: _session_value(sig.outputs[k], v) for k, v in fetched.items()}
        # a Session places ops when the graph loads (soft placement); the device cannot change
        return _result(signature, outputs, _timing(times, 0.0), dev, "session")


def _flat_outputs(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    if isinstance(raw, (list, tuple)):
        return {f"output_{i}": v for i, v in enumerate(raw)}
    return {"output_0": raw}


def _timing(times: list[float], feed_ms: float) -> dict[str, float]:
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


def _host(value: Any) -> Any:
    """An output as numpy: an array, or a RaggedValue / SparseValue of arrays."""
    if hasattr(value, "nested_row_splits") and hasattr(value, "flat_values"):
        return RaggedValue(value.flat_values.numpy(), [s.numpy() for s in value.nested_row_splits])
    if hasattr(value, "indices") and hasattr(value, "dense_shape"):
        return SparseValue(value.indices.numpy(), value.values.numpy(), value.dense_shape.numpy())
    return value.numpy()


def _result(
    signature: str, outputs: dict[str, Any], timing: dict, device: str, load_path: str
) -> RunResult:
    dense = {k: v for k, v in outputs.items() if not is_composite(v)}
    composites = {k: v for k, v in outputs.items() if is_composite(v)}
    return RunResult(signature, dense, timing, device, load_path=load_path, composites=composites)


def _fetch_names(info: Any) -> Any:
    encoding = info.WhichOneof("encoding")
    if encoding == "coo_sparse":
        c = info.coo_sparse
        return [c.indices_tensor_name, c.values_tensor_name, c.dense_shape_tensor_name]
    if encoding == "composite_tensor":
        return [c.name for c in info.composite_tensor.components]
    return info.name


def _session_value(info: Any, fetched: Any) -> Any:
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


_SPARSE_PARTS = ("indices", "values", "dense_shape")


def _split_sparse_feeds(spec: SignatureSpec, feeds: dict[str, Any]) -> dict[str, Any]:
    """A TF1 sparse input ``sp`` is taken by the loaded signature function as ``sp_indices``,
    ``sp_values`` and ``sp_dense_shape``: a SparseValue (or a dense array) fed as ``sp`` is
    split into them."""
    names = {t.name for t in spec.inputs}
    out = dict(feeds)
    for name, value in feeds.items():
        parts = [f"{name}_{p}" for p in _SPARSE_PARTS]
        if name in names or not all(p in names for p in parts):
            continue
        if not isinstance(value, SparseValue):
            value = _sparse_from_dense(np.asarray(value))
        del out[name]
        out.update(dict(zip(parts, (value.indices, value.values, value.dense_shape), strict=True)))
    return out


def _sparse_from_dense(value: Any) -> SparseValue:
    arr = np.asarray(value)
    indices = np.argwhere(arr != (b"" if arr.dtype.kind in "OSU" else 0)).astype(np.int64)
    return SparseValue(indices, arr[tuple(indices.T)], np.asarray(arr.shape, dtype=np.int64))


def _proto_spec(name: str, info: Any, graph: Any = None) -> TensorSpecInfo:
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
