"""Entry script of the PyInstaller bundle: the same as ``python -m inspector_app``."""

import multiprocessing
import sys

if __name__ == "__main__":
    # first of all: in the engine's spawned worker this runs the worker and exits
    multiprocessing.freeze_support()
    from inspector_app.cli import main

    sys.exit(main())
