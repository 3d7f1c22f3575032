"""``--inputs 'x=file.npy;y=file.npz[name]'``: arrays from numpy files, never unpickled unless asked.

Like ``saved_model_cli``: an .npz with one array needs no ``[name]``; a pickle file (or an .npy of
Python objects) loads only with ``allow_pickle=True``, which warns, since unpickling a file can run
any code its author chose.
"""

from __future__ import annotations

import warnings
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from inspector_app.errors import UserError
from inspector_app.inputs.expressions import split_assignments
from inspector_app.safeio import check_regular, cut_list, display, escape, human, open_regular

PICKLE_WARNING = (
    "unpickling {path}: a pickle can run any code; load it only if you trust who wrote it"
)


class PickleWarning(UserWarning):
    """A file is being unpickled because the user asked for it."""


def _default_warn(message: str) -> None:
    warnings.warn(message, PickleWarning, stacklevel=3)


def split_file_key(spec: str) -> tuple[Path, str | None]:
    """``'a.npz[x]'`` -> (a.npz, "x"); a name that is a real file keeps its brackets."""
    if spec.endswith("]") and "[" in spec and not Path(spec).exists():
        name, _, key = spec[:-1].rpartition("[")
        return Path(name), key
    return Path(spec), None


DEFAULT_MAX_BYTES = 2 * 2**30  # as --max-input-bytes
MAX_MEMBERS = 10_000  # arrays in one .npz


def _npy_header(fh, where: str) -> tuple[tuple[int, ...], np.dtype]:
    """Shape and dtype from an .npy header, read without reading the data."""
    try:
        version = np.lib.format.read_magic(fh)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(fh, max_header_size=100_000)
        else:
            shape, _, dtype = np.lib.format.read_array_header_2_0(fh, max_header_size=100_000)
    except (ValueError, OSError, EOFError, SyntaxError, TypeError) as exc:
        raise UserError(
            f"{where}: not a readable .npy header ({_cut(str(exc))}); save it again with np.save"
        ) from None
    return tuple(int(d) for d in shape), dtype


def _cut(text: str, limit: int = 120) -> str:
    return (
        text if len(text) <= limit else f"{text[:limit]}... ({len(text) - limit:,} more characters)"
    )


def _check_claim(shape: tuple[int, ...], dtype: np.dtype, where: str, max_bytes: int,
                 available: int | None) -> None:  # fmt: skip
    count = 1
    for d in shape:
        count *= max(d, 0)
    nbytes = count * (dtype.itemsize if dtype.itemsize else 1)
    if dtype.hasobject:
        return  # pickled: sized by its own bytes
    if nbytes > max_bytes:
        raise UserError(
            f"{where} holds a {dtype} array of shape {shape} ({human(nbytes)}), over the "
            f"{human(max_bytes)} limit; raise it with --max-input-bytes if you mean it"
        )
    if available is not None and nbytes > available:
        raise UserError(
            f"{where} claims {human(nbytes)} of data ({dtype}, shape {shape}) but holds "
            f"{human(available)}: the file is truncated or damaged; save it again"
        )


def _precheck(path: Path, is_npy: bool, max_bytes: int) -> None:
    """Sizes from the headers against the limit and the file, before numpy allocates."""
    size = path.stat().st_size
    if is_npy:
        with open_regular(path) as fh:
            shape, dtype = _npy_header(fh, str(path))
            _check_claim(shape, dtype, str(path), max_bytes, size - fh.tell())
        return
    try:
        with open_regular(path) as raw, zipfile.ZipFile(raw) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise UserError(
                    f"{path} holds {len(infos):,} members, more than the {MAX_MEMBERS:,} an "
                    "input .npz may hold; save the arrays you need with np.savez"
                )
            total = sum(i.file_size for i in infos)
            if total > max_bytes * 2:
                raise UserError(
                    f"{path} unpacks to {human(total)}, over the {human(max_bytes)} limit; "
                    "raise it with --max-input-bytes if you mean it"
                )
            for info in infos:
                if not info.filename.endswith(".npy"):
                    continue
                where = f"{path}[{_cut(info.filename[:-4], 60)}]"
                with zf.open(info) as member:
                    shape, dtype = _npy_header(member, where)
                    header_len = member.tell() if member.seekable() else 0
                _check_claim(shape, dtype, where, max_bytes, info.file_size - header_len)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
        raise UserError(
            f"{path}: a damaged .npz ({_cut(str(exc))}); save it again with np.savez"
        ) from None


