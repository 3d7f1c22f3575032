"""Rebuild the demo models and sample inputs in resources/ (deterministic: fixed seeds).

    python3 resources/make_demo_models.py            # both models + samples
    python3 resources/make_demo_models.py mnist      # only the digit classifier
    python3 resources/make_demo_models.py shapes     # only the segmentation network

Needs tensorflow, numpy, pillow and scikit-learn (the ``demo`` extra). Writes:

- ``demo_models/mnist_softmax/``: softmax regression on scikit-learn's 8x8 digits, upscaled to
  MNIST's 28x28 layout (the digit in a 20x20 box centred in 28x28, white on black, 0..1), so the
  input is ``images`` float32 [-1, 784] as in the classic TF Serving MNIST tutorial.
- ``demo_models/shapes_segmentation/``: a small encoder-decoder trained on generated 64x64 images
  of circles, squares and triangles, with a DeepLab-style signature (``image``, ``height``,
  ``width`` -> ``segmentation``).
- ``samples/``: held-out digits (``digit_<label>.png`` + ``.npy``) and generated shapes images
  with their true masks.

Importing this module is cheap (TensorFlow loads inside the build functions), so tests can reuse
the data helpers without retraining.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
MODELS_DIR = HERE / "demo_models"
SAMPLES_DIR = HERE / "samples"

SEED = 20240601
DIGIT_LABELS = [str(i) for i in range(10)]
SHAPE_LABELS = ["background", "circle", "square", "triangle"]
SHAPE_SIZE = 64  # the segmentation network sees the image at 64x64, whatever size it comes in


# --------------------------------------------------------------------------------------------
# Data (numpy + pillow only)
# --------------------------------------------------------------------------------------------


def digit_to_28x28(image8: np.ndarray) -> np.ndarray:
    """One 8x8 scikit-learn digit (0..16) as an MNIST-like 28x28 float32 image in 0..1."""
    small = Image.fromarray((np.asarray(image8, np.float32) / 16.0).astype(np.float32), mode="F")
    box = np.asarray(small.resize((20, 20), Image.Resampling.BILINEAR), np.float32)
    out = np.zeros((28, 28), np.float32)
    out[4:24, 4:24] = np.clip(box, 0.0, 1.0)
    return out


def load_digits_28() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's digits as (x_train, y_train, x_test, y_test); x is float32 [n, 784]."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = np.stack([digit_to_28x28(im) for im in digits.images]).reshape(-1, 784)
    y = digits.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.25, random_state=0, stratify=y)
    return x_tr, y_tr, x_te, y_te


def digit_png_to_input(path: Path | str) -> np.ndarray:
    """A 28x28 grayscale PNG as the model's input: float32 [1, 784] in 0..1."""
    with Image.open(path) as im:
        arr = np.asarray(im.convert("L").resize((28, 28)), np.float32) / 255.0
    return arr.reshape(1, 784)


def _shape_polygon(kind: int, cx: float, cy: float, r: float, angle: float) -> list[tuple]:
    corners = 4 if kind == 2 else 3  # square: r is half the diagonal; triangle: circumradius
    return [
        (cx + r * math.cos(angle + 2 * math.pi * i / corners),
         cy + r * math.sin(angle + 2 * math.pi * i / corners))
        for i in range(corners)
    ]  # fmt: skip


