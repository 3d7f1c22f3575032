"""The Qt-free input rules: which editor fits an input, where a path goes, .npz keys, and the
one input-name and dtype policy (strict, cast only when asked) shared by the window, the
command line, batch jobs and the engine."""

from __future__ import annotations

import os

import numpy as np
import pytest
from models_inputs import spec, write_image

from inspector_app.errors import UserError
from inspector_app.inputs import editor_choice, feed_policy
from inspector_app.inputs.images import build_image_batch, default_options
from inspector_app.inputs.validate import check_feed


def test_editor_kinds_fit_the_input() -> None:
    image = spec("image", "uint8", [1, -1, -1, 3])
    assert editor_choice.editor_kinds(image, True)[0] == "image"
    height = spec("height", "int32", [])
    assert editor_choice.editor_kinds(height, True)[:2] == ["autosize", "scalar"]
    assert "autosize" not in editor_choice.editor_kinds(height, False)
    text = editor_choice.editor_kinds(spec("s", "string", [-1]), False)
    assert text[:3] == ["text", "example", "bytes"] and "fill" not in text and "image" not in text
    vector = editor_choice.editor_kinds(spec("x", "float32", [-1, 4]), False)
    assert vector == ["fill", "image", "array_file", "expression", "array_value"]
    ints = editor_choice.editor_kinds(spec("ids", "int64", [-1, 8]), False)
    assert "image" not in ints and ints[-3:] == ["array_file", "expression", "array_value"]


def test_route_text_sniffs_paths(tmp_path) -> None:
    png = write_image(tmp_path / "a.png")
    np.save(tmp_path / "a.npy", np.zeros(2, np.float32))
    (tmp_path / "doc.bin").write_bytes(b"\x00\x01")
    image_kinds = editor_choice.editor_kinds(spec("image", "float32", [1, 8, 8, 3]), False)
    string_kinds = editor_choice.editor_kinds(spec("s", "string", [-1]), False)
    assert editor_choice.route_text(str(png), image_kinds) == "image"
    assert editor_choice.route_text(str(tmp_path / "a.npy"), image_kinds) == "array_file"
    assert editor_choice.route_text(str(tmp_path / "doc.bin"), string_kinds) == "bytes"
    assert editor_choice.route_text("hello", string_kinds) == "text"
    assert editor_choice.route_text("np.ones((1, 8, 8, 3))", image_kinds) == "expression"
    assert editor_choice.route_text("3", ["scalar", "expression"]) == "scalar"
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(UserError, match="pipe"):
        editor_choice.route_text(str(fifo), image_kinds)


def test_npz_keys_lists_names_without_loading(tmp_path) -> None:
    np.savez(tmp_path / "b.npz", first=np.zeros(1), second=np.ones(2))
    assert editor_choice.npz_keys(tmp_path / "b.npz") == ["first", "second"]
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    assert editor_choice.npz_keys(tmp_path / "bad.npz") == []
    assert editor_choice.npz_keys(tmp_path / "b.npy") == []
    assert editor_choice.array_reference("f.npz", "first") == "f.npz[first]"
    assert editor_choice.array_reference("f.npy", "") == "f.npy"


def test_names_one_line_naming_the_inputs() -> None:
    with pytest.raises(UserError, match=r"^signature 'sig' has no input 'z'; its inputs: x, y$"):
        feed_policy.check_names("sig", ["x", "y"], ["x", "z"])
    with pytest.raises(UserError, match=r"needs input 'y' \(inputs: x, y\); give it with --flag"):
        feed_policy.check_names("sig", ["x", "y"], ["x"], how="--flag")
    feed_policy.check_names("sig", ["x", "y"], ["x"], require_all=False)


def test_dtype_strict_with_the_cast_offered() -> None:
    x = np.array([1.5, 2.0])  # float64
    with pytest.raises(UserError) as err:
        feed_policy.conform("x", x, "float32")
    message = str(err.value)
    assert "takes float32, got float64" in message and "--cast" in message
    assert "\n" not in message
    cast = feed_policy.conform("x", x, "float32", allow_cast=True)
    assert cast.dtype == np.float32 and cast.tolist() == [1.5, 2.0]
    # a cast that would change values is refused even when asked
    with pytest.raises(UserError, match="do not survive a cast to int32"):
        feed_policy.conform("n", np.array([1.5]), "int32", allow_cast=True)
    # the same dtype passes untouched; text is encoded, not cast
    same = np.zeros(2, np.float32)
    assert feed_policy.conform("x", same, "float32") is same
    words = feed_policy.conform("s", np.array(["hé"]), "string")
    assert words.dtype == object and words[0] == "hé".encode()
    with pytest.raises(UserError, match="takes strings"):
        feed_policy.conform("s", np.zeros(1), "string")
    # plain Python values have no dtype of their own: they take the input's when they fit
    assert feed_policy.conform("x", [1.0, 2.0], "float32").dtype == np.float32
    assert feed_policy.conform("n", 3, "int32").dtype == np.int32
    with pytest.raises(UserError):
        feed_policy.conform("n", [0.5], "int32")


