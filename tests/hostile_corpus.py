"""Hostile and broken inputs for the fuzz suite (tests/test_fuzz_hostile.py), built in tmp
folders from one small model (the bundled mnist_softmax demo: a fixed [?, 784] input, variables,
fingerprint.pb, assets), with a fixed seed. No TensorFlow: protobuf edits only.

Each builder returns what the command line gets; none of them needs more than a few MB.
"""

from __future__ import annotations

import os
import random
import shutil
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from inspector_app.resources import resource_path

SEED = 1313
DATA = "variables/variables.data-00000-of-00001"
INDEX = "variables/variables.index"


def source_model() -> Path:
    return resource_path("demo_models", "mnist_softmax")


def other_model() -> Path:
    return resource_path("demo_models", "shapes_segmentation")


def copy_model(dest: Path) -> Path:
    shutil.copytree(source_model(), dest)
    return dest


# --------------------------------------------------------------------------- special files


def make_fifo(path: Path) -> Path:
    if path.exists() or path.is_symlink():
        path.unlink()
    os.mkfifo(path)
    return path


def link_dev_zero(path: Path) -> Path:
    if path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to("/dev/zero")
    return path


def make_dir_instead(path: Path) -> Path:
    if path.exists() or path.is_symlink():
        path.unlink()
    path.mkdir()
    return path


# --------------------------------------------------------------------------- damaged files


def truncate(path: Path, keep: int) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[:keep])
    return path


def sparse_huge(path: Path, size: int = 64 * 2**30) -> Path:
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def bit_flips(path: Path, flips: int, rng: random.Random) -> Path:
    data = bytearray(path.read_bytes())
    for _ in range(flips):
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(data))
    return path


def edit_saved_model(model: Path, edit) -> Path:  # noqa: ANN001
    """Apply ``edit(SavedModel message)`` to ``model/saved_model.pb`` (protobuf only)."""
    from inspector_app.savedmodel import protos

    message = protos.saved_model_pb2().SavedModel()
    pb = model / "saved_model.pb"
    message.ParseFromString(pb.read_bytes())
    edit(message)
    pb.write_bytes(message.SerializeToString())
    return model


def add_escape_names(model: Path) -> str:
    """A signature and an input whose names hold terminal escape sequences; returns the key."""
    evil = "evil\x1b]0;pwned\x07\x1b[2J"

    def edit(message) -> None:  # noqa: ANN001
        mg = message.meta_graphs[0]
        sig = mg.signature_def[evil]
        sig.CopyFrom(mg.signature_def["serving_default"])
        info = sig.inputs["images"]
        sig.inputs["in\x1b[31mred"].CopyFrom(info)

    edit_saved_model(model, edit)
    return evil


def long_device_string(model: Path) -> Path:
    def edit(message) -> None:  # noqa: ANN001
        node = message.meta_graphs[0].graph_def.node[0]
        node.device = "/job:localhost/replica:0/task:0/device:GPU:" + "9" * 5000

    return edit_saved_model(model, edit)


# --------------------------------------------------------------------------- base folders


def base_with_versions(base: Path, names: list[str], model: Path | None = None) -> Path:
    base.mkdir(parents=True, exist_ok=True)
    for name in names:
        (base / name).mkdir()
    if model is not None:
        shutil.copytree(model, base / "1")
    return base


def base_many_versions(base: Path, count: int) -> Path:
    base.mkdir(parents=True)
    for n in range(1, count + 1):
        (base / str(n)).mkdir()
    return base


def base_many_entries(base: Path, count: int, model: Path) -> Path:
    base.mkdir(parents=True)
    for n in range(count):
        (base / f"junk_{n:05d}").mkdir()
    shutil.copytree(model, base / "7")
    return base


def base_newest_corrupt(base: Path) -> Path:
    base.mkdir(parents=True)
    shutil.copytree(source_model(), base / "1")
    shutil.copytree(source_model(), base / "2")
    truncate(base / "2" / "saved_model.pb", 100)
    return base