def make_shapes_image(
    rng: np.random.Generator, size: int = SHAPE_SIZE, max_shapes: int = 3
) -> tuple[np.ndarray, np.ndarray]:
    """One generated image (uint8 [size, size, 3]) and its class map (uint8 [size, size]).

    A plain background with a little noise and 1..max_shapes non-overlapping shapes (circle,
    square, triangle) of random colour, size, position and rotation. Drawn 4x larger and scaled
    down, so edges are anti-aliased like a photo; the mask is sampled at the pixel centres.
    """
    ss = 4
    big = size * ss
    bg = rng.integers(0, 256, 3)
    img = Image.new("RGB", (big, big), tuple(int(c) for c in bg))
    mask = Image.new("L", (big, big), 0)
    draw_i, draw_m = ImageDraw.Draw(img), ImageDraw.Draw(mask)
    placed: list[tuple[float, float, float]] = []
    for _ in range(int(rng.integers(1, max_shapes + 1))):
        for _attempt in range(30):
            r = float(rng.uniform(0.10, 0.22)) * size
            cx, cy = (float(v) for v in rng.uniform(r, size - r, 2))
            if all(math.hypot(cx - px, cy - py) > r + pr + 2 for px, py, pr in placed):
                break
        else:
            continue
        placed.append((cx, cy, r))
        kind = int(rng.integers(1, 4))
        while True:  # a colour that stands out from the background
            colour = rng.integers(0, 256, 3)
            if np.abs(colour.astype(int) - bg.astype(int)).sum() > 150:
                break
        fill = tuple(int(c) for c in colour)
        x, y, rr = cx * ss, cy * ss, r * ss
        if kind == 1:
            box = (x - rr, y - rr, x + rr, y + rr)
            draw_i.ellipse(box, fill=fill)
            draw_m.ellipse(box, fill=kind)
        else:
            poly = _shape_polygon(kind, x, y, rr, float(rng.uniform(0, 2 * math.pi)))
            draw_i.polygon(poly, fill=fill)
            draw_m.polygon(poly, fill=kind)
    image = np.asarray(img.resize((size, size), Image.Resampling.BOX), np.float32)
    image += rng.normal(0, 6, image.shape)
    labels = np.asarray(mask, np.uint8)[ss // 2 :: ss, ss // 2 :: ss]
    return np.clip(image, 0, 255).astype(np.uint8), labels.copy()


def make_shapes_dataset(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """n generated images (uint8 [n, 64, 64, 3]) and masks (uint8 [n, 64, 64])."""
    rng = np.random.default_rng(seed)
    pairs = [make_shapes_image(rng) for _ in range(n)]
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def mean_iou(pred: np.ndarray, true: np.ndarray, num_classes: int = len(SHAPE_LABELS)) -> float:
    """Mean intersection-over-union over the classes present in either map."""
    ious = []
    for c in range(num_classes):
        p, t = pred == c, true == c
        union = np.logical_or(p, t).sum()
        if union:
            ious.append(np.logical_and(p, t).sum() / union)
    return float(np.mean(ious))


# --------------------------------------------------------------------------------------------
# Models (TensorFlow is imported here only)
# --------------------------------------------------------------------------------------------


def _tf():
    import os

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    tf.keras.utils.set_random_seed(SEED)
    tf.config.experimental.enable_op_determinism()
    return tf


def _write_labels(path: Path, labels: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(labels) + "\n", encoding="utf-8")
    return path


def _set_method_name(export_dir: Path, signature_key: str, method_name: str) -> None:
    """TF2's save writes every signature as 'predict'; TF Serving's Classify API needs
    'tensorflow/serving/classify', so patch it in saved_model.pb (then refresh fingerprint.pb)."""
    from tensorflow.core.protobuf import saved_model_pb2

    pb_path = export_dir / "saved_model.pb"
    sm = saved_model_pb2.SavedModel()
    sm.ParseFromString(pb_path.read_bytes())
    for mg in sm.meta_graphs:
        mg.signature_def[signature_key].method_name = method_name
    pb_path.write_bytes(sm.SerializeToString(deterministic=True))


def _write_fingerprint(export_dir: Path) -> None:
    """Recompute fingerprint.pb from the files, with a UUID derived from them instead of a random
    one, so that a rebuild of the same model gives the same bytes."""
    import hashlib

    from tensorflow.core.protobuf import fingerprint_pb2
    from tensorflow.python.saved_model.pywrap_saved_model import fingerprinting

    fp = fingerprint_pb2.FingerprintDef()
    fp.ParseFromString(fingerprinting.CreateFingerprintDef(str(export_dir)))
    digest = hashlib.sha256((export_dir / "saved_model.pb").read_bytes())
    digest.update((export_dir / "variables" / "variables.data-00000-of-00001").read_bytes())
    fp.uuid = str(int(digest.hexdigest()[:32], 16))
    (export_dir / "fingerprint.pb").write_bytes(fp.SerializeToString(deterministic=True))


def build_mnist(out_dir: Path = MODELS_DIR / "mnist_softmax", steps: int = 400) -> dict:
    """Train the softmax regression and export it; returns figures for the report."""
    import shutil
    import tempfile

    tf = _tf()
    t0 = time.perf_counter()
    x_tr, y_tr, x_te, y_te = load_digits_28()
    w = tf.Variable(tf.zeros([784, 10]), name="weights")
    b = tf.Variable(tf.zeros([10]), name="biases")
    opt = tf.keras.optimizers.SGD(learning_rate=0.5)
    xs, ys = tf.constant(x_tr), tf.constant(y_tr)

    @tf.function
    def train_step() -> tf.Tensor:
        with tf.GradientTape() as tape:
            logits = tf.matmul(xs, w) + b
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=ys, logits=logits)
            )
        opt.apply_gradients(zip(tape.gradient(loss, [w, b]), [w, b], strict=True))
        return loss

    for _ in range(steps):  # full-batch gradient descent
        loss = train_step()
    acc_te = float(np.mean(np.argmax(x_te @ w.numpy() + b.numpy(), 1) == y_te))
    acc_tr = float(np.mean(np.argmax(x_tr @ w.numpy() + b.numpy(), 1) == y_tr))
    train_s = time.perf_counter() - t0

    tmp = Path(tempfile.mkdtemp())
    module = tf.Module()
    module.weights, module.biases = w, b
    module.labels = tf.saved_model.Asset(str(_write_labels(tmp / "labels.txt", DIGIT_LABELS)))
    module.table = tf.lookup.StaticHashTable(
        tf.lookup.TextFileInitializer(
            module.labels,
            tf.int64,
            tf.lookup.TextFileIndex.LINE_NUMBER,
            tf.string,
            tf.lookup.TextFileIndex.WHOLE_LINE,
        ),
        default_value="?",
        experimental_is_anonymous=True,  # a shared name would embed an object address
    )

    @tf.function(input_signature=[tf.TensorSpec([None, 784], tf.float32, name="images")])
    def predict(images: tf.Tensor) -> dict:
        scores = tf.nn.softmax(tf.matmul(images, module.weights) + module.biases)
        return {"scores": scores, "classes": tf.argmax(scores, axis=1)}

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string, name="inputs")])
    def classify(inputs: tf.Tensor) -> dict:
        feats = tf.io.parse_example(inputs, {"x": tf.io.FixedLenFeature([784], tf.float32)})
        scores = tf.nn.softmax(tf.matmul(feats["x"], module.weights) + module.biases)
        values, indices = tf.math.top_k(scores, k=10)
        return {"classes": module.table.lookup(tf.cast(indices, tf.int64)), "scores": values}

    module.predict, module.classify = predict, classify
    if out_dir.exists():
        shutil.rmtree(out_dir)
    tf.saved_model.save(
        module, str(out_dir), signatures={"serving_default": predict, "classify": classify}
    )
    _set_method_name(out_dir, "classify", "tensorflow/serving/classify")
    _write_fingerprint(out_dir)
    shutil.rmtree(tmp)
    return {
        "train_accuracy": acc_tr,
        "test_accuracy": acc_te,
        "test_examples": len(y_te),
        "final_loss": float(loss),
        "train_seconds": train_s,
        "w": w.numpy(),
        "b": b.numpy(),
    }


