"""Safe evaluation of ``--input-exprs`` (``'x=np.ones((2,3));y=[1, 2]'``), never with ``eval``.

The text is parsed with ``ast`` and the tree is walked here: literals, tuples, lists, dicts,
unary minus, arithmetic, and calls to an allow-list of numpy constructors. Every array size is
computed from the arguments and checked against a limit BEFORE anything is allocated. Random
functions are seeded (``seed=`` keyword, or ``np.random.default_rng(seed).normal(...)``; without
a seed, one generator seeded with 0 per evaluation), so a run can be repeated.
"""

from __future__ import annotations

import ast
import math
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.inputs.expression_evaluator import _NP, _NP_RANDOM, Evaluator, _Rng
from inspector_app.inputs.expression_rules import (
    ALLOWED_TEXT,
    ARRAY_METHODS,
    CONSTANTS,
    CONSTRUCTORS,
    DEFAULT_MAX_BYTES,
    DTYPE_NAMES,
    MAX_INT_BITS,
    MAX_TEXT,
    RANDOM,
    ExpressionError,
    leaf_bytes,
    short,
)


def split_assignments(text: str, flag: str) -> list[tuple[str, str]]:
    """``'a=1;b=f(";")'`` -> ``[("a", "1"), ("b", 'f(";")')]``: split on ``;`` outside quotes
    and brackets, then on the first ``=``."""
    parts, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == ";" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
        i += 1
    parts.append(text[start:])
    out = []
    for part in parts:
        if not part.strip():
            continue
        key, eq, value = part.partition("=")
        if not eq or not key.strip() or not value.strip():
            raise UserError(f"{flag}: {part.strip()!r} is not of the form input_key=value")
        out.append((key.strip(), value.strip()))
    return out


def parse_input_exprs(
    text: str, max_bytes: int = DEFAULT_MAX_BYTES, *, keep_literals: bool = False
) -> dict[str, Any]:
    """``--input-exprs`` text to arrays, one per input key. ``keep_literals``: a plain literal
    (``[1, 2, 5]``, ``3.0``) comes back as Python values, which have no dtype of their own, so
    that ``inputs.feed_policy`` gives them the input's dtype (an array such as ``np.ones(3)``
    keeps numpy's)."""
    feeds: dict[str, Any] = {}
    for key, expr in split_assignments(text, "--input-exprs"):
        if key in feeds:
            raise UserError(f"--input-exprs: input {key!r} is given twice")
        value = evaluate(expr, max_bytes=max_bytes, name=key)
        literal = keep_literals and value.dtype.kind in "biuf" and is_literal(expr)
        feeds[key] = value.tolist() if literal else value
    return feeds


def is_literal(text: str) -> bool:
    """True for a plain number or nested list/tuple of numbers (``[1, 2.5]``, ``-3``): text
    that names no dtype, unlike ``np.ones(3)`` or ``np.array([1], np.int8)``."""
    try:
        node = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, (ast.List, ast.Tuple)):
            stack.extend(n.elts)
        elif isinstance(n, ast.UnaryOp) and isinstance(n.op, (ast.USub, ast.UAdd)):
            stack.append(n.operand)
        elif not (isinstance(n, ast.Constant) and isinstance(n.value, (int, float, bool))):
            return False
    return True


def evaluate(text: str, *, max_bytes: int = DEFAULT_MAX_BYTES, name: str = "") -> np.ndarray:
    """The value of one expression as an array (see the module docstring for what is allowed)."""
    where = f"input {name!r}: " if name else ""
    if len(text) > MAX_TEXT:
        raise ExpressionError(f"{where}the expression is longer than {MAX_TEXT} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        detail = "nested too deeply" if isinstance(exc, (RecursionError, MemoryError)) else exc
        raise ExpressionError(
            f"{where}cannot parse {short(text)}: {detail}; write a literal or np.<constructor>(...)"
        ) from None
    ev = Evaluator(max_bytes, where)
    try:
        value = ev.visit(tree.body)
    except ExpressionError:
        raise
    except RecursionError:
        raise ExpressionError(f"{where}the expression is nested too deeply") from None
    except MemoryError:
        raise ExpressionError(
            f"{where}{short(text)} needs more memory than this machine has; make it smaller"
        ) from None
    except (ValueError, TypeError, ArithmeticError, IndexError, KeyError, OverflowError) as exc:
        raise ExpressionError(f"{where}{short(text)} failed: {short(str(exc))}") from None
    if value is _NP or value is _NP_RANDOM or isinstance(value, (_Rng, np.dtype, type)):
        raise ExpressionError(f"{where}{short(text)} is not a value")
    try:  # nested lists: sized before numpy builds them
        ev.check_bytes(leaf_bytes(value), short(text))
    except RecursionError:
        raise ExpressionError(f"{where}the lists are nested more than 64 deep") from None
    try:
        arr = np.asarray(value)
    except MemoryError:
        raise ExpressionError(
            f"{where}{short(text)} needs more memory than this machine has"
        ) from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise ExpressionError(f"{where}{short(text)} is not an array: {short(str(exc))}") from None
    ev.check_bytes(arr.nbytes, short(text))
    return arr


def to_expression(arr: np.ndarray, max_values: int = 4096) -> str | None:
    """An expression this module evaluates back to ``arr`` exactly (values, dtype, shape), so
    values set from a REST body, a warmup record or a fix show as editable text; None for
    arrays over ``max_values`` values or of a kind a literal cannot hold (complex, objects that
    are not bytes or text)."""
    arr = np.asarray(arr)
    if arr.size > max_values:
        return None
    kind = arr.dtype.kind
    if kind in "OSU":
        items = arr.reshape(-1).tolist()
        if not all(isinstance(x, (bytes, str)) for x in items):
            return None
        items = [x.encode("utf-8") if isinstance(x, str) else x for x in items]
        flat = np.empty(len(items), dtype=object)
        flat[:] = items
        arr = flat.reshape(arr.shape)
        dtype = "np.object_"
    elif kind in "biuf":
        dtype = f"np.{arr.dtype.name}"
    else:
        return None
    if arr.size == 0:
        return f"np.zeros({tuple(arr.shape)!r}, dtype={dtype})"

    def number(v: Any) -> str:
        if isinstance(v, (np.floating, float)):
            if math.isnan(v):
                return "np.nan"
            if math.isinf(v):
                return "np.inf" if v > 0 else "-np.inf"
        return str(v)  # numpy's shortest text that reads back as the same value

    def nested(a: Any) -> str:
        if not isinstance(a, np.ndarray) or a.ndim == 0:
            value = a[()] if isinstance(a, np.ndarray) else a
            return repr(value) if isinstance(value, bytes) else number(value)
        return "[" + ", ".join(nested(a[i]) for i in range(a.shape[0])) + "]"

    return f"np.array({nested(arr)}, dtype={dtype})"


__all__ = [
    "ALLOWED_TEXT",
    "ARRAY_METHODS",
    "CONSTANTS",
    "CONSTRUCTORS",
    "DEFAULT_MAX_BYTES",
    "DTYPE_NAMES",
    "MAX_INT_BITS",
    "MAX_TEXT",
    "RANDOM",
    "ExpressionError",
    "evaluate",
    "is_literal",
    "parse_input_exprs",
    "split_assignments",
    "to_expression",
]
