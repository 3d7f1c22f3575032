"""TF Serving REST request bodies: parse them into feeds, and export feeds as a body + curl.

Row format ``{"instances": [...]}``: each instance is one batch row, a dict of input name to
value (or a bare value when the signature has one input). Column format ``{"inputs": ...}``: a
dict of input name to the whole tensor (or a bare tensor for one input). Bytes are written as
``{"b64": "..."}``. See https://www.tensorflow.org/tfx/serving/api_rest.
"""

from __future__ import annotations

import base64
import binascii
import json
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.inputs.validate import TensorSpec, as_string_array, numpy_dtype

DEFAULT_HOST = "localhost"
DEFAULT_PORT = 8501


def _decode_b64(value: Any) -> Any:
    """Replace ``{"b64": ...}`` objects with bytes, recursively."""
    if isinstance(value, dict):
        if set(value) == {"b64"}:
            try:
                return base64.b64decode(value["b64"], validate=True)
            except (binascii.Error, TypeError, ValueError):
                raise UserError('a {"b64": ...} value is not valid base64') from None
        raise UserError(f"unexpected object with keys {sorted(value)} inside a tensor value")
    if isinstance(value, list):
        return [_decode_b64(v) for v in value]
    return value


def _to_array(value: Any, spec: TensorSpec | None, name: str) -> np.ndarray:
    value = _decode_b64(value)
    if spec is not None and numpy_dtype(spec.dtype).kind == "O":
        try:
            arr = np.array(value, dtype=object)
        except ValueError:
            raise UserError(f"input {name!r}: rows have different lengths") from None
        return as_string_array(arr)
    try:
        arr = np.array(value)
    except ValueError:
        raise UserError(f"input {name!r}: rows have different lengths (ragged tensor)") from None
    if arr.dtype == object:
        raise UserError(f"input {name!r}: rows have different lengths (ragged tensor)")
    if arr.dtype.kind in "SU":
        return as_string_array(arr)
    if spec is not None:
        want = numpy_dtype(spec.dtype)
        if want.kind in "iu" and arr.dtype.kind == "f" and not np.all(arr == np.round(arr)):
            raise UserError(f"input {name!r} is {spec.dtype} but the body has fractional numbers")
        if want.kind == "b" and arr.dtype.kind != "b":
            raise UserError(f"input {name!r} is bool; use true/false")
        try:
            return arr.astype(want)
        except (TypeError, ValueError, OverflowError):
            raise UserError(f"input {name!r}: values do not fit {spec.dtype}") from None
    return arr


def parse_request(
    body: str | bytes | Mapping[str, Any], specs: Sequence[TensorSpec] = ()
) -> tuple[dict[str, np.ndarray], str | None]:
    """Feeds from a REST predict body, typed by ``specs`` when given; also the body's
    ``signature_name`` (None when absent). Raises only UserError, whatever the body holds."""
    try:
        return _parse_request(body, specs)
    except UserError:
        raise
    except RecursionError:
        raise UserError("the request body is nested too deeply; rows of plain values") from None
    except MemoryError:
        raise UserError("the request body makes arrays too large for memory") from None
    except (ValueError, TypeError, OverflowError, KeyError, IndexError) as exc:
        raise UserError(
            f"the request body cannot be read as inputs ({type(exc).__name__}: "
            f"{str(exc)[:120]}); check it against the signature"
        ) from None


