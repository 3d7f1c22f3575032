"""Bytes on disk of a SavedModel folder, by part, with a bounded walk that never loops."""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MAX_ENTRIES = 20_000  # a model folder holds a few dozen entries; stop long before a walk hurts


@dataclass
class FolderSizes:
    total: int = 0
    breakdown: dict[str, int] = field(
        default_factory=lambda: {"graph": 0, "variables": 0, "assets": 0, "other": 0}
    )
    complete: bool = True
    entries: int = 0
    unreadable: list[str] = field(default_factory=list)
    loops: list[str] = field(default_factory=list)  # symlinked folders, not followed
    special: list[tuple[str, str]] = field(default_factory=list)  # (relative path, kind): pipes...


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _part(top_name: str, pb_name: str) -> str:
    if top_name == pb_name:
        return "graph"
    if top_name == "variables":
        return "variables"
    if top_name in ("assets", "assets.extra"):
        return "assets"
    return "other"


def folder_sizes(folder: Path, pb_name: str, limit: int = MAX_ENTRIES) -> FolderSizes:
    """Walk ``folder`` without following symlinked folders; stop after ``limit`` entries.

    Symlinked files are counted with their target's size (they cannot loop).
    """
    out = FolderSizes()
    stack: list[tuple[str, str | None]] = [(str(folder), None)]
    while stack:
        current, top = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = list(it)
        except PermissionError:
            out.unreadable.append(os.path.relpath(current, folder) + "/")
            continue
        except OSError:
            continue
        for entry in entries:
            out.entries += 1
            if out.entries > limit:
                out.complete = False
                return out
            part_of = top if top is not None else entry.name
            try:
                if entry.is_symlink():
                    if os.path.isdir(entry.path):
                        out.loops.append(os.path.relpath(entry.path, folder))
                        continue
                    st = os.stat(entry.path)  # follows the link to a file
                elif entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, part_of))
                    continue
                else:
                    st = entry.stat(follow_symlinks=False)
                size = st.st_size
                if not stat.S_ISREG(st.st_mode):  # a pipe, a device (a link to /dev/zero)...
                    out.special.append((os.path.relpath(entry.path, folder), _kind(st.st_mode)))
                    continue
            except PermissionError:
                out.unreadable.append(os.path.relpath(entry.path, folder))
                continue
            except OSError as err:  # dangling link, loop, vanished file
                if err.errno == errno.ELOOP:
                    out.loops.append(os.path.relpath(entry.path, folder))
                continue
            out.total += size
            out.breakdown[_part(part_of, pb_name)] += size
    return out
