"""Which input editor fits a signature input, where a value given as text or a path goes, and
the arrays an ``.npz`` file holds (Qt-free: the window's input rows ask these questions).

Editor kinds are plain names; ``inspector_app.ui.editors`` maps each to its widget:
``autosize`` (filled from an image input's size), ``image``, ``text`` (one string per line),
``example`` (a tf.Example table), ``bytes`` (file contents), ``scalar``, ``fill``, ``array_file``
(.npy/.npz/pickle), ``expression`` and ``array_value`` (an array set from code).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from inspector_app.errors import UserError
from inspector_app.inputs import images, scalars
from inspector_app.inputs.validate import TensorSpec, is_string_dtype
from inspector_app.safeio import escape, refuse_message, special_kind

MAX_PATH_TEXT = 4096  # longer text (or text with a newline) is never taken for a path
ARRAY_SUFFIXES = (".npy", ".npz")


def editor_kinds(spec: TensorSpec, has_image_input: bool) -> list[str]:
    """The editor kinds that fit an input, the best first.

    A uint8 ``[1, ?, ?, 3]`` input starts with ``image``; an int32 scalar named ``height`` beside
    an image input with ``autosize``; a string input with ``text``, then ``example`` and ``bytes``.
    Every input can take an array file, an expression or an array set from code."""
    kinds: list[str] = []
    string = is_string_dtype(spec.dtype)
    scalar_like = spec.shape is not None and (len(spec.shape) == 0 or spec.shape in ([1], [-1]))
    if has_image_input and spec.name in scalars.dimension_inputs([spec]):
        kinds.append("autosize")
    if images.is_image_spec(spec):
        kinds.append("image")
    if string:
        kinds += ["text", "example", "bytes"]
    elif scalar_like:
        kinds.append("scalar")
    if not string:
        kinds.append("fill")
        if "image" not in kinds and spec.dtype in images.IMAGE_DTYPES:
            kinds.append("image")  # any input the user points at an image
    kinds += ["array_file", "expression", "array_value"]
    return kinds


def _looks_like_path(text: str) -> bool:
    return len(text) < MAX_PATH_TEXT and "\n" not in text


def route_text(text: str, kinds: Sequence[str]) -> str:
    """The editor kind that takes ``text`` (a path or a value written out), among ``kinds``.

    An existing ``.npy``/``.npz`` file goes to ``array_file``, an image file to ``image``, another
    file to ``bytes`` (string inputs); other text to ``text``, ``scalar`` or ``expression``, in
    that order. A pipe or a device is refused without being opened (UserError)."""
    kind = special_kind(text) if _looks_like_path(text) else None
    if kind is not None and kind != "a folder":
        raise UserError(f"{escape(text)}: {refuse_message(kind, 'a file')}")
    path = Path(text)
    is_file = _looks_like_path(text) and path.is_file()
    if is_file and path.suffix.lower() in ARRAY_SUFFIXES:
        return "array_file"
    if is_file and images.is_image_path(path) and "image" in kinds:
        return "image"
    if is_file and "bytes" in kinds:
        return "bytes"
    for kind in ("text", "scalar", "expression"):
        if kind in kinds:
            return kind
    raise UserError(f"cannot make a value from {text!r}")


def npz_keys(path: str | os.PathLike) -> list[str]:
    """The names of the arrays in an ``.npz`` file, without loading any (none for another file, a
    pipe or a file that cannot be read: reading its value then says what is wrong)."""
    text = str(path)
    if not text.endswith(".npz") or special_kind(text) is not None:  # never a pipe
        return []
    try:
        with np.load(text, allow_pickle=False) as data:
            return list(data.files)
    except (OSError, ValueError, zipfile.BadZipFile):
        return []


def array_reference(path: str, key: str) -> str:
    """The ``file.npz[key]`` spelling ``inputs.arrays.load_array`` reads (the path alone when
    there is no key)."""
    return f"{path}[{key}]" if key else path


def explain(exc: BaseException) -> str:
    """One line for an error that is not a UserError, with what to do where that is known."""
    if isinstance(exc, MemoryError):
        return "too large for memory; use a smaller value"
    if isinstance(exc, RecursionError):
        return "nested too deeply; simplify it"
    return f"{type(exc).__name__}: {exc}"
