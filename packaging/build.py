"""Build the PyInstaller bundle: ``python3 packaging/build.py [--dist DIR] [--work DIR] [--onefile]
[--tensorflow installed|cpu]``.

Installs PyInstaller when it is missing (the ``packaging`` extra), builds ``packaging/inspector.spec``
into ``build/`` and ``dist/`` (or the folders given), and prints where the bundle is, how large it
is, how long the build took and the oldest glibc it runs on (the newest ``GLIBC_2.x`` symbol
version its libraries ask for, also written into the bundle, whose launcher checks it at start).
``--self-test`` runs the bundle's self-test after.

``--tensorflow installed`` (default) bundles the TensorFlow of this Python: with the ``tensorflow``
wheel that is the GPU-capable runtime (its CUDA kernels are inside; it uses a GPU when the CUDA 12
and cuDNN 9 libraries are found, e.g. from ``pip install tensorflow[and-cuda]``, which the bundle
does not carry). ``--tensorflow cpu`` builds from a virtual environment under the work folder in
which the ``tensorflow-cpu`` wheel of the same version replaces it: the smaller download, the same
answers on the CPU.
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


GLIBC_FILE = "GLIBC_REQUIRED"  # read by packaging/launch.py at start


def glibc_needed(folder: Path) -> str | None:
    """The newest ``GLIBC_2.x`` version any ELF file under ``folder`` asks for (a byte scan of
    the version strings, as ``objdump -T`` lists them), or None when there is none."""
    import re

    newest: tuple[int, ...] = ()
    pattern = re.compile(rb"GLIBC_(2\.[0-9]+(?:\.[0-9]+)?)\x00")
    for path in folder.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        try:
            with path.open("rb") as fh:
                if fh.read(4) != b"\x7fELF":
                    continue
                data = fh.read()
        except OSError:
            continue
        for match in pattern.finditer(data):
            version = tuple(int(p) for p in match.group(1).decode().split("."))
            newest = max(newest, version)
    return ".".join(map(str, newest)) if newest else None


def cpu_python(work: Path) -> tuple[str, str]:
    """A Python whose ``tensorflow`` is the tensorflow-cpu wheel of the installed version: a
    virtual environment under ``work`` that sees this Python's other packages. Returns (python,
    TensorFlow's distribution name)."""
    from importlib import metadata

    version = metadata.version("tensorflow") if _has_dist("tensorflow") else metadata.version("tensorflow-cpu")  # fmt: skip
    venv = work / "venv-tensorflow-cpu"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)  # fmt: skip
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", f"tensorflow-cpu=={version}"],
        check=True,
    )
    return str(python), "tensorflow-cpu"


def _has_dist(name: str) -> bool:
    from importlib import metadata

    try:
        metadata.version(name)
        return True
    except metadata.PackageNotFoundError:
        return False


def build(
    dist: Path,
    work: Path,
    onefile: bool = False,
    keep_keras: bool = False,
    python: str = sys.executable,
    tf_dist: str = "",
) -> Path:
    """Run PyInstaller on the spec; the bundle folder (or the one file) it made."""
    env = dict(os.environ)
    env["INSPECTOR_ONEFILE"] = "1" if onefile else "0"
    env["INSPECTOR_BUNDLE_KERAS"] = "1" if keep_keras else "0"
    env["INSPECTOR_TF_DIST"] = tf_dist
    cmd = [python, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
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
    parser.add_argument(
        "--tensorflow",
        choices=("installed", "cpu"),
        default="installed",
        help="installed: this Python's TensorFlow (the tensorflow wheel: GPU-capable); "
        "cpu: the smaller tensorflow-cpu wheel of the same version, in a venv under --work",
    )
    args = parser.parse_args(argv)

    ensure_pyinstaller()
    start = time.perf_counter()
    python, tf_dist = sys.executable, ""
    try:
        if args.tensorflow == "cpu":
            args.work.mkdir(parents=True, exist_ok=True)
            python, tf_dist = cpu_python(args.work.resolve())
        exe = build(args.dist.resolve(), args.work.resolve(), args.onefile, args.keep_keras,
                    python, tf_dist)  # fmt: skip
    except subprocess.CalledProcessError as exc:
        print(f"build failed: {exc.cmd[2] if len(exc.cmd) > 2 else exc.cmd[0]} exited with status {exc.returncode}", file=sys.stderr)  # fmt: skip
        return 1
    seconds = time.perf_counter() - start
    bundle = exe if args.onefile else exe.parent
    glibc = None if args.onefile else glibc_needed(bundle)
    if glibc is not None:
        (bundle / "_internal" / GLIBC_FILE).write_text(glibc + "\n", encoding="ascii")
    size = tree_size(bundle)
    print(f"bundle: {bundle}")
    print(f"executable: {exe}")
    print(f"size: {size / 2**20:.0f} MiB ({size} bytes)")
    print(f"build time: {seconds:.0f} s")
    print(f"tensorflow: {tf_dist or 'installed'}")
    if glibc is not None:
        print(f"needs glibc >= {glibc}")
    if args.self_test:
        env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
        return subprocess.run([str(exe), "--self-test"], env=env).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