def _conv_specs() -> list[tuple[str, int, int, int]]:
    """(name, kernel, in, out) of the segmentation network's layers."""
    return [
        ("c1", 3, 3, 16),  # 64x64
        ("c2", 3, 16, 24),  # stride 2 -> 32x32
        ("c3", 3, 24, 24),
        ("c4", 3, 24, 32),  # stride 2 -> 16x16
        ("c5", 3, 32, 32),
        ("c6", 3, 32, 40),  # stride 2 -> 8x8
        ("c7", 3, 40, 40),
        ("u1", 3, 40 + 32, 32),  # up -> 16x16, skip from c5
        ("u2", 3, 32 + 24, 24),  # up -> 32x32, skip from c3
        ("u3", 3, 24 + 16, 16),  # up -> 64x64, skip from c1
        ("out", 1, 16, len(SHAPE_LABELS)),
    ]


def build_shapes(
    out_dir: Path = MODELS_DIR / "shapes_segmentation",
    steps: int = 1000,
    n_train: int = 4000,
    batch: int = 32,
) -> dict:
    """Train the segmentation network on generated shapes and export it; returns figures."""
    import shutil
    import tempfile

    tf = _tf()
    t0 = time.perf_counter()
    x_tr, y_tr = make_shapes_dataset(n_train, SEED)
    x_va, y_va = make_shapes_dataset(200, SEED + 1)
    gen_s = time.perf_counter() - t0

    init = tf.keras.initializers.HeNormal(seed=SEED)
    params: dict[str, tf.Variable] = {}
    for name, k, cin, cout in _conv_specs():
        params[name + "_w"] = tf.Variable(init([k, k, cin, cout]), name=name + "_w")
        params[name + "_b"] = tf.Variable(tf.zeros([cout]), name=name + "_b")

    def conv(h: tf.Tensor, name: str, stride: int = 1, relu: bool = True) -> tf.Tensor:
        h = tf.nn.conv2d(h, params[name + "_w"], stride, "SAME") + params[name + "_b"]
        return tf.nn.relu(h) if relu else h

    def up(h: tf.Tensor, skip: tf.Tensor, name: str) -> tf.Tensor:
        h = tf.image.resize(h, tf.shape(skip)[1:3], method="bilinear")
        return conv(tf.concat([h, skip], axis=-1), name)

    def logits_fn(x: tf.Tensor) -> tf.Tensor:
        """x: float32 [n, 64, 64, 3] in 0..1 -> logits [n, 64, 64, classes]."""
        x = x - 0.5
        c1 = conv(x, "c1")
        c3 = conv(conv(c1, "c2", 2), "c3")
        c5 = conv(conv(c3, "c4", 2), "c5")
        c7 = conv(conv(c5, "c6", 2), "c7")
        u = up(up(up(c7, c5, "u1"), c3, "u2"), c1, "u3")
        return conv(u, "out", relu=False)

    variables = list(params.values())
    lr = tf.keras.optimizers.schedules.CosineDecay(3e-3, steps, alpha=0.05)
    opt = tf.keras.optimizers.Adam(learning_rate=lr)

    @tf.function
    def step(xb: tf.Tensor, yb: tf.Tensor, k: tf.Tensor, flip: tf.Tensor) -> tf.Tensor:
        xb = tf.image.rot90(tf.cast(xb, tf.float32) / 255.0, k=k)
        yb = tf.image.rot90(tf.cast(yb[..., None], tf.int32), k=k)[..., 0]
        if flip:
            xb, yb = xb[:, :, ::-1], yb[:, :, ::-1]
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=yb, logits=logits_fn(xb))
            )
        opt.apply_gradients(zip(tape.gradient(loss, variables), variables, strict=True))
        return loss

    rng = np.random.default_rng(SEED)
    for i in range(steps):
        idx = rng.integers(0, n_train, batch)
        loss = step(
            x_tr[idx], y_tr[idx], tf.constant(int(rng.integers(0, 4))), tf.constant(bool(i % 2))
        )
        if i % 250 == 0 or i == steps - 1:
            print(f"  step {i:5d}  loss {float(loss):.4f}  {time.perf_counter() - t0:6.1f} s")
    train_s = time.perf_counter() - t0

    tmp = Path(tempfile.mkdtemp())

    class ShapesSegmenter(tf.Module):
        def __init__(self) -> None:
            super().__init__()
            self.params = params
            self.labels = tf.saved_model.Asset(str(_write_labels(tmp / "labels.txt", SHAPE_LABELS)))

        @tf.function(
            input_signature=[
                tf.TensorSpec([None, None, None, 3], tf.uint8, name="image"),
                tf.TensorSpec([], tf.int32, name="height"),
                tf.TensorSpec([], tf.int32, name="width"),
            ]
        )
        def segment(self, image: tf.Tensor, height: tf.Tensor, width: tf.Tensor) -> dict:
            x = tf.image.resize(
                tf.cast(image, tf.float32) / 255.0, [SHAPE_SIZE, SHAPE_SIZE], antialias=True
            )
            logits = tf.image.resize(logits_fn(x), tf.stack([height, width]), method="bilinear")
            return {"segmentation": tf.argmax(logits, axis=-1)}

    seg = ShapesSegmenter()
    pred = seg.segment(tf.constant(x_va), SHAPE_SIZE, SHAPE_SIZE).__getitem__("segmentation")
    iou = mean_iou(pred.numpy(), y_va)
    per_class = {
        SHAPE_LABELS[c]: float(
            np.logical_and(pred.numpy() == c, y_va == c).sum()
            / max(1, np.logical_or(pred.numpy() == c, y_va == c).sum())
        )
        for c in range(len(SHAPE_LABELS))
    }
    pixel_acc = float(np.mean(pred.numpy() == y_va))
    if out_dir.exists():
        shutil.rmtree(out_dir)
    tf.saved_model.save(seg, str(out_dir), signatures={"serving_default": seg.segment})
    _write_fingerprint(out_dir)
    shutil.rmtree(tmp)
    return {
        "mean_iou": iou,
        "per_class_iou": per_class,
        "pixel_accuracy": pixel_acc,
        "final_loss": float(loss),
        "data_seconds": gen_s,
        "train_seconds": train_s,
        "params": int(sum(int(np.prod(v.shape)) for v in variables)),
    }


