"""TensorFlow's op registry, read in a process that has TensorFlow loaded: the engine worker, or
the child ``python`` that the window's checks start. The window process itself never imports
this module's TensorFlow side (savedmodel reads the cached results)."""

from __future__ import annotations

from typing import Any


def _op_list() -> Any:
    from tensorflow.core.framework import op_def_pb2
    from tensorflow.python.client import pywrap_tf_session as s

    ol = op_def_pb2.OpList()
    ol.ParseFromString(s.TF_GetBuffer(s.TF_GetAllOpList()))
    return ol


def registered_op_names() -> list[str]:
    """The op names registered now (the C++ registry: ops of loaded libraries count too)."""
    return sorted(op.name for op in _op_list().op)


def op_catalog() -> dict:
    """``{"tensorflow": version, "ops": {name: [summary, inputs, outputs]}}``: a one-line
    description (the op's summary, else its ``tf.raw_ops`` docstring's first line) and the
    input and output arguments ``[name, type or type attribute, is a list]`` of every op."""
    import tensorflow as tf
    from tensorflow.core.framework import types_pb2

    def first_line(doc: str | None) -> str:
        for line in (doc or "").strip().splitlines():
            if line.strip():
                return line.strip()[:300]
        return ""

    def args(defs: Any) -> list:
        out = []
        for a in defs:
            t = a.type_attr or a.type_list_attr or types_pb2.DataType.Name(a.type)
            out.append([a.name, t, bool(a.number_attr or a.type_list_attr)])
        return out

    ops = {}
    for op in _op_list().op:
        fn = getattr(tf.raw_ops, op.name, None)
        summary = op.summary or first_line(getattr(fn, "__doc__", ""))
        ops[op.name] = [summary, args(op.input_arg), args(op.output_arg)]
    return {"tensorflow": tf.__version__, "ops": ops}
