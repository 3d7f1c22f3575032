"""Model paths TensorFlow can open."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

_LINKS: list[str] = []


def utf8_path(path: Path) -> str:
    """``path``, or where its name is not UTF-8 (TensorFlow cannot open such a path) a UTF-8
    symbolic link to it in a private temporary folder, removed when this process exits."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    folder = tempfile.mkdtemp(prefix="inspector-path-")
    if not _LINKS:

        def remove_links() -> None:
            for made in _LINKS:
                shutil.rmtree(made, ignore_errors=True)

        atexit.register(remove_links)
    _LINKS.append(folder)
    link = os.path.join(folder, "model")
    os.symlink(text, link)
    return link
