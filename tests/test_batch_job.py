"""The batch job (workflows/): items, feeds, failures, retries, cancel and metrics, with a numpy
stand-in for the engine (no TensorFlow); the command line end to end with real models."""

from __future__ import annotations

import csv
import json
import struct
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from batch_fakes import NumpyEngine, colour_signature
from models_batch import (
    build_colour_classifier,
    build_example_classifier,
    build_segmenter,
    class_folders,
    picture,
    two_region_image,
)
from PIL import Image

from inspector_app.cli import main
from inspector_app.errors import UserError
from inspector_app.inputs.examples import make_example
from inspector_app.inputs.warmup import encode_record
from inspector_app.workflows.batch_feeds import make_plan
from inspector_app.workflows.batch_items import ItemSource, read_records
from inspector_app.workflows.batch_job import BatchJob, prepare_batch
from inspector_app.workflows.batch_metrics import Metrics, TruthMapper


@pytest.fixture
def folders(tmp_path: Path) -> Path:
    """3 classes x 4 pictures (one blue picture is in fact red), a corrupt JPEG, a text file."""
    root = class_folders(tmp_path / "data", per_class=4, wrong=1)
    (root / "red" / "corrupt.jpg").write_bytes(b"\xff\xd8\xff not a jpeg")
    (root / "notes.txt").write_text("not a picture")
    return root


def _job(root, engine, *, labels="folders", batch_size=None, **kw):
    sig = colour_signature()
    spec = prepare_batch(Path("/nonexistent-model"), ["serve"], sig, "images", root,
                         labels=labels, batch_size=batch_size,
                         label_names=["red", "green", "blue"])  # fmt: skip
    return BatchJob(spec, engine, **kw)


# ---------------------------------------------------------------- items and feeds


def test_items_walk_the_folder_in_order_with_labels_and_masks(tmp_path):
    root = tmp_path / "set"
    (root / "b").mkdir(parents=True)
    (root / "a").mkdir()
    (root / ".hidden").mkdir()
    for rel in ("b/2.png", "a/1.png", "a/1_mask.png", ".hidden/x.png", "a/.dot.png", "top.png"):
        picture("red").save(root / rel)
    source = ItemSource("images", root, "folders")
    items = list(source)
    assert source.count == 3
    assert [i.name for i in items] == ["top.png", "a/1.png", "b/2.png"]
    assert [i.label for i in items] == [None, "a", "b"]
    assert items[1].mask == str(root / "a" / "1_mask.png") and items[0].mask is None
    assert source.classes() == ["a", "b"]

    labels = tmp_path / "labels.csv"
    labels.write_text("file,label\na/1.png,cat\n2.png,dog\n")
    by_csv = list(ItemSource("images", root, str(labels)))
    assert [i.label for i in by_csv] == [None, "cat", "dog"]  # bare file names match too

    with pytest.raises(UserError, match="no files to run on"):
        ItemSource("images", _empty(tmp_path), None)
    with pytest.raises(UserError, match="no such folder"):
        ItemSource("images", tmp_path / "missing")
    bad = tmp_path / "bad.csv"
    bad.write_text("a/1.png\n")
    with pytest.raises(UserError, match="row 1 is not 'file,label'"):
        ItemSource("images", root, str(bad))


def _empty(tmp_path: Path) -> Path:
    empty = tmp_path / "empty"
    empty.mkdir()
    return empty


def test_records_go_on_after_a_bad_one(tmp_path):
    good = [make_example({"x": [float(i), 0.0, 0.0]}) for i in range(3)]
    blob = bytearray(b"".join(encode_record(r) for r in good))
    second = len(encode_record(good[0]))
    blob[second + 12 + 3] ^= 0xFF  # record 1's data: its checksum no longer matches
    blob += encode_record(b"\x08\x96\x01 not an example")
    blob += struct.pack("<Q", 1000)[:6]  # a truncated header at the end
    path = tmp_path / "r.tfrecord"
    path.write_bytes(bytes(blob))
    found = list(read_records(path))
    assert [e is None for _, _, e in found] == [True, False, True, False, False]
    assert "checksum" in found[1][2]
    assert "not a tf.Example" in found[3][2]
    assert "cut short" in found[4][2]
    assert found[2][1] == good[2]