# --------------------------------------------------------------------------------------------
# Samples and entry point
# --------------------------------------------------------------------------------------------


def write_digit_samples(w: np.ndarray, b: np.ndarray, out: Path = SAMPLES_DIR) -> list[str]:
    """One held-out digit per class as digit_<label>.png (28x28, white on black) and .npy
    (float32 [1, 784]): the first test image of each class that the model gets right."""
    _, _, x_te, y_te = load_digits_28()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for label in range(10):
        for x in x_te[y_te == label]:
            png = np.round(x.reshape(28, 28) * 255).astype(np.uint8)
            feed = png.reshape(1, 784).astype(np.float32) / 255.0  # what the PNG gives back
            if int(np.argmax(feed @ w + b)) == label:
                Image.fromarray(png, mode="L").save(out / f"digit_{label}.png", optimize=True)
                np.save(out / f"digit_{label}.npy", feed)
                written.append(f"digit_{label}.png")
                break
    return written


def write_shapes_samples(out: Path = SAMPLES_DIR, sizes: tuple = (64, 64, 192)) -> list[str]:
    """Generated shapes images (shapes_<i>.png, RGB) with true masks (shapes_<i>_mask.png, 8-bit
    class ids 0..3, and shapes_<i>_mask.npy). Uses a seed the training never saw; the last one is
    larger than the 64x64 the network works at, to show the resizing in and out."""
    rng = np.random.default_rng(SEED + 99)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i, size in enumerate(sizes, start=1):
        while True:  # samples that show all three shapes make the best demo
            image, mask = make_shapes_image(rng, size=size)
            if len(np.unique(mask)) == len(SHAPE_LABELS):
                break
        Image.fromarray(image, mode="RGB").save(out / f"shapes_{i}.png", optimize=True)
        Image.fromarray(mask, mode="L").save(out / f"shapes_{i}_mask.png", optimize=True)
        np.save(out / f"shapes_{i}_mask.npy", mask)
        written.append(f"shapes_{i}.png")
    return written


