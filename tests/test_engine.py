"""The engine: a worker process that loads and runs models; outputs equal plain TensorFlow."""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest
from models_engine import build_tf1_multi, build_tf2_model

from inspector_app.engine import (
    Cancelled,
    DeviceError,
    Engine,
    EngineOptions,
    WorkerDied,
)
from inspector_app.inputs.examples import parse_input_examples

T = 120  # generous future timeout: the suite shares 2 cores


@pytest.fixture(scope="module")
def engine():
    eng = Engine(EngineOptions(logical_cpus=2))
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def tf2_model(tmp_path_factory):
    return build_tf2_model(tmp_path_factory.mktemp("engine") / "tf2")


@pytest.fixture(scope="session")
def tf1_multi(tmp_path_factory):
    return build_tf1_multi(tmp_path_factory.mktemp("engine") / "tf1")


def plain_tf(path, tags, signature, feeds):
    import tensorflow as tf

    fn = tf.saved_model.load(str(path), tags=tags).signatures[signature]
    return {k: v.numpy() for k, v in fn(**{k: tf.constant(v) for k, v in feeds.items()}).items()}


def assert_same(ours, theirs):
    assert sorted(ours) == sorted(theirs)
    for key in ours:
        assert ours[key].dtype == theirs[key].dtype
        assert ours[key].tobytes() == theirs[key].tobytes(), key


def test_devices_logical_cpus(engine):
    names = [d.name for d in engine.wait_ready(T)]
    assert names[:2] == ["CPU:0", "CPU:1"]
    assert "tensorflow.python" not in sys.modules or "pytest" in sys.modules


def test_tf2_model(engine, tf2_model):
    info = engine.load(tf2_model).result(T)
    assert {"serving_default", "no_input", "counter"} <= set(info.signatures)
    feeds = {"x": np.array([1.0, 2.5, -3.0], np.float32)}
    res = engine.run("serving_default", feeds, device="cpu:1").result(T)
    assert res.device == "CPU:1"
    assert_same(res.outputs, plain_tf(tf2_model, None, "serving_default", feeds))
    # no inputs
    out = engine.run("no_input").result(T).outputs
    assert out["answer"].tolist() == [42.0, 7.0]
    # state kept between runs
    counts = [int(engine.run("counter").result(T).outputs["count"]) for _ in range(3)]
    assert counts == [1, 2, 3]
    # repeat
    res = engine.run("serving_default", feeds, repeat=5).result(T)
    assert res.timing["repeat"] == 5 and res.timing["min_ms"] <= res.timing["p95_ms"]
    assert res.timing["throughput_per_s"] > 0
    # 25 MB output arrives intact and writable
    big = engine.run("big", {"scale": 1.0}).result(T).outputs["big"]
    assert big.nbytes == 25 * 2**20 and big[-1, -1] == 25 * 2**18 - 1 and big.flags.writeable
    # errors
    with pytest.raises(DeviceError, match="no device GPU:0"):
        engine.run("serving_default", feeds, device="gpu:0").result(T)
    with pytest.raises(Exception, match="no input 'z'"):
        engine.run("serving_default", {"z": [1.0]}).result(T)


def test_cancel_infinite_loop_then_usable(engine, tf2_model):
    engine.load(tf2_model).result(T)
    fut = engine.run("forever", {"start": 1})
    time.sleep(1.0)
    assert not fut.done()
    t0 = time.monotonic()
    reload = engine.cancel()
    with pytest.raises(Cancelled):
        fut.result(T)
    elapsed = time.monotonic() - t0
    assert elapsed < 15  # a hang guard; the benchmark records the real figure (well under 2 s)
    reload.result(T)
    counts = [int(engine.run("counter").result(T).outputs["count"]) for _ in range(2)]
    assert counts == [1, 2]  # a fresh worker: state starts again


def test_worker_killed_is_reported(engine, tf2_model):
    engine.load(tf2_model).result(T)
    fut = engine.run("forever", {"start": 1})
    time.sleep(0.5)
    engine.kill_worker()
    with pytest.raises(WorkerDied, match="worker died.*SIGKILL.*reload"):
        fut.result(T)
    with pytest.raises(WorkerDied):
        engine.run("no_input").result(T)
    engine.reload().result(T)
    assert engine.run("no_input").result(T).outputs["answer"].tolist() == [42.0, 7.0]


def test_tf1_tag_sets(engine, tf1_multi):
    x = {"x": np.array([1.0, 2.0], np.float32)}
    for tags, want in ((["serve"], [2.0, 3.0]), (["serve", "gpu"], [3.0, 4.0])):
        engine.load(tf1_multi, tags).result(T)
        out = engine.run("serving_default", x).result(T).outputs
        assert out["y"].tolist() == want
        assert_same(out, plain_tf(tf1_multi, tags, "serving_default", x))
    frozen = x["x"].copy()
    frozen.setflags(write=False)
    for _ in range(2):  # the second run refers to the array the worker kept
        assert engine.run("serving_default", {"x": frozen}).result(T).outputs["y"].tolist() == want


@pytest.mark.real_models
@pytest.mark.parametrize(
    "name", ["saved_model_half_plus_two_cpu", "saved_model_half_plus_two_gpu",
             "saved_model_half_plus_two_tf2_cpu"],
)  # fmt: skip
def test_real_models_equal_plain_tf(engine, real_models, name):
    path = real_models / name / "00000123"
    engine.load(path, ["serve"]).result(T)
    x = {"x": np.array([1.0, 2.0, 5.0], np.float32)}
    out = engine.run("serving_default", x).result(T).outputs
    assert out["y"].tolist() == [2.5, 3.0, 4.5]
    assert_same(out, plain_tf(path, ["serve"], "serving_default", x))
    ex = parse_input_examples('inputs=[{"x":[1.0]}, {"x":[3.0]}]')
    out = engine.run("regress_x_to_y", ex).result(T).outputs
    assert out["outputs"].ravel().tolist() == [2.5, 3.5]
    assert_same(out, plain_tf(path, ["serve"], "regress_x_to_y", ex))


