"""TF Serving REST bodies, warmup files (TFRecord of PredictionLog) and saved input sets."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from models_inputs import spec

from inspector_app.errors import UserError
from inspector_app.inputs import inputset, serving, warmup
from inspector_app.inputs.strings import serialized_examples

SPECS = [spec("x", "float32", [-1, 2]), spec("s", "string", [-1])]


def test_parse_rows_and_columns():
    rows = {"signature_name": "sig", "instances": [{"x": [1, 2], "s": "a"},
                                                   {"x": [3, 4], "s": {"b64": "AP8="}}]}  # fmt: skip
    feeds, sig = serving.parse_request(json.dumps(rows), SPECS)
    assert sig == "sig" and feeds["x"].dtype == np.float32 and feeds["x"].shape == (2, 2)
    assert feeds["s"].tolist() == [b"a", b"\x00\xff"]
    cols, _ = serving.parse_request({"inputs": {"x": [[1, 2]], "s": ["z"]}}, SPECS)
    assert cols["x"].tolist() == [[1.0, 2.0]]
    single, _ = serving.parse_request({"instances": [[1, 2], [3, 4]]}, SPECS[:1])
    assert single["x"].shape == (2, 2)
    bare, _ = serving.parse_request({"inputs": [1, 2, 3]}, [spec("k", "int64", [-1])])
    assert bare["k"].dtype == np.int64


@pytest.mark.parametrize(
    ("body", "msg"),
    [("{", "not valid JSON"), ("[]", "JSON object"), ('{"a": 1}', "exactly one"),
     ('{"instances": [{"q": [1, 2]}]}', "does not have"),
     ('{"instances": [{"x": [1]}, {"x": [1, 2]}]}', "ragged"),
     ('{"instances": [{"x": [1, 2]}, {"x": [1, 2], "s": "a"}]}', "instance 1"),
     ('{"instances": [1, 2]}', "several inputs"),
     ('{"inputs": {"s": [{"b64": "***"}]}}', "base64")],
)  # fmt: skip
def test_bad_bodies(body, msg):
    with pytest.raises(UserError, match=msg):
        serving.parse_request(body, SPECS)


def test_export_round_trip_and_curl():
    feeds = {"x": np.array([[1, 2], [3, 4]], np.float32), "s": np.array([b"a", b"\x00"], object)}
    body = serving.request_body(feeds, signature_name="sig")
    assert body["instances"][1] == {"x": [3.0, 4.0], "s": {"b64": "AA=="}}
    back, sig = serving.parse_request(serving.request_json(feeds, signature_name="sig"), SPECS)
    assert sig == "sig" and np.array_equal(back["x"], feeds["x"])
    assert back["s"].tolist() == feeds["s"].tolist()
    cols = serving.request_body({"x": np.zeros((2, 2)), "k": np.array(3)})
    assert set(cols) == {"inputs"}
    cmd = serving.curl_command("half", body, version=123)
    assert "http://localhost:8501/v1/models/half/versions/123:predict" in cmd
    assert "-d @req.json" in serving.curl_command("half", body_file="req.json")


def test_tfrecord_framing_and_crc(tmp_path):
    assert warmup.crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value
    path = tmp_path / "r.tfrecord"
    warmup.write_tfrecords(path, [b"one", b"", b"three" * 100])
    assert list(warmup.iter_tfrecords(path)) == [b"one", b"", b"three" * 100]
    data = bytearray(path.read_bytes())
    data[12 + 3 + 4 + 12 + 4 + 12 + 5] ^= 0xFF  # a byte inside record 3's data
    path.write_bytes(bytes(data))
    with pytest.raises(UserError, match="record 3 is corrupt"):
        list(warmup.iter_tfrecords(path))
    path.write_bytes(bytes(data[:17]))
    with pytest.raises(UserError, match="record 1 is cut short"):
        list(warmup.iter_tfrecords(path))
    path.write_bytes(b"garbage that is not a tfrecord file")
    with pytest.raises(UserError, match="record 1 is corrupt"):
        warmup.read_warmup(path)


def test_tensor_proto_conversion():
    for arr in [np.arange(6, dtype=np.float32).reshape(2, 3), np.array([True, False]),
                np.array(7, np.int64), np.ones(3, np.float16), np.array([1 + 2j], np.complex64),
                np.array([[b"a"], [b"\xff"]], object), np.array([1, 2], np.uint8)]:  # fmt: skip
        back = warmup.from_tensor_proto(warmup.to_tensor_proto(arr))
        assert back.dtype == arr.dtype and back.shape == arr.shape and back.tolist() == arr.tolist()
    proto = warmup.to_tensor_proto(np.zeros((2, 2), np.float32))
    proto.ClearField("tensor_content")
    proto.float_val.append(3.0)  # TensorFlow's rule: a short list repeats its last value
    assert warmup.from_tensor_proto(proto).tolist() == [[3.0, 3.0], [3.0, 3.0]]


def test_warmup_write_read(tmp_path):
    feeds = {"x": np.array([[1.0, 2.0]], np.float32), "s": np.array([b"hi"], object)}
    path = warmup.write_warmup(
        tmp_path / "warm", [feeds, feeds], model_name="m", signature_name="sig"
    )
    recs = warmup.read_warmup(path)
    assert [r.number for r in recs] == [1, 2] and recs[0].signature_name == "sig"
    assert recs[1].feeds["x"].tolist() == [[1.0, 2.0]] and recs[1].model_name == "m"
    with pytest.raises(UserError, match="already exists"):
        warmup.write_warmup(path, feeds)
    warmup.write_warmup(path, feeds, overwrite=True)
    assert len(warmup.read_warmup(path)) == 1
    examples = serialized_examples([{"x": [1.0]}, {"x": [2.0]}])
    cls = warmup.write_warmup(tmp_path / "cls", {"inputs": examples}, kind="regress")
    rec = warmup.read_warmup(cls)[0]
    assert rec.kind == "regress"
    assert rec.feeds_for([spec("inputs", "string", None)])["inputs"].tolist() == examples.tolist()
    assert not list(tmp_path.glob(".*.tmp"))


def test_warmup_never_into_a_model_folder(tmp_path):
    model = tmp_path / "model"
    (model / "assets.extra").mkdir(parents=True)
    (model / "saved_model.pb").write_bytes(b"")
    with pytest.raises(UserError, match="will not write into the model folder"):
        warmup.write_warmup(
            model / "assets.extra" / "tf_serving_warmup_requests", {"x": np.ones(1)}
        )
    assert warmup.find_warmup_file(model) is None


def test_warmup_file_is_a_tfrecord_tensorflow_reads(tmp_path):
    tf = pytest.importorskip("tensorflow")
    path = warmup.write_warmup(tmp_path / "w", [{"x": np.ones((1, 2), np.float32)}] * 3)
    assert len(list(tf.data.TFRecordDataset(str(path)))) == 3
    proto = tf.make_tensor_proto(np.array([[1, 2]], np.int32))
    assert warmup.from_tensor_proto(proto).tolist() == [[1, 2]]


def test_input_sets_round_trip(tmp_path):
    big = np.arange(70_000, dtype=np.float32)
    s = inputset.InputSet(
        "my set/1", "serving_default",
        {"x": np.array([[1.5, np.nan]], np.float32), "s": np.array([b"a", b"\xff"], object),
         "big": big, "img": inputset.file_ref("image", [tmp_path / "p.png"], options={"resize": "crop"})},
        model="/m",
    )  # fmt: skip
    path = inputset.save_input_set(s, tmp_path)
    assert path.name == "my_set_1.json" and (tmp_path / "my_set_1.big.npy").exists()
    back = inputset.load_input_set(path)
    assert back.name == "my set/1" and back.model == "/m"
    assert np.array_equal(back.values["x"], s.values["x"], equal_nan=True)
    assert back.values["s"].tolist() == [b"a", b"\xff"] and np.array_equal(back.values["big"], big)
    assert back.values["img"].options == {"resize": "crop"}
    assert inputset.list_input_sets(tmp_path) == [path]
    inputset.remember_last(tmp_path, "serving_default", path, model="/m")
    assert inputset.last_input_set(tmp_path, "serving_default", model="/m") == path.resolve()
    assert inputset.last_input_set(tmp_path, "other") is None
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(UserError, match="not an input-set file"):
        inputset.load_input_set(tmp_path / "bad.json")


def test_input_set_image_reference_materializes(tmp_path):
    from models_inputs import write_image

    img = write_image(tmp_path / "p.png", (10, 10))
    ref = inputset.file_ref("image", [img], options={"resize": "pad", "values": "raw"})
    s = inputset.InputSet("i", values={"image": ref})
    arrays = inputset.load_input_set(inputset.save_input_set(s, tmp_path)).arrays(
        [spec("image", "uint8", [1, 4, 4, 3])]
    )
    assert arrays["image"].shape == (1, 4, 4, 3)


def test_no_tensorflow_runtime_in_the_gui_process():
    code = (
        "import sys, numpy as np\n"
        "from inspector_app.inputs import images, fill, scalars, strings, serving, warmup, "
        "validate, inputset\n"
        "warmup.messages(); strings.serialized_examples([{'x': [1.0]}])\n"
        "warmup.to_tensor_proto(np.ones(2))\n"
        "bad = [m for m in sys.modules if m.startswith(('tensorflow.python', 'PySide6'))]\n"
        "assert not bad, bad\n"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=str(inputset.Path(__file__).parent.parent)
    )