def write_samples_readme(out: Path = SAMPLES_DIR) -> Path:
    """samples/README.md: one line per sample saying what the right answer is."""
    lines = [
        "# Sample inputs for the demo models",
        "",
        "Made by `resources/make_demo_models.py`; none of them was seen in training.",
        "",
        "## mnist_softmax (signature `serving_default`, input `images` float32 [-1, 784])",
        "",
        "Each PNG is a 28x28 grayscale digit, white on black. The model's input is the image read as",
        "grayscale, divided by 255 and flattened to [1, 784]; the `.npy` beside it is exactly that.",
        "They are held-out scikit-learn digits (the first of each class the model gets right).",
        "",
    ]
    for png in sorted(out.glob("digit_*.png")):
        label = png.stem.split("_")[1]
        lines.append(
            f"- `{png.name}` (and `{png.stem}.npy`): a handwritten {label};"
            f" right answer: class {label} (`classes` = {label})."
        )
    lines += [
        "",
        "## shapes_segmentation (signature `serving_default`: `image` uint8 [1, H, W, 3],"
        " `height` = H, `width` = W)",
        "",
        "Generated images; `shapes_<i>_mask.png` (8-bit, hard to see: values 0..3) and"
        " `shapes_<i>_mask.npy` hold the true class of each pixel:"
        " 0 background, 1 circle, 2 square, 3 triangle. The right answer is `segmentation`"
        " equal to the mask (mean IoU above 0.8 passes the tests).",
        "",
    ]
    for png in sorted(out.glob("shapes_*.png")):
        if png.stem.endswith("_mask"):
            continue
        mask = np.load(out / f"{png.stem}_mask.npy")
        present = [SHAPE_LABELS[c] for c in np.unique(mask) if c]
        h, w = mask.shape
        lines.append(
            f"- `{png.name}` ({w}x{h}): {', '.join(present)} on a plain background;"
            f" true mask `{png.stem}_mask.png`."
        )
    path = out / "README.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("which", nargs="*", help="mnist and/or shapes (default: both)")
    args = parser.parse_args(argv)
    which = args.which or ["mnist", "shapes"]
    if set(which) - {"mnist", "shapes"}:
        parser.error(f"unknown model(s) {sorted(set(which) - {'mnist', 'shapes'})}")
    if "mnist" in which:
        print("mnist_softmax: training softmax regression on scikit-learn digits (28x28) ...")
        r = build_mnist()
        samples = write_digit_samples(r["w"], r["b"])
        print(
            f"  train accuracy {r['train_accuracy']:.4f}, test accuracy {r['test_accuracy']:.4f}"
            f" on {r['test_examples']} held-out digits, loss {r['final_loss']:.4f},"
            f" {r['train_seconds']:.1f} s; {_dir_size(MODELS_DIR / 'mnist_softmax')} bytes;"
            f" samples: {', '.join(samples)}"
        )
    if "shapes" in which:
        print("shapes_segmentation: training on generated shapes ...")
        r = build_shapes()
        samples = write_shapes_samples()
        per_class = ", ".join(f"{k} {v:.3f}" for k, v in r["per_class_iou"].items())
        print(
            f"  mean IoU {r['mean_iou']:.4f} ({per_class}), pixel accuracy"
            f" {r['pixel_accuracy']:.4f} on 200 held-out images; {r['params']} parameters;"
            f" data {r['data_seconds']:.1f} s, total {r['train_seconds']:.1f} s;"
            f" {_dir_size(MODELS_DIR / 'shapes_segmentation')} bytes; samples: {', '.join(samples)}"
        )
    write_samples_readme()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
