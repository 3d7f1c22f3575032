"""Files read safely: special files refused before they are opened, sizes checked before reading,
and text from files or models made safe to print.

A named pipe, a device (``/dev/zero``), a socket or a folder where a file belongs is refused from
its ``stat`` alone: opening a FIFO for reading waits for a writer forever, and reading a device
never ends. A regular file is opened with ``O_NONBLOCK`` (which regular files ignore) and checked
again on the open descriptor, so a file swapped for a pipe between the two checks cannot block
either. Reads never take more than the size ``stat`` reported plus one byte, nor more than the
caller's limit. No Qt, no TensorFlow: every layer may use this module.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from inspector_app.errors import UserError
from inspector_app.units import human_bytes

MAX_LINE = 300  # characters in a one-line message before it is cut


class SpecialFileError(UserError):
    """A path that names a pipe, a device, a socket or a folder where a file belongs."""


def _kind(mode: int) -> str | None:
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


human = human_bytes  # the one byte formatter, under the name this module's callers use


def special_kind(path: str | os.PathLike) -> str | None:
    """What ``path`` is when it is not a regular file (following links), else None; a path that
    cannot be stat'ed gives None (the caller's own open reports that)."""
    try:
        return _kind(os.stat(path).st_mode)
    except (OSError, ValueError):
        return None


def refuse_message(kind: str, what: str = "a file") -> str:
    return (
        f"is {kind}, not a regular file; refused without reading it "
        f"(reading it could wait or run forever): put {what} there"
    )


def check_regular(path: str | os.PathLike, what: str = "a file") -> os.stat_result:
    """``os.stat`` of ``path``; SpecialFileError unless it is a regular file (links followed)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UserError(
            "cannot read it: no such file; check the path", path=display(path)
        ) from None
    except PermissionError:
        raise UserError(
            "cannot read it: permission denied; make it readable", path=display(path)
        ) from None
    except OSError as err:
        raise UserError(f"cannot read it: {err.strerror or err}", path=display(path)) from None
    kind = _kind(st.st_mode)
    if kind is not None:
        raise SpecialFileError(refuse_message(kind, what), path=display(path))
    return st


def open_regular(path: str | os.PathLike, what: str = "a file"):  # noqa: ANN201 - a binary file
    """A binary file object for a regular file; SpecialFileError (not a hang) for anything else."""
    check_regular(path, what)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except PermissionError:
        raise UserError("permission denied; make it readable", path=display(path)) from None
    except OSError as err:
        raise UserError(f"cannot open: {err.strerror or err}", path=display(path)) from None
    try:
        kind = _kind(os.fstat(fd).st_mode)
        if kind is not None:  # swapped between the two checks
            raise SpecialFileError(refuse_message(kind, what), path=display(path))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_regular(path: str | os.PathLike, max_bytes: int, what: str = "a file") -> bytes:
    """The bytes of a regular file of at most ``max_bytes``, refused before reading otherwise."""
    with open_regular(path, what) as fh:
        size = os.fstat(fh.fileno()).st_size
        if size > max_bytes:
            raise UserError(
                f"is {human(size)}, over the {human(max_bytes)} such a file can be; "
                f"it is damaged or not {what}",
                path=display(path),
            )
        try:
            data = fh.read(size + 1)  # a file that grows while read is still bounded
        except OSError as err:
            raise UserError(f"cannot read: {err.strerror or err}", path=display(path)) from None
        if len(data) > max_bytes:
            raise UserError(
                f"grew past {human(max_bytes)} while read; it is not {what}", path=display(path)
            )
        return data


# --------------------------------------------------------------------------- printable text


def display(path: str | os.PathLike | bytes) -> str:
    """A path as text that always prints: undecodable bytes as ``\\xNN``, control characters
    escaped (a path, like a name from a model, may hold terminal escape sequences)."""
    if isinstance(path, bytes):
        text = path.decode("utf-8", "surrogateescape")
    else:
        text = os.fspath(path) if not isinstance(path, Path) else str(path)
        if isinstance(text, bytes):
            text = text.decode("utf-8", "surrogateescape")
    return escape(text)


def escape(text: str, *, keep_newlines: bool = False) -> str:
    """``text`` with control characters (ESC, BEL, CR, ...) and lone surrogates written as
    ``\\x1b``-style escapes, so that a name read from a file cannot drive the terminal."""
    if text.isprintable() and not _has_surrogate(text):
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if keep_newlines and ch in "\n\t":
            out.append(ch)
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        elif code < 0x100:
            out.append(f"\\x{code:02x}")
        elif code < 0x10000:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def one_line(text: str, limit: int = MAX_LINE) -> str:
    """A message as one printable line of about ``limit`` characters: newlines become ' | ',
    control characters are escaped, and an over-long middle is cut with a count."""
    text = escape(" | ".join(part for part in str(text).splitlines() if part.strip()) or str(text))
    if len(text) <= limit:
        return text
    head, tail = int(limit * 0.7), int(limit * 0.25)
    cut = len(text) - head - tail
    return f"{text[:head]} ...({cut:,} characters cut)... {text[-tail:]}"


def cut_list(items: list, limit: int = 8, sep: str = ", ") -> str:
    """``a, b, c, ... (and 9,995 more)``: a long list of names cut with a count."""
    shown = [escape(str(i))[:60] for i in items[:limit]]
    more = len(items) - len(shown)
    return sep.join(shown) + (f"{sep}... (and {more:,} more)" if more > 0 else "")
