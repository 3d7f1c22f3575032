"""What the worker does with each request: load one model, run its signatures. Worker side only:
``Server`` imports TensorFlow when it is made (``worker.worker_main`` makes it in the worker)."""

from __future__ import annotations

import contextlib
import gc
import time
from typing import Any

import numpy as np

from inspector_app.engine import custom_ops
from inspector_app.engine.composites import SparseValue, is_composite
from inspector_app.engine.devices import setup_devices
from inspector_app.engine.feeds import coerce_feeds
from inspector_app.engine.outputs import (
    fetch_names,
    flat_outputs,
    host,
    run_result,
    session_value,
    timing,
)
from inspector_app.engine.protocol import (
    EngineError,
    KeptFeed,
    ModelInfo,
    NoModel,
    Request,
    RunResult,
    SignatureSpec,
    normalize_device,
)
from inspector_app.engine.sparse_feeds import sparse_from_dense, split_sparse_feeds
from inspector_app.engine.specs import function_spec, proto_spec
from inspector_app.engine.tf_errors import error_tuple


class Server:
    """The worker's state: TensorFlow, its devices, and at most one loaded model."""

    def __init__(self, logical_cpus: int = 0, memory_growth: bool = True) -> None:
        import tensorflow as tf  # noqa: PLC0415 - the whole point of this process

        tf.get_logger().setLevel("ERROR")
        self.tf = tf
        self.devices = setup_devices(tf, logical_cpus, memory_growth)
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

    def _device(self, name: str | None) -> str:
        return normalize_device(name, self.devices)

    # ------------------------------------------------------------------ requests

    def handle(self, request: Request) -> Any:
        """The value to reply to ``request`` ("load" or "run"); errors are raised."""
        if request.op == "run":
            return self.op_run(**request.args, request_id=request.id)
        if request.op == "load":
            return self.op_load(**request.args)
        raise EngineError(f"the worker does not know the request {request.op!r}")

    def op_of(self, node: str) -> str | None:
        """The op type of node ``node`` of the loaded model (for error messages)."""
        if self.meta_graph is None:
            return None
        if self._node_ops is None:
            self._node_ops = custom_ops.node_ops(self.meta_graph)
        return self._node_ops.get(node) or self._node_ops.get(node.split("/")[-1])

    def _forget_model(self) -> None:
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
        if self.info is not None:  # the client starts a fresh worker per model; just in case
            self._forget_model()
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
            specs = {k: function_spec(tf, k, f) for k, f in self.signatures.items()}
            backend = "function"
        except Exception as exc:
            # TF1 exports tf.saved_model.load cannot prune, and object graphs it cannot revive
            # (Keras 2.4-era optimizer slots: "'_UserObject' object has no attribute 'add_slot'")
            # while the MetaGraphDef is sound: load that into a Session, as saved_model_cli does.
            self.model = None
            first = error_tuple(exc, self.op_of)[1]
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
                [proto_spec(n, t, graph) for n, t in sorted(sig.inputs.items())],
                [proto_spec(n, t, graph) for n, t in sorted(sig.outputs.items())],
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
        t0 = time.perf_counter()
        arrays, tensors = self._prepare_feeds(signature, feeds, dev, request_id)
        if self.session is not None:
            return self._run_session(signature, arrays, dev, repeat)
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
                outputs = {k: host(v) for k, v in flat_outputs(raw).items()}
                times.append((time.perf_counter() - t0) * 1000)
        used = dev
        for value in flat_outputs(raw).values():
            if hasattr(value, "device"):
                used = str(value.device).split("device:")[-1] or dev
                break
        return run_result(signature, outputs, timing(times, feed_ms), used, "function")

    # ------------------------------------------------------------------ a run's inputs

    def _prepare_feeds(
        self, signature: str, feeds: dict[str, Any], dev: str, request_id: int
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The run's inputs as the signature takes them: (arrays by input name, tensors on
        ``dev`` for a signature function; {} for a Session). A TF1 sparse input fed whole is
        split into its parts, ``KeptFeed`` markers become the arrays this worker holds, each
        value is checked and converted to its input's dtype (``feeds.coerce_feeds``); the arrays
        are kept for the next run of this signature."""
        assert self.info is not None  # op_run checked
        spec = self.info.signatures[signature]
        if self.session is None:
            feeds = split_sparse_feeds(spec, feeds)
        kept = {n: self._kept(signature, n, v) for n, v in feeds.items() if isinstance(v, KeptFeed)}
        arrays = coerce_feeds(spec, {**feeds, **{n: k[1] for n, k in kept.items()}})
        tensors = self._tensors(spec, arrays, kept, dev) if self.session is None else {}
        sent_in = {n: k[0] for n, k in kept.items()}
        self.kept = {k: v for k, v in self.kept.items() if k[0] != signature}
        for name, value in arrays.items():
            if is_composite(value):
                continue
            made_in = sent_in.get(name, request_id)
            self.kept[(signature, name)] = (made_in, value, dev, tensors.get(name))
        return arrays, tensors

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
                sparse = value if isinstance(value, SparseValue) else sparse_from_dense(value)
                feed_dict[info.coo_sparse.indices_tensor_name] = sparse.indices
                feed_dict[info.coo_sparse.values_tensor_name] = sparse.values
                feed_dict[info.coo_sparse.dense_shape_tensor_name] = sparse.dense_shape
            else:
                feed_dict[info.name] = value
        fetches = {k: fetch_names(t) for k, t in sig.outputs.items()}
        times = []
        fetched: dict[str, Any] = {}
        for _ in range(repeat):
            t0 = time.perf_counter()
            fetched = self.session.run(fetches, feed_dict=feed_dict)
            times.append((time.perf_counter() - t0) * 1000)
        outputs = {k: session_value(sig.outputs[k], v) for k, v in fetched.items()}
        # a Session places ops when the graph loads (soft placement); the device cannot change
        return run_result(signature, outputs, timing(times, 0.0), dev, "session")
