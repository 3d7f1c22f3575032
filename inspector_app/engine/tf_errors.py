"""TensorFlow's error messages made into one line a user can act on (no TensorFlow import).

TensorFlow 2.21 wraps a failed op in several lines::

    Graph execution error:

    Detected at node Reshape defined at (most recent call last):
    <stack traces unavailable>
    Input to reshape is a tensor with 6 values, but the requested shape requires a multiple of 4
        [[{{node Reshape}}]] [Op:__inference_signature_wrapper_mm_129]

``describe`` keeps the line that says what went wrong, the node (and its op type, when the
caller can look it up in the model's graph) and adds a hint of what to do where one is known:
``InvalidArgumentError at node Reshape (Reshape): Input to reshape is ... multiple of 4; hint:
the input's shape does not fit what the model computes: check it against the signature``.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Callable

from inspector_app.engine.protocol import EngineError

# Lines TensorFlow adds around the real message.
_NOISE = (
    re.compile(r"^graph execution error:?$", re.IGNORECASE),
    re.compile(r"^detected at node .*$", re.IGNORECASE),
    re.compile(r"^<stack traces unavailable>$"),
    re.compile(r"^file \".*\", line \d+", re.IGNORECASE),
    re.compile(r"^\[\[.*\]\]"),
    re.compile(r"^\(\d+\) .*error.*:$", re.IGNORECASE),  # "(0) INVALID_ARGUMENT: ..." headers
    re.compile(r"^\d+ root error\(s\) found\.?$", re.IGNORECASE),
    re.compile(r"^\d+ successful operations\.?$", re.IGNORECASE),
    re.compile(r"^\d+ derived errors ignored\.?$", re.IGNORECASE),
    re.compile(
        r"^(errors may have originated from an input operation|input source operations "
        r"connected to node|original stack trace for|caused by op)\b",
        re.IGNORECASE,
    ),  # fmt: skip
)
_NODE_PATTERNS = (
    re.compile(r"\{\{node ([^}]+)\}\}"),
    re.compile(r"^Detected at node '?([^'\s]+)'? defined at", re.MULTILINE),
    re.compile(r"\[\[node ([^\s\]]+)"),
)
_FUNCTION_OP = re.compile(r"\s*\[Op:[^\]]*\]\s*$")
_STATUS_PREFIX = re.compile(r"^\(\d+\)\s+[A-Z_]+:\s*")
# TensorFlow's advice for unregistered ops (tf.contrib is long gone): the hint replaces it
_OUTDATED = re.compile(r"\s*Make sure the Op and Kernel are registered.*$")
# the op's whole NodeDef, which graph-construction errors quote: "for '{{node X}} = Op[...](...)'"
_NODE_DEF = re.compile(r" for '\{\{node [^}]+\}\} = [^']*'")

# (pattern over the message, hint); the first that matches gives the hint. Other modules add
# theirs with ``add_hint`` (damaged variables, for one).
_HINTS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"Feature: (\S+) \(data type: \w+\) is required but could not be found"),
        "every tf.Example must carry feature '{0}' (the model parses it without a default)",
    ),
    (
        re.compile(
            r"Could not parse example input|Failed to parse example|not a valid Example", re.I
        ),
        "the input must hold serialized tf.train.Example records (give them with "
        "--input-examples or the window's tf.Example editor)",
    ),
    (
        re.compile(r"Op type not registered '([^']+)'"),
        "op '{0}' comes from a custom-op package or library: install it, or load it with "
        "--load-ops MODULE_OR_SO (Run > Custom ops in the window)",
    ),
    (
        re.compile(
            r"Input to reshape is a tensor|Incompatible shapes|Matrix size-incompatible|"
            r"Dimensions must be equal|ConcatOp : Dimension|must be rank|shape must be|"
            r"In\[\d\] mismatch|expected .*shape|Shapes .* are incompatible|input depth must be",
            re.IGNORECASE,
        ),
        "the input's shape does not fit what the model computes: check it against the "
        "signature's shape (batch dimension, image size, sequence length)",
    ),
    (
        re.compile(
            r"expected to be a (\w+) tensor but is a (\w+) tensor|"
            r"cannot compute \w+ as input|Expected \w+ passed to parameter",
            re.I,
        ),  # fmt: skip
        "the input's dtype does not fit the graph: cast it to the dtype the signature names",
    ),
    (
        re.compile(r"indices\[.*\] = .* is not in \[|out of range|outside of", re.IGNORECASE),
        "an index in the input is out of range (token ids beyond the vocabulary, class ids "
        "beyond the table): check the input values",
    ),
    (
        re.compile(r"OOM when allocating|ResourceExhausted|out of memory", re.IGNORECASE),
        "the device ran out of memory: use a smaller batch, or run on the CPU",
    ),
    (
        re.compile(r"Cannot assign a device|Could not satisfy explicit device", re.IGNORECASE),
        "the graph pins ops to a device this machine lacks: run on the CPU or export with "
        "clear_devices=True",
    ),
    (
        re.compile(r"Unicode|UTF-8|utf8", re.IGNORECASE),
        "the string input is not valid UTF-8 text where the model needs it",
    ),
]


def add_hint(pattern: str, hint: str) -> None:
    """Register a hint (``{0}`` takes the pattern's first group) ahead of the built-in ones."""
    _HINTS.insert(0, (re.compile(pattern), hint))


def first_line(message: str) -> str:
    """The line of a TensorFlow message that says what went wrong."""
    lines = _without_stack_frames(str(message))
    for line in lines:
        if any(p.search(line) for p in _NOISE):
            continue
        line = _NODE_DEF.sub("", _STATUS_PREFIX.sub("", _FUNCTION_OP.sub("", line))).strip()
        line = _OUTDATED.sub("", line).strip()
        if line:
            return line
    return lines[0] if lines else ""


def _without_stack_frames(message: str) -> list[str]:
    """The message's non-empty lines, stripped, less the source line that a stack frame
    (``File "x.py", line 3, in f``) may have below it, indented deeper."""
    out: list[str] = []
    frame_indent: int | None = None
    for raw in message.splitlines():
        line = raw.strip()
        if not line:
            continue
        indent = len(raw) - len(raw.lstrip())
        if _FRAME.match(line):
            frame_indent = indent
            continue
        if frame_indent is not None and indent > frame_indent:
            continue  # the frame's source line
        frame_indent = None
        out.append(line)
    return out


_FRAME = re.compile(r"^file \".*\", line \d+", re.IGNORECASE)


def node_name(message: str) -> str | None:
    """The graph node a TensorFlow message names, if any."""
    for pattern in _NODE_PATTERNS:
        match = pattern.search(str(message))
        if match:
            name = match.group(1).strip()
            # "{{function_node __inference_f_12}}{{node Reshape}}": the node, not the function
            if name and not name.startswith("__inference"):
                return name
    return None


def _unregistered_op_hint(message: str) -> str | None:
    match = re.search(r"Op type not registered '([^']+)'", message)
    if not match:
        return None
    from inspector_app.engine.custom_ops import missing_message

    return missing_message([match.group(1)]).replace(
        "the model uses ops this TensorFlow does not register: ", "the op is "
    )


def hint_for(message: str) -> str | None:
    special = _unregistered_op_hint(message)
    if special:
        return special
    for pattern, hint in _HINTS:
        match = pattern.search(message)
        if match:
            groups = [g for g in match.groups() if g is not None]
            return hint.format(*groups) if groups else hint
    return None


def describe(
    exc: BaseException,
    op_of: Callable[[str], str | None] | None = None,
) -> str:
    """One line: the exception's class, the node and op, the message's real line, a hint.

    ``op_of(node_name)`` gives the op type of a node of the loaded model (None when unknown).
    """
    raw = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    text = str(raw)
    line = first_line(text) or type(exc).__name__
    node = node_name(text)
    where = ""
    if node:
        op = None
        if op_of is not None:
            try:
                op = op_of(node)
            except Exception:  # noqa: BLE001 - the lookup is a nicety
                op = None
        where = f" at node {node}" + (f" (op {op})" if op else "")
    hint = hint_for(text)
    message = f"{type(exc).__name__}{where}: {line}"
    if hint and hint not in message:
        message = f"{message.rstrip(' .')}; hint: {hint}"
    return message


def error_tuple(
    exc: BaseException, op_of: Callable[[str], str | None] | None = None
) -> tuple[str, str, str]:
    """What a failed request sends back: (class name, one line, traceback). An ``EngineError``
    keeps its class and text; anything else is ``describe``d (TensorFlow's message, the node and
    op it names, and a hint)."""
    details = "".join(traceback.format_exception(exc))
    if isinstance(exc, EngineError):
        return (type(exc).__name__, str(exc), details)
    return ("EngineError", describe(exc, op_of), details)
