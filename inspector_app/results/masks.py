"""Segmentation masks: class maps, the PASCAL VOC colour map, colourising, overlays, legends."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image

from inspector_app.results.images import rgb32_pixels
from inspector_app.results.labels import LabelSet, default_labels


def to_class_maps(array: np.ndarray) -> np.ndarray:
    """[N, H, W] (or [N, H, W, 1]) integer class ids as is; [N, H, W, C] scores -> argmax over C.

    A 2-D [H, W] map is taken as one batch item.
    """
    arr = np.asarray(array)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim == 4 and arr.shape[-1] == 1 and arr.dtype.kind in "iub":
        arr = arr[..., 0]
    if arr.ndim == 4:
        scores = np.where(np.isnan(arr), -np.inf, arr) if arr.dtype.kind == "f" else arr
        return np.argmax(scores, axis=-1).astype(np.int32)
    if arr.ndim != 3:
        raise ValueError(f"a mask needs shape [N, H, W] or [N, H, W, C], got {list(arr.shape)}")
    if arr.dtype.kind == "b":
        return arr.astype(np.uint8)
    if arr.dtype.kind == "f":
        return np.nan_to_num(arr).astype(np.int64)
    return arr


@lru_cache(maxsize=4)
def voc_colormap(n: int = 256) -> np.ndarray:
    """The PASCAL VOC colour map: [n, 3] uint8, class i's bits spread over the RGB high bits."""
    ids = np.arange(n, dtype=np.int64)
    cmap = np.zeros((n, 3), dtype=np.int64)
    c = ids.copy()
    for j in range(8):
        for ch in range(3):
            cmap[:, ch] |= ((c >> ch) & 1) << (7 - j)
        c >>= 3
    out = cmap.astype(np.uint8)
    out.flags.writeable = False
    return out


def colourise(class_map: np.ndarray, palette: np.ndarray | None = None) -> np.ndarray:
    """[H, W] class ids -> [H, W, 3] uint8 colours; ids outside the palette wrap around it."""
    pal = voc_colormap() if palette is None else palette
    return np.take(pal, class_map, axis=0, mode="wrap")


def palette_rgb32(palette: np.ndarray | None = None) -> np.ndarray:
    """The palette as 256 uint32 values 0xFFRRGGBB (Qt's RGB32 pixels)."""
    pal = (voc_colormap() if palette is None else palette).astype(np.uint32)
    return np.uint32(0xFF000000) | (pal[:, 0] << 16) | (pal[:, 1] << 8) | pal[:, 2]


