"""Image files opened safely: header first, pipes and devices refused, the decompression-bomb
limit applied (and changed only under a lock, when a caller asks for another), pillow's errors
turned into one-line UserErrors; small previews; which file names are images."""

from __future__ import annotations

import io
import os
import struct
import threading
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from inspector_app.errors import UserError
from inspector_app.safeio import check_regular

ImageSource = str | os.PathLike | bytes
REDUCING_GAP = 2.0  # pillow's reducing_gap for resizes and thumbnails
_bomb_lock = threading.Lock()


@contextmanager
def _pixel_limit(limit: int | None):
    # Image.open consults the module-wide limit; change it only when the caller asked for another.
    if limit is None or limit == Image.MAX_IMAGE_PIXELS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            yield Image.MAX_IMAGE_PIXELS
        return
    with _bomb_lock:
        saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = limit
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                yield limit
        finally:
            Image.MAX_IMAGE_PIXELS = saved


def label_of(source: ImageSource) -> str:
    return "image data" if isinstance(source, bytes) else str(source)


def open_image(source: ImageSource, max_pixels: int | None = None) -> Image.Image:
    """Open (header only) an image file or bytes; UserError for anything pillow cannot read."""
    label = label_of(source)
    if not isinstance(source, bytes):
        check_regular(source, "an image file")  # a pipe or a device: refused, never opened
    with _pixel_limit(max_pixels) as limit:
        try:
            fp: Any = io.BytesIO(source) if isinstance(source, bytes) else source
            im = Image.open(fp)
        except Image.DecompressionBombError as exc:
            raise UserError(_bomb_message(exc, limit), path=label) from None
        except (ValueError, SyntaxError, EOFError, struct.error, MemoryError) as exc:
            # e.g. a PNG text chunk over pillow's MAX_TEXT_CHUNK ("Decompressed Data Too Large")
            raise UserError(
                f"the image file is damaged or hostile ({str(exc)[:100] or type(exc).__name__}); "
                "choose another image",
                path=label,
            ) from None
        except UnidentifiedImageError:
            raise UserError(
                "not an image pillow can read (PNG, JPEG, BMP, TIFF, WebP); choose an image file",
                path=label,
            ) from None
        except FileNotFoundError:
            raise UserError("no such file", path=label) from None
        except OSError as exc:
            raise UserError(f"cannot read the image: {exc.strerror or exc}", path=label) from None
    w, h = im.size
    if limit and w * h > limit:
        im.close()
        raise UserError(
            f"the image is {w}x{h} = {w * h:,} pixels, over the decompression-bomb limit of "
            f"{limit:,} pixels; raise the pixel limit if you trust this file",
            path=label,
        )
    return im


def _bomb_message(exc: Exception, limit: int | None) -> str:
    return (
        f"the image is over the decompression-bomb limit of {limit:,} pixels ({exc}); "
        "raise the pixel limit if you trust this file"
    )


def image_size(source: ImageSource, max_pixels: int | None = None) -> tuple[int, int]:
    """(height, width) from the file header, without decoding the pixels."""
    with open_image(source, max_pixels) as im:
        w, h = im.size
    return h, w


def thumbnail(source: ImageSource, size: int = 96, max_pixels: int | None = None) -> Image.Image:
    """A small RGB preview, at most ``size`` pixels on its longer side."""
    label = label_of(source)
    with open_image(source, max_pixels) as im:
        try:
            if im.format == "JPEG":
                im.draft("RGB", (size, size))
            small = im.convert("RGB")
            small.thumbnail((size, size), Image.Resampling.BILINEAR, reducing_gap=REDUCING_GAP)
        except (OSError, ValueError, SyntaxError) as exc:
            raise UserError(
                f"the image is damaged or cannot be decoded: {exc}", path=label
            ) from None
    return small


def image_file_suffixes() -> tuple[str, ...]:
    """File name patterns for an image file chooser."""
    return ("*.png", "*.jpg", "*.jpeg", "*.bmp", "*.tif", "*.tiff", "*.webp", "*.gif")


def is_image_path(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() in {s[1:] for s in image_file_suffixes()}
