"""Packaging: the desktop entry and spec (fast), and the PyInstaller bundle's self-test (slow).

The bundle test (marker ``packaging``) builds into a temporary folder with packaging/build.py and
runs ``<bundle>/savedmodel-inspector --self-test`` headless; it skips when PyInstaller is not
installed (``pip install -e ".[packaging]"``). Deselect it with ``-m "not packaging"``.
"""

from __future__ import annotations

import configparser
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

REPO = Path(__file__).resolve().parent.parent
PACKAGING = REPO / "packaging"
NAME = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["name"]
DEMO = REPO / "resources" / "demo_models" / "mnist_softmax"
BUILD_TIMEOUT_S = 1800  # about 5-8 min on 2 busy cores


def _headless_env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("PYTHONPATH", None)  # the bundle must not lean on this checkout
    return env


def test_desktop_entry_names_the_program_and_its_icon() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(PACKAGING / f"{NAME}.desktop", encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Type"] == "Application"
    assert section["Exec"].split()[0] == NAME
    assert section["Icon"] == NAME
    assert section["Terminal"] == "false"
    assert set(section["Categories"].rstrip(";").split(";")) >= {"Development", "Science"}
    assert (REPO / "resources" / "icons" / "app.svg").is_file()


def test_launch_script_calls_freeze_support_before_the_app() -> None:
    text = (PACKAGING / "launch.py").read_text("utf-8")
    assert text.index("multiprocessing.freeze_support()") < text.index("from inspector_app")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the one-folder bundle once; the path of its executable."""
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (pip install -e '.[packaging]')")
    if not DEMO.is_dir():
        pytest.skip(f"{DEMO} is not there yet (resources/make_demo_models.py)")
    out = tmp_path_factory.mktemp("bundle")
    proc = subprocess.run(
        [sys.executable, str(PACKAGING / "build.py"), "--dist", str(out / "dist")]
        + ["--work", str(out / "build")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    print(proc.stdout)  # size and build time, shown with -s
    exe = out / "dist" / NAME / NAME
    assert exe.is_file() and os.access(exe, os.X_OK)
    return exe


@pytest.mark.packaging
def test_bundle_self_test_passes(bundle: Path) -> None:
    proc = subprocess.run(
        [str(bundle), "--self-test"],
        cwd=bundle.parent.parent,  # not the checkout: resources must come from the bundle
        env=_headless_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(bundle)" in proc.stdout
    assert "self-test passed" in proc.stdout


@pytest.mark.packaging
def test_bundle_cli_reads_a_model_without_tensorflow(bundle: Path) -> None:
    demo = bundle.parent / "_internal" / "resources" / "demo_models" / "mnist_softmax"
    proc = subprocess.run(
        [str(bundle), "show", str(demo), "--json"],
        env=_headless_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)
    signatures = {s["key"] for s in shown["meta_graphs"][0]["signatures"]}
    assert {"serving_default", "classify"} <= signatures
