"""The Graph tab's screenshot for the README: a TF2 model whose signature calls a function with an
If, a While and a nested call, opened in the window with a dark palette at 1024x700.

    python3 docs/make_graph_screenshot.py [OUT_DIR]      (default: docs/screenshots)

The model is built in a subprocess, so that this GUI process stays free of TensorFlow's runtime.
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
MODEL = Path(tempfile.mkdtemp()) / "nested"
BUILD = (
    "import sys; sys.path.insert(0, sys.argv[2]); from pathlib import Path; "
    "from models_graph import build_tf2_nested; build_tf2_nested(Path(sys.argv[1]))"
)


def main() -> None:
    subprocess.run(
        [sys.executable, "-c", BUILD, str(MODEL), str(REPO / "tests")],
        check=True,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES=""),
    )
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from inspector_app.ui import MainWindow
    from inspector_app.ui.palette import dark_palette

    app = QApplication([])
    app.setStyle("Fusion")
    app.setPalette(dark_palette())
    win = MainWindow(warm_up=False)
    win.show_error_dialogs = False
    win.resize(1024, 700)
    win.show()
    win.splitter.setSizes([300, 724])

    def wait(signal, ms: int = 60_000) -> None:
        loop = QEventLoop()
        signal.connect(lambda *a: loop.quit())
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    win.open_model(MODEL)
    wait(win.model_opened)
    panel = win.graph_panel
    win.panels.setCurrentWidget(panel)
    row = win.models()[0].tree.find(lambda n: n.kind == "function" and n.name == "outer")
    win.select_node(row)
    wait(panel.graph_shown)
    panel.splitter.setSizes([470, 250])
    panel.select_node("block/cond")
    app.processEvents()
    OUT.mkdir(parents=True, exist_ok=True)
    win.grab().save(str(OUT / "graph.png"))
    print(f"wrote {OUT / 'graph.png'}")


if __name__ == "__main__":
    main()
