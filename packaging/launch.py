"""Entry script of the PyInstaller bundle: the same as ``python -m inspector_app``."""

import multiprocessing
import sys

GLIBC_FILE = "GLIBC_REQUIRED"  # written into the bundle by packaging/build.py


def check_glibc() -> None:
    """One line and exit 2 when this system's C library is older than the bundle's libraries
    need (they were copied from the machine that built it)."""
    import os

    folder = getattr(sys, "_MEIPASS", None)
    if not folder or not sys.platform.startswith("linux"):
        return
    try:
        with open(os.path.join(folder, GLIBC_FILE), encoding="ascii") as fh:
            needed = fh.read().strip()
        have = os.confstr("CS_GNU_LIBC_VERSION").split()[-1]  # "glibc 2.36"
    except (OSError, ValueError, IndexError):
        return
    as_tuple = lambda v: tuple(int(p) for p in v.split("."))  # noqa: E731
    if as_tuple(have) < as_tuple(needed):
        sys.stderr.write(
            f"error: this bundle needs glibc {needed} or newer and this system has {have}; "
            "use a newer Linux (see the README's Packaging section) or install with pip\n"
        )
        sys.exit(2)


if __name__ == "__main__":
    # first of all: in the engine's spawned worker this runs the worker and exits
    multiprocessing.freeze_support()
    check_glibc()
    from inspector_app.cli import main

    sys.exit(main())