def load_array(
    spec: str,
    *,
    allow_pickle: bool = False,
    warn: Callable[[str], None] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> np.ndarray:
    """One array from ``file.npy``, ``file.npz[key]`` (or an .npz holding one array).

    Pipes and devices are refused unopened; headers are read first, and an array larger than
    ``max_bytes`` or than the file can hold is refused before numpy allocates it.
    """
    path, key = split_file_key(spec)
    if not path.exists() and not path.is_symlink():
        raise UserError(f"{display(path)}: no such file; check the path")
    check_regular(path, "a .npy or .npz file")
    try:
        with open_regular(path) as f:
            magic = f.read(6)
    except OSError as exc:
        raise UserError(f"{display(path)}: cannot read it ({exc.strerror})") from None
    is_npy, is_npz = magic == b"\x93NUMPY", magic[:4] == b"PK\x03\x04"
    if not (is_npy or is_npz):
        if not allow_pickle:
            raise UserError(
                f"{display(path)} is not a .npy or .npz file (a pickle?); unpickling can run "
                "code, so it loads only with --allow-pickle"
            )
        (warn or _default_warn)(PICKLE_WARNING.format(path=path))
    elif allow_pickle:
        (warn or _default_warn)(PICKLE_WARNING.format(path=path))
    if is_npy or is_npz:
        _precheck(path, is_npy, max_bytes)
    try:
        return _load(path, key, allow_pickle)
    except UserError:
        raise
    except MemoryError:
        raise UserError(f"{display(path)}: too large to load into memory") from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise UserError(
            f"{display(path)}: damaged data ({_cut(str(exc))}); save it again with np.save/np.savez"
        ) from None


def _load(path: Path, key: str | None, allow_pickle: bool) -> np.ndarray:
    try:
        data = np.load(path, allow_pickle=allow_pickle)
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise UserError(
                f"{display(path)} holds Python objects (pickled); load it only if you trust "
                "it, with --allow-pickle"
            ) from None
        raise UserError(f"{display(path)}: not a readable numpy file ({_cut(str(exc))})") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise UserError(f"{display(path)}: not a readable numpy file ({_cut(str(exc))})") from None
    except Exception as exc:  # noqa: BLE001 - an unpickling error can be anything
        raise UserError(
            f"{display(path)}: cannot load it ({type(exc).__name__}: {_cut(str(exc))})"
        ) from None
    if isinstance(data, np.lib.npyio.NpzFile):
        with data:
            names = list(data.files)
            if key is None:
                if len(names) != 1:
                    raise UserError(
                        f"{display(path)} holds {len(names):,} arrays; name one as "
                        f"{display(path.name)}[name] (arrays: {cut_list(names) or 'none'})"
                    )
                key = names[0]
            if key not in names:
                raise UserError(
                    f"{display(path)} has no array {escape(key)!r}; arrays: "
                    f"{cut_list(names) or 'none'}"
                )
            try:
                return data[key]
            except ValueError as exc:
                if "allow_pickle" not in str(exc):
                    raise UserError(
                        f"{display(path)}[{escape(key)}]: not a readable array ({_cut(str(exc))})"
                    ) from None
                raise UserError(
                    f"{display(path)}[{escape(key)}] holds Python objects (pickled); load it only "
                    "if you trust it, with --allow-pickle"
                ) from None
    if isinstance(data, dict):  # an unpickled dict, as saved_model_cli accepts
        if key is None or key not in data:
            raise UserError(
                f"{display(path)} holds a dict; name one of its keys: {cut_list(list(map(str, data)))}"
            )
        return np.asarray(data[key])
    if key is not None:
        raise UserError(f"{display(path)} holds one array; drop [{escape(key)}]")
    return np.asarray(data)


def parse_inputs(
    text: str,
    *,
    allow_pickle: bool = False,
    warn: Callable[[str], None] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict[str, np.ndarray]:
    """``--inputs`` text to arrays, one per input key."""
    feeds: dict[str, np.ndarray] = {}
    for key, spec in split_assignments(text, "--inputs"):
        if key in feeds:
            raise UserError(f"--inputs: input {key!r} is given twice")
        feeds[key] = load_array(spec, allow_pickle=allow_pickle, warn=warn, max_bytes=max_bytes)
    return feeds
