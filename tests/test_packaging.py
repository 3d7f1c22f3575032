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
import re
import shutil
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
    assert set(section["Categories"].rstrip(";").split(";")) == {
        "Science",
        "ArtificialIntelligence",
    }  # one main category
    assert (REPO / "resources" / "icons" / "app.svg").is_file()


def test_launch_script_calls_freeze_support_before_the_app() -> None:
    text = (PACKAGING / "launch.py").read_text("utf-8")
    assert text.index("multiprocessing.freeze_support()") < text.index("from inspector_app")


def _desktop_unescape(value: str) -> list[str]:
    """An Exec value as the Desktop Entry spec reads it: string escapes first, then the quoted
    arguments (inside quotes a backslash takes the next character), ``%%`` a literal %."""
    string = re.sub(r"\\(.)", lambda m: {"s": " ", "n": "\n", "t": "\t", "r": "\r"}.get(m.group(1), m.group(1)), value)  # fmt: skip
    args, current, quoted, i = [], "", False, 0
    while i < len(string):
        ch = string[i]
        if quoted and ch == "\\":
            assert string[i + 1] in '"`$\\', f"bad escape in {value!r}"
            current += string[i + 1]
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif ch == " " and not quoted:
            if current:
                args.append(current)
            current = ""
        elif ch == "%" and string[i + 1] == "%":
            current += "%"
            i += 1
        else:
            current += ch
        i += 1
    assert not quoted
    return args + ([current] if current else [])


def _fake_bundle(parent: Path) -> Path:
    folder = parent / 'my apps & 100% $HOME "q" `b` back\\slash' / NAME
    folder.mkdir(parents=True)
    exe = folder / NAME
    exe.write_text("#!/bin/sh\necho hi\n")
    exe.chmod(0o755)
    return folder


@pytest.mark.skipif(sys.platform != "linux", reason="a Linux desktop entry")
def test_install_desktop_escapes_paths(tmp_path: Path) -> None:
    folder = _fake_bundle(tmp_path)
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"))
    proc = subprocess.run(["bash", str(PACKAGING / "install-desktop.sh"), str(folder)],
                          env=env, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    entry = tmp_path / "data" / "applications" / f"{NAME}.desktop"
    lines = dict(line.split("=", 1) for line in entry.read_text().splitlines() if "=" in line)
    assert _desktop_unescape(lines["Exec"]) == [str(folder / NAME), "%F"]
    assert re.sub(r"\\\\", r"\\", lines["TryExec"]) == str(folder / NAME)
    validator = shutil.which("desktop-file-validate")
    if validator:  # where desktop-file-utils is installed
        checked = subprocess.run([validator, str(entry)], capture_output=True, text=True)
        assert checked.returncode == 0 and not checked.stdout.strip(), checked.stdout


def test_install_desktop_says_what_is_missing(tmp_path: Path) -> None:
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "data"))
    script = str(PACKAGING / "install-desktop.sh")
    missing = tmp_path / "no such folder"
    proc = subprocess.run(["bash", script, str(missing)], env=env, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr == (f"install-desktop.sh: error: {missing}: no such folder; give the bundle "
                           f"folder (the one holding {NAME}), built by packaging/build.py\n")  # fmt: skip
    empty = tmp_path / "empty"
    empty.mkdir()
    proc = subprocess.run(["bash", script, str(empty)], env=env, capture_output=True, text=True)
    assert proc.returncode == 2 and "no such program" in proc.stderr and "cd:" not in proc.stderr


def test_launcher_refuses_an_older_glibc(tmp_path: Path) -> None:
    (tmp_path / "GLIBC_REQUIRED").write_text("9.99\n")
    code = (
        "import sys, runpy; sys._MEIPASS = sys.argv[1]; sys.platform = 'linux'; "
        "ns = runpy.run_path(sys.argv[2]); ns['check_glibc']()"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path), str(PACKAGING / "launch.py")],
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: this bundle needs glibc 9.99 or newer and this system has 2.")  # fmt: skip
    (tmp_path / "GLIBC_REQUIRED").write_text("2.0\n")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path), str(PACKAGING / "launch.py")],
                          capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0, proc.stderr


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
    assert "needs glibc >= 2." in proc.stdout
    built = out / "dist" / NAME
    assert (built / "install-desktop.sh").is_file() and (built / f"{NAME}.desktop").is_file()
    assert (built / "_internal" / "GLIBC_REQUIRED").is_file()
    # the bundle is used where the user puts it, not where it was built
    moved = out / "elsewhere & with spaces" / NAME
    moved.parent.mkdir()
    shutil.move(str(built), str(moved))
    exe = moved / NAME
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


@pytest.mark.packaging
def test_bundle_installs_its_desktop_entry(bundle: Path, tmp_path: Path) -> None:
    env = dict(_headless_env(), XDG_DATA_HOME=str(tmp_path / "data"))
    proc = subprocess.run(["bash", str(bundle.parent / "install-desktop.sh")], env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    entry = (tmp_path / "data" / "applications" / f"{NAME}.desktop").read_text()
    exec_line = next(line for line in entry.splitlines() if line.startswith("Exec="))
    assert _desktop_unescape(exec_line[5:]) == [str(bundle), "%F"]
