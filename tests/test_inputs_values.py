"""Fill, scalars (with height/width autofill), strings and feature tables, validation."""

from __future__ import annotations

import numpy as np
import pytest
from models_inputs import spec

from inspector_app.errors import UserError
from inspector_app.inputs import fill, scalars, strings, validate


def test_fill_kinds_and_free_dims():
    s = spec("x", "float32", [-1, 3])
    assert fill.fill(s, "zeros", dims=[2]).shape == (2, 3)
    assert (fill.fill(s, "ones").reshape(-1) == 1).all()
    assert (fill.fill(s, "constant", value=2.5, dims={0: 4}) == 2.5).all()
    a = fill.fill(s, "uniform", dims=[100], low=-1, high=1, seed=3)
    assert a.dtype == np.float32 and a.min() >= -1 and a.max() < 1
    assert np.array_equal(a, fill.fill(s, "uniform", dims=[100], low=-1, high=1, seed=3))
    n = fill.fill(spec("x", "int64", [1000]), "normal", mean=5, std=1, seed=0)
    assert n.dtype == np.int64 and abs(n.mean() - 5) < 0.2
    assert fill.fill(spec("b", "bool", [4]), "uniform").dtype == bool
    u8 = fill.fill(spec("x", "uint8", [50]), "uniform", low=0, high=256)
    assert u8.dtype == np.uint8
    assert fill.fill(spec("s", "string", [2]), "constant", value="hi").tolist() == [b"hi", b"hi"]
    assert fill.fill(spec("x", "float32", None), dims=[2, 2]).shape == (2, 2)


def test_fill_refuses_bad_requests():
    with pytest.raises(UserError, match="limit"):
        fill.fill(spec("x", "float32", [-1, -1]), dims=[100000, 100000])
    with pytest.raises(UserError, match="free dimension"):
        fill.fill(spec("x", "float32", [-1, 3]), dims=[1, 2])
    with pytest.raises(UserError, match="not a uint8"):
        fill.fill(spec("x", "uint8", [2]), "constant", value=300)
    with pytest.raises(UserError, match="strings"):
        fill.fill(spec("s", "string", [2]), "normal")


def test_parse_scalar():
    assert scalars.parse_scalar("42", "int32").dtype == np.int32
    assert scalars.parse_scalar("0x10", "int64") == 16
    assert scalars.parse_scalar("3.0", "int8") == 3
    assert scalars.parse_scalar("yes", "bool") == np.True_
    assert scalars.parse_scalar("1e-3", "float64") == 1e-3
    assert scalars.parse_scalar("héllo", "string")[()] == "héllo".encode()
    for text, dtype, msg in [
        ("300", "uint8", "out of range"),
        ("1.5", "int32", "whole"),
        ("maybe", "bool", "not a bool"),
        ("abc", "float32", "not a number"),
    ]:
        with pytest.raises(UserError, match=msg):
            scalars.parse_scalar(text, dtype)
    assert scalars.scalar_feed("7", spec("k", "int32", [1])).shape == (1,)
    assert scalars.scalar_feed(7, spec("k", "int32", [])).shape == ()


@pytest.mark.parametrize(
    ("name", "role"),
    [("height", "height"), ("w", "width"), ("image_height", "height"), ("img_w", "width"),
     ("imageWidth", "width"), ("input_h", "height"), ("orig_height:0", "height"),
     ("weight", None), ("image", None), ("heightmap", None), ("box_h", None)],
)  # fmt: skip
def test_dimension_role(name, role):
    assert scalars.dimension_role(name) == role


def test_autofill_from_image_deeplab_pattern():
    specs = [spec("image", "uint8", [1, -1, -1, 3]), spec("height", "int32", []),
             spec("width", "int32", []), spec("img_h", "int64", [-1])]  # fmt: skip
    feeds = {"image": np.zeros((1, 48, 64, 3), np.uint8)}
    out = scalars.autofill_dimensions(specs, feeds)
    assert out["height"] == 48 and out["width"] == 64 and out["height"].dtype == np.int32
    assert out["img_h"].tolist() == [48]
    assert scalars.autofill_dimensions(specs, {}) == {}
    nchw = [spec("x", "float32", [-1, 3, -1, -1]), spec("w", "int32", [])]
    assert scalars.autofill_dimensions(nchw, {"x": np.zeros((1, 3, 10, 20))})["w"] == 20


def test_text_lines_and_file_bytes(tmp_path):
    arr = strings.text_lines("cat\n\ndog\n", spec("w", "string", [-1]))
    assert arr.tolist() == [b"cat", b"dog"] and arr.dtype == object
    assert strings.text_lines("a\nb", spec("w", "string", [-1, 1])).shape == (2, 1)
    assert strings.text_lines("one", spec("w", "string", [])).shape == ()
    with pytest.raises(UserError, match="cannot fill"):
        strings.text_lines("a\nb\nc", spec("w", "string", [2]))
    (tmp_path / "a.bin").write_bytes(b"\x00\xff")
    assert strings.file_bytes([tmp_path / "a.bin"]).tolist() == [b"\x00\xff"]
    with pytest.raises(UserError, match="no such file"):
        strings.file_bytes([tmp_path / "none"])


def test_feature_table_examples():
    row = [strings.parse_feature("x", "float", "1.5, 2"), strings.parse_feature("n", "int64", "3"),
           strings.parse_feature("s", "bytes", "a, b")]  # fmt: skip
    data = strings.serialized_examples([row, {"x": [9.0]}], spec("inputs", "string", None))
    assert data.shape == (2,)
    back = strings.parse_example(data[0])
    assert back["x"].values == (1.5, 2.0) and back["n"].values == (3,)
    assert back["s"].values == (b"a", b"b")
    with pytest.raises(UserError, match="not int64"):
        strings.parse_feature("n", "int64", "1.5")
    with pytest.raises(UserError, match="kind"):
        strings.parse_feature("n", "double", "1")


def test_validate_messages_and_fixes():
    s = spec("image", "uint8", [1, -1, -1, 3])
    check = validate.check_feed(np.zeros((224, 224, 3), np.float32), s)
    assert not check.ready
    assert check.message == "expects uint8 [1, ?, ?, 3], got float32 [224, 224, 3]"
    assert check.fix.label == "Add the batch dimension and cast to uint8"
    fixed = check.fix.apply(np.full((224, 224, 3), 7.0, np.float32))
    assert validate.check_feed(fixed, s).ready and fixed.dtype == np.uint8
    assert validate.check_feed(np.zeros((1, 5, 5, 3), np.uint8), s).ready
    bad = validate.check_feed(np.full((1, 4, 4, 3), 0.5, np.float32), s)
    assert bad.fix is None  # 0.5 does not survive a cast to uint8
    nomatch = validate.check_feed(np.zeros((2, 2)), spec("x", "float32", [-1, 3]))
    assert nomatch.fix is None and "expects float32 [?, 3]" in nomatch.message
    strs = validate.check_feed(np.array(["a"]), spec("s", "string", [-1]))
    assert strs.ready
    checks = validate.check_feeds(
        {"x": np.zeros(3, np.float32), "y": 1}, [spec("x", "float32", [3]), spec("z", "int32", [])]
    )
    assert checks["x"].ready and not checks["z"].ready and "no input named" in checks["y"].message
    assert not validate.all_ready(checks)
    squeeze = validate.check_feed(np.zeros((1, 3), np.float32), spec("x", "float32", [3]))
    assert squeeze.fix.label == "Remove the batch dimension"
