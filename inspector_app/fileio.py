"""Files the inspector writes get the permissions the user's umask gives, as any program's do.

``tempfile.mkstemp`` makes its files 0600; an atomic write renames such a file into place, so
without this every export would be private to its owner whatever the umask says.
"""

from __future__ import annotations

import os
import threading

_lock = threading.Lock()
_umask: int | None = None


def current_umask() -> int:
    """The process umask (read once: reading it means setting it, so it is cached)."""
    global _umask
    with _lock:
        if _umask is None:
            _umask = os.umask(0o022)
            os.umask(_umask)
        return _umask


def user_file_mode() -> int:
    """The mode a plain ``open(path, "w")`` would give a new file: 0666 less the umask."""
    return 0o666 & ~current_umask()


def apply_user_mode(fd_or_path: int | str | os.PathLike) -> None:
    """Give a file made by ``mkstemp`` the user's usual mode (best effort)."""
    try:
        if isinstance(fd_or_path, int):
            os.fchmod(fd_or_path, user_file_mode())
        else:
            os.chmod(fd_or_path, user_file_mode())
    except OSError:
        pass
