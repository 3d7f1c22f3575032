"""The layers hold: the window process never loads the TensorFlow runtime, and the Qt-free
packages never import PySide6. Each check runs in a fresh subprocess (this test process may
have TensorFlow loaded by other tests' fixtures)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
QT_FREE = ("inspector_app.savedmodel", "inspector_app.inputs", "inspector_app.results",
           "inspector_app.engine", "inspector_app.workflows")  # fmt: skip

WINDOW_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtCore import QEventLoop, QModelIndex, QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, sys.argv[2])
    app = QApplication([])
    from inspector_app.ui import MainWindow

    win = MainWindow()
    win.show_error_dialogs = False
    win.show()
    outcome = []
    loop = QEventLoop()
    win.model_opened.connect(lambda info: (outcome.append("opened"), loop.quit()))
    win.model_failed.connect(lambda msg: (outcome.append(msg), loop.quit()))
    QTimer.singleShot(60000, loop.quit)
    win.open_model(sys.argv[1])
    loop.exec()

    def fetch_all(parent):  # every lazy row too (variables, other versions)
        proxy = win.proxy
        if proxy.canFetchMore(parent):
            proxy.fetchMore(parent)
        for row in range(proxy.rowCount(parent)):
            fetch_all(proxy.index(row, 0, parent))

    fetch_all(QModelIndex())
    selected = bool(outcome == ["opened"] and win.select_signature("serving_default"))
    app.processEvents()
    print(json.dumps({
        "outcome": outcome,
        "selected": selected,
        "tf_runtime": sorted(m for m in sys.modules if m.startswith("tensorflow.python"))[:5],
        "read_with_protobuf": "google.protobuf" in sys.modules
        and "inspector_app.savedmodel.loader" in sys.modules,
    }))
    """
)

QT_FREE_SCRIPT = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    failed = {}
    for name in sys.argv[1:]:
        package = importlib.import_module(name)
        for mod in pkgutil.walk_packages(package.__path__, name + "."):
            try:
                importlib.import_module(mod.name)
            except Exception as err:
                failed[mod.name] = f"{type(err).__name__}: {err}"
    qt = sorted(m for m in sys.modules if m == "PySide6" or m.startswith("PySide6."))
    print(json.dumps({"qt": qt, "failed": failed,
                      "checked": sorted(m for m in sys.modules if m.startswith(tuple(sys.argv[1:])))}))
    """
)


def _run(script: str, *args: str) -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    """A TF Serving base folder (lazy rows for the other version): the real one, else one
    built here."""
    real = REPO.parent / "shared" / "real-models" / "saved_model_half_plus_two_2_versions"
    if real.is_dir():
        return real
    from models_ui import build_two_tag_sets

    base = tmp_path_factory.mktemp("layering") / "base"
    build_two_tag_sets(base / "1")
    build_two_tag_sets(base / "2")
    return base


def test_window_process_never_loads_the_tensorflow_runtime(model_dir: Path, tmp_path) -> None:
    result = _run(WINDOW_SCRIPT, str(model_dir), str(tmp_path / "ini"))
    assert result["outcome"] == ["opened"]
    assert result["selected"]
    assert result["read_with_protobuf"]  # the model was really read, in this process
    assert result["tf_runtime"] == [], f"tensorflow.python in the GUI process: {result}"


def test_qt_free_packages_never_import_pyside6() -> None:
    result = _run(QT_FREE_SCRIPT, *QT_FREE)
    assert result["failed"] == {}, result["failed"]
    assert result["qt"] == [], f"PySide6 imported by the Qt-free packages: {result['qt']}"
    for package in QT_FREE:
        assert package in result["checked"]


def test_import_linter_contracts_hold() -> None:
    """The contracts in pyproject.toml ([tool.importlinter]): the core never imports Qt, the
    results/inputs/savedmodel packages never start engines, the window's packages never import
    TensorFlow (function-level imports included)."""
    lint = Path(sys.executable).with_name("lint-imports")
    command = [str(lint)] if lint.exists() else [sys.executable, "-m", "importlinter.cli"]
    proc = subprocess.run(
        [*command, "--no-cache"],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout


def test_mypy_passes_on_the_qt_free_packages(tmp_path: Path) -> None:
    """`mypy` with the [tool.mypy] settings of pyproject.toml (its `files`: savedmodel, inputs,
    results, engine, workflows, safeio, fileio, errors) reports no errors."""
    mypy = Path(sys.executable).with_name("mypy")
    command = [str(mypy)] if mypy.exists() else [sys.executable, "-m", "mypy"]
    proc = subprocess.run(
        [*command, "--cache-dir", str(tmp_path / "mypy-cache")],
        cwd=REPO,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "Success: no issues found" in proc.stdout
