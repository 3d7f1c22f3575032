"""Images as model inputs: decode with pillow, resize to the model's size, lay out as a batch
(opening files safely and thumbnails: ``inputs.image_files``).

Speed matters (a batch of 32 JPEGs should cost little more than decoding them): JPEGs are
decoded at a reduced scale with ``Image.draft`` when the target is smaller, resizing uses
``reducing_gap``, and pixels go straight into one preallocated array, converted and scaled in
place.
"""

from __future__ import annotations

import math
import os
import struct
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from inspector_app.errors import UserError
from inspector_app.inputs.image_files import (
    REDUCING_GAP,
    ImageSource,
    image_file_suffixes,
    image_size,
    is_image_path,
    label_of,
    open_image,
    thumbnail,
)
from inspector_app.inputs.validate import TensorSpec, describe, numpy_dtype

RESIZE_MODES = {"stretch": "Stretch", "pad": "Keep aspect, pad", "crop": "Centre crop"}
COLOR_MODES = {"rgb": "RGB", "bgr": "BGR", "gray": "Grayscale"}
VALUE_PRESETS = {
    "raw": "0–255 as is",
    "unit": "0–1",
    "signed": "−1–1 (MobileNet)",
    "imagenet": "ImageNet mean/std",
}
IMAGE_DTYPES = frozenset({"uint8", "float16", "bfloat16", "float32", "float64"})
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
_RESAMPLE = {
    "nearest": Image.Resampling.NEAREST,
    "bilinear": Image.Resampling.BILINEAR,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}


@dataclass(frozen=True)
class ImageOptions:
    """How images become a tensor. ``None`` fields are chosen from the spec."""

    resize: str = "stretch"  # one of RESIZE_MODES
    color: str | None = None  # RESIZE_MODES keys; None: gray for 1 channel, else rgb
    values: str | None = None  # VALUE_PRESETS keys; None: raw for uint8, unit for floats
    layout: str | None = None  # "nhwc" or "nchw"; None: from the shape
    size: tuple[int, int] | None = None  # (height, width) for free dims; None: the image's
    resample: str = "bilinear"
    max_pixels: int | None = None  # None: pillow's Image.MAX_IMAGE_PIXELS


@dataclass(frozen=True)
class ImageLayout:
    """Where the image dimensions sit in an input's shape (None for unknown sizes)."""

    batched: bool
    channels_first: bool
    height: int | None
    width: int | None
    channels: int
    batch: int | None = None
    flat: bool = False  # the pixels of a square image in one dimension, [N, H*W*C] (MNIST's 784)

    @property
    def name(self) -> str:
        core = "CHW" if self.channels_first else "HWC"
        core = f"({core} flattened)" if self.flat else core
        return ("N" + core) if self.batched else core


