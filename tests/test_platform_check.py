"""Before the window: Qt's platform plugin must load and a display must answer, else one line."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from inspector_app import platform_check as pc

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's xcb plugin")


@pytest.fixture(scope="module")
def broken_plugin(tmp_path_factory) -> Path:
    """A copy of Qt's xcb plugin whose needed ``libxcb-shape.so.0`` is renamed to a library that
    exists nowhere: it cannot load, as on a machine without that package."""
    real = pc.plugin_file("xcb", {})
    if real is None:
        pytest.skip("PySide6 has no xcb plugin here")
    root = tmp_path_factory.mktemp("qt")
    platforms = root / "plugins" / "platforms"
    platforms.mkdir(parents=True)
    (root / "lib").symlink_to(real.parents[2] / "lib")  # the plugin's $ORIGIN/../../lib
    data = real.read_bytes()
    assert data.count(b"libxcb-shape.so.0\0") == 1
    (platforms / "libqxcb.so").write_bytes(
        data.replace(b"libxcb-shape.so.0\0", b"libxcb-shapz.so.0\0")
    )
    return platforms


def test_headless_platforms_need_nothing() -> None:
    assert pc.platform_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert pc.platform_problem({"QT_QPA_PLATFORM": "minimal:x;xcb"}) is None


def test_no_display_is_one_line() -> None:
    problem = pc.platform_problem({"PATH": os.environ.get("PATH", "")})
    assert problem is not None and problem.startswith("no display: DISPLAY is not set")
    assert "\n" not in problem
    wayland = pc.platform_problem({"QT_QPA_PLATFORM": "wayland", "XDG_RUNTIME_DIR": "/nonexistent"})
    assert wayland is not None and wayland.startswith("no display: no Wayland compositor")


def test_unloadable_plugin_names_the_library_and_the_packages(broken_plugin, monkeypatch) -> None:
    monkeypatch.setitem(pc.PACKAGES, "libxcb-shapz.so.0", ("libxcb-shapz0", "xcb-util-shapz"))
    env = {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":99", "QT_QPA_PLATFORM_PLUGIN_PATH": str(broken_plugin)}  # fmt: skip
    assert pc.plugin_file("xcb", env) == broken_plugin / "libqxcb.so"
    problem = pc.platform_problem(env)
    assert problem is not None and "\n" not in problem
    assert problem.startswith("Qt's window system plugin (xcb) cannot load: missing ")
    assert "libxcb-shapz.so.0" in problem
    assert "libQt6" not in problem  # the plugin's own Qt libraries were found
    # (on a machine that lacks other xcb libraries too, they are listed as well)
    assert re.search(
        r"'sudo apt-get install [^']*\blibxcb-shapz0\b[^']*' \(Debian/Ubuntu\)", problem
    )
    assert re.search(r"'sudo dnf install [^']*\bxcb-util-shapz\b[^']*' \(Fedora\)", problem)


def test_the_app_exits_2_with_one_line_before_qt_starts(broken_plugin) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "xcb",
        "DISPLAY": ":99",
        "QT_QPA_PLATFORM_PLUGIN_PATH": str(broken_plugin),
        "PYTHONPATH": str(REPO),
    }
    out = subprocess.run(
        [sys.executable, "-m", "inspector_app"], capture_output=True, text=True, env=env,
        timeout=60, cwd=REPO,
    )  # fmt: skip
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and "libxcb-shapz.so.0" in lines[0], out.stderr
    env.pop("DISPLAY")
    out = subprocess.run(
        [sys.executable, "-m", "inspector_app"], capture_output=True, text=True, env=env,
        timeout=60, cwd=REPO,
    )  # fmt: skip
    assert out.returncode == 2
    assert out.stderr.startswith("error: no display") and len(out.stderr.strip().splitlines()) == 1


def test_install_hint_lists_each_package_once() -> None:
    hint = pc.install_hint(["libxcb-randr.so.0", "libxcb-shape.so.0", "libxcb-icccm.so.4"])
    assert "apt-get install libxcb-randr0 libxcb-shape0 libxcb-icccm4'" in hint
    assert "dnf install libxcb xcb-util-wm'" in hint


def test_no_display_server_answering() -> None:
    if shutil.which("ldd") is None:
        pytest.skip("no ldd")
    problem = pc._x_display_error(":987")
    assert problem == "cannot connect to the X display ':987'"
