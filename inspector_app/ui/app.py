"""Start the window: ``run_app(paths)`` is what ``python -m inspector_app [PATH ...]`` calls.

With ``INSPECTOR_BENCH=1`` in the environment the app prints JSON lines with wall-clock
timestamps (window first painted, trees complete) and quits; ``benchmarks/bench_window.py``
reads them.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import traceback
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

import inspector_app
from inspector_app import APP_NAME, ORG_NAME, __version__
from inspector_app.ui import settings
from inspector_app.ui.gc_guard import MainThreadCollector
from inspector_app.ui.main_window import MainWindow
from inspector_app.ui.model_loader import one_line


def resource_root() -> Path:
    """``resources/``: beside a PyInstaller bundle's files, else in the source tree."""
    try:  # the shared helper, where present, also knows the installed-package location
        from inspector_app.resources import resources_dir

        return resources_dir()
    except (ImportError, FileNotFoundError):
        pass
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(inspector_app.__file__).resolve().parents[1] / "resources"


def app_icon() -> QIcon | None:
    """The window icon from resources/icons (every app_<size>.png, else app.svg), if present."""
    folder = resource_root() / "icons"
    pngs = sorted(folder.glob("app_*.png"))
    files = pngs or [p for p in (folder / "app.svg", folder / "app.png") if p.is_file()]
    if not files:
        return None
    icon = QIcon()
    for file in files:
        icon.addFile(str(file))
    return icon


def demo_model_paths() -> list[str]:
    """Each sub-folder of resources/demo_models (none when the folder is absent)."""
    folder = resource_root() / "demo_models"
    if not folder.is_dir():
        return []
    return [
        str(p) for p in sorted(folder.iterdir()) if p.is_dir() and not p.name.startswith((".", "_"))
    ]


def _emit(event: str, **fields: object) -> None:
    print(json.dumps({"event": event, "t": time.time(), **fields}), flush=True)


class _Bench(QObject):
    """Prints when the window is first painted, opens the paths as a drop would (twice: cold and
    warm), prints when each round's trees are complete, then quits."""

    def __init__(self, window: MainWindow, paths: list[str]) -> None:
        super().__init__(window)
        self.window, self.paths = window, paths
        self.rounds = 2
        self.waiting = 0
        self.started = 0.0
        window.installEventFilter(self)
        window.model_opened.connect(self._one_done)
        window.model_failed.connect(self._one_done)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.window and event.type() == QEvent.Type.Paint:
            self.window.removeEventFilter(self)
            _emit("window_shown")
            QTimer.singleShot(0, self._drop)
        return False

    def _drop(self) -> None:
        if not self.paths or self.rounds == 0:
            _emit("done", tf_loaded="tensorflow.python" in sys.modules)
            QApplication.quit()
            return
        self.rounds -= 1
        self.waiting = len(self.paths)
        self.started = time.perf_counter()
        self.window.open_paths(self.paths)

    def _one_done(self, *_args: object) -> None:
        self.waiting -= 1
        if self.waiting == 0:
            ms = (time.perf_counter() - self.started) * 1000.0
            rows = self.window.proxy.rowCount()
            _emit("tree_complete", ms=ms, models=rows, errors=self.window.last_error)
            QTimer.singleShot(0, self._drop)


def _install_excepthook(window: MainWindow) -> None:
    """An unexpected error in a slot: one line in the status bar, the window stays."""

    def hook(kind: type[BaseException], value: BaseException, tb: object) -> None:
        if os.environ.get("INSPECTOR_DEBUG"):
            traceback.print_exception(kind, value, tb)  # type: ignore[arg-type]
        else:
            print(f"error: {one_line(value)}", file=sys.stderr)
        with contextlib.suppress(Exception):  # the window may be gone already
            window._show_error(f"internal error: {one_line(value)}", dialog=False)

    sys.excepthook = hook


def _select_demo_signature(window: MainWindow, demos: list[str]) -> None:
    """Once the demo models are open, select the segmentation demo's signature: its sample
    image is filled in (see ``resources.DEMO_SAMPLES``), so Run answers at once."""
    showcase = next((p for p in demos if Path(p).name == "shapes_segmentation"), demos[-1])

    waiting = {Path(p) for p in demos}

    def opened(info: object) -> None:
        # Each newly opened model takes the selection, so select again after every demo opens.
        waiting.discard(Path(getattr(info, "path", "")))
        if not waiting:
            window.model_opened.disconnect(opened)
        model = next((m for m in window.models() if Path(m.path) == Path(showcase)), None)
        node = (
            model.tree.find(lambda n: n.kind == "signature" and n.name == "serving_default")
            if model
            else None
        )
        if node is not None:
            window.select_node(node)

    window.model_opened.connect(opened)


def run_app(paths: list[str]) -> int:
    """Show the window, open ``paths`` (or the bundled demo models) and run the event loop."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORG_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    icon = app_icon()
    if icon is not None:
        app.setWindowIcon(icon)
    collector = MainThreadCollector(app)
    window = MainWindow()
    collector.freeze_startup()
    _install_excepthook(window)
    from inspector_app.ui.window_habits import startup_paths

    to_open, demos = (list(paths), False) if paths else startup_paths(demo_model_paths())
    if os.environ.get("INSPECTOR_BENCH"):
        _Bench(window, to_open)  # opens the paths itself, once the window is painted
    elif to_open:
        QTimer.singleShot(0, lambda: window.open_paths(to_open))
        if demos:
            _select_demo_signature(window, to_open)
    window.show()
    QTimer.singleShot(0, window.loader.prewarm)  # the first drop then finds everything imported
    status = int(app.exec())
    settings.wait_for_writes()
    collector.stop()
    return status
