"""TFRecord files without TensorFlow: the framing (length, masked CRC-32C of the length, data,
masked CRC-32C of the data) read and written, both CRCs checked on reading."""

from __future__ import annotations

import os
import struct
from collections.abc import Iterator, Sequence

from inspector_app.errors import UserError
from inspector_app.fileio import atomic_write
from inspector_app.safeio import open_regular

_CRC_TABLE: list[int] = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc32c(data: bytes) -> int:
    """CRC-32C (Castagnoli), as TFRecord uses."""
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def encode_record(data: bytes) -> bytes:
    """One TFRecord: length, masked CRC of the length, data, masked CRC of the data."""
    header = struct.pack("<Q", len(data))
    return (
        header
        + struct.pack("<I", masked_crc32c(header))
        + data
        + struct.pack("<I", masked_crc32c(data))
    )


def write_tfrecords(
    path: str | os.PathLike, records: Sequence[bytes], *, overwrite: bool = True
) -> None:
    """Write ``records`` as a TFRecord file, atomically (``fileio.atomic_write``)."""

    def write(fh) -> None:
        for r in records:
            fh.write(encode_record(r))

    atomic_write(path, write, overwrite=overwrite)


def iter_tfrecords(path: str | os.PathLike) -> Iterator[bytes]:
    """The records of a TFRecord file, checking both CRCs; UserError names the bad record."""
    label = str(path)
    try:
        f = open_regular(path, "a TFRecord warmup file")  # pipes and devices: never opened
    except FileNotFoundError:
        raise UserError("no such file", path=label) from None
    except OSError as exc:
        raise UserError(f"cannot read the file: {exc.strerror or exc}", path=label) from None
    try:
        size = os.fstat(f.fileno()).st_size
        number = 0
        while True:
            number += 1
            header = f.read(12)
            if not header:
                return
            if len(header) < 12:
                raise UserError(f"record {number} is cut short (truncated file)", path=label)
            (length,) = struct.unpack("<Q", header[:8])
            (length_crc,) = struct.unpack("<I", header[8:])
            if masked_crc32c(header[:8]) != length_crc:
                raise UserError(
                    f"record {number} is corrupt (length checksum mismatch); not a TFRecord file?",
                    path=label,
                )
            if length > size - f.tell() - 4:
                raise UserError(f"record {number} is cut short (truncated file)", path=label)
            data = f.read(length)
            footer = f.read(4)
            if len(data) < length or len(footer) < 4:
                raise UserError(f"record {number} is cut short (truncated file)", path=label)
            if masked_crc32c(data) != struct.unpack("<I", footer)[0]:
                raise UserError(f"record {number} is corrupt (data checksum mismatch)", path=label)
            yield data
    finally:
        f.close()