def colourise_rgb32(
    class_map: np.ndarray, palette: np.ndarray | None = None, band_pixels: int = 0
) -> np.ndarray:
    """[H, W] class ids -> [H, W] uint32 0xFFRRGGBB: one lookup per pixel, for display
    (``band_pixels``: in bands of rows of about that many pixels, see ``class_counts``)."""
    pal = palette_rgb32(palette)
    if not band_pixels or class_map.ndim != 2 or class_map.size <= band_pixels:
        return np.take(pal, class_map, axis=0, mode="wrap")
    out = np.empty(class_map.shape, dtype=np.uint32)
    rows = max(1, band_pixels // max(1, class_map.shape[1]))
    for top in range(0, class_map.shape[0], rows):
        np.take(pal, class_map[top : top + rows], axis=0, mode="wrap", out=out[top : top + rows])
    return out


_BAND_BYTES = 768 * 1024


def _alpha256(opacity: float) -> int:
    return int(round(min(max(opacity, 0.0), 1.0) * 256))


def blend(image: np.ndarray, colours: np.ndarray, opacity: float) -> np.ndarray:
    """``image * (1 - opacity) + colours * opacity`` in uint16 fixed point, as uint8."""
    a = _alpha256(opacity)
    if a == 0:
        return np.array(image, dtype=np.uint8, copy=True)
    if a == 256:
        return np.array(colours, dtype=np.uint8, copy=True)
    out = image.astype(np.uint16)
    out *= 256 - a
    col = colours.astype(np.uint16)
    col *= a
    out += col
    out >>= 8
    return out.astype(np.uint8)


def resize_nearest(class_map: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Resize a [H, W] class map to ``size`` = (height, width) with nearest neighbour (pillow)."""
    h, w = size
    if class_map.shape == (h, w):
        return class_map
    if class_map.size and class_map.min() >= 0 and class_map.max() <= 255:
        img = Image.fromarray(class_map.astype(np.uint8), mode="L")
    else:
        img = Image.fromarray(class_map.astype(np.int32), mode="I")
    return np.asarray(img.resize((w, h), Image.Resampling.NEAREST))


def overlay(
    image: np.ndarray,
    class_map: np.ndarray,
    opacity: float = 0.5,
    palette: np.ndarray | None = None,
) -> np.ndarray:
    """The colourised class map over an [H, W, 3] uint8 image (map resized to it if needed).

    Same result as ``blend(image, colourise(map), opacity)``, a third faster: the palette is
    scaled by the opacity once (256 entries) and looked up straight into the uint16 sum.
    """
    cm = resize_nearest(class_map, image.shape[:2])
    pal = voc_colormap() if palette is None else palette
    a = _alpha256(opacity)
    if a in (0, 256) or image.ndim != 3:
        return blend(image, colourise(cm, pal), opacity)
    scaled = pal.astype(np.uint16) * a
    out = np.empty_like(image, dtype=np.uint8)
    # Bands of rows keep the uint16 temporaries in the CPU cache: about a third faster.
    rows = max(1, _BAND_BYTES // max(1, image.shape[1] * image.shape[2] * 2))
    acc = np.empty((rows, *image.shape[1:]), dtype=np.uint16)
    col = np.empty_like(acc)
    for top in range(0, image.shape[0], rows):
        n = min(rows, image.shape[0] - top)
        acc_n, col_n = acc[:n], col[:n]
        np.multiply(image[top : top + n], 256 - a, out=acc_n, dtype=np.uint16)
        np.take(scaled, cm[top : top + n], axis=0, mode="wrap", out=col_n)
        acc_n += col_n
        acc_n >>= 8
        out[top : top + n] = acc_n
    return out


@dataclass(frozen=True)
class LegendRow:
    class_id: int
    name: str
    colour: tuple[int, int, int]
    pixels: int
    share: float  # 0..1 of the map's pixels


def class_counts(class_map: np.ndarray, band_pixels: int = 0) -> tuple[np.ndarray, int]:
    """(pixels per class id - offset, offset): ``np.bincount`` of the map, ids shifted up by
    ``-offset`` when some are negative. ``band_pixels``: count in bands of about that many
    pixels (each a short call, so that another thread gets its turn in between)."""
    flat = class_map.ravel()
    if flat.size == 0:
        return np.zeros(1, np.int64), 0
    lo = int(flat.min())
    offset = min(lo, 0)
    step = band_pixels or flat.size
    counts = np.zeros(1, np.int64)
    for start in range(0, flat.size, step):
        part = flat[start : start + step]
        c = np.bincount(part - offset if offset else part, minlength=1)
        if c.size > counts.size:
            c[: counts.size] += counts
            counts = c
        else:
            counts[: c.size] += c
    return counts, offset


def legend(
    class_map: np.ndarray,
    labels: LabelSet | None = None,
    palette: np.ndarray | None = None,
    counted: tuple[np.ndarray, int] | None = None,
) -> list[LegendRow]:
    """Classes present in ``class_map``, most pixels first, with their colour and share
    (``counted``: its ``class_counts``, when they are known already)."""
    pal = voc_colormap() if palette is None else palette
    flat = class_map.ravel()
    if flat.size == 0:
        return []
    counts, offset = counted if counted is not None else class_counts(flat)
    present = np.nonzero(counts)[0]
    order = present[np.lexsort((present, -counts[present]))]
    names = labels or default_labels(0)
    total = flat.size
    rows = []
    for idx in order:
        cid = int(idx) + offset
        colour = tuple(int(v) for v in pal[cid & 255])
        rows.append(LegendRow(cid, names.name(cid), colour, int(counts[idx]), counts[idx] / total))  # type: ignore[arg-type]
    return rows


def class_at(class_map: np.ndarray, x: int, y: int) -> int | None:
    """The class id at column ``x``, row ``y``, or None outside the map."""
    h, w = class_map.shape[:2]
    if 0 <= x < w and 0 <= y < h:
        return int(class_map[y, x])
    return None


LARGE_PIXELS = 1 << 20  # larger maps (or images under them) are coloured off the GUI thread
BAND_PIXELS = 1 << 18  # pixels per band when colouring or counting in a worker thread


@dataclass(frozen=True)
class PreparedItem:
    item: int
    labels_id: int
    display_map: np.ndarray
    rgb32: np.ndarray
    legend: list[LegendRow]
    base_rgb32: np.ndarray | None = None


class MaskResult:
    """One mask output with its input image: per batch item, the (resized) map, colours, overlay."""

    def __init__(
        self,
        array: np.ndarray,
        labels: LabelSet | None = None,
        image: np.ndarray | None = None,
        palette: np.ndarray | None = None,
    ) -> None:
        arr = np.asarray(array)
        self.from_scores = arr.ndim == 4 and arr.shape[-1] > 1
        self.maps = to_class_maps(arr)
        if self.from_scores:
            self.num_classes = int(arr.shape[-1])
        else:
            self.num_classes = int(self.maps.max()) + 1 if self.maps.size else 0
        self.labels = labels or default_labels(self.num_classes)
        self.palette = voc_colormap() if palette is None else palette
        self.images = image_batch(image)
        self._cache: dict[tuple[str, int], np.ndarray] = {}
        self._legends: dict[tuple[int, int], list[LegendRow]] = {}

    @property
    def num_items(self) -> int:
        return int(self.maps.shape[0])

    def image(self, item: int) -> np.ndarray | None:
        """The input image shown under batch item ``item`` ([H, W, 3] uint8), if any."""
        if self.images is None:
            return None
        return self.images[item if item < self.images.shape[0] else 0]

    def class_map(self, item: int) -> np.ndarray:
        """The model's map for ``item`` at its own resolution."""
        return self.maps[item]

    def display_map(self, item: int) -> np.ndarray:
        """The map for ``item`` resized (nearest neighbour) to the input image, if there is one."""
        key = ("map", item)
        if key not in self._cache:
            img = self.image(item)
            cm = self.maps[item]
            self._cache[key] = cm if img is None else resize_nearest(cm, img.shape[:2])
        return self._cache[key]

    def colourised(self, item: int) -> np.ndarray:
        """[H, W, 3] uint8 colours of the display map."""
        key = ("colour", item)
        if key not in self._cache:
            self._cache[key] = colourise(self.display_map(item), self.palette)
        return self._cache[key]

    def colourised_rgb32(self, item: int) -> np.ndarray:
        """[H, W] uint32 0xFFRRGGBB colours of the display map (what the window draws)."""
        key = ("rgb32", item)
        if key not in self._cache:
            self._cache[key] = colourise_rgb32(self.display_map(item), self.palette)
        return self._cache[key]

    def overlay(self, item: int, opacity: float) -> np.ndarray | None:
        """The colours over the input image, or None when there is no image."""
        img = self.image(item)
        if img is None:
            return None
        return overlay(img, self.display_map(item), opacity, self.palette)

    def is_large(self, item: int) -> bool:
        """True when colouring ``item`` is too long for the GUI thread (``prepare`` it)."""
        img = self.image(item)
        pixels = (
            self.maps[item].size
            if img is None
            else max(self.maps[item].size, img.shape[0] * img.shape[1])
        )
        return pixels > LARGE_PIXELS

    def is_ready(self, item: int) -> bool:
        """True when ``item``'s colours, legend and input picture are computed."""
        base = self.image(item) is None or ("base32", item) in self._cache
        return base and ("rgb32", item) in self._cache and (id(self.labels), item) in self._legends

    def image_rgb32(self, item: int) -> np.ndarray | None:
        """The input image of ``item`` as [H, W] uint32 0xFFRRGGBB (what the window draws)."""
        img = self.image(item)
        if img is None:
            return None
        key = ("base32", item if item < self.images.shape[0] else 0)  # type: ignore[union-attr]
        if key not in self._cache:
            self._cache[key] = rgb32_pixels(img)
        return self._cache[key]

    def prepare(self, item: int) -> PreparedItem:
        """Compute ``item``'s display map, colours and legend without touching the caches (in a
        worker thread, in short bands); ``store`` puts them in."""
        img = self.image(item)
        cm = self.maps[item]
        shown = cm if img is None else resize_nearest(cm, img.shape[:2])
        colours = colourise_rgb32(shown, self.palette, BAND_PIXELS)
        counted = class_counts(cm, BAND_PIXELS)
        labels = self.labels
        rows = legend(cm, labels, self.palette, counted)
        base = None if img is None else rgb32_pixels(img)
        return PreparedItem(item, id(labels), shown, colours, rows, base)

    def store(self, prepared: PreparedItem) -> None:
        """Keep what ``prepare`` computed (on the GUI thread)."""
        self._cache[("map", prepared.item)] = prepared.display_map
        self._cache[("rgb32", prepared.item)] = prepared.rgb32
        self._legends[(prepared.labels_id, prepared.item)] = prepared.legend
        if prepared.base_rgb32 is not None:
            images = self.images.shape[0] if self.images is not None else 1
            self._cache.setdefault(("base32", prepared.item if prepared.item < images else 0),
                                   prepared.base_rgb32)  # fmt: skip

    def legend(self, item: int) -> list[LegendRow]:
        """Legend of the model's own map (shares are of its pixels, before any resize)."""
        key = (id(self.labels), item)
        if key not in self._legends:
            self._legends[key] = legend(self.maps[item], self.labels, self.palette)
        return self._legends[key]

    def class_at(self, item: int, x: int, y: int) -> int | None:
        """Class id at (x, y) in display coordinates (the image's when there is one)."""
        return class_at(self.display_map(item), x, y)


def image_batch(image: np.ndarray | None) -> np.ndarray | None:
    """An input image ([H, W], [H, W, C] or [N, H, W, C]) as [N, H, W, 3] uint8, or None."""
    if image is None:
        return None
    from inspector_app.results.images import to_uint8

    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[-1] not in (1, 3, 4):
        arr = arr[..., None]
    if arr.ndim == 2 or (arr.ndim == 3 and arr.shape[-1] in (1, 3, 4)):
        arr = arr[None] if arr.ndim == 3 else arr[None, ..., None]
    if arr.ndim != 4:
        return None
    rgb = to_uint8(arr)[0]
    if rgb.shape[-1] == 1:
        rgb = np.repeat(rgb, 3, axis=-1)
    elif rgb.shape[-1] == 4:
        rgb = np.ascontiguousarray(rgb[..., :3])
    return rgb
