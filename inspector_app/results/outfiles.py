"""Where ``run --outdir`` writes: one ``.npy`` per output, under names that never collide, in a
folder checked before the run (not a file, not a device, not under /proc, not inside a model,
writable, names not too long).

Output names map to file names by percent-encoding every character outside ``[A-Za-z0-9_.-]``
(and ``%`` itself, and a leading ``.``): ``a/b`` -> ``a%2Fb.npy``, ``a_b`` -> ``a_b.npy``. The
mapping is one-to-one and ``output_key`` reverses it, so no output is lost to another's file.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote

from inspector_app.errors import UserError
from inspector_app.safeio import display, special_kind

NAME_MAX = 255  # bytes in one file name on Linux, macOS and Windows file systems
_KEEP = re.compile(r"[A-Za-z0-9_.\-]")
_KERNEL = ("/proc", "/sys", "/dev")


def file_stem(key: str) -> str:
    """The file name (without ``.npy``) of output ``key``; reversible with ``output_key``."""
    if not key:
        return "%"
    out = []
    for i, ch in enumerate(key):
        if _KEEP.fullmatch(ch) and not (i == 0 and ch == "."):
            out.append(ch)
        else:
            out.extend(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
    return "".join(out)


def output_key(stem: str) -> str:
    """The output name a file stem came from (``file_stem``'s inverse)."""
    return "" if stem == "%" else unquote(stem, errors="surrogatepass")


def output_files(outdir: Path, keys: Iterable[str]) -> dict[str, Path]:
    """``outdir/<stem>.npy`` for each output; UserError when a name is too long or two names
    differ only in case (one file on macOS and Windows)."""
    targets: dict[str, Path] = {}
    folded: dict[str, str] = {}
    for key in keys:
        name = f"{file_stem(key)}.npy"
        if len(name.encode()) > NAME_MAX:
            raise UserError(
                f"output {display(key[:60])!r}... makes a file name of {len(name.encode())} bytes "
                f"(at most {NAME_MAX}); run with --json instead of --outdir"
            )
        other = folded.setdefault(name.lower(), key)
        if other != key:
            raise UserError(
                f"outputs {display(other)!r} and {display(key)!r} differ only in case and would "
                "share one file on macOS/Windows; run with --json instead of --outdir"
            )
        targets[key] = outdir / name
    return targets


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def check_outdir(
    outdir: str | os.PathLike,
    keys: Iterable[str],
    *,
    overwrite: bool,
    model_dirs: Iterable[str | os.PathLike] = (),
) -> dict[str, Path]:
    """Check ``--outdir`` before the run and create it; the file for each output key.

    UserError (one line naming the folder and what to do) for a folder that is a file or a
    device, under /proc, /sys or /dev, inside a model folder, not writable, or whose names
    are too long; and for existing outputs without ``overwrite``.
    """
    raw = Path(os.path.expanduser(os.fspath(outdir)))
    shown = display(raw)
    for part in raw.parts:
        if len(os.fsencode(part)) > NAME_MAX:
            raise UserError(
                f"--outdir {shown[:80]}...: a folder name is longer than {NAME_MAX} bytes; "
                "choose a shorter path"
            )
    if len(os.fsencode(str(raw))) > 4000:
        raise UserError(f"--outdir {shown[:80]}...: the path is too long; choose a shorter one")
    try:
        real = Path(os.path.realpath(raw))
    except (OSError, ValueError) as err:
        raise UserError(f"--outdir {shown}: cannot resolve it ({err}); choose another") from None
    for top in _KERNEL:
        if _inside(real, Path(top)):
            raise UserError(
                f"--outdir {shown} is under {top}, a kernel folder, not a place for files; "
                "choose a normal folder"
            )
    for model in model_dirs:
        folder = Path(os.path.realpath(model))
        if _inside(real, folder):
            raise UserError(
                f"--outdir {shown} is inside the model folder {display(folder)}; the inspector "
                "never writes into a model: choose a folder outside it"
            )
    if os.path.lexists(raw) and not raw.is_dir():
        kind = special_kind(raw) or "a file"
        raise UserError(
            f"--outdir {shown} is {kind}, not a folder; give a folder (it is created if missing)"
        )
    targets = output_files(raw, keys)
    for key, target in targets.items():
        if target.is_dir():
            raise UserError(
                f"{display(target)} is a folder, where output {display(key)!r} would be "
                "written; move it away or choose another --outdir"
            )
        if not overwrite and os.path.lexists(target):
            raise UserError(f"{display(target)} exists; pass --overwrite to replace it")
    try:
        raw.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=raw, prefix=".write-test.", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as err:
        reason = {
            errno.EROFS: "is on a read-only file system",
            errno.EACCES: "is not writable (permission denied)",
            errno.EPERM: "is not writable (operation not permitted: immutable?)",
            errno.ENOSPC: "is on a full disk",
            errno.ENAMETOOLONG: "has too long a name",
            errno.ENOTDIR: "has a file where a folder belongs in its path",
        }.get(err.errno or 0, f"cannot be written ({err.strerror or err})")
        raise UserError(f"--outdir {shown} {reason}; choose another folder") from None
    return targets
