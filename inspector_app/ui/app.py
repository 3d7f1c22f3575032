"""Start the window: ``run_app(paths)`` is what ``python -m inspector_app [PATH ...]`` calls.

``start_window()`` and ``paths_to_open(paths)`` are its first steps, for a caller that drives
the window itself (``tests/window_probe.py``, which the window benchmark runs).
"""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from inspector_app import APP_NAME, ORG_NAME, __version__
from inspector_app.ui import settings
from inspector_app.ui.app_resources import app_icon, demo_model_paths
from inspector_app.ui.gc_guard import MainThreadCollector
from inspector_app.ui.gil_handoff import quick_gil_handoff
from inspector_app.ui.main_window import MainWindow
from inspector_app.ui.model_loader import one_line
from inspector_app.ui.session import startup_paths


def _install_excepthook(window: MainWindow) -> None:
    """An unexpected error in a slot: one line in the status bar, the window stays."""

    def hook(kind: type[BaseException], value: BaseException, tb: object) -> None:
        if os.environ.get("INSPECTOR_DEBUG"):
            traceback.print_exception(kind, value, tb)  # type: ignore[arg-type]
        else:
            print(f"error: {one_line(value)}", file=sys.stderr)
        with contextlib.suppress(Exception):  # the window may be gone already
            window.errors.show(f"internal error: {one_line(value)}", dialog=False)

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


def start_window() -> tuple[QApplication, MainWindow, MainThreadCollector]:
    """The application (names, icon), the garbage collector guard and the window, not shown."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(ORG_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    icon = app_icon()
    if icon is not None:
        app.setWindowIcon(icon)
    collector = MainThreadCollector(app)
    quick_gil_handoff()
    window = MainWindow()
    collector.freeze_startup()
    _install_excepthook(window)
    return app, window, collector


def paths_to_open(paths: list[str]) -> tuple[list[str], bool]:
    """What a launch opens: ``paths``, else the last session's models or the demo models.
    Returns (paths, are_demos)."""
    return (list(paths), False) if paths else startup_paths(demo_model_paths())


def run_app(paths: list[str]) -> int:
    """Show the window, open ``paths`` (or the bundled demo models) and run the event loop."""
    app, window, collector = start_window()
    to_open, demos = paths_to_open(paths)
    if to_open:
        QTimer.singleShot(0, lambda: window.open_paths(to_open))
        if demos:
            _select_demo_signature(window, to_open)
    window.show()
    QTimer.singleShot(0, window.loader.prewarm)  # the first drop then finds everything imported
    status = int(app.exec())
    settings.wait_for_writes()
    collector.stop()
    return status
