"""The walker of the input expression language: it evaluates a parsed expression node by node
by the rules of ``inputs.expression_rules``, sizing every array before it is made. Never
``eval``."""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from inspector_app.inputs.expression_rules import (
    ALLOWED_TEXT,
    ARRAY_METHODS,
    CONSTANTS,
    CONSTRUCTORS,
    DTYPE_NAMES,
    MAX_INT_BITS,
    RANDOM,
    SIGNATURES,
    ExpressionError,
    bind,
    describe_node,
    dotted,
    is_int,
    leaf_bytes,
    list_axis,
    seed_value,
)
from inspector_app.units import human_bytes


class _Rng:
    """A seeded generator as a value of the expression language."""

    def __init__(self, seed: int) -> None:
        self.gen = np.random.default_rng(seed)


_NP = object()  # the value of the name ``np``/``numpy``
_NP_RANDOM = object()
_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


class Evaluator:
    def __init__(self, max_bytes: int, where: str) -> None:
        self.max_bytes = max_bytes
        self.where = where
        self.rng: _Rng | None = None

    def refuse(self, what: str) -> ExpressionError:
        return ExpressionError(f"{self.where}{what} is not allowed in an input expression "
                               f"(allowed: {ALLOWED_TEXT})")  # fmt: skip

    def check_bytes(self, nbytes: float, what: str) -> None:
        if nbytes > self.max_bytes:
            raise ExpressionError(
                f"{self.where}{what} would allocate {human_bytes(nbytes)}, over the "
                f"{human_bytes(self.max_bytes)} limit; raise it with --max-input-bytes "
                "(in the window: the expression's Size limit)"
            )

    # -------------------------------------------------------------- nodes

    def visit(self, node: ast.AST) -> Any:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise self.refuse(describe_node(node))
        return method(node)

    def visit_Constant(self, node: ast.Constant) -> Any:
        if isinstance(node.value, (int, float, complex, str, bytes, bool)) or node.value is None:
            return node.value
        raise self.refuse("this constant")

    def visit_Tuple(self, node: ast.Tuple) -> tuple:
        return tuple(self.visit(e) for e in node.elts)

    def visit_List(self, node: ast.List) -> list:
        return [self.visit(e) for e in node.elts]

    def visit_Dict(self, node: ast.Dict) -> dict:
        keys = [k for k in node.keys if k is not None]
        if len(keys) != len(node.keys):
            raise self.refuse("'**' unpacking")
        return {self.visit(k): self.visit(v) for k, v in zip(keys, node.values, strict=True)}

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return -value
        if isinstance(node.op, ast.UAdd):
            return +value
        raise self.refuse(f"the operator {type(node.op).__name__}")

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        op = _BINOPS.get(type(node.op))
        if op is None:
            raise self.refuse(f"the operator {type(node.op).__name__}")
        left, right = self.visit(node.left), self.visit(node.right)
        self._check_binop(node.op, left, right)
        return op(left, right)

    def _check_binop(self, op: ast.operator, left: Any, right: Any) -> None:
        seqs = (str, bytes, list, tuple)
        if isinstance(op, ast.Mult) and (isinstance(left, seqs) or isinstance(right, seqs)):
            seq, n = (left, right) if isinstance(left, seqs) else (right, left)
            if isinstance(n, int):  # "ab" * 10**12: sized before it is built
                self.check_bytes(len(seq) * max(n, 0) * 8, "repeating a sequence")
                if isinstance(seq, (list, tuple)):  # [[0] * 3000] * 3000: what numpy will build
                    self.check_bytes(leaf_bytes(seq) * max(n, 0), "repeating a list")
        if isinstance(op, ast.Mod) and isinstance(left, (str, bytes)):
            args = right if isinstance(right, tuple) else (right,)
            if any(isinstance(a, (int, float)) and abs(a) > 100_000 for a in args):
                raise ExpressionError(
                    f"{self.where}'%' formatting with a number over 100,000 could make a huge "
                    "string; write the string out instead"
                )
        ints = isinstance(left, int) and isinstance(right, int)
        huge = (
            ints and right > 0 and abs(left) > 1 and right * abs(left).bit_length() > MAX_INT_BITS
        )
        if isinstance(op, ast.Pow) and huge:
            raise ExpressionError(f"{self.where}{left} ** {right} is too large a number")
        arrays = [np.asarray(v) for v in (left, right) if isinstance(v, (np.ndarray, list, tuple))]
        if len(arrays) == 2:  # broadcasting can multiply sizes: size the result first
            shape = np.broadcast_shapes(arrays[0].shape, arrays[1].shape)
            itemsize = max(a.dtype.itemsize for a in arrays)
            self.check_bytes(math.prod(shape) * itemsize, "this arithmetic")

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in ("np", "numpy"):
            return _NP
        _no_dunder(node.id, self)
        raise self.refuse(f"the name {node.id!r}")

    def visit_Attribute(self, node: ast.Attribute) -> Any:
        _no_dunder(node.attr, self)
        base = self.visit(node.value)
        if base is _NP:
            if node.attr == "random":
                return _NP_RANDOM
            if node.attr in DTYPE_NAMES:
                return getattr(np, node.attr)
            if node.attr in CONSTANTS:
                return CONSTANTS[node.attr]
            if node.attr in CONSTRUCTORS:
                return ("np", node.attr)
        elif base is _NP_RANDOM and (node.attr in RANDOM or node.attr == "default_rng"):
            return ("random", node.attr)
        elif isinstance(base, _Rng) and node.attr in RANDOM:
            return ("rng", node.attr, base)
        elif isinstance(base, np.ndarray) and node.attr in ARRAY_METHODS:
            return ("method", node.attr, base)
        elif isinstance(base, np.ndarray) and node.attr in ("T", "shape", "size", "ndim"):
            return getattr(base, node.attr)
        raise self.refuse(f"the attribute {dotted(node)!r}")

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        """``a[3:4]``, ``a[0, :, ::2]``, ``a[..., None]``, ``a[[0, 2]]``: basic indexing makes a view
        (no memory); an index list's result is sized before it is made."""
        base = self.visit(node.value)
        if isinstance(base, (list, tuple)):
            base = np.asarray(base)
        if not isinstance(base, np.ndarray):
            raise self.refuse("indexing anything but an array")
        index = self._index(node.slice)
        parts = index if isinstance(index, tuple) else (index,)
        lists = [p for p in parts if isinstance(p, np.ndarray)]
        if lists:
            if len(lists) > 1 or lists[0].ndim != 1:
                raise self.refuse("indexing with more than one list, or a nested list,")
            axis = list_axis(parts, base.ndim)
            rest = base.size // base.shape[axis] if 0 <= axis < base.ndim and base.shape[axis] else base.size  # fmt: skip
            self.check_bytes(len(lists[0]) * max(1, rest) * base.itemsize, "this indexing")
        return base[index]

    def _index(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Tuple):
            return tuple(self._index_part(e) for e in node.elts)
        return self._index_part(node)

    def _index_part(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Slice):
            bounds = [None if n is None else self.visit(n) for n in (node.lower, node.upper, node.step)]  # fmt: skip
            if not all(b is None or is_int(b) for b in bounds):
                raise ExpressionError(f"{self.where}slice bounds are whole numbers")
            if bounds[2] == 0:
                raise ExpressionError(f"{self.where}a slice step must not be 0")
            return slice(*bounds)
        if isinstance(node, ast.Constant) and node.value is Ellipsis:
            return Ellipsis
        value = self.visit(node)
        if value is None or is_int(value):
            return value
        if isinstance(value, (list, tuple, np.ndarray)):
            arr = np.asarray(value)
            if arr.dtype.kind in "iub" and arr.size <= 10_000_000:
                return arr
        raise ExpressionError(
            f"{self.where}an index is a whole number, a slice (a:b:c), ..., None or a list of "
            "whole numbers"
        )

    def visit_Call(self, node: ast.Call) -> Any:
        func = self.visit(node.func)
        args = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise self.refuse("'*' unpacking")
            args.append(self.visit(a))
        kwargs = {}
        for kw in node.keywords:
            if kw.arg is None:
                raise self.refuse("'**' unpacking")
            _no_dunder(kw.arg, self)
            kwargs[kw.arg] = self.visit(kw.value)
        if isinstance(func, type) and issubclass(func, np.generic):  # np.float32(1.5)
            if len(args) != 1 or kwargs or isinstance(args[0], (list, tuple, np.ndarray)):
                raise self.refuse("a dtype call other than on one number")
            return func(args[0])
        if not isinstance(func, tuple):
            raise self.refuse(f"calling {dotted(node.func)!r}")
        kind, fname = func[0], func[1]
        if kind == "np":
            return self._constructor(fname, args, kwargs)
        if kind == "random":
            if fname == "default_rng":
                return _Rng(seed_value(args[0] if args else kwargs.get("seed", 0)))
            seed = kwargs.pop("seed", None)
            rng = _Rng(seed_value(seed)) if seed is not None else self._default_rng()
            return self._random(rng, fname, args, kwargs)
        if kind == "rng":
            return self._random(func[2], fname, args, kwargs)
        if kind == "method":
            return self._method(func[2], fname, args, kwargs)
        raise self.refuse(f"calling {dotted(node.func)!r}")

    # -------------------------------------------------------------- calls

    def _default_rng(self) -> _Rng:
        if self.rng is None:
            self.rng = _Rng(0)
        return self.rng

    def _dtype(self, value: Any, default: str = "float64") -> np.dtype:
        if value is None:
            return np.dtype(default)
        if isinstance(value, str) and value not in DTYPE_NAMES and value not in ("str", "bytes", "object", "float", "int", "complex"):  # fmt: skip
            raise ExpressionError(f"{self.where}unknown dtype {value!r}; use e.g. 'float32'")
        if not (isinstance(value, (str, np.dtype)) or (isinstance(value, type) and issubclass(value, np.generic))):  # fmt: skip
            raise ExpressionError(f"{self.where}dtype must be a name like 'float32' or np.float32")
        dtype = np.dtype(value)
        if dtype.fields is not None or dtype.subdtype is not None:
            raise ExpressionError(f"{self.where}structured dtypes are not allowed")
        return dtype

    def _sized(self, shape: Any, dtype: np.dtype, what: str) -> tuple[int, ...]:
        dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        if not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in dims):
            raise ExpressionError(f"{self.where}{what}: a shape is a tuple of whole numbers")
        if any(d < 0 for d in dims):
            raise ExpressionError(f"{self.where}{what}: negative dimensions are not allowed")
        itemsize = dtype.itemsize if dtype.kind not in "O" else 8
        self.check_bytes(math.prod(int(d) for d in dims) * max(itemsize, 1), what)
        return tuple(int(d) for d in dims)

    def _constructor(self, fname: str, args: list, kwargs: dict) -> Any:
        call = f"np.{fname}(...)"
        bound = bind(fname, args, kwargs, SIGNATURES[fname], self.where)
        if fname in ("ones", "zeros"):
            dtype = self._dtype(bound.get("dtype"))
            shape = self._sized(bound["shape"], dtype, f"np.{fname}({bound['shape']!r})")
            return (np.ones if fname == "ones" else np.zeros)(shape, dtype=dtype)
        if fname == "full":
            fill = bound["fill_value"]
            dtype = self._dtype(bound.get("dtype"), np.asarray(fill).dtype.name)
            shape = self._sized(bound["shape"], dtype, call)
            return np.full(shape, fill, dtype=dtype)
        if fname == "arange":
            start, stop, step = bound["start"], bound.get("stop"), bound.get("step", 1)
            if stop is None:
                start, stop = 0, start
            if not step:
                raise ExpressionError(f"{self.where}np.arange: step must not be 0")
            count = max(0, math.ceil((stop - start) / step))
            dtype = self._dtype(bound.get("dtype"), "float64" if any(isinstance(v, float) for v in (start, stop, step)) else "int64")  # fmt: skip
            self._sized(count, dtype, call)
            return np.arange(start, stop, step, dtype=dtype)
        if fname == "linspace":
            num = bound.get("num", 50)
            dtype = self._dtype(bound.get("dtype"))
            self._sized(num, dtype, call)
            return np.linspace(bound["start"], bound["stop"], num, endpoint=bound.get("endpoint", True), dtype=dtype)  # fmt: skip
        if fname == "eye":
            n, m = bound["N"], bound.get("M")
            dtype = self._dtype(bound.get("dtype"))
            self._sized((n, n if m is None else m), dtype, call)
            return np.eye(n, m, k=bound.get("k", 0), dtype=dtype)
        # array / asarray: the object is built from literals; size what numpy will make of it
        obj = bound["object"]
        self.check_bytes(leaf_bytes(obj), call)
        array_dtype = self._dtype(bound["dtype"]) if bound.get("dtype") is not None else None
        return np.array(obj, dtype=array_dtype)

    def _random(self, rng: _Rng, fname: str, args: list, kwargs: dict) -> Any:
        gen = rng.gen
        if fname in ("rand", "randn"):
            if kwargs:
                raise ExpressionError(f"{self.where}np.random.{fname} takes dimensions only")
            shape = self._sized(tuple(args), np.dtype("float64"), f"np.random.{fname}")
            return gen.random(shape) if fname == "rand" else gen.standard_normal(shape)
        bound = bind(fname, args, kwargs, SIGNATURES[f"random.{fname}"], self.where)
        size = bound.get("size")
        dtype = self._dtype(bound.get("dtype"), "int64" if fname in ("randint", "integers") else "float64")  # fmt: skip
        shape = self._sized(() if size is None else size, dtype, f"np.random.{fname}")
        size = None if size is None else shape
        if fname == "uniform":
            return gen.uniform(bound.get("low", 0.0), bound.get("high", 1.0), size)
        if fname == "normal":
            return gen.normal(bound.get("loc", 0.0), bound.get("scale", 1.0), size)
        if fname in ("randint", "integers"):
            return gen.integers(bound["low"], bound.get("high"), size, dtype=dtype)
        if fname == "random":
            return gen.random(size)
        return gen.standard_normal(size)

    def _method(self, arr: np.ndarray, fname: str, args: list, kwargs: dict) -> Any:
        if fname == "astype":
            dtype = self._dtype(args[0] if args else kwargs.get("dtype"))
            # str/bytes have no fixed size: a number's text takes up to 32 characters
            itemsize = dtype.itemsize or {"U": 128, "S": 32}.get(dtype.kind, 8)
            self.check_bytes(arr.size * max(itemsize, 8 if dtype.kind == "O" else 1), ".astype()")
            return arr.astype(dtype)
        if fname == "flatten":
            if args or kwargs:
                raise ExpressionError(f"{self.where}.flatten() takes no arguments here")
            return arr.flatten()
        if fname == "squeeze":
            axis = args[0] if args else kwargs.get("axis")
            if axis is not None and not (is_int(axis) or all(is_int(a) for a in axis)):
                raise ExpressionError(f"{self.where}.squeeze(axis): whole numbers")
            return arr.squeeze(axis=axis if not isinstance(axis, list) else tuple(axis))
        shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else tuple(args)
        if not all(is_int(d) for d in shape):
            raise ExpressionError(f"{self.where}.{fname}() takes whole numbers")
        if fname == "transpose":
            return arr.transpose(shape or None)
        return arr.reshape(shape)


def _no_dunder(name: str, ev: Evaluator) -> None:
    if name.startswith("_"):
        raise ExpressionError(f"{ev.where}names starting with '_' such as {name!r} are not allowed")