# --------------------------------------------------------------------------- numpy files


def npy_claiming(path: Path, shape: tuple[int, ...], dtype: str = "<f8") -> Path:
    header = f"{{'descr': '{dtype}', 'fortran_order': False, 'shape': {shape!r}, }}".encode()
    header += b" " * (64 - (10 + len(header) + 1) % 64) + b"\n"
    path.write_bytes(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + b"\0" * 64)
    return path


def npz_bad_crc(path: Path) -> Path:
    np.savez(path, a=np.arange(50_000, dtype=np.float64))
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x55  # inside the stored member's data
    path.write_bytes(bytes(data))
    return path


def npz_bad_deflate(path: Path) -> Path:
    np.savez_compressed(path, a=np.arange(50_000, dtype=np.float64))
    data = bytearray(path.read_bytes())
    for i in range(80, 120):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def npz_claiming(path: Path, shape: tuple[int, ...]) -> Path:
    inner = npy_claiming(path.with_suffix(".inner"), shape)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.npy", inner.read_bytes())
    inner.unlink()
    return path


def npz_many_members(path: Path, count: int) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        for n in range(count):
            z.writestr(f"member_with_a_long_name_{n:06d}.npy", b"")
    return path


# --------------------------------------------------------------------------- images


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(path: Path, width: int = 28, height: int = 28, extra: bytes = b"") -> Path:
    raw = b"".join(b"\0" + b"\x80" * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + extra
        + _png_chunk(b"IDAT", zlib.compress(raw))
        + _png_chunk(b"IEND", b"")
    )
    return path


def png_text_bomb(path: Path) -> Path:
    """A zTXt chunk that inflates past pillow's MAX_TEXT_CHUNK (1 MB) from 10 KB."""
    text = b"comment\0\0" + zlib.compress(b"A" * (8 * 2**20), 9)
    return png(path, extra=_png_chunk(b"zTXt", text))


def png_pixel_bomb(path: Path) -> Path:
    """A header claiming 100,000 x 100,000 pixels (the data is tiny)."""
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IEND", b""))
    return path


# --------------------------------------------------------------------------- warmup files


def warmup_file(path: Path, tensor_edit) -> Path:  # noqa: ANN001
    """A TF Serving warmup file with one predict record whose input tensor ``tensor_edit``
    shapes (on a float32 [1, 784] tensor)."""
    from inspector_app.inputs import warmup

    m = warmup.messages()
    log = m.PredictionLog()
    req = log.predict_log.request
    req.model_spec.name = "m"
    tensor = req.inputs["images"]
    tensor.CopyFrom(warmup.to_tensor_proto(np.zeros((1, 784), np.float32)))
    tensor_edit(tensor)
    warmup.write_tfrecords(path, [log.SerializeToString()])
    return path


def warmup_cases() -> dict[str, object]:
    def huge_shape(t) -> None:  # noqa: ANN001 - 10^9 elements, one value
        t.ClearField("tensor_content")
        del t.tensor_shape.dim[:]
        t.tensor_shape.dim.add(size=10**9)
        t.float_val.append(1.0)

    def unknown_dtype(t) -> None:  # noqa: ANN001
        t.dtype = 999

    def short_content(t) -> None:  # noqa: ANN001
        t.tensor_content = t.tensor_content[:10]

    def half_out_of_range(t) -> None:  # noqa: ANN001
        t.ClearField("tensor_content")
        t.dtype = 19  # DT_HALF
        t.half_val.append(1 << 20)

    def rank_200(t) -> None:  # noqa: ANN001
        t.ClearField("tensor_content")
        del t.tensor_shape.dim[:]
        for _ in range(200):
            t.tensor_shape.dim.add(size=1)
        t.float_val.append(1.0)

    return {
        "huge_shape": huge_shape,
        "unknown_dtype": unknown_dtype,
        "short_content": short_content,
        "half_out_of_range": half_out_of_range,
        "rank_200": rank_200,
    }


def rng() -> random.Random:
    return random.Random(SEED)
