"""Scores (softmax detection, top-k) and labels (files, assets, 1001 for 1000, VOC)."""

from __future__ import annotations

import numpy as np
import pytest

from inspector_app.errors import UserError
from inspector_app.results.labels import (
    VOC_CLASSES,
    LabelMemory,
    align_labels,
    labels_from_assets,
    read_label_file,
    resolve_labels,
)
from inspector_app.results.scores import ScoresResult, score_kind, softmax, top_k


def test_softmax_rows_sum_to_one_and_stable():
    p = softmax(np.array([[1000.0, 1000.0, -1000.0]]))
    assert np.allclose(p, [[0.5, 0.5, 0.0]])


def test_score_kind():
    assert score_kind(np.array([[0.3, 0.7]]))[0] == "probabilities"
    assert score_kind(np.array([[0.9, 0.8]]))[0] == "sigmoid"
    assert score_kind(np.array([[-1.0, 2.0]]))[0] == "logits"


def test_top_k_order_ties_and_nan():
    ids, vals = top_k(np.array([0.1, np.nan, 0.5, 0.5, 0.2]), 3)
    assert ids.tolist() == [2, 3, 4]
    assert vals.tolist() == [0.5, 0.5, 0.2]
    assert top_k(np.array([1.0, 2.0]), 10)[0].tolist() == [1, 0]


def test_scores_result_item_k_and_softmax_toggle():
    logits = np.array([[0.0, 2.0, 1.0], [3.0, 0.0, 0.0]], np.float32)
    res = ScoresResult(logits)
    assert res.kind == "logits"  # softmax is offered, never applied unless asked for
    assert res.top_k(1, 1)[0].score == 3.0  # raw values unless softmax is asked for
    rows = res.top_k(1, 2, apply_softmax=True)
    assert [r.class_id for r in rows] == [0, 1]
    assert rows[0].score == pytest.approx(np.exp(3) / (np.exp(3) + 2))
    raw = res.top_k(0, 1, apply_softmax=False)[0]
    assert (raw.class_id, raw.score, raw.rank) == (1, 2.0, 1)
    assert [res.top_k(i, 1)[0].class_id for i in range(res.num_items)] == [1, 0]
    with pytest.raises(IndexError):
        res.top_k(2, 1)


def test_read_label_file_formats(tmp_path):
    plain = tmp_path / "labels.txt"
    plain.write_text("cat\ndog\n\n", encoding="utf-8")
    assert read_label_file(plain) == ["cat", "dog"]
    numbered = tmp_path / "numbered.txt"
    numbered.write_text("0 cat\n1: dog\n2,eel\n", encoding="utf-8")
    assert read_label_file(numbered) == ["cat", "dog", "eel"]
    for bad, content in [
        ("empty.txt", b"\n\n"),
        ("bin.txt", b"\x00\x01"),
        ("latin.txt", b"caf\xe9"),
    ]:
        (tmp_path / bad).write_bytes(content)
        with pytest.raises(UserError):
            read_label_file(tmp_path / bad)
    with pytest.raises(UserError, match="cannot read"):
        read_label_file(tmp_path / "missing.txt")


def _imagenet_like(tmp_path, lines=1001):
    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "vocab.txt").write_text("\n".join(f"word{i}" for i in range(1000)), encoding="utf-8")
    names = ["background"] + [f"imagenet class {i}" for i in range(lines - 1)]
    (assets / "labels.txt").write_text("\n".join(names) + "\n", encoding="utf-8")
    return assets


def test_1001_labels_for_1000_classes(tmp_path):
    assets = _imagenet_like(tmp_path)
    labels = labels_from_assets(assets, 1000)
    assert labels is not None and len(labels.names) == 1000
    assert labels.names[0] == "imagenet class 0" and "'background' dropped" in labels.source
    # The same file for a 1001-class model fits as it is.
    assert resolve_labels(1001, assets_dir=assets).names[0] == "background"


def test_top1_label_from_assets_with_background_offset(tmp_path):
    assets = _imagenet_like(tmp_path)
    logits = np.zeros((2, 1000), np.float32)
    logits[0, 281] = 9.0
    logits[1, 7] = 9.0
    res = ScoresResult(logits, resolve_labels(1000, assets_dir=assets))
    assert res.top_k(0, 1)[0].label == "imagenet class 281"
    assert res.top_k(1, 1)[0].label == "imagenet class 7"


def test_1000_labels_for_1001_classes_adds_background():
    fitted = align_labels([f"c{i}" for i in range(1000)], 1001, "file")
    assert fitted is not None and fitted.names[:2] == ("background", "c0")
    assert align_labels(["a", "b"], 5, "file") is None


def test_resolve_order_and_defaults(tmp_path):
    assert resolve_labels(3, user_labels=["x", "y", "z"]).names == ("x", "y", "z")
    assert resolve_labels(21, segmentation=True).names == VOC_CLASSES
    assert resolve_labels(21).names[20] == "class 20"
    classes = np.array([[b"a", b"b", b"c"]], dtype=object)
    assert resolve_labels(3, classes_output=classes).names == ("a", "b", "c")


def test_label_memory(tmp_path):
    labels = tmp_path / "l.txt"
    labels.write_text("a\nb\n", encoding="utf-8")
    mem = LabelMemory(tmp_path / "cfg" / "labels.json")
    assert mem.get(tmp_path / "model") is None
    mem.set(tmp_path / "model", labels)
    assert LabelMemory(tmp_path / "cfg" / "labels.json").get(tmp_path / "model") == str(
        labels.resolve()
    )


def test_real_model_asset_is_not_taken_for_labels(real_models):
    assets = real_models / "saved_model_half_plus_three" / "00000123" / "assets"
    # foo.txt has one line: it cannot name two classes, so ids are shown (and nothing is written).
    assert resolve_labels(2, assets_dir=assets).source == "class ids (no labels known)"


def test_unrelated_text_asset_names_classes_only_when_its_count_is_exact(tmp_path):
    (tmp_path / "gamma.txt").write_text("gamma 1.0\nbeta 2\nalpha 3\ndelta 4\n", encoding="utf-8")
    assert resolve_labels(3, assets_dir=tmp_path).source == "class ids (no labels known)"
    assert resolve_labels(4, assets_dir=tmp_path).name(0) == "gamma 1.0"
    (tmp_path / "labels.txt").write_text("background\na\nb\nc\n", encoding="utf-8")
    hinted = resolve_labels(3, assets_dir=tmp_path)  # a labels file: C + 1 names fit
    assert hinted.names == ("a", "b", "c") and "labels.txt" in hinted.source
