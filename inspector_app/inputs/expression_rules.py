"""The input expression language's rules: what it allows (constants, constructors, random
functions, array methods), the parameters of each allowed call, and its error type. The walker
that applies them is ``inputs.expression_evaluator``; the entry points are ``inputs.expressions``.
"""

from __future__ import annotations

import ast
from typing import Any

import numpy as np

from inspector_app.errors import UserError
from inspector_app.units import GB

DEFAULT_MAX_BYTES = 2 * GB
MAX_TEXT = 1_000_000  # characters in one expression
MAX_INT_BITS = 4096

DTYPE_NAMES = (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128", "str_", "bytes_", "object_",
)  # fmt: skip
CONSTANTS = {"pi": np.pi, "e": np.e, "inf": np.inf, "nan": np.nan}
CONSTRUCTORS = ("ones", "zeros", "full", "arange", "linspace", "eye", "array", "asarray")
RANDOM = ("uniform", "normal", "randint", "rand", "randn", "random", "integers", "standard_normal")
ALLOWED_TEXT = (
    "literals, tuples, lists, dicts, + - * / // % **, np." + ", np.".join(CONSTRUCTORS)
    + ", np.random.<" + "|".join(RANDOM) + "> (seeded), np.random.default_rng(seed).<...>, "
    "dtypes such as np.float32, indexing and slicing (a[0], a[3:4], a[:, ::2], a[..., None]), "
    ".reshape() .astype() .T .transpose() .squeeze() .flatten()"
)  # fmt: skip
ARRAY_METHODS = ("reshape", "astype", "transpose", "squeeze", "flatten")


class ExpressionError(UserError):
    """An input expression is not allowed or cannot be evaluated."""


def short(text: str, limit: int = 80) -> str:
    """``text`` quoted, cut to ``limit`` characters with a count of what was left out."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text) - limit:,} more characters)"


# parameter names, in order, of each allowed call (a subset of numpy's)
SIGNATURES: dict[str, tuple[str, ...]] = {
    "ones": ("shape", "dtype"),
    "zeros": ("shape", "dtype"),
    "full": ("shape", "fill_value", "dtype"),
    "arange": ("start", "stop", "step", "dtype"),
    "linspace": ("start", "stop", "num", "endpoint", "dtype"),
    "eye": ("N", "M", "k", "dtype"),
    "array": ("object", "dtype"),
    "asarray": ("object", "dtype"),
    "random.uniform": ("low", "high", "size"),
    "random.normal": ("loc", "scale", "size"),
    "random.randint": ("low", "high", "size", "dtype"),
    "random.integers": ("low", "high", "size", "dtype"),
    "random.random": ("size",),
    "random.standard_normal": ("size",),
}
REQUIRED = {"shape", "fill_value", "start", "N", "object"}


def bind(fname: str, args: list, kwargs: dict, names: tuple[str, ...], where: str) -> dict:
    if len(args) > len(names):
        raise ExpressionError(f"{where}{fname}() takes at most {len(names)} arguments")
    bound = dict(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key not in names:
            raise ExpressionError(
                f"{where}{fname}() has no argument {key!r} here (allowed: {', '.join(names)})"
            )
        if key in bound:
            raise ExpressionError(f"{where}{fname}() got {key!r} twice")
        bound[key] = value
    if fname == "linspace" and "stop" not in bound:
        raise ExpressionError(f"{where}linspace() needs start and stop")
    if fname in ("randint", "integers") and "low" not in bound:
        raise ExpressionError(f"{where}{fname}() needs low")
    for key in names:
        if key in REQUIRED and key not in bound:
            raise ExpressionError(f"{where}{fname}() needs {key}")
    return bound


def list_axis(parts: tuple, ndim: int) -> int:
    """The axis an index list applies to, given the parts of an index (None takes no axis)."""
    axis = 0
    for i, part in enumerate(parts):
        if isinstance(part, np.ndarray):
            return axis
        if part is Ellipsis:
            axis = ndim - sum(1 for p in parts[i + 1 :] if p is not None and p is not Ellipsis)
        elif part is not None:
            axis += 1
    return -1


def is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def seed_value(value: Any) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
        raise ExpressionError("a seed is a whole number >= 0")
    return int(value)


def dotted(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # noqa: BLE001
        return type(node).__name__


def describe_node(node: ast.AST) -> str:
    names = {
        "Lambda": "lambda", "ListComp": "a comprehension", "SetComp": "a comprehension",
        "DictComp": "a comprehension", "GeneratorExp": "a generator",
        "Compare": "a comparison", "BoolOp": "and/or", "IfExp": "if/else", "Starred": "'*'",
        "JoinedStr": "an f-string", "NamedExpr": "':='", "Set": "a set", "Await": "await",
        "Yield": "yield", "YieldFrom": "yield",
    }  # fmt: skip
    return names.get(type(node).__name__, type(node).__name__)


def leaf_bytes(value: Any, memo: dict[int, int] | None = None, depth: int = 0) -> int:
    """Bytes numpy would need for the nested lists and tuples in ``value``, counted without
    building anything (a list repeated by ``*`` holds one object many times: counted once per
    distinct object, multiplied by its uses)."""
    if memo is None:
        memo = {}
    if isinstance(value, (list, tuple)):
        key = id(value)
        if key in memo:
            return memo[key]
        if depth > 64:
            raise RecursionError
        total = sum(leaf_bytes(v, memo, depth + 1) for v in value) or 8
        memo[key] = total
        return total
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, (str, bytes)):
        return max(8, 4 * len(value))
    return 8