def test_window_rule_is_the_same_rule() -> None:
    """The window's row offers exactly the cast the policy would make with --cast."""
    sp = spec("x", "float32", [-1, 2])
    value = np.ones((1, 2))
    check = check_feed(value, sp)
    assert not check.ready and check.fix.label == "Cast to float32"
    assert "float32" in check.message and "float64" in check.message
    fixed = check.fix.apply(value)
    policy = feed_policy.conform("x", value, "float32", allow_cast=True)
    assert fixed.dtype == policy.dtype and np.array_equal(fixed, policy)
    assert check_feed(np.array([[0.5, 1.0]]), spec("n", "int32", [-1, 2])).fix is None


def test_image_presets_make_the_inputs_dtype(tmp_path) -> None:
    """uint8 pictures fed to a float32 input through the presets are not casts: the batch
    already has the input's dtype and passes the strict policy."""
    png = write_image(tmp_path / "p.png", (20, 10))
    for dtype in ("float32", "uint8", "float16"):
        sp = spec("image", dtype, [1, 16, 16, 3])
        batch = build_image_batch([str(png)], sp, default_options(sp))
        assert feed_policy.conform("image", batch, dtype) is batch


def test_conform_feeds_checks_names_then_dtypes() -> None:
    specs = [spec("x", "float32", [-1]), spec("s", "string", [-1])]
    out = feed_policy.conform_feeds("sig", specs, {"x": np.zeros(1, np.float32), "s": ["a"]})
    assert out["s"].tolist() == [b"a"]
    with pytest.raises(UserError, match="needs input 's'"):
        feed_policy.conform_feeds("sig", specs, {"x": np.zeros(1, np.float32)})
    with pytest.raises(UserError, match="takes float32, got int64"):
        feed_policy.conform_feeds("sig", specs, {"x": np.zeros(1, np.int64), "s": ["a"]})
    kept = object()
    out = feed_policy.conform_feeds("sig", specs, {"x": kept, "s": ["a"]},
                                    keep=lambda v, _s: v is kept)  # fmt: skip
    assert out["x"] is kept


def test_literals_take_the_inputs_dtype_arrays_keep_theirs() -> None:
    from inspector_app.inputs.expressions import is_literal, parse_input_exprs

    assert is_literal("[1, -2.5, (3, 4)]") and is_literal("3.0")
    assert not is_literal("np.ones(3)") and not is_literal("[np.float64(1)]")
    feeds = parse_input_exprs("x=[1, 2, 5];y=np.ones(2)", keep_literals=True)
    assert feeds["x"] == [1, 2, 5] and isinstance(feeds["y"], np.ndarray)
    assert feed_policy.conform("x", feeds["x"], "float32").dtype == np.float32
    with pytest.raises(UserError, match="takes float32, got float64"):
        feed_policy.conform("y", feeds["y"], "float32")
    literal = np.array([1.0, 2.0])
    assert feed_policy.adopt_literal(literal, "float32").dtype == np.float32
    assert feed_policy.adopt_literal(np.array([0.5]), "int32").dtype == np.float64  # kept


def test_the_engine_never_casts_silently() -> None:
    from inspector_app.engine.feeds import coerce_feeds
    from inspector_app.engine.protocol import EngineError, SignatureSpec, TensorSpecInfo

    sig = SignatureSpec("serving_default", [TensorSpecInfo("x", "float32", [-1])], [])
    with pytest.raises(EngineError, match="takes float32, got float64.*--cast"):
        coerce_feeds(sig, {"x": np.array([1.0, 2.0])})
    assert coerce_feeds(sig, {"x": np.array([1.0])}, allow_cast=True)["x"].dtype == np.float32
    assert coerce_feeds(sig, {"x": [1.0, 2.0]})["x"].dtype == np.float32  # plain values
    with pytest.raises(EngineError, match="has no input 'z'; its inputs: x"):
        coerce_feeds(sig, {"z": [1.0]})
    with pytest.raises(EngineError, match="needs input 'x'"):
        coerce_feeds(sig, {})


def test_batch_items_follow_the_policy(tmp_path) -> None:
    from types import SimpleNamespace

    from inspector_app.workflows.batch_feeds import make_plan
    from inspector_app.workflows.batch_items import BatchItem

    sig = SimpleNamespace(key="serving_default", inputs=[spec("x", "float32", [-1, 3])])
    np.save(tmp_path / "a.npy", np.ones(3))  # float64, no batch dimension
    item = BatchItem(0, "a.npy", str(tmp_path / "a.npy"))
    plan = make_plan(sig, "arrays")
    with pytest.raises(UserError, match="takes float32, got float64"):
        plan.prepare(item)
    plan.allow_cast = True
    part = plan.prepare(item)
    assert part.dtype == np.float32 and part.shape == (1, 3)
    with pytest.raises(UserError, match="has no input 'y'; its inputs: x"):
        make_plan(sig, "arrays", extra={"y": np.zeros(1)})
