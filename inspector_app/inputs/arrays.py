"""``--inputs 'x=file.npy;y=file.npz[name]'``: arrays from numpy files, never unpickled unless asked.

Like ``saved_model_cli``: an .npz with one array needs no ``[name]``; a pickle file (or an .npy of
Python objects) loads only with ``allow_pickle=True``, which warns, since unpickling a file can run
any code its author chose.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

from inspector_app.errors import UserError
from inspector_app.inputs.expressions import split_assignments

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


def load_array(
    spec: str,
    *,
    allow_pickle: bool = False,
    warn: Callable[[str], None] | None = None,
) -> np.ndarray:
    """One array from ``file.npy``, ``file.npz[key]`` (or an .npz holding one array)."""
    path, key = split_file_key(spec)
    if not path.is_file():
        raise UserError(f"{path}: no such file" if not path.exists() else f"{path}: not a file")
    try:
        with open(path, "rb") as f:
            magic = f.read(6)
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror})") from None
    is_npy, is_npz = magic == b"\x93NUMPY", magic[:4] == b"PK\x03\x04"
    if not (is_npy or is_npz):
        if not allow_pickle:
            raise UserError(
                f"{path} is not a .npy or .npz file (a pickle?); unpickling can run code, "
                "so it loads only with --allow-pickle"
            )
        (warn or _default_warn)(PICKLE_WARNING.format(path=path))
    elif allow_pickle:
        (warn or _default_warn)(PICKLE_WARNING.format(path=path))
    try:
        data = np.load(path, allow_pickle=allow_pickle)
    except ValueError as exc:
        if "allow_pickle" in str(exc):
            raise UserError(
                f"{path} holds Python objects (pickled); load it only if you trust it, "
                "with --allow-pickle"
            ) from None
        raise UserError(f"{path}: not a readable numpy file ({exc})") from None
    except (OSError, zipfile.BadZipFile, EOFError) as exc:
        raise UserError(f"{path}: not a readable numpy file ({exc})") from None
    except Exception as exc:  # noqa: BLE001 - an unpickling error can be anything
        raise UserError(f"{path}: cannot load it ({type(exc).__name__}: {exc})") from None
    if isinstance(data, np.lib.npyio.NpzFile):
        with data:
            names = list(data.files)
            if key is None:
                if len(names) != 1:
                    raise UserError(
                        f"{path} holds {len(names)} arrays; name one as {path.name}[name] "
                        f"(arrays: {', '.join(names) or 'none'})"
                    )
                key = names[0]
            if key not in names:
                raise UserError(
                    f"{path} has no array {key!r}; arrays: {', '.join(names) or 'none'}"
                )
            try:
                return data[key]
            except ValueError:
                raise UserError(
                    f"{path}[{key}] holds Python objects (pickled); load it only if you trust "
                    "it, with --allow-pickle"
                ) from None
    if isinstance(data, dict):  # an unpickled dict, as saved_model_cli accepts
        if key is None or key not in data:
            raise UserError(
                f"{path} holds a dict; name one of its keys: {', '.join(map(str, data))}"
            )
        return np.asarray(data[key])
    if key is not None:
        raise UserError(f"{path} holds one array; drop [{key}]")
    return np.asarray(data)


def parse_inputs(
    text: str, *, allow_pickle: bool = False, warn: Callable[[str], None] | None = None
) -> dict[str, np.ndarray]:
    """``--inputs`` text to arrays, one per input key."""
    feeds: dict[str, np.ndarray] = {}
    for key, spec in split_assignments(text, "--inputs"):
        if key in feeds:
            raise UserError(f"--inputs: input {key!r} is given twice")
        feeds[key] = load_array(spec, allow_pickle=allow_pickle, warn=warn)
    return feeds
