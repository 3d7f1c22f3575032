"""The committed demo models load with TensorFlow and answer right on the committed samples."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from inspector_app import resources

SCRIPT = resources.resource_path("make_demo_models.py")


def _load_script():
    spec = importlib.util.spec_from_file_location("make_demo_models", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def demo():
    return _load_script()


@pytest.fixture(scope="module")
def tf():
    return pytest.importorskip("tensorflow")


@pytest.fixture(scope="module")
def mnist(tf):
    return tf.saved_model.load(str(resources.resource_path("demo_models", "mnist_softmax")))


@pytest.fixture(scope="module")
def shapes(tf):
    return tf.saved_model.load(str(resources.resource_path("demo_models", "shapes_segmentation")))


def _spec(fn) -> dict:
    return {
        k: (v.dtype.name, v.shape.as_list()) for k, v in fn.structured_input_signature[1].items()
    }


def _out(fn) -> dict:
    return {k: (v.dtype.name, v.shape.as_list()) for k, v in fn.structured_outputs.items()}


def test_script_imports_without_tensorflow() -> None:
    code = (
        "import importlib.util, sys; "
        f"s = importlib.util.spec_from_file_location('m', {str(SCRIPT)!r}); "
        "m = importlib.util.module_from_spec(s); s.loader.exec_module(m); "
        "assert callable(m.main) and callable(m.build_mnist) and callable(m.build_shapes); "
        "assert 'tensorflow' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_models_are_small() -> None:
    for path in resources.demo_model_paths():
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        assert size < 600_000, f"{path.name} is {size} bytes"


def test_mnist_signatures(mnist) -> None:
    sigs = mnist.signatures
    assert set(sigs) == {"serving_default", "classify"}
    assert _spec(sigs["serving_default"]) == {"images": ("float32", [None, 784])}
    assert _out(sigs["serving_default"]) == {
        "scores": ("float32", [None, 10]),
        "classes": ("int64", [None]),
    }
    assert _spec(sigs["classify"]) == {"inputs": ("string", [None])}
    assert _out(sigs["classify"]) == {
        "classes": ("string", [None, 10]),
        "scores": ("float32", [None, 10]),
    }


def test_mnist_method_names_and_labels() -> None:
    from inspector_app.savedmodel import protos

    folder = resources.resource_path("demo_models", "mnist_softmax")
    sm = protos.saved_model_pb2().SavedModel()
    sm.ParseFromString((folder / "saved_model.pb").read_bytes())
    defs = sm.meta_graphs[0].signature_def
    assert defs["classify"].method_name == "tensorflow/serving/classify"
    assert defs["serving_default"].method_name == "tensorflow/serving/predict"
    labels = (folder / "assets" / "labels.txt").read_text().split()
    assert labels == [str(i) for i in range(10)]


@pytest.mark.parametrize("label", range(10))
def test_each_digit_sample_is_classified_as_its_label(demo, mnist, tf, label: int) -> None:
    png = resources.sample_path(f"digit_{label}.png")
    x = demo.digit_png_to_input(png)
    np.testing.assert_allclose(x, np.load(resources.sample_path(f"digit_{label}.npy")), atol=1e-6)
    out = mnist.signatures["serving_default"](images=tf.constant(x))
    assert out["scores"].shape == (1, 10)
    assert int(out["classes"][0]) == label
    assert np.isclose(float(tf.reduce_sum(out["scores"])), 1.0, atol=1e-5)


def test_classify_reads_tf_examples(demo, mnist, tf) -> None:
    xs = [demo.digit_png_to_input(resources.sample_path(f"digit_{d}.png"))[0] for d in (3, 8)]
    serialized = [
        tf.train.Example(
            features=tf.train.Features(
                feature={"x": tf.train.Feature(float_list=tf.train.FloatList(value=x))}
            )
        ).SerializeToString()
        for x in xs
    ]
    out = mnist.signatures["classify"](inputs=tf.constant(serialized))
    assert [c[0] for c in out["classes"].numpy()] == [b"3", b"8"]
    assert np.all(np.diff(out["scores"].numpy(), axis=1) <= 0)  # best first


def test_shapes_signature(shapes) -> None:
    fn = shapes.signatures["serving_default"]
    assert list(shapes.signatures) == ["serving_default"]
    assert _spec(fn) == {
        "image": ("uint8", [None, None, None, 3]),
        "height": ("int32", []),
        "width": ("int32", []),
    }
    assert _out(fn) == {"segmentation": ("int64", [None, None, None])}
    labels = resources.resource_path("demo_models", "shapes_segmentation", "assets", "labels.txt")
    assert labels.read_text().split() == ["background", "circle", "square", "triangle"]


@pytest.mark.parametrize("index", [1, 2, 3])
def test_shapes_samples_are_segmented(demo, shapes, tf, index: int) -> None:
    image = np.asarray(Image.open(resources.sample_path(f"shapes_{index}.png")).convert("RGB"))
    true = np.asarray(Image.open(resources.sample_path(f"shapes_{index}_mask.png")))
    np.testing.assert_array_equal(true, np.load(resources.sample_path(f"shapes_{index}_mask.npy")))
    h, w = true.shape
    out = shapes.signatures["serving_default"](
        image=tf.constant(image[None]), height=tf.constant(h), width=tf.constant(w)
    )["segmentation"].numpy()
    assert out.shape == (1, h, w) and out.dtype == np.int64
    assert demo.mean_iou(out[0], true) > 0.8


def test_segmentation_follows_requested_size(shapes, tf) -> None:
    image = np.asarray(Image.open(resources.sample_path("shapes_1.png")).convert("RGB"))
    out = shapes.signatures["serving_default"](
        image=tf.constant(image[None]), height=tf.constant(30), width=tf.constant(50)
    )["segmentation"]
    assert out.shape == (1, 30, 50)


def test_shapes_generator_is_deterministic(demo) -> None:
    a = demo.make_shapes_image(np.random.default_rng(1))
    b = demo.make_shapes_image(np.random.default_rng(1))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert a[0].shape == (64, 64, 3) and a[0].dtype == np.uint8
    assert set(np.unique(a[1])) <= {0, 1, 2, 3} and 0 in a[1]


def test_samples_readme_names_every_sample() -> None:
    readme = resources.sample_path("README.md").read_text()
    for p in Path(resources.sample_path("README.md")).parent.glob("*.png"):
        if not p.name.endswith("_mask.png"):
            assert p.name in readme
