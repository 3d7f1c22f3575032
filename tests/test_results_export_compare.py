"""Exports (atomic, no clobbering, no pickle) and comparing two runs."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest
from PIL import Image
from results_data import one_hot_scores, quadrant_mask

from inspector_app.errors import UserError
from inspector_app.fileio import atomic_write_bytes
from inspector_app.results.compare import compare_outputs, per_class_iou
from inspector_app.results.export import (
    run_record,
    save_npy,
    save_npz,
    save_png,
    save_run_json,
    save_scores_csv,
    scores_csv,
)
from inspector_app.results.labels import LabelSet
from inspector_app.results.scores import ScoresResult
from inspector_app.results.tensors import as_text, slice_2d, statistics, text_summary


def test_write_refuses_existing_unless_overwrite(tmp_path):
    target = tmp_path / "a.bin"
    atomic_write_bytes(target, b"one")
    with pytest.raises(UserError, match="file exists"):
        atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"one"
    atomic_write_bytes(target, b"two", overwrite=True)
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]  # no temp files left


def test_write_refuses_model_folder_and_missing_folder(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    with pytest.raises(UserError, match="model folder"):
        atomic_write_bytes(model / "x.npy", b"", model_dir=model)
    with pytest.raises(UserError, match="does not exist"):
        atomic_write_bytes(tmp_path / "nope" / "x.npy", b"")


def test_npy_npz_round_trip_without_pickle(tmp_path):
    outs = {
        "y": np.arange(6, dtype=np.float32).reshape(2, 3),
        "s": np.array([b"a", b"bc"], dtype=object),
    }
    save_npy(tmp_path / "y.npy", outs["y"])
    assert np.array_equal(np.load(tmp_path / "y.npy", allow_pickle=False), outs["y"])
    save_npz(tmp_path / "all.npz", outs)
    with np.load(tmp_path / "all.npz", allow_pickle=False) as z:
        assert z["s"].tolist() == [b"a", b"bc"]
        assert np.array_equal(z["y"], outs["y"])


def test_png_export(tmp_path):
    rgb = np.zeros((4, 5, 3), np.uint8)
    rgb[1, 2] = (192, 128, 128)
    save_png(tmp_path / "m.png", rgb)
    back = np.asarray(Image.open(tmp_path / "m.png"))
    assert np.array_equal(back, rgb)


def test_scores_csv(tmp_path):
    res = ScoresResult(
        np.array([[0.2, 0.8], [0.6, 0.4]], np.float32), LabelSet(("cat", "dog"), "test")
    )
    rows = list(csv.reader(io.StringIO(scores_csv(res))))
    assert rows[0] == ["item", "rank", "class_id", "label", "score"]
    assert rows[1] == ["0", "1", "1", "dog", "0.80000001"]
    assert len(rows) == 5
    save_scores_csv(tmp_path / "s.csv", res, item=1)
    assert (tmp_path / "s.csv").read_text().splitlines()[1].startswith("1,1,0,cat,")


def test_run_json(tmp_path):
    rec = run_record(
        signature="serving_default",
        device="cpu",
        inputs={"x": np.ones((1, 3), np.float32), "path": "photo.jpg"},
        timings={"run": 12.5},
        outputs={"y": np.array([1.0, np.nan, np.inf], np.float32)},
        views={"y": "tensor"},
    )
    save_run_json(tmp_path / "run.json", rec)
    data = json.loads((tmp_path / "run.json").read_text())
    assert data["signature"] == "serving_default" and data["device"] == "cpu"
    assert data["inputs"]["x"]["shape"] == [1, 3] and data["inputs"]["path"] == "photo.jpg"
    y = data["outputs"]["y"]
    assert (y["nan"], y["inf"], y["min"], y["view"]) == (1, 1, 1.0, "tensor")
    assert data["timings_ms"] == {"run": 12.5}


def test_statistics_slices_text():
    st = statistics(np.array([1.0, 3.0, np.nan, np.inf]))
    assert (st.min, st.max, st.mean, st.nan, st.inf) == (1.0, 3.0, 2.0, 1, 1)
    assert "NaN 1" in st.line()
    assert statistics(np.array([b"x"])).line() == "[1] string · 1 values"
    arr = np.arange(24).reshape(2, 3, 4)
    assert np.array_equal(slice_2d(arr, 1, 2, {0: 1}), arr[1])
    assert np.array_equal(slice_2d(arr, 2, 0, {1: 2}), arr[:, 2, :].T)
    assert slice_2d(np.arange(3)).shape == (3, 1)
    with pytest.raises(IndexError):
        slice_2d(arr, 1, 2, {0: 5})
    assert as_text(b"caf\xc3\xa9") == "café" and as_text(b"\xff") == "b'\\xff'"
    assert text_summary(np.array([b"a", b"b", b"c"]), limit=2) == "a\nb\n… 1 more"


def test_compare_names_differing_outputs():
    mask = quadrant_mask()
    changed = mask.copy()
    changed[0, :8, :8] = 1  # 64 pixels move from class 0 to class 1
    a = {"y": np.array([1.0, 2.0]), "scores": np.array([[0.1, 0.9], [0.8, 0.2]]), "mask": mask}
    b = {"y": np.array([1.0, 2.5]), "scores": np.array([[0.2, 0.8], [0.3, 0.7]]), "mask": changed}
    cmp = compare_outputs(a, b)
    assert cmp.differing == ["mask", "scores", "y"]
    by = {d.name: d for d in cmp.outputs}
    assert by["y"].max_abs_diff == pytest.approx(0.5)
    assert by["scores"].top1_agreement == 0.5
    assert by["mask"].changed_pixels == 64
    assert by["mask"].iou[0] == pytest.approx((1024 - 64) / 1024)
    assert by["mask"].iou[1] == pytest.approx(1024 / (1024 + 64))
    assert compare_outputs(a, dict(a)).summary() == "all 3 outputs agree"
    assert compare_outputs(a, {"y": a["y"]}).differing == ["mask", "scores"]


def test_compare_score_maps_and_iou():
    m = quadrant_mask()
    cmp = compare_outputs({"seg": one_hot_scores(m, 5)}, {"seg": one_hot_scores(m, 5) * 2})
    assert cmp.outputs[0].changed_pixels == 0 and cmp.outputs[0].mean_iou == 1.0
    assert per_class_iou(np.array([0, 1]), np.array([1, 1])) == {0: 0.0, 1: 0.5}
