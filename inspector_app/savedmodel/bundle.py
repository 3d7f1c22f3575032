"""A reader for ``variables/variables.index``: a LevelDB-format table of BundleEntryProto values.

Layout (leveldb ``table_format.md``): data blocks, a meta-index block, an index block, and a
48-byte footer holding the two block handles and a magic number. A block is a run of entries
``varint shared, varint non_shared, varint value_len, key_delta, value`` (keys are prefix
compressed against the previous key) followed by a restart array and its length; each block on
disk is followed by a one-byte compression type and a four-byte checksum.

The tensors themselves (the data shards) are read by ``savedmodel.checkpoint.CheckpointReader``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector_app.errors import UserError
from inspector_app.safeio import read_regular
from inspector_app.savedmodel import protos
from inspector_app.savedmodel.dtypes import ITEM_SIZE, dtype_name, shape_list

MAGIC = 0xDB4775248B80FB57
FOOTER_SIZE = 48
MAX_INDEX_BYTES = 256 * 1024 * 1024  # an index this large is not a checkpoint index


class BundleError(ValueError):
    """The index file is not a readable tensor bundle index."""


@dataclass
class BundleEntry:
    key: str  # the checkpoint key, e.g. "dense/kernel" or "layer-0/kernel/.ATTRIBUTES/VARIABLE_VALUE"
    dtype: str
    shape: list[int] | None
    size_bytes: int
    shard_id: int
    sliced: bool = False
    offset: int = 0
    crc32c: int | None = None  # masked CRC32C of the tensor's bytes, as the index records it

    @property
    def num_elements(self) -> int:
        return element_count(self.shape)


def element_count(shape: list[int] | None) -> int:
    count = 1
    for d in shape or []:
        count *= max(d, 0)
    return count


def shard_name(prefix_name: str, shard: int, num_shards: int) -> str:
    """``variables.data-00000-of-00001``: the data shard ``shard`` of the bundle ``prefix_name``."""
    return f"{prefix_name}.data-{shard:05d}-of-{max(num_shards, 1):05d}"


def shard_count(header: Any) -> int:
    """The number of data shards a bundle header declares (1 when it says nothing)."""
    return max(int(header.num_shards) if header is not None else 1, 1)


def varint(buf: bytes | memoryview, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise BundleError("truncated varint")
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise BundleError("varint too long")


def _snappy_decompress(data: bytes) -> bytes:
    """Raw snappy (what leveldb tables use when compression type is 1)."""
    length, pos = varint(data, 0)
    out = bytearray()
    while pos < len(data):
        tag = data[pos]
        pos += 1
        kind = tag & 3
        if kind == 0:  # literal
            n = tag >> 2
            if n >= 60:
                extra = n - 59
                n = int.from_bytes(data[pos : pos + extra], "little")
                pos += extra
            n += 1
            out += data[pos : pos + n]
            pos += n
            continue
        if kind == 1:
            n = ((tag >> 2) & 7) + 4
            offset = ((tag >> 5) << 8) | data[pos]
            pos += 1
        elif kind == 2:
            n = (tag >> 2) + 1
            offset = int.from_bytes(data[pos : pos + 2], "little")
            pos += 2
        else:
            n = (tag >> 2) + 1
            offset = int.from_bytes(data[pos : pos + 4], "little")
            pos += 4
        if offset == 0 or offset > len(out):
            raise BundleError("corrupt snappy block")
        for _ in range(n):  # copies may overlap their own output
            out.append(out[-offset])
    if len(out) != length:
        raise BundleError("corrupt snappy block (length mismatch)")
    return bytes(out)


def _block(data: bytes, handle: tuple[int, int]) -> bytes:
    offset, size = handle
    end = offset + size
    if end + 5 > len(data):
        raise BundleError("a block points past the end of the file")
    contents = data[offset:end]
    kind = data[end]
    if kind == 0:
        return contents
    if kind == 1:
        return _snappy_decompress(contents)
    raise BundleError(f"unknown block compression type {kind}")


def _entries(block: bytes) -> list[tuple[bytes, bytes]]:
    if len(block) < 4:
        raise BundleError("block too short")
    (num_restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    limit = len(block) - 4 - 4 * num_restarts
    if limit < 0:
        raise BundleError("corrupt restart array")
    out: list[tuple[bytes, bytes]] = []
    pos, key = 0, b""
    while pos < limit:
        shared, pos = varint(block, pos)
        non_shared, pos = varint(block, pos)
        value_len, pos = varint(block, pos)
        if shared > len(key) or pos + non_shared + value_len > limit:
            raise BundleError("corrupt block entry")
        key = key[:shared] + block[pos : pos + non_shared]
        pos += non_shared
        out.append((key, block[pos : pos + value_len]))
        pos += value_len
    return out


def _handle(value: bytes) -> tuple[int, int]:
    offset, pos = varint(value, 0)
    size, _ = varint(value, pos)
    return offset, size


def read_table(data: bytes) -> list[tuple[bytes, bytes]]:
    """All (key, value) pairs of a leveldb-format table, in key order."""
    if len(data) < FOOTER_SIZE:
        raise BundleError(f"too short for a table ({len(data)} bytes)")
    footer = data[-FOOTER_SIZE:]
    (magic,) = struct.unpack_from("<Q", footer, 40)
    if magic != MAGIC:
        raise BundleError("no table magic number at the end (not a checkpoint index)")
    _, pos = varint(footer, 0)  # meta-index offset
    _, pos = varint(footer, pos)  # meta-index size
    index_offset, pos = varint(footer, pos)
    index_size, _ = varint(footer, pos)
    out: list[tuple[bytes, bytes]] = []
    for _, handle in _entries(_block(data, (index_offset, index_size))):
        out.extend(_entries(_block(data, _handle(handle))))
    return out


def read_bundle_index(path: Path) -> tuple[Any, list[BundleEntry]]:
    """The header (BundleHeaderProto or None) and the entries of a ``variables.index`` file."""
    bundle_pb2 = protos.module("tensor_bundle_pb2")
    try:
        data = read_regular(path, MAX_INDEX_BYTES, "a checkpoint index")
    except UserError as err:
        raise BundleError(str(err.args[0])) from None
    try:
        return _parse_index(data, bundle_pb2)
    except BundleError:
        raise
    except Exception as err:  # noqa: BLE001 - struct/index/protobuf errors of a damaged file
        raise BundleError(f"damaged table ({type(err).__name__})") from None


def _parse_index(data: bytes, bundle_pb2: Any) -> tuple[Any, list[BundleEntry]]:
    header = None
    entries: list[BundleEntry] = []
    for key, value in read_table(data):
        if key == b"":
            header = bundle_pb2.BundleHeaderProto.FromString(value)
            continue
        entry = bundle_pb2.BundleEntryProto.FromString(value)
        dtype = dtype_name(entry.dtype)
        shape = shape_list(entry.shape)
        nbytes = int(entry.size)
        if entry.slices and not nbytes:
            nbytes = ITEM_SIZE.get(dtype, 0) * element_count(shape)
        entries.append(
            BundleEntry(
                key=key.decode("utf-8", "replace"),
                dtype=dtype,
                shape=shape,
                size_bytes=nbytes,
                shard_id=int(entry.shard_id),
                sliced=bool(entry.slices),
                offset=int(entry.offset),
                crc32c=int(entry.crc32c) if entry.crc32c else None,
            )
        )
    return header, entries