@pytest.mark.real_models
def test_gpu_pinned_model_on_logical_cpu(engine, real_models):
    path = real_models / "saved_model_half_plus_two_gpu" / "00000123"
    engine.load(path, ["serve"]).result(T)
    res = engine.run("serving_default", {"x": [1.0, 2.0, 5.0]}, device="cpu:1").result(T)
    assert res.outputs["y"].tolist() == [2.5, 3.0, 4.5]  # reloaded on CPU:1 (TF1 variables)


def test_unload_gives_memory_back(engine, tf2_model):
    engine.load(tf2_model).result(T)
    engine.run("big", {"scale": 2.0}).result(T)
    before = engine.worker_rss()
    engine.unload()
    engine.wait_ready(T)
    after = engine.worker_rss()
    if before is not None:
        assert after < before


def test_keras3_export_runs_like_plain_tf(engine, tmp_path):
    from models_savedmodel import build_keras3

    path = build_keras3(tmp_path / "keras3")
    engine.load(path).result(T)
    x = {"features": np.random.default_rng(1).normal(size=(5, 4)).astype(np.float32)}
    out = engine.run("serving_default", x).result(T).outputs
    (scores,) = out.values()
    assert scores.shape == (5, 3)
    np.testing.assert_allclose(scores.sum(axis=1), 1.0, rtol=1e-5)  # softmax rows
    assert_same(out, plain_tf(path, ["serve"], "serving_default", x))


def test_read_only_inputs_are_kept_by_the_worker(engine, tf2_model, monkeypatch):
    """A run on the very read-only array of the last run sends a reference, not the bytes."""
    from inspector_app.engine import protocol

    engine.load(tf2_model).result(T)
    sent: list = []
    real_send = protocol.send_message

    def spy(conn, obj):
        sent.append(obj)
        real_send(conn, obj)

    monkeypatch.setattr("inspector_app.engine.client.send_message", spy)
    x = np.arange(4, dtype=np.float32)
    x.setflags(write=False)
    runs = [engine.run("serving_default", {"x": x}, device=d).result(T) for d in ("cpu:0",) * 2]
    runs.append(engine.run("serving_default", {"x": x}, device="cpu:1").result(T))
    feeds = [r.args["feeds"]["x"] for r in sent if r.op == "run"]
    assert isinstance(feeds[0], np.ndarray)
    assert isinstance(feeds[1], protocol.KeptFeed) and isinstance(feeds[2], protocol.KeptFeed)
    assert [r.outputs["y"].tolist() for r in runs] == [[0.0, 2.0, 4.0, 6.0]] * 3
    assert runs[2].device == "CPU:1"  # the kept array, made into a tensor on the other device
    # a writable array, or another object, always travels
    y = np.arange(4, dtype=np.float32)
    assert engine.run("serving_default", {"x": y}).result(T).outputs["y"][1] == 2.0
    z = y.copy()
    z.setflags(write=False)
    assert engine.run("serving_default", {"x": z}).result(T).outputs["y"][1] == 2.0
    assert all(isinstance(r.args["feeds"]["x"], np.ndarray) for r in sent[-2:])
    # a failed run forgets what the worker held for that signature
    with pytest.raises(Exception, match="no device GPU:0"):
        engine.run("serving_default", {"x": z}, device="gpu:0").result(T)
    engine.run("serving_default", {"x": z}).result(T)
    assert isinstance(sent[-1].args["feeds"]["x"], np.ndarray)


def test_spare_buffers_are_ready_for_the_next_reply():
    from inspector_app.engine.protocol import SPARE_MIN_BYTES, SpareBuffers

    big, small = SPARE_MIN_BYTES * 2, 100
    spares = SpareBuffers(limit_bytes=big * 3)
    first = spares.take(big)
    spares.take(small)
    assert spares.message_done()
    spares.refill()
    assert spares.spare_bytes() == big
    second = spares.take(big)
    assert second is not first and len(memoryview(second)) == big
    assert spares.spare_bytes() == 0
    assert spares.message_done()  # the same size again: a spare is made again
    spares.take(small)
    assert not spares.message_done()  # a small reply keeps the spares of the last large one
    spares.refill()
    assert spares.spare_bytes() == big
    for _ in range(5):  # more than the limit: only what fits is kept
        spares.take(big)
    spares.message_done()
    spares.refill()
    assert spares.spare_bytes() == big * 3


def test_replies_land_in_spare_buffers(engine, tf2_model):
    engine.load(tf2_model).result(T)
    x = np.arange(200_000, dtype=np.float32)  # an 800 KB output: worth a spare buffer
    first = engine.run("serving_default", {"x": x}).result(T).outputs["y"]
    spares = engine._worker.spares
    deadline = time.monotonic() + 10
    while spares.spare_bytes() < x.nbytes and time.monotonic() < deadline:
        time.sleep(0.01)
    assert spares.spare_bytes() == x.nbytes  # made ready after the reply was handed over
    spare = spares._spare[x.nbytes][0]
    second = engine.run("serving_default", {"x": x}).result(T).outputs["y"]
    memory = second
    while isinstance(memory, (np.ndarray, memoryview)):
        memory = memory.obj if isinstance(memory, memoryview) else memory.base
    assert memory is spare  # the reply was read into it
    np.testing.assert_array_equal(second, first)
    np.testing.assert_array_equal(second, x * 2)
    second[0] = 1.0  # the caller's to keep and change
    assert first[0] == 0.0
