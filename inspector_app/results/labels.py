"""Class names for scores and masks: from a label file, the model's assets, a classify signature.

A label file is plain text with one name per line. Its line count must be the number of classes
C, or C + 1 (ImageNet's files carry a first line 'background' that 1000-class models leave out),
or C - 1 (a 1001-class model whose file has no 'background' line).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inspector_app.errors import UserError
from inspector_app.fileio import atomic_write_bytes
from inspector_app.safeio import check_regular, read_regular

# PASCAL VOC 2012 segmentation classes, in the order of their class ids (255 = "void"/border).
VOC_CLASSES: tuple[str, ...] = (
    "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair",
    "cow", "diningtable", "dog", "horse", "motorbike", "person", "pottedplant", "sheep", "sofa",
    "train", "tvmonitor",
)  # fmt: skip

MAX_LABEL_FILE_BYTES = 16_000_000  # 16 MB, as the message says (units.MB)
_LABEL_NAME_HINTS = ("label", "class", "categor", "synset", "vocab")
# "12 goldfish", "12: goldfish", "12,goldfish" - an id column before the name.
_ID_LINE = re.compile(r"^\s*(\d+)\s*[:,\t ]\s*(.+?)\s*$")


@dataclass(frozen=True)
class LabelSet:
    """Names for class ids 0..C-1 and where they came from (shown in the window)."""

    names: tuple[str, ...]
    source: str

    def name(self, class_id: int) -> str:
        """The name of ``class_id``, or ``"class N"`` when the set has none for it."""
        if 0 <= class_id < len(self.names):
            return self.names[class_id]
        return f"class {class_id}"


def default_labels(num_classes: int) -> LabelSet:
    """Plain ``class N`` names, used when nothing better is known."""
    return LabelSet(tuple(f"class {i}" for i in range(num_classes)), "class ids (no labels known)")


def read_label_file(path: str | Path) -> list[str]:
    """Names from a text file: one per line, or ``id name`` lines; blank trailing lines ignored."""
    p = Path(path)
    try:
        if check_regular(p, "a label text file").st_size > MAX_LABEL_FILE_BYTES:  # no pipes
            raise UserError(
                "label file is larger than 16 MB; choose a text file with one name per line",
                path=str(p),
            )
        raw = read_regular(p, MAX_LABEL_FILE_BYTES, "a label text file")
    except OSError as err:
        raise UserError(f"cannot read label file: {err.strerror or err}", path=str(p)) from err
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UserError(
            "label file is not UTF-8 text; choose a text file with one name per line", path=str(p)
        ) from err
    if "\x00" in text:
        raise UserError(
            "label file is binary, not text; choose a text file with one name per line", path=str(p)
        )
    lines = [line.strip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        raise UserError("label file is empty; it needs one class name per line", path=str(p))
    return _strip_id_column(lines)


def _strip_id_column(lines: list[str]) -> list[str]:
    """Drop a leading id column when every line has one and the ids count 0.. or 1.. in order."""
    matches = [_ID_LINE.match(line) for line in lines]
    if not all(matches):
        return lines
    ids = [int(m.group(1)) for m in matches]  # type: ignore[union-attr]
    start = ids[0]
    if start in (0, 1) and ids == list(range(start, start + len(ids))):
        return [m.group(2) for m in matches]  # type: ignore[union-attr]
    return lines


def align_labels(names: Sequence[str], num_classes: int, source: str) -> LabelSet | None:
    """Fit ``names`` to ``num_classes`` (C, C + 1 or C - 1 names), or None when they do not fit."""
    n = len(names)
    if n == num_classes:
        return LabelSet(tuple(names), source)
    if n == num_classes + 1:
        return LabelSet(
            tuple(names[1:]),
            f"{source} ({n} names for {num_classes} classes: first line '{names[0]}' dropped)",
        )
    if n == num_classes - 1 and num_classes > 2:
        return LabelSet(
            ("background", *names),
            f"{source} ({n} names for {num_classes} classes: 'background' added as class 0)",
        )
    return None


def label_asset_candidates(assets_dir: str | Path | None) -> list[Path]:
    """Text files in a model's assets folder, the likely label files first."""
    if not assets_dir:
        return []
    folder = Path(assets_dir)
    try:
        stamp = folder.stat().st_mtime_ns
    except OSError:
        return []
    if not folder.is_dir():
        return []
    # Every run asks again; the folder is walked once while it stays unchanged.
    return list(_candidates(str(folder.resolve()), stamp))


