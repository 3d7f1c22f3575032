"""Screenshots of the window's views for the README, taken from the running app.

    python3 docs/make_screenshots.py [OUT_DIR]      (default: docs/screenshots)

Opens the demo models and a small image-to-image model (built here, in a subprocess, so that
this GUI process stays free of TensorFlow's runtime), runs them, and grabs the window.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()  # fresh settings, not the user's
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots"
OUT.mkdir(parents=True, exist_ok=True)
DEMO = REPO / "resources" / "demo_models"
SAMPLES = REPO / "resources" / "samples"
IMAGE_MODEL = Path(tempfile.mkdtemp()) / "image_model"
BUILD = """
import sys, tensorflow as tf
class M(tf.Module):
    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8, name="image")])
    def invert(self, image):
        return {"inverted": 255 - image,
                "brightness": tf.reduce_mean(tf.cast(image, tf.float32), axis=[1, 2])}
m = M()
tf.saved_model.save(m, sys.argv[1], signatures={"serving_default": m.invert})
"""


def main() -> None:
    subprocess.run(
        [sys.executable, "-c", BUILD, str(IMAGE_MODEL)],
        check=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"),
    )
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from inspector_app.ui import MainWindow

    app = QApplication([])
    app.setApplicationName("SavedModel Inspector")
    win = MainWindow(warm_up=True)
    win.show_error_dialogs = False
    win.resize(1400, 860)
    win.show()
    win.splitter.setSizes([470, 930])

    def wait(signal, ms: int = 120_000):
        loop = QEventLoop()
        got = []
        signal.connect(lambda *a: (got.append(a), loop.quit()))
        QTimer.singleShot(ms, loop.quit)
        loop.exec()
        return got[0] if got else None

    def pause(ms: int = 400) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def shot(name: str) -> None:
        pause()
        win.grab().save(str(OUT / f"{name}.png"))
        print("wrote", OUT / f"{name}.png")

    def signature_of(name: str):
        model = next(m for m in win.models() if m.path.endswith(name))
        sig = model.tree.find(lambda n: n.kind == "signature" and n.name == "serving_default")
        return model, sig

    def run_on(model_name: str, input_name: str, sample: str):
        """Select the model's serving_default, feed it a sample and run it; the model."""
        model, sig = signature_of(model_name)
        win.select_node(sig)
        win.set_input(input_name, str(SAMPLES / sample))
        win.run()
        wait(win.run_finished)
        return model

    for path in (DEMO / "shapes_segmentation", DEMO / "mnist_softmax", IMAGE_MODEL):
        win.open_model(path)
        wait(win.model_opened)
    _shapes, sig = signature_of("shapes_segmentation")
    win.select_node(sig)
    if not win.runner.bridge.devices:  # the device list names the CPU once the worker is up
        wait(win.runner.bridge.devices_ready)
    win.panels.setCurrentWidget(win.details)
    shot("tree_details")
    win.set_input("image", str(SAMPLES / "shapes_2.png"))
    win.panels.setCurrentWidget(win.runner.run_tab)
    shot("run_inputs")
    win.run()
    wait(win.run_finished)
    shot("results_mask")
    mnist = run_on("mnist_softmax", "images", "digit_7.npy")
    shot("results_scores")
    run_on("image_model", "image", "shapes_1.png")
    win.runner.results.select_output("inverted")
    shot("results_image")
    win.runner.results.select_output("brightness")
    win.runner.results.set_view("tensor")
    shot("results_tensor")
    win.select_node(mnist.tree)
    win.panels.setCurrentWidget(win.checks_panel)
    pause(3000)
    shot("checks")
    win.close()


if __name__ == "__main__":
    main()
