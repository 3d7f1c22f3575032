"""Turn user feeds into arrays of the dtype each signature input takes (numpy only).

``coerce_feeds`` applies the one input-name and dtype policy (``inputs.feed_policy``): arrays are
fed as the dtype they have, a cast is made only when asked. ``coerce_value`` converts a checked
feed to the dtype a TF1 graph's placeholder takes where its signature declares another.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from inspector_app.engine.composites import is_composite
from inspector_app.engine.protocol import EngineError, SignatureSpec
from inspector_app.errors import UserError
from inspector_app.inputs.feed_policy import conform_feeds


def coerce_feeds(
    spec: SignatureSpec, feeds: Mapping[str, Any], *, allow_cast: bool = False
) -> dict[str, np.ndarray]:
    """Names checked against ``spec`` and each value conformed to its input's dtype by the one
    policy (``inputs.feed_policy``): an array of another dtype is refused, never cast silently;
    ``allow_cast`` casts it when every value survives."""
    try:
        return conform_feeds(spec.key, spec.inputs, feeds, allow_cast=allow_cast,
                             keep=lambda value, _spec: is_composite(value))  # fmt: skip
    except EngineError:
        raise
    except UserError as err:
        raise EngineError(str(err)) from None


def coerce_value(name: str, value: Any, dtype: str) -> np.ndarray:
    """``value`` as an array of ``dtype`` (numpy-style name; ``string`` -> object array of bytes)."""
    arr = value if isinstance(value, np.ndarray) else np.asarray(value)
    if dtype in ("string", "object", "bytes", "str"):
        if arr.dtype.kind not in "OSU":
            raise EngineError(f"input {name!r} takes strings, got {arr.dtype.name} values")
        return _as_bytes(name, arr)
    if arr.dtype.kind in "OSU":
        raise EngineError(f"input {name!r} takes {dtype} values, got strings")
    target = np.dtype("float32" if dtype == "bfloat16" else dtype)
    if arr.dtype == target:
        return arr
    src, dst = arr.dtype.kind, target.kind
    ok = (
        (src == "b")
        or (src in "iu" and dst in "fc")
        or (src == "f" and dst in "fc")
        or (src == "c" and dst == "c")
    )
    if src in "iu" and dst in "iu":
        info = np.iinfo(target)
        ok = arr.size == 0 or (int(arr.min()) >= info.min and int(arr.max()) <= info.max)
        if not ok:
            raise EngineError(f"input {name!r} takes {dtype}; some values do not fit")
    if src == "f" and dst in "iub":
        ok = bool(np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)))
        if not ok:
            raise EngineError(
                f"input {name!r} takes {dtype} values, got fractions ({arr.dtype.name}); "
                "round them first"
            )
    if dst == "b" and src != "b":
        raise EngineError(f"input {name!r} takes bool values, got {arr.dtype.name}")
    if not ok:
        raise EngineError(f"input {name!r} takes {dtype} values, got {arr.dtype.name}")
    return arr.astype(target)


def _as_bytes(name: str, arr: np.ndarray) -> np.ndarray:
    out = np.empty(arr.shape, dtype=object)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for i, v in enumerate(flat_in):
        if isinstance(v, (bytes, np.bytes_)):
            flat_out[i] = bytes(v)
        elif isinstance(v, (str, np.str_)):
            flat_out[i] = str(v).encode("utf-8")
        else:
            raise EngineError(f"input {name!r} takes strings, got a {type(v).__name__}")
    return out
