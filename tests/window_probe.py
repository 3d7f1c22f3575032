"""Launch the window as ``python -m inspector_app`` does, through the app's public steps, and
report as JSON lines on stdout (wall-clock ``t``): ``window_shown`` when it is first painted,
then ``tree_complete`` once the models given (or those a launch without paths opens) are shown,
dropped twice (cold, with the protobuf modules still to import, and warm), and ``done`` with
whether ``tensorflow.python`` got loaded; then it quits.

    python3 tests/window_probe.py [PATH ...]

``tests/test_ui_app.py`` and ``benchmarks/bench_window.py`` run it: the app has no test or
benchmark mode of its own.
"""

from __future__ import annotations

import json
import sys
import time


def _emit(event: str, **fields: object) -> None:
    print(json.dumps({"event": event, "t": time.time(), **fields}), flush=True)


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from inspector_app.ui import app as ui_app

    class Probe(QObject):
        def __init__(self, window, paths: list[str]) -> None:
            super().__init__(window)
            self.window, self.paths = window, paths
            self.rounds, self.waiting, self.started = 2, 0, 0.0
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
                _emit("tree_complete", ms=ms, models=rows, errors=self.window.errors.last_error)
                QTimer.singleShot(0, self._drop)

    app, window, collector = ui_app.start_window()
    paths, _demos = ui_app.paths_to_open(argv)
    Probe(window, paths)
    window.show()
    QTimer.singleShot(0, window.loader.prewarm)  # as run_app does
    status = int(app.exec())
    collector.stop()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