def test_the_plan_follows_the_signature():
    assert make_plan(colour_signature(), "images").default_batch_size() == 32
    fixed = make_plan(colour_signature((1, 16, 16, 3)), "images")
    assert fixed.default_batch_size() == 1
    with pytest.raises(UserError, match="exactly 1"):
        fixed.check_batch_size(8)
    single = make_plan(colour_signature((16, 16, 3)), "images")
    assert (single.batched, single.default_batch_size()) == (False, 1)
    two = colour_signature(extra_inputs=[("threshold", "float32", [])])
    with pytest.raises(UserError, match="needs input 'threshold'.*--input-exprs"):
        make_plan(two, "images")
    plan = make_plan(two, "images", extra={"threshold": np.float32(0.5)})
    assert plan.feeds([np.zeros((1, 16, 16, 3), np.float32)])["threshold"] == 0.5
    with pytest.raises(UserError, match="has no string input for serialized tf.Example"):
        make_plan(colour_signature(), "examples")
    dims = colour_signature((-1, -1, -1, 3), "uint8",
                            [("height", "int32", []), ("width", "int32", [])])  # fmt: skip
    plan = make_plan(dims, "images")
    feeds = plan.feeds([np.zeros((1, 5, 7, 3), np.uint8)] * 2)
    assert (int(feeds["height"]), int(feeds["width"])) == (5, 7)


def test_truth_mapping_and_metrics():
    from inspector_app.results.labels import LabelSet

    names = LabelSet(("Red", "green", "blue_sky"), "label file")
    by_name = TruthMapper(["blue sky", "red"])
    by_name.bind(names)
    assert by_name.id_for("red") == 0 and by_name.id_for("blue sky") == 2
    folder_order = TruthMapper(["cat", "dog"])
    folder_order.bind(names)
    assert (folder_order.id_for("cat"), folder_order.id_for("dog")) == (0, 1)
    assert "ImageFolder" in folder_order.how
    numbers = TruthMapper(["3", "10"])
    numbers.bind(None)
    assert numbers.id_for("10") == 10

    m = Metrics()
    pred = np.array([[0, 0, 1, 1]] * 2)
    truth = np.array([[0, 0, 0, 1], [0, 0, 0, 255]])
    iou = m.add_segmentation(pred, truth)
    # class 0: 4 shared pixels of 6 (0 in either), class 1: 1 of 3 (the void pixel not counted)
    assert m.per_class_iou() == {0: pytest.approx(4 / 6), 1: pytest.approx(1 / 3)}
    assert iou == pytest.approx((4 / 6 + 1 / 3) / 2) == m.mean_iou


# ---------------------------------------------------------------- the job (numpy engine)


