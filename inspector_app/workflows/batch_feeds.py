"""How each item of a batch job becomes part of a feed, exactly as a single run builds it.

Images go through ``inputs.images.build_image_batch`` with the same resize, colour and value
options as the Inputs tab and ``run --image``; inputs named for the image height and width fill
from each batch (``inputs.scalars.autofill_dimensions``); arrays are checked and repaired with
``inputs.validate.check_feed`` (a missing batch dimension; another dtype is refused by the one
policy of ``inputs.feed_policy``, never cast silently); records go to the
signature's string input as they are. Items are prepared one by one, so that one bad file is one
failed item, then stacked into batches of equal shape.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.inputs.feed_policy import cast_refusal, check_names
from inspector_app.inputs.images import (
    IMAGE_DTYPES,
    ImageOptions,
    build_image_batch,
    default_options,
    image_layout,
)
from inspector_app.inputs.scalars import autofill_dimensions, dimension_inputs
from inspector_app.inputs.validate import check_feed, describe, is_string_dtype, numpy_dtype
from inspector_app.workflows.batch_items import BatchItem

DEFAULT_BATCH = 32  # when the signature takes any batch size


@dataclass(frozen=True)
class _Spec:
    name: str
    dtype: str
    shape: list[int] | None


@dataclass(frozen=True)
class PlainSignature:
    """What a job needs of a signature, in plain values (a model reader's SignatureInfo may hold
    protobuf messages, which would load TensorFlow wherever they are unpickled)."""

    key: str
    method_name: str
    inputs: tuple[_Spec, ...]

    @classmethod
    def of(cls, signature: Any) -> PlainSignature:
        inputs = tuple(
            _Spec(str(t.name), str(t.dtype), None if t.shape is None else [int(d) for d in t.shape])
            for t in signature.inputs
        )
        return cls(str(signature.key), str(getattr(signature, "method_name", "") or ""), inputs)


@dataclass
class FeedPlan:
    """Which input each item feeds, how, and what the other inputs get."""

    kind: str  # images, arrays or examples
    spec: Any  # the input fed per item (name, dtype, shape)
    specs: tuple  # every input of the signature
    batched: bool  # the input has a batch dimension
    fixed_batch: int | None  # its batch dimension is fixed (e.g. 1)
    options: ImageOptions | None = None  # images only
    extra: dict[str, np.ndarray] = field(default_factory=dict)  # the same for every batch
    dims: dict[str, str] = field(default_factory=dict)  # height/width inputs filled per batch
    allow_cast: bool = False  # item arrays of another dtype are cast (--cast), never silently

    @property
    def input_name(self) -> str:
        return str(self.spec.name)

    def default_batch_size(self) -> int:
        """What the signature allows: its fixed batch size, 1 without a batch dimension, else 32."""
        if not self.batched:
            return 1
        return self.fixed_batch or DEFAULT_BATCH

    def check_batch_size(self, size: int | None) -> int:
        if size is None:
            return self.default_batch_size()
        if size < 1:
            raise UserError(f"the batch size must be 1 or more, got {size}")
        if not self.batched and size != 1:
            raise UserError(
                f"input {self.input_name!r} has no batch dimension "
                f"({describe(self.spec.dtype, self.spec.shape)}); use batch size 1"
            )
        if self.fixed_batch is not None and size != self.fixed_batch:
            raise UserError(
                f"input {self.input_name!r} takes batches of exactly {self.fixed_batch} "
                f"({describe(self.spec.dtype, self.spec.shape)}); use --batch-size "
                f"{self.fixed_batch}"
            )
        return size

    # ---------------------------------------------------------------- one item

    def prepare(self, item: BatchItem) -> np.ndarray:
        """The item's part of a feed: a batch of one when the input is batched. UserError (one
        line, the reason the item failed) for anything that cannot be read or fitted."""
        if item.error:
            raise UserError(item.error)
        if self.kind == "images":
            return build_image_batch([item.path], self._item_spec(), self.options)
        if self.kind == "examples":
            if self.batched:
                out = np.empty(1, dtype=object)
                out[0] = item.record
                return out
            return np.array(item.record, dtype=object)
        return self._fit(_load_item_array(item.path, self.input_name))

    def _item_spec(self) -> _Spec:
        shape = self.spec.shape
        if self.batched and shape is not None:
            shape = [-1 if self.kind == "images" else 1, *shape[1:]]
        return _Spec(self.spec.name, self.spec.dtype, shape)

    def _fit(self, array: np.ndarray) -> np.ndarray:
        spec = self._item_spec()
        if self.batched and spec.shape is None:
            return array[np.newaxis, ...]
        check = check_feed(array, spec)
        if check.ready:
            return array
        if check.fix is None:
            raise UserError(f"cannot be fitted: {self.input_name} {check.message}")
        wrong_dtype = array.dtype != numpy_dtype(spec.dtype) and not is_string_dtype(spec.dtype)
        if wrong_dtype and not self.allow_cast:  # the one dtype policy: never cast silently
            raise UserError(cast_refusal(self.input_name, spec.dtype, array.dtype.name, fits=True))
        return check.fix.apply(array)

    # ---------------------------------------------------------------- a batch

    def feeds(self, parts: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
        """The feeds for prepared items of equal shape (padded to a fixed batch size by
        repeating the last item; the job drops the extra outputs)."""
        parts = list(parts)
        if not self.batched:
            if len(parts) != 1:
                raise UserError(f"input {self.input_name!r} takes one item at a time")
            value = parts[0]
        else:
            if self.fixed_batch is not None and len(parts) < self.fixed_batch:
                parts += [parts[-1]] * (self.fixed_batch - len(parts))
            value = parts[0] if len(parts) == 1 else np.concatenate(parts)
        feeds = {self.input_name: value, **self.extra}
        if self.dims:
            filled = autofill_dimensions(self.specs, feeds)
            missing = [n for n in self.dims if n not in filled]
            if missing:
                raise UserError(f"input {missing[0]!r} could not be filled from the image size")
            feeds.update({k: v for k, v in filled.items() if k in self.dims})
        return feeds


def group_key(part: np.ndarray) -> tuple:
    """Items with the same key stack into one batch (same shape past the batch dim, dtype)."""
    return (part.shape[1:] if part.ndim else (), part.dtype.str)


def _load_item_array(path: str, input_name: str) -> np.ndarray:
    from inspector_app.inputs.arrays import load_array

    p = Path(path)
    if p.suffix.lower() == ".npz":
        try:
            return load_array(f"{path}[{input_name}]")
        except UserError:
            return load_array(path)  # an .npz holding one array, whatever its name
    return load_array(path)


def _is_image_input(spec: Any) -> bool:
    if spec.dtype not in IMAGE_DTYPES:
        return False
    try:
        image_layout(spec)
    except UserError:
        return False
    return True


def make_plan(
    signature: Any,
    kind: str,
    *,
    extra: Mapping[str, np.ndarray] | None = None,
    options: ImageOptions | None = None,
    input_name: str | None = None,
    fallback: Mapping[str, np.ndarray] | None = None,
) -> FeedPlan:
    """Decide which input of ``signature`` (a SignatureInfo) takes the items of ``kind``;
    ``extra`` feeds the inputs that stay the same for every batch; ``fallback`` (the window's
    current inputs) feeds the inputs left over once the item input is chosen. UserError when the
    signature cannot take such items, or an input would be left without a value."""
    fallback = dict(fallback or {})
    signature = PlainSignature.of(signature)
    specs = tuple(signature.inputs)
    by_name = {s.name: s for s in specs}
    extra = dict(extra or {})
    names = ", ".join(by_name) or "none"
    check_names(signature.key, list(by_name), extra, require_all=False)
    dims = {n: r for n, r in dimension_inputs(specs).items() if n not in extra and kind == "images"}
    open_inputs = [s for s in specs if s.name not in extra and s.name not in dims]
    if kind == "images":
        fits, what = _is_image_input, "image input (uint8 or float, [N, H, W, C] or similar)"
    elif kind == "examples":
        fits, what = _is_string, "string input for serialized tf.Example records"
    else:
        fits, what = _is_number, "number input"
    if input_name is not None:
        check_names(signature.key, list(by_name), [input_name], require_all=False)
        chosen = by_name[input_name]
        if not fits(chosen):
            raise UserError(f"input {input_name!r} ({describe(chosen.dtype, chosen.shape)}) is no {what}")  # fmt: skip
    else:
        candidates = [s for s in open_inputs if fits(s)]
        if len(candidates) > 1:  # an input the window already has a value for stays as it is
            candidates = [s for s in candidates if s.name not in fallback] or candidates
        if not candidates:
            raise UserError(f"signature {signature.key!r} has no {what}; its inputs: {names}")
        if len(candidates) > 1:
            which = ", ".join(s.name for s in candidates)
            raise UserError(f"signature {signature.key!r} has several inputs that could take the items ({which}); name one with --input")  # fmt: skip
        chosen = candidates[0]
    dims.pop(chosen.name, None)
    left = [s.name for s in open_inputs if s.name != chosen.name]
    extra.update({n: fallback[n] for n in left if n in fallback})
    left = [n for n in left if n not in fallback]
    if left:
        raise UserError(
            f"signature {signature.key!r} needs input {left[0]!r} as well, the same for every "
            f"item; give it with --input-exprs '{left[0]}=...' (or --inputs)"
        )
    batched, fixed = _batching(kind, chosen, options)
    if kind == "images":
        options = options or default_options(chosen)  # values left None: chosen by the dtype
    return FeedPlan(kind, chosen, specs, batched, fixed, options if kind == "images" else None,
                    extra, dims)  # fmt: skip


def _is_string(spec: Any) -> bool:
    return is_string_dtype(spec.dtype)


def _is_number(spec: Any) -> bool:
    return not is_string_dtype(spec.dtype)


def _batching(kind: str, spec: Any, options: ImageOptions | None) -> tuple[bool, int | None]:
    if kind == "images":
        layout = image_layout(spec, options.layout if options else None)
        return layout.batched, layout.batch
    shape = spec.shape
    if shape is None:
        return True, None
    if not shape:
        return False, None
    if shape[0] is None or shape[0] < 0:
        return True, None
    if shape[0] == 1:
        return True, 1
    return False, None


def describe_source(kind: str, path: str | os.PathLike) -> str:
    what = {"images": "images in", "arrays": "arrays in", "examples": "records of"}[kind]
    return f"{what} {path}"
