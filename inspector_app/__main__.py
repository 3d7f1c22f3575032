"""``python -m inspector_app``: the window, or a sub-command (show, run, check)."""

import multiprocessing
import sys

from inspector_app.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the engine worker runs inside a PyInstaller bundle too
    sys.exit(main())