def _parse_request(
    body: str | bytes | Mapping[str, Any], specs: Sequence[TensorSpec] = ()
) -> tuple[dict[str, np.ndarray], str | None]:
    if isinstance(body, (str, bytes)):
        try:
            body = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UserError(f"the request body is not valid JSON: {str(exc)[:120]}") from None
    if not isinstance(body, Mapping):
        raise UserError('the request body must be a JSON object with "instances" or "inputs"')
    by_name = {s.name: s for s in specs}
    signature = body.get("signature_name")
    if ("instances" in body) == ("inputs" in body):
        raise UserError('the request body needs exactly one of "instances" (rows) or "inputs"')
    single = next(iter(by_name)) if len(by_name) == 1 else None
    if "instances" in body:
        rows = body["instances"]
        if not isinstance(rows, list) or not rows:
            raise UserError('"instances" must be a non-empty list of rows')
        if all(isinstance(r, dict) and "b64" not in r for r in rows):
            keys = set(rows[0])
            for i, r in enumerate(rows):
                if set(r) != keys:
                    raise UserError(f"instance {i} has inputs {sorted(r)}, not {sorted(keys)}")
            columns = {k: [r[k] for r in rows] for k in sorted(keys)}
        else:
            if single is None and specs:
                raise UserError(
                    "the signature has several inputs, so each instance must be an object "
                    "naming them"
                )
            columns = {single or "inputs": rows}
    else:
        cols = body["inputs"]
        if isinstance(cols, dict) and "b64" not in cols:
            columns = dict(cols)
        else:
            if single is None and specs:
                raise UserError('the signature has several inputs: "inputs" must name them')
            columns = {single or "inputs": cols}
    if by_name:
        unknown = sorted(set(columns) - set(by_name))
        if unknown:
            raise UserError(
                f"the body names input {unknown[0]!r}, which the signature does not have "
                f"(it has {', '.join(sorted(by_name))})"
            )
    feeds = {k: _to_array(v, by_name.get(k), k) for k, v in columns.items()}
    return feeds, signature if isinstance(signature, str) else None


def _jsonable(arr: np.ndarray) -> Any:
    arr = np.asarray(arr)
    if arr.dtype.kind in "OSU":
        flat = np.empty(arr.size, dtype=object)
        flat[:] = [_string_value(v) for v in as_string_array(arr).reshape(-1)]
        return flat.reshape(arr.shape).tolist()
    if arr.dtype.kind == "c":
        raise UserError("complex tensors cannot be written to a REST body")
    return arr.tolist()


def _string_value(b: bytes) -> Any:
    try:
        text = b.decode("utf-8")
    except UnicodeDecodeError:
        return {"b64": base64.b64encode(b).decode("ascii")}
    if any(ord(c) < 32 and c not in "\t\n\r" for c in text):  # binary that happens to decode
        return {"b64": base64.b64encode(b).decode("ascii")}
    return text


def request_body(
    feeds: Mapping[str, np.ndarray], *, rows: bool | None = None, signature_name: str | None = None
) -> dict[str, Any]:
    """A predict body for ``feeds``: rows (``instances``) when every input shares its first
    dimension, else columns (``inputs``); ``rows`` forces one or the other."""
    if not feeds:
        raise UserError("there are no inputs to export")
    arrays = {k: np.asarray(v) for k, v in feeds.items()}
    firsts = {a.shape[0] if a.ndim else None for a in arrays.values()}
    can_rows = None not in firsts and len(firsts) == 1
    if rows and not can_rows:
        raise UserError("the row format needs every input to share its first (batch) dimension")
    use_rows = can_rows if rows is None else rows
    body: dict[str, Any] = {}
    if signature_name:
        body["signature_name"] = signature_name
    values = {k: _jsonable(a) for k, a in arrays.items()}
    if use_rows:
        n = int(firsts.pop() or 0)  # every input has the same first dimension here
        if len(values) == 1:
            body["instances"] = next(iter(values.values()))
        else:
            body["instances"] = [{k: v[i] for k, v in values.items()} for i in range(n)]
    else:
        body["inputs"] = values
    return body


def request_json(feeds: Mapping[str, np.ndarray], **kwargs: Any) -> str:
    """:func:`request_body` as JSON text."""
    return json.dumps(request_body(feeds, **kwargs), separators=(",", ":"))


def predict_url(
    model_name: str, version: int | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT
) -> str:
    """``http://localhost:8501/v1/models/NAME[/versions/N]:predict``."""
    if not model_name or "/" in model_name:
        raise UserError(f"{model_name!r} is not a usable model name")
    version_part = f"/versions/{int(version)}" if version is not None else ""
    return f"http://{host}:{port}/v1/models/{model_name}{version_part}:predict"


def curl_command(
    model_name: str,
    body: str | Mapping[str, Any] | None = None,
    *,
    body_file: str | None = None,
    version: int | None = None,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
) -> str:
    """A shell command that posts ``body`` (inline) or ``body_file`` (``-d @file``)."""
    url = predict_url(model_name, version, host, port)
    if body_file is not None:
        data = "@" + body_file
    elif body is not None:
        data = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
    else:
        raise UserError("give the request body or the file that holds it")
    return f"curl -X POST {shlex.quote(url)} -H 'Content-Type: application/json' -d {shlex.quote(data)}"
