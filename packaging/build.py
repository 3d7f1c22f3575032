"""Build the PyInstaller bundle: ``python3 packaging/build.py [--dist DIR] [--work DIR] [--onefile]``.

Installs PyInstaller when it is missing (the ``packaging`` extra), builds ``packaging/inspector.spec``
into ``build/`` and ``dist/`` (or the folders given), runs nothing else, and prints where the bundle
is, how large it is and how long the build took. ``--self-test`` runs the bundle's self-test after.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "inspector.spec"


def project_name() -> str:
    """The distribution name from pyproject.toml (the bundle's and its executable's name)."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: PyInstaller's own dependencies do not bring tomli
        import tomli as tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]["name"]


def ensure_pyinstaller() -> None:
    """Install PyInstaller (>= 6) with pip when it cannot be imported."""
    if importlib.util.find_spec("PyInstaller") is None:
        print("PyInstaller is missing: installing it with pip", flush=True)
        subprocess.run([sys.executable, "-m", "pip", "install", "pyinstaller>=6"], check=True)


def tree_size(path: Path) -> int:
    """Bytes in the files under ``path`` (links not followed), like ``du --apparent-size``."""
    if path.is_file():
        return path.stat().st_size
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            file = Path(folder, name)
            if not file.is_symlink():
                total += file.stat().st_size
    return total


def build(dist: Path, work: Path, onefile: bool = False, keep_keras: bool = False) -> Path:
    """Run PyInstaller on the spec; the bundle folder (or the one file) it made."""
    env = dict(os.environ)
    env["INSPECTOR_ONEFILE"] = "1" if onefile else "0"
    env["INSPECTOR_BUNDLE_KERAS"] = "1" if keep_keras else "0"
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
    cmd += ["--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    subprocess.run(cmd, check=True, cwd=ROOT, env=env)
    name = project_name()
    return dist / name if onefile else dist / name / name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="work folder (build/)")
    parser.add_argument("--onefile", action="store_true", help="one self-extracting file")
    parser.add_argument("--keep-keras", action="store_true", help="bundle Keras and its extras")
    parser.add_argument("--self-test", action="store_true", help="run the bundle's --self-test")
    args = parser.parse_args(argv)

    ensure_pyinstaller()
    start = time.perf_counter()
    try:
        exe = build(args.dist.resolve(), args.work.resolve(), args.onefile, args.keep_keras)
    except subprocess.CalledProcessError as exc:
        print(f"build failed: PyInstaller exited with status {exc.returncode}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - start
    bundle = exe if args.onefile else exe.parent
    size = tree_size(bundle)
    print(f"bundle: {bundle}")
    print(f"executable: {exe}")
    print(f"size: {size / 2**20:.0f} MiB ({size} bytes)")
    print(f"build time: {seconds:.0f} s")
    if args.self_test:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        return subprocess.run([str(exe), "--self-test"], env=env).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
