"""Screenshots of the Weights tab, its layer summary and Find everything, for the README.

    python3 docs/make_weights_screenshots.py [OUT_DIR]      (default: docs/screenshots)

Builds a small Keras CNN trained one step with Adam (in a subprocess, so that this GUI process
stays free of TensorFlow's runtime), opens it and grabs the window at 1024x700.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()  # fresh settings, not the user's
os.environ["INSPECTOR_NO_WARMUP"] = "1"
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots"
OUT.mkdir(parents=True, exist_ok=True)
MODEL = Path(tempfile.mkdtemp()) / "small_cnn"
BUILD = """
import sys, numpy as np, keras, tensorflow as tf
keras.utils.set_random_seed(0)
inp = keras.Input((28, 28, 1), name="image")
h = keras.layers.Conv2D(16, 3, activation="relu", name="conv1")(inp)
h = keras.layers.BatchNormalization(name="bn1")(h)
h = keras.layers.Conv2D(32, 3, strides=2, activation="relu", name="conv2")(h)
h = keras.layers.GlobalAveragePooling2D(name="pool")(h)
h = keras.layers.Dense(64, activation="relu", name="dense")(h)
out = keras.layers.Dense(10, name="logits")(h)
model = keras.Model(inp, out)
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
x = np.random.default_rng(0).random((32, 28, 28, 1), dtype=np.float32)
model.fit(x, np.arange(32) % 10, epochs=1, verbose=0)
tf.saved_model.save(model, sys.argv[1])
"""


def main() -> None:
    subprocess.run([sys.executable, "-c", BUILD, str(MODEL)], check=True,
                   env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3"))  # fmt: skip
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    app.setStyle("Fusion")
    from inspector_app.ui import MainWindow

    win = MainWindow(warm_up=False)
    win.show_error_dialogs = False
    win.resize(1024, 700)
    win.show()

    def wait(signal, ms: int = 30000) -> None:
        loop = QEventLoop()
        signal.connect(lambda *_: loop.quit())
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    win.open_model(MODEL)
    wait(win.model_opened)
    win.inspect.show_weights()
    panel = win.inspect.weights_panel
    wait(panel.stats_done)
    panel.select_variable("conv2/kernel")
    wait(panel.values_shown, 5000)
    panel.set_slice(2, 3, {0: 1, 1: 1})
    app.processEvents()
    win.grab().save(str(OUT / "weights.png"))
    panel.tabs.setCurrentIndex(1)
    app.processEvents()
    win.grab().save(str(OUT / "weights_layers.png"))
    panel.tabs.setCurrentIndex(0)
    win.inspect.open_find("conv2")
    dialog = win.inspect.find_dialog
    while not dialog.ready:
        app.processEvents()
    dialog.search()
    app.processEvents()
    dialog.grab().save(str(OUT / "find.png"))
    print(f"wrote {OUT}/weights.png, weights_layers.png, find.png")


if __name__ == "__main__":
    main()
