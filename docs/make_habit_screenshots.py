"""Screenshots of the start page and of the window under a dark palette, at 1024x700.

    python3 docs/make_habit_screenshots.py [OUT_DIR]      (default: docs/screenshots)

No TensorFlow runtime is needed: the window only reads the demo model and fills its inputs.
"""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()  # fresh settings, not the user's
os.environ.setdefault("INSPECTOR_NO_WARMUP", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "docs" / "screenshots"
OUT.mkdir(parents=True, exist_ok=True)
DEMO = REPO / "resources" / "demo_models"


def main() -> None:
    import gc

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    gc.disable()  # as the app does: no collection of Qt objects off the main thread
    app = QApplication([])
    app.setStyle("Fusion")
    app.setApplicationName("SavedModel Inspector")
    from inspector_app.ui import MainWindow, settings
    from inspector_app.ui.palette import dark_palette

    settings.add_recent_model("/srv/models/resnet_v2/00000003")
    settings.add_recent_model("/home/me/exports/text_classifier")

    def settle(ms: int = 300) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    win = MainWindow(warm_up=False)
    win.show_error_dialogs = False
    win.resize(1024, 700)
    win.show()
    settle()
    win.grab().save(str(OUT / "start_page.png"))

    app.setPalette(dark_palette())
    loop = QEventLoop()
    win.model_opened.connect(lambda *_: loop.quit())
    win.open_model(DEMO / "mnist_softmax")
    QTimer.singleShot(20_000, loop.quit)
    loop.exec()
    win.select_signature("classify")
    win.panels.setCurrentWidget(win.runner.run_tab)
    win.filter_edit.setText("class")
    settle(500)
    win.grab().save(str(OUT / "dark_palette.png"))
    win.close()


if __name__ == "__main__":
    main()
