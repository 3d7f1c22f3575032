"""The window as ``python -m inspector_app PATH`` starts it (driven by ``window_probe.py``):
it opens, reports and quits, without a traceback for a bad path; resources (icon, demo models)
are found."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from inspector_app.ui import app_resources

REPO = Path(__file__).resolve().parent.parent
PROBE = Path(__file__).resolve().parent / "window_probe.py"


def _launch(tmp_path: Path, *paths: str) -> tuple[subprocess.CompletedProcess, list[dict]]:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path / "config"),  # never the user's settings
        PYTHONPATH=str(REPO),
    )
    proc = subprocess.run(
        [sys.executable, str(PROBE), *paths],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    return proc, events


def test_bad_path_on_the_command_line_is_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty_folder"
    empty.mkdir()
    proc, events = _launch(tmp_path, str(empty))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    kinds = [e["event"] for e in events]
    assert kinds == ["window_shown", "tree_complete", "tree_complete", "done"]
    error = events[1]["errors"]
    assert str(empty) in error and "\n" not in error
    assert events[-1]["tf_loaded"] is False


def test_no_path_opens_the_demo_models(tmp_path: Path) -> None:
    demos = app_resources.demo_model_paths()
    if not demos:
        pytest.skip("resources/demo_models is absent")
    proc, events = _launch(tmp_path)
    assert proc.returncode == 0, proc.stderr
    first = next(e for e in events if e["event"] == "tree_complete")
    assert first["models"] == len(demos) and first["errors"] is None


def test_icon_and_resources(qapp: QApplication) -> None:
    root = app_resources.resource_root()
    if (root / "icons").is_dir():
        icon = app_resources.app_icon()
        assert icon is not None and not icon.isNull()
    for path in app_resources.demo_model_paths():
        assert Path(path).is_dir() and Path(path).parent.name == "demo_models"