@functools.lru_cache(maxsize=32)
def _candidates(folder_path: str, _stamp: int) -> tuple[Path, ...]:
    folder = Path(folder_path)
    files = [
        f for f in sorted(folder.rglob("*"))
        if f.is_file() and f.suffix.lower() in (".txt", ".labels", "") and f.stat().st_size <= MAX_LABEL_FILE_BYTES
    ]  # fmt: skip
    return tuple(
        sorted(
            files, key=lambda f: (not any(h in f.name.lower() for h in _LABEL_NAME_HINTS), str(f))
        )
    )


def labels_from_assets(
    assets_dir: str | Path | None, num_classes: int, at_least: bool = False
) -> LabelSet | None:
    """The first asset file whose line count fits ``num_classes`` (or exceeds it, ``at_least``)."""
    for candidate in label_asset_candidates(assets_dir):
        try:
            names = read_label_file(candidate)
        except UserError:
            continue
        named_as_labels = any(h in candidate.name.lower() for h in _LABEL_NAME_HINTS)
        if named_as_labels:
            fitted = align_labels(names, num_classes, f"model asset {candidate.name}")
        elif len(names) == num_classes and num_classes > 2:
            # Any other text asset only when its line count is exactly the class count.
            fitted = LabelSet(tuple(names), f"model asset {candidate.name}")
        else:
            fitted = None
        if fitted is None and at_least and named_as_labels and len(names) >= num_classes:
            fitted = LabelSet(tuple(names), f"model asset {candidate.name}")
        if fitted is not None:
            return fitted
    return None


def labels_from_classes_output(classes: np.ndarray, item: int = 0) -> list[str] | None:
    """A classify signature's ``classes`` output ([N, C] strings) as names for batch ``item``."""
    arr = np.asarray(classes)
    if arr.ndim != 2 or arr.dtype.kind not in "SUO" or not 0 <= item < arr.shape[0]:
        return None
    return [v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in arr[item]]


def resolve_labels(
    num_classes: int,
    *,
    user_labels: Sequence[str] | None = None,
    classes_output: np.ndarray | None = None,
    assets_dir: str | Path | None = None,
    segmentation: bool = False,
    at_least: bool = False,
) -> LabelSet:
    """The best names for ``num_classes`` classes, in this order: the user's list, a classify
    signature's classes output, a label asset of the model, PASCAL VOC (21-class masks), ids.

    ``at_least``: the count is only a lower bound (a class-id mask whose largest id is C - 1), so
    any list with at least C names fits as it is.
    """
    if user_labels:
        fitted = align_labels(list(user_labels), num_classes, "label file")
        if fitted is None and at_least and len(user_labels) >= num_classes:
            fitted = LabelSet(tuple(user_labels), "label file")
        if fitted is not None:
            return fitted
    if classes_output is not None:
        names = labels_from_classes_output(classes_output)
        if names is not None and len(names) == num_classes and any(names):
            return LabelSet(tuple(names), "the signature's classes output")
    from_assets = labels_from_assets(assets_dir, num_classes, at_least=at_least)
    if from_assets is not None:
        return from_assets
    if segmentation and num_classes == len(VOC_CLASSES):
        # 21 classes and nothing else known: PASCAL VOC is by far the likeliest.
        return LabelSet(VOC_CLASSES[:num_classes], "PASCAL VOC class names (21-class default)")
    return default_labels(num_classes)


class LabelMemory:
    """Remembers the label file a user chose for each model, in a small JSON file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def get(self, model_path: str | Path) -> str | None:
        """The label file remembered for ``model_path``, if it still exists."""
        chosen = self._load().get(str(Path(model_path).resolve()))
        return chosen if chosen and Path(chosen).is_file() else None

    def set(self, model_path: str | Path, label_file: str | Path) -> None:
        """Remember ``label_file`` for ``model_path`` (written atomically)."""
        data = self._load()
        data[str(Path(model_path).resolve())] = str(Path(label_file).resolve())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(self.path, json.dumps(data, indent=1).encode(), overwrite=True)
