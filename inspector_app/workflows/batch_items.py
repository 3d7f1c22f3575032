"""The items of a batch job: files of a folder (recursive) or the records of a TFRecord file,
with their labels (a folder per class, or a CSV of file,label) and segmentation masks.

Items are found lazily, in a stable order (folders and names sorted), so that a folder of
100,000 pictures costs no more memory than a folder of ten; only a first pass counts them.
Files that cannot be read are items all the same: the job lists them as failures.
"""

from __future__ import annotations

import csv
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from inspector_app.errors import UserError

KINDS = ("images", "arrays", "examples")
MASK_SUFFIXES = ("_mask", ".mask")  # photo.jpg -> photo_mask.png or photo.mask.png beside it
MASK_EXTENSIONS = (".png", ".bmp", ".tif", ".tiff", ".gif", ".npy")
CRC_CHECK_LIMIT = 16 * 1024  # record data checked against its CRC up to this size (pure Python)
_HEADER_NAMES = {"file", "filename", "file_name", "path", "image", "name", "item", "record"}


@dataclass(frozen=True)
class BatchItem:
    """One input of a batch job. ``name`` is what the table shows: the path relative to the
    folder, or ``records.tfrecord#12`` (records count from 0)."""

    index: int
    name: str
    path: str  # the file to read (the TFRecord file for records)
    label: str | None = None  # the true label, when labels were given
    mask: str | None = None  # a segmentation mask file beside the image
    record: bytes | None = None  # the serialized tf.Example (records)
    offset: int = -1  # where the record starts in the file (records), to read it again
    error: str | None = None  # the item cannot be read at all (a corrupt record)


def mask_for(path: Path) -> Path | None:
    """The mask file beside image ``path`` (``photo_mask.png``, ``photo.mask.png``...), or None."""
    for suffix in MASK_SUFFIXES:
        for ext in MASK_EXTENSIONS:
            candidate = path.with_name(path.stem + suffix + ext)
            if candidate.is_file():
                return candidate
    return None


def _is_mask_file(name: str) -> bool:
    stem, ext = os.path.splitext(name)
    return ext.lower() in MASK_EXTENSIONS and stem.endswith(MASK_SUFFIXES)


def _walk(root: Path, skip: set[str]) -> Iterator[Path]:
    """Every visible file under ``root`` in sorted order, masks and ``skip`` paths left out."""
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or _is_mask_file(name):
                continue
            path = Path(folder) / name
            if str(path) in skip:
                continue
            yield path


class Labels:
    """True labels by item: ``folders`` (the first folder under the root names the class) or a
    CSV file of ``file,label`` rows (paths relative to the root, or bare file names)."""

    def __init__(self, mode: str, by_key: dict[str, str] | None = None, source: str = "") -> None:
        self.mode = mode  # "folders" or "csv"
        self.by_key = by_key or {}
        self.source = source
        self.by_base: dict[str, str] = {}
        for key, label in self.by_key.items():
            self.by_base.setdefault(key.rsplit("/", 1)[-1].rsplit("#", 1)[-1], label)

    @classmethod
    def parse(cls, text: str | None, root: Path) -> Labels | None:
        """``folders``, a CSV path, or None/empty for no labels."""
        if not text:
            return None
        if text == "folders":
            return cls("folders", source="class folders")
        return cls.from_csv(Path(text), root)

    @classmethod
    def from_csv(cls, path: Path, root: Path) -> Labels:
        try:
            with open(path, newline="", encoding="utf-8-sig") as f:
                rows = [r for r in csv.reader(f) if r and any(c.strip() for c in r)]
        except FileNotFoundError:
            raise UserError("no such label file", path=str(path)) from None
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise UserError(f"cannot read the label CSV: {exc}", path=str(path)) from None
        if rows and rows[0][0].strip().lower() in _HEADER_NAMES:
            rows = rows[1:]
        by_key: dict[str, str] = {}
        for number, row in enumerate(rows, start=1):
            if len(row) < 2 or not row[0].strip() or not row[1].strip():
                raise UserError(
                    f"row {number} is not 'file,label' (got {','.join(row)!r}); "
                    "write one file and its label per line",
                    path=str(path),
                )
            by_key[_key(row[0].strip(), root)] = row[1].strip()
        if not by_key:
            raise UserError("the label CSV has no rows; write 'file,label' lines", path=str(path))
        return cls("csv", by_key, source=path.name)

    def label_for(self, name: str) -> str | None:
        if self.mode == "folders":
            parts = name.split("/")
            return parts[0] if len(parts) > 1 else None
        found = self.by_key.get(name)
        if found is None:
            found = self.by_base.get(name.rsplit("/", 1)[-1].rsplit("#", 1)[-1])
        return found

    def classes(self, root: Path) -> list[str]:
        """Every class name the labels know, sorted (the ImageFolder order)."""
        if self.mode == "folders":
            return sorted(
                d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith(".")
            )
        return sorted(set(self.by_key.values()))


def _key(text: str, root: Path) -> str:
    """A CSV's file column as an item name: relative to the root, with forward slashes."""
    p = Path(text)
    if p.is_absolute():
        try:
            p = p.resolve().relative_to(root.resolve())
        except ValueError:
            return p.as_posix()
    return p.as_posix().removeprefix("./")


