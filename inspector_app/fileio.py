"""Files the inspector writes get the permissions the user's umask gives, as any program's do.

``tempfile.mkstemp`` makes its files 0600; an atomic write renames such a file into place, so
without this every export would be private to its owner whatever the umask says.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

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


def atomic_write(
    path: str | os.PathLike,
    write: Callable[[BinaryIO], object],
    *,
    overwrite: bool = False,
    model_dir: str | os.PathLike | None = None,
) -> Path:
    """The one way the inspector writes a file: ``write(fh)`` fills a new file beside ``path``
    (the user's usual mode), which then takes the name in one step. A half-written file never
    carries the name; an existing file is replaced only with ``overwrite`` (otherwise a hard
    link claims the name, so a file that appears meanwhile is not clobbered either); nothing is
    written inside ``model_dir``. Problems are one-line ``UserError``s naming the file."""
    from inspector_app.errors import UserError

    target = Path(path)
    exists_msg = "file exists; choose another name or allow overwriting"
    if model_dir is not None:
        model = Path(model_dir).resolve()
        resolved = target.resolve()
        if resolved == model or model in resolved.parents:
            raise UserError("will not write into the model folder; choose another folder",
                            path=str(target))  # fmt: skip
    if target.is_dir():
        raise UserError("is a folder; give a file name", path=str(target))
    if not target.parent.is_dir():
        raise UserError("the folder does not exist; choose an existing folder", path=str(target))
    if target.exists() and not overwrite:
        raise UserError(exists_msg, path=str(target))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:80]}.", suffix=".tmp",
                                   dir=target.parent)  # fmt: skip
    except OSError as err:
        raise UserError(f"cannot write: {err.strerror or err}", path=str(target)) from err
    apply_user_mode(fd)  # mkstemp makes 0600; exports follow the umask
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)  # fails if the name appeared meanwhile: no clobbering
            except FileExistsError as err:
                raise UserError(exists_msg, path=str(target)) from err
            except OSError:  # file systems without hard links
                if target.exists():
                    raise UserError(exists_msg, path=str(target)) from None
                os.replace(tmp, target)
    except OSError as err:
        raise UserError(f"cannot write: {err.strerror or err}", path=str(target)) from err
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


def atomic_write_bytes(path: str | os.PathLike, data: bytes, **kw: Any) -> Path:
    """``atomic_write`` of a byte string."""
    return atomic_write(path, lambda fh: fh.write(data), **kw)


def atomic_write_text(path: str | os.PathLike, text: str, **kw: Any) -> Path:
    """``atomic_write`` of UTF-8 text."""
    return atomic_write_bytes(path, text.encode("utf-8"), **kw)