def test_job_classifies_class_folders_and_lists_failures(folders, tmp_path):
    engine = NumpyEngine()
    chunks = []
    progress = []
    out = tmp_path / "rows.csv"
    job = _job(folders, engine, batch_size=4, on_rows=chunks.append,
               on_progress=progress.append, csv_path=out, keep_rows=True)  # fmt: skip
    report = job.run()
    assert report.done == report.total == 14
    assert sorted(n for n, _ in report.failed) == ["notes.txt", "red/corrupt.jpg"]
    assert all("not an image" in r for _, r in report.failed)
    m = report.metrics
    assert (m.labelled, m.top1_hits, m.top5_hits) == (12, 11, 12)
    assert report.to_json()["accuracy"] == pytest.approx(11 / 12)
    worst = m.worst_mistakes()
    assert [(w[2], w[3], w[4]) for w in worst] == [("blue/blue_0.jpg", "blue", "red")]
    truths, preds, matrix = m.confusion_matrix()
    assert (truths, preds) == ([0, 1, 2], [0, 1, 2])
    assert matrix.tolist() == [[4, 0, 0], [0, 4, 0], [1, 0, 3]]
    assert max(engine.runs) == 4 and sum(engine.runs) == 12  # batches of the size asked for
    assert progress[-1].done == 14 and progress[-1].failed == 2
    assert sum(len(c) for c in chunks) == 14
    with open(out, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 14
    wrong = [r for r in rows if r["status"] == "wrong"]
    assert [(r["item"], r["prediction"]) for r in wrong] == [("blue/blue_0.jpg", "red")]


def test_a_batch_the_model_fails_on_is_retried_item_by_item(folders):
    Image.new("RGB", (20, 20), (255, 255, 255)).save(folders / "green" / "white.png")
    for mode in ("fail", "die"):
        engine = NumpyEngine(white=mode)
        report = _job(folders, engine, batch_size=8, keep_rows=True).run()
        failed = dict(report.failed)
        assert set(failed) == {"notes.txt", "red/corrupt.jpg", "green/white.png"}, mode
        assert ("white picture" if mode == "fail" else "died") in failed["green/white.png"]
        assert report.done == 15 and report.metrics.labelled == 12
        assert 1 in engine.runs  # the failed batch ran again one item at a time
        if mode == "die":
            assert engine.reloads >= 1


def test_cancel_keeps_the_rows_so_far(folders, tmp_path):
    engine = NumpyEngine(delay=0.05)
    out = tmp_path / "partial.csv"
    job = _job(folders, engine, batch_size=1, csv_path=out, keep_rows=True,
               on_rows=lambda rows: job.cancel() if job.report.done >= 3 else None)  # fmt: skip
    report = job.start().result(30)
    assert report.cancelled
    assert 3 <= report.done < report.total
    with open(out, newline="") as f:
        assert len(list(csv.DictReader(f))) == report.done
    assert "cancelled" in report.summary_lines()[0]


def test_the_csv_never_goes_over_a_file_or_into_the_model(folders, tmp_path):
    taken = tmp_path / "taken.csv"
    taken.write_text("keep me")
    with pytest.raises(UserError, match="already exists"):
        _job(folders, NumpyEngine(), csv_path=taken)
    model = tmp_path / "model"
    model.mkdir()
    spec = prepare_batch(model, ["serve"], colour_signature(), "images", folders)
    with pytest.raises(UserError, match="into the model folder"):
        BatchJob(spec, NumpyEngine(), csv_path=model / "rows.csv")
    assert taken.read_text() == "keep me"


def test_memory_holds_summaries_only(folders):
    """Rows keep text and numbers, never an output array."""
    report = _job(folders, NumpyEngine(), keep_rows=True).run()
    for row in report.rows:
        assert not any(isinstance(v, np.ndarray) for v in vars(row).values())


# ---------------------------------------------------------------- the command line, real models


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = main(["batch", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.slow
def test_cli_classifier_over_class_folders(tmp_path, folders, capsys):
    model = build_colour_classifier(tmp_path / "clf")
    rows = tmp_path / "rows.csv"
    code, out, err = _cli(capsys, model, "--images", folders, "--labels", "folders",
                          "--batch-size", 4, "--csv", rows, "--json")  # fmt: skip
    assert code == 0, err
    doc = json.loads(out)
    assert (doc["items"], doc["succeeded"]) == (14, 12)
    assert {f["item"] for f in doc["failed"]} == {"notes.txt", "red/corrupt.jpg"}
    assert all(f["reason"] for f in doc["failed"])
    assert doc["accuracy"] == pytest.approx(11 / 12) and doc["top5_accuracy"] == 1.0
    assert doc["items_per_s"] > 0
    assert "model's class names" in doc["labels_to_classes"]  # the label asset was found
    assert doc["worst_mistakes"][0]["item"] == "blue/blue_0.jpg"
    assert doc["confusion"]["true_classes"] == ["red", "green", "blue"]
    by_item = {r["item"]: r for r in doc["rows"]}
    assert by_item["red/red_1.png"]["prediction"] == "red"
    assert by_item["red/red_1.png"]["correct"] is True
    assert by_item["notes.txt"]["status"] == "failed"
    with open(rows, newline="") as f:
        assert len(list(csv.DictReader(f))) == 14

    code, out, _ = _cli(capsys, model, "--images", folders, "--labels", "folders")
    assert code == 0
    assert "items: 14 of 14, failed: 2" in out and "accuracy: 91.67% top-1" in out


@pytest.mark.slow
def test_cli_segmentation_with_masks(tmp_path, capsys):
    model = build_segmenter(tmp_path / "seg")
    data = tmp_path / "seg-data"
    data.mkdir()
    for i, (left, right) in enumerate([("red", "blue"), ("green", "red"), ("blue", "green")]):
        img, truth = two_region_image(20 + 4 * i, 30, left, right)
        img.save(data / f"img{i}.png")
        if i == 2:
            truth[:] = 0  # this mask says all red: the model is wrong everywhere
        Image.fromarray(truth, "L").save(data / f"img{i}_mask.png")
    code, out, err = _cli(capsys, model, "--images", data, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["view"] == "segmentation" and doc["segmentation_items"] == 3 and not doc["failed"]
    ious = {r["item"]: r["iou"] for r in doc["rows"]}
    assert ious["img0.png"] == ious["img1.png"] == 1.0 and ious["img2.png"] == 0.0
    # class 0 (red): predicted on img0's left and img1's right half (660 pixels), true there
    # and on all of img2 (840 more): 660 / 1500
    assert doc["per_class_iou"]["class 0"] == pytest.approx(660 / 1500, abs=1e-6)
    assert 0 < doc["mean_iou"] < 1


@pytest.mark.slow
def test_cli_examples_with_csv_labels_and_bad_input(tmp_path, capsys):
    model = build_example_classifier(tmp_path / "exm")
    records = [make_example({"x": [1.0, 0.0, 0.0]}), make_example({"x": [0.0, 0.0, 2.0]}),
               b"\x08\x96\x01 not an example", make_example({"x": [0.0, 3.0, 0.0]})]  # fmt: skip
    path = tmp_path / "val.tfrecord"
    path.write_bytes(b"".join(encode_record(r) for r in records))
    labels = tmp_path / "labels.csv"
    labels.write_text("0,0\n1,2\n2,1\n3,0\n")
    code, out, err = _cli(capsys, model, "--examples", path, "--labels", labels, "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["failed"] == [{"item": "val.tfrecord#2",
                              "reason": "not a tf.Example record (cannot be parsed)"}]  # fmt: skip
    assert doc["labelled"] == 3 and doc["accuracy"] == pytest.approx(2 / 3)

    code, _, err = _cli(capsys, model, "--images", tmp_path)  # no image input
    assert code == 2 and "has no image input" in err
    code, _, err = _cli(capsys, model, "--examples", tmp_path / "missing.tfrecord")
    assert code == 2 and "no such file" in err
    code, _, err = _cli(capsys, model, "--examples", path, "--batch-size", 0)
    assert code == 2 and "batch size must be 1 or more" in err


def test_signature_objects_from_the_model_reader(tmp_path):
    """The job takes the savedmodel package's SignatureInfo as it is (no TensorFlow here)."""
    sig = SimpleNamespace(key="k", method_name="", inputs=[], outputs=[])
    with pytest.raises(UserError, match="has no image input"):
        make_plan(sig, "images")


@pytest.mark.slow
def test_the_window_s_job_process_cancels_and_runs_single_rows(tmp_path):
    """``BatchProcess`` (the Batch dialog's way): rows stream back, cancel keeps them, a row runs
    again after the cancel, and closing ends the process."""
    from inspector_app.savedmodel import load_model
    from inspector_app.workflows.batch_process import BatchProcess

    model = build_colour_classifier(tmp_path / "clf")
    root = class_folders(tmp_path / "data", per_class=40)
    info = load_model(model)
    mg = info.meta_graphs[0]
    spec = prepare_batch(info.model_dir, mg.tags, mg.signature("serving_default"), "images",
                         root, labels="folders", batch_size=1)  # fmt: skip
    rows: list = []
    job = BatchProcess(spec, on_rows=lambda chunk: (rows.extend(chunk), len(rows) >= 5 and job.cancel()))  # fmt: skip
    report = job.start().result(300)
    try:
        assert report.cancelled and 5 <= report.done < 120
        assert len(rows) == report.done and all(r.ok for r in rows)
        feeds, outputs = job.run_item(rows[0]).result(300)
        assert feeds["images"].shape == (1, 16, 16, 3)
        assert outputs["probabilities"].argmax() == ["red", "green", "blue"].index(rows[0].label)
    finally:
        job.close()
    assert not job.process.is_alive()