class ItemSource:
    """The items of a folder (``images`` or ``arrays``) or of a TFRecord file (``examples``)."""

    def __init__(self, kind: str, path: str | os.PathLike, labels: str | None = None) -> None:
        if kind not in KINDS:
            raise UserError(f"unknown kind of items {kind!r}; use one of {', '.join(KINDS)}")
        self.kind = kind
        self.path = Path(path).expanduser()
        if kind == "examples":
            if not self.path.is_file():
                what = "no such file" if not self.path.exists() else "not a file"
                raise UserError(f"{what}; give a TFRecord file of tf.Example records",
                                path=str(self.path))  # fmt: skip
            self.root = self.path.parent
        else:
            if not self.path.is_dir():
                what = "no such folder" if not self.path.exists() else "not a folder"
                raise UserError(f"{what}; give a folder of {kind}", path=str(self.path))
            self.root = self.path
        if labels == "folders" and kind == "examples":
            raise UserError("--labels folders needs a folder of items; give a CSV file,label")
        self.labels = Labels.parse(labels, self.root)
        self._skip = {str(Path(labels))} if labels and labels != "folders" else set()
        self.count = self._count()
        if self.count == 0:
            what = "records" if kind == "examples" else "files"
            raise UserError(f"no {what} to run on", path=str(self.path))

    @property
    def label_source(self) -> str:
        return self.labels.source if self.labels else ""

    def classes(self) -> list[str]:
        return self.labels.classes(self.root) if self.labels else []

    def _count(self) -> int:
        if self.kind == "examples":
            return sum(1 for _ in _record_spans(self.path))
        return sum(1 for _ in _walk(self.root, self._skip))

    def __iter__(self) -> Iterator[BatchItem]:
        if self.kind == "examples":
            yield from self._records()
            return
        for index, path in enumerate(_walk(self.root, self._skip)):
            name = path.relative_to(self.root).as_posix()
            label = self.labels.label_for(name) if self.labels else None
            mask = mask_for(path) if self.kind == "images" else None
            yield BatchItem(index, name, str(path), label, str(mask) if mask else None)

    def _records(self) -> Iterator[BatchItem]:
        base = self.path.name
        for index, (offset, data, error) in enumerate(read_records(self.path)):
            name = f"{base}#{index}"
            label = self.labels.label_for(name) if self.labels else None
            if label is None and self.labels is not None:
                label = self.labels.by_key.get(str(index))
            yield BatchItem(index, name, str(self.path), label, None, data, offset, error)


def _masked_crc(data: bytes) -> int:
    from inspector_app.inputs.warmup import masked_crc32c

    return masked_crc32c(data)


def _record_spans(path: Path) -> Iterator[tuple[int, int | None, str | None]]:
    """(offset, data length or None, error) per record, reading headers only. A record whose
    length cannot be trusted ends the file: nothing after it can be found."""
    size = path.stat().st_size
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed in the finally below, generator-safe
    except OSError as exc:
        raise UserError(f"cannot read the file: {exc.strerror or exc}", path=str(path)) from None
    try:
        offset = 0
        while offset < size:
            f.seek(offset)
            header = f.read(12)
            if len(header) < 12:
                yield offset, None, "cut short (truncated file); no records after it"
                return
            (length,) = struct.unpack("<Q", header[:8])
            if _masked_crc(header[:8]) != struct.unpack("<I", header[8:])[0]:
                yield offset, None, "corrupt length (checksum mismatch); nothing after it is read"
                return
            if offset + 12 + length + 4 > size:
                yield offset, None, "cut short (truncated file); no records after it"
                return
            yield offset, length, None
            offset += 12 + length + 4
    finally:
        f.close()


def read_records(path: str | os.PathLike) -> Iterator[tuple[int, bytes | None, str | None]]:
    """(offset, data, error) for each record of a TFRecord file. Unlike a plain reader it goes
    on after a bad record when it can: a record whose data fails its checksum (checked up to
    ``CRC_CHECK_LIMIT`` bytes) or is not a tf.Example is an error; the next one is read."""
    path = Path(path)
    with open(path, "rb") as f:
        for offset, length, error in _record_spans(path):
            if length is None:
                yield offset, None, error
                continue
            f.seek(offset + 12)
            data = f.read(length)
            footer = f.read(4)
            yield offset, *_check_record(data, footer)


def read_record_at(path: str | os.PathLike, offset: int) -> bytes:
    """The record that starts at ``offset`` (to run one item of a job again)."""
    with open(path, "rb") as f:
        f.seek(offset)
        header = f.read(12)
        (length,) = struct.unpack("<Q", header[:8])
        data, error = _check_record(f.read(length), f.read(4))
    if data is None:
        raise UserError(f"record at byte {offset}: {error}", path=str(path))
    return data


def _check_record(data: bytes, footer: bytes) -> tuple[bytes | None, str | None]:
    if len(data) <= CRC_CHECK_LIMIT and _masked_crc(data) != struct.unpack("<I", footer)[0]:
        return None, "corrupt data (checksum mismatch)"
    from google.protobuf.message import DecodeError

    from inspector_app.savedmodel import protos

    try:
        protos.module("example_pb2").Example().ParseFromString(data)
    except DecodeError:
        return None, "not a tf.Example record (cannot be parsed)"
    return data, None