def _flat_square(d: int | None) -> tuple[int, int] | None:
    """(side, channels) when ``d`` values are a flattened square gray or RGB image."""
    d = _known(d)
    for channels in (1, 3):
        if d and d % channels == 0:
            side = math.isqrt(d // channels)
            if side >= 4 and side * side * channels == d:
                return side, channels
    return None


def _known(d: int | None) -> int | None:
    return None if d is None or d < 0 else int(d)


def image_layout(spec: TensorSpec | None, layout: str | None = None) -> ImageLayout:
    """Layout of an image input: NHWC or NCHW by its shape (or ``layout``), batch if rank 4.

    Raises UserError when the shape cannot hold images.
    """
    if spec is None or spec.shape is None:
        return ImageLayout(True, layout == "nchw", None, None, 3)
    shape = spec.shape
    rank = len(shape)
    flat = _flat_square(shape[-1]) if rank in (1, 2) and layout in (None, "nhwc") else None
    if flat is not None:  # e.g. [?, 784]: a 28x28 gray image, row by row
        side, channels = flat
        batch = _known(shape[0]) if rank == 2 else None
        return ImageLayout(rank == 2, False, side, side, channels, batch, flat=True)
    if rank not in (3, 4):
        raise UserError(
            f"{spec.name} expects {describe(spec.dtype, shape)}, which cannot hold images "
            "(images need rank 3 [H, W, C], rank 4 [N, H, W, C] / [N, C, H, W], or a flattened "
            "square image [N, H*W] / [N, H*W*3])"
        )
    core = list(shape[-3:])
    if layout is None:
        last, first = core[2], core[0]
        if last in (1, 3):
            layout = "nhwc"
        elif first in (1, 3):
            layout = "nchw"
        elif last is None or last < 0:
            layout = "nhwc"
        else:
            raise UserError(
                f"{spec.name} expects {describe(spec.dtype, shape)}: neither the first nor the "
                "last image dimension is 1 or 3 channels"
            )
    chw = layout == "nchw"
    c, h, w = (core[0], core[1], core[2]) if chw else (core[2], core[0], core[1])
    channels = _known(c) or 3
    if channels not in (1, 3):
        raise UserError(f"{spec.name} takes {channels} channels; images give 1 or 3")
    batch = _known(shape[0]) if rank == 4 else None
    return ImageLayout(rank == 4, chw, _known(h), _known(w), channels, batch)


def is_image_spec(spec: TensorSpec) -> bool:
    """Float or uint8, rank 3 or 4, with a known channel dimension of 1 or 3."""
    if spec.dtype not in IMAGE_DTYPES or spec.shape is None or len(spec.shape) not in (3, 4):
        return False
    core = spec.shape[-3:]
    return core[2] in (1, 3) or core[0] in (1, 3)


def default_options(spec: TensorSpec | None) -> ImageOptions:
    """The options a new image row starts with for ``spec``."""
    if spec is None:
        return ImageOptions(values="raw")
    values = "raw" if numpy_dtype(spec.dtype).kind in "iu" else "unit"
    return ImageOptions(values=values)


def _target_size(
    layout: ImageLayout, options: ImageOptions, first_hw: tuple[int, int]
) -> tuple[int, int]:
    h, w = layout.height, layout.width
    if h is not None and w is not None:
        return h, w
    if options.size is not None:
        return (h or options.size[0], w or options.size[1])
    ih, iw = first_hw
    if w is not None:  # one side fixed by the model: keep the image's aspect for the other
        return max(1, round(ih * w / iw)), w
    if h is not None:
        return h, max(1, round(iw * h / ih))
    return ih, iw


def _decode(
    im: Image.Image, label: str, hw: tuple[int, int], mode: str, resize: str, resample: int
) -> tuple[Image.Image, tuple[int, int]]:
    """Decode ``im`` and resize for a (height, width) target; returns the image and its offset
    inside the target (non-zero only when padding)."""
    th, tw = hw
    w, h = im.size
    if resize == "pad":
        scale = min(tw / w, th / h)
    elif resize == "crop":
        scale = max(tw / w, th / h)
    else:
        scale = 0.0
    need = (tw, th) if resize == "stretch" else (math.ceil(w * scale), math.ceil(h * scale))
    try:
        if im.format == "JPEG" and (need[0] < w or need[1] < h):
            im.draft(mode, need)  # decode at 1/2, 1/4 or 1/8 scale, still >= what we need
        if im.mode != mode:
            if im.mode.startswith("I"):  # 16/32-bit grey: keep the top 8 bits, not a clip
                wide = np.asarray(im).astype(np.int64)
                if im.mode.startswith("I;16"):
                    wide >>= 8
                im = Image.fromarray(np.clip(wide, 0, 255).astype(np.uint8), "L")
            im = im.convert(mode)
        else:
            im.load()
        w, h = im.size  # draft may have changed it
        if resize == "stretch":
            if (w, h) != (tw, th):
                im = im.resize((tw, th), resample, reducing_gap=REDUCING_GAP)
            return im, (0, 0)
        if resize == "crop":
            scale = max(tw / w, th / h)
            cw, ch = tw / scale, th / scale
            box = ((w - cw) / 2, (h - ch) / 2, (w + cw) / 2, (h + ch) / 2)
            if (w, h) != (tw, th):
                im = im.resize((tw, th), resample, box=box, reducing_gap=REDUCING_GAP)
            return im, (0, 0)
        scale = min(tw / w, th / h)
        nw, nh = max(1, min(tw, round(w * scale))), max(1, min(th, round(h * scale)))
        if (w, h) != (nw, nh):
            im = im.resize((nw, nh), resample, reducing_gap=REDUCING_GAP)
        return im, ((th - nh) // 2, (tw - nw) // 2)
    except (OSError, ValueError, SyntaxError, EOFError, struct.error) as exc:
        raise UserError(
            f"the image is damaged or cannot be decoded: {str(exc)[:120]}; choose another image",
            path=label,
        ) from None
    except MemoryError:
        raise UserError("the image is too large to decode in memory", path=label) from None


def _check_options(options: ImageOptions) -> None:
    for value, allowed, what in (
        (options.resize, RESIZE_MODES, "resize mode"),
        (options.color, COLOR_MODES, "colour mode"),
        (options.values, VALUE_PRESETS, "value preset"),
        (options.layout, ("nhwc", "nchw"), "layout"),
        (options.resample, _RESAMPLE, "resampling filter"),
    ):
        if value is not None and value not in allowed:
            raise UserError(f"unknown {what} {value!r}; use one of {', '.join(allowed)}")


def build_image_batch(
    sources: Sequence[ImageSource],
    spec: TensorSpec | None = None,
    options: ImageOptions | None = None,
) -> np.ndarray:
    """Decode ``sources`` into one array that fits ``spec`` (several images form the batch).

    Without a spec: uint8 NHWC RGB at the first image's size.
    """
    if isinstance(sources, (str, bytes, os.PathLike)):
        sources = [sources]
    if not sources:
        raise UserError("choose at least one image")
    options = options or default_options(spec)
    if options.values is None:
        options = replace(options, values=default_options(spec).values)
    _check_options(options)
    layout = image_layout(spec, options.layout)
    n = len(sources)
    name = spec.name if spec is not None else "the input"
    if not layout.batched and n != 1:
        raise UserError(f"{name} takes one image (no batch dimension), got {n}")
    if layout.batch is not None and layout.batch != n:
        raise UserError(f"{name} takes a batch of exactly {layout.batch} image(s), got {n}")
    if spec is not None:
        dtype = numpy_dtype(spec.dtype)
    else:
        dtype = np.dtype(np.uint8 if options.values == "raw" else np.float32)
    if dtype.kind not in "iuf":
        raise UserError(f"{name} is {spec.dtype if spec else dtype}; images need a number dtype")
    if dtype.kind in "iu" and options.values != "raw":
        raise UserError(
            f"{name} is {dtype.name}: choose the 0–255 value preset (scaled values need floats)"
        )

    color = options.color or ("gray" if layout.channels == 1 else "rgb")
    mode = "L" if color == "gray" or layout.channels == 1 else "RGB"
    resample = _RESAMPLE[options.resample]
    channels = layout.channels
    out: np.ndarray | None = None
    hw = (0, 0)
    for i, source in enumerate(sources):
        label = label_of(source)
        im = open_image(source, options.max_pixels)
        try:
            if out is None:
                hw = _target_size(layout, options, (im.size[1], im.size[0]))
                alloc = np.zeros if options.resize == "pad" else np.empty
                out = alloc((n, hw[0], hw[1], channels), dtype=dtype)
            decoded, (top, left) = _decode(im, label, hw, mode, options.resize, resample)
            pixels = np.asarray(decoded)
        finally:
            im.close()
        if pixels.ndim == 2:
            pixels = pixels[:, :, np.newaxis]  # broadcasts over 3 channels for gray-as-RGB
        elif color == "bgr":
            pixels = pixels[:, :, ::-1]
        ph, pw = pixels.shape[:2]
        out[i, top : top + ph, left : left + pw] = pixels
    assert out is not None
    _scale_in_place(out, options.values, color)
    if layout.channels_first:
        out = np.ascontiguousarray(out.transpose(0, 3, 1, 2))
    elif layout.flat:
        out = out.reshape(n, -1)
    return out if layout.batched else out[0]


def _scale_in_place(out: np.ndarray, values: str | None, color: str) -> None:
    if values in (None, "raw"):
        return
    if values == "unit":
        out *= out.dtype.type(1 / 255)
    elif values == "signed":
        out *= out.dtype.type(1 / 127.5)
        out -= out.dtype.type(1)
    elif values == "imagenet":
        mean, std = np.array(IMAGENET_MEAN), np.array(IMAGENET_STD)
        if color == "bgr":
            mean, std = mean[::-1], std[::-1]
        if out.shape[-1] == 1:
            mean, std = mean.mean(keepdims=True), std.mean(keepdims=True)
        out -= (mean * 255).astype(out.dtype)
        out *= (1 / (std * 255)).astype(out.dtype)


def image_hw(array: np.ndarray, spec: TensorSpec | None = None) -> tuple[int, int] | None:
    """(height, width) of an image feed, by the spec's layout (or NHWC/HWC); None if unsure."""
    try:
        layout = image_layout(spec) if spec is not None else None
    except UserError:
        return None
    a = np.asarray(array)
    if a.ndim not in (3, 4):
        return None
    core = a.shape[-3:]
    if layout is not None and layout.channels_first:
        return int(core[1]), int(core[2])
    return int(core[0]), int(core[1])


__all__ = [
    "COLOR_MODES",
    "IMAGE_DTYPES",
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "RESIZE_MODES",
    "VALUE_PRESETS",
    "ImageLayout",
    "ImageOptions",
    "ImageSource",
    "build_image_batch",
    "default_options",
    "image_file_suffixes",
    "image_hw",
    "image_layout",
    "image_size",
    "is_image_path",
    "is_image_spec",
    "open_image",
    "thumbnail",
]
