"""Shared test set-up: no display, small TensorFlow models made in temporary folders."""

from __future__ import annotations

import gc
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # tests run on the CPU, also on a GPU machine
# Settings, recent files, input sets and label choices go to a throw-away folder, never the user's.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="smi-test-config-")
# A window made by a test starts its engine worker only when it runs something.
os.environ.setdefault("INSPECTOR_NO_WARMUP", "1")

import pytest

# As in the app (ui/gc_guard.py): automatic collection could run in a thread-pool thread and free
# a closed window's widgets there, which crashes Qt. Tests collect on the main thread instead.
gc.disable()
REPO = Path(__file__).resolve().parent.parent
REAL_MODELS = REPO.parent / "shared" / "real-models"
sys.path.insert(0, str(Path(__file__).resolve().parent))


# The files that take longest (seconds on 2 busy cores), slowest first: pytest-xdist hands whole
# files to its workers in collection order (pyproject.toml: --dist=loadfile), so these start
# first and the many short files fill in behind them. The PyInstaller bundle build alone is
# about 3-4 minutes.
SLOW_FILES_FIRST = (
    "test_packaging.py",
    "test_cli_run.py",
    "test_engine.py",
    "test_fuzz_hostile.py",
    "test_load_paths_composites.py",
    "test_custom_ops.py",
    "test_batch_job.py",
    "test_layering.py",
    "test_cli_show.py",
)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker a core, at least 2 (much of a test's time is a child process
    importing TensorFlow) and at most 4 (each worker runs TensorFlow processes of its own);
    PYTEST_XDIST_AUTO_NUM_WORKERS overrides it."""
    override = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "")
    if override.isdigit():
        return int(override)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(4, max(2, cores or 1))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest files first (SLOW_FILES_FIRST), the rest in their usual order."""
    rank = {name: i for i, name in enumerate(SLOW_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


@pytest.fixture(scope="session")
def real_models() -> Path:
    """The TF Serving test models beside the checkout (read-only); skip where absent."""
    if not REAL_MODELS.is_dir():
        pytest.skip(f"{REAL_MODELS} is absent (the real models live in ../shared/real-models)")
    return REAL_MODELS


@pytest.fixture(autouse=True)
def _collect_on_main_thread():
    """Collect the test's garbage (Qt objects included) on the main thread once it is done."""
    yield
    gc.collect()


@pytest.fixture
def isolated_ui_settings(tmp_path: Path) -> Path:
    """The window's INI settings in a temporary folder, with no recent models: the user's real
    settings stay untouched."""
    from PySide6.QtCore import QSettings

    from inspector_app.ui import settings

    folder = tmp_path / "settings"
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    settings.clear_recent_models()
    return folder


@pytest.fixture
def fake_window(qtbot, isolated_ui_settings: Path):
    """A shown window over hand-built trees (``ui_fakes.fake_load``): no SavedModel is read."""
    from ui_fakes import fake_load

    from inspector_app.ui import MainWindow

    win = MainWindow(load=fake_load)
    qtbot.addWidget(win)
    win.show()
    return win
