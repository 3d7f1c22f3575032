"""Reading a comparison's models in a child process, for a window.

Parsing a saved_model.pb is one call into protobuf's C parser that holds Python's GIL all along
(about 200 ms for a 2 MB ResNet50 graph, seconds for the largest): on a thread of the window's
process that still stops its event loop. A child process (spawn, like the engine's worker; no
TensorFlow) reads model B, and model A unless its ``SavedModelInfo`` is at hand, and sends back
the sides (small: names, dtypes, shapes). ``stop()`` ends it at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
from typing import Any

from inspector_app.errors import UserError
from inspector_app.workflows.compare_plan import (
    ComparePlan,
    CompareRequest,
    Side,
    check_sides,
    read_side,
)


def _small(side: Side) -> Side:
    """``side`` without the protobuf messages (they would be parsed again on arrival)."""
    sig: Any = side.signature  # a savedmodel.SignatureInfo
    inputs = [dataclasses.replace(t, proto=None) for t in sig.inputs]
    outputs = [dataclasses.replace(t, proto=None) for t in sig.outputs]
    sig = dataclasses.replace(sig, inputs=inputs, outputs=outputs, proto=None)
    return dataclasses.replace(side, signature=sig)


def _read(conn: Any, request: CompareRequest, read_a: bool) -> None:
    """The child: (side A or None, side B), or the UserError's text."""
    try:
        sides = [
            _small(read_side(request.a, "A", request.signature, request.tags)) if read_a else None,
            _small(read_side(request.b, "B", request.signature, request.tags)),
        ]
        conn.send(("ok", sides))
    except UserError as exc:
        conn.send(("error", str(exc)))
    except Exception as exc:  # noqa: BLE001 - a reader's bug: one line for the user all the same
        conn.send(("error", f"the models could not be read ({type(exc).__name__}: {exc})"))
    finally:
        conn.close()


class PlanReader:
    """Reads ``request`` in a child process; ``plan()`` waits for the answer."""

    def __init__(self, request: CompareRequest) -> None:
        self.request = request
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe(duplex=False)
        read_a = request.info_a is None
        bare = dataclasses.replace(request, info_a=None)  # A's info stays here
        self.process = ctx.Process(
            target=_read, args=(child, bare, read_a), daemon=True, name="inspector-compare-read"
        )
        self.process.start()
        child.close()  # so that recv() sees EOF when the child ends
        self._conn = parent

    def plan(self) -> ComparePlan:
        """Both sides checked against each other (UserError for a model that does not fit)."""
        request = self.request
        side_a = None
        if request.info_a is not None:  # A's errors first, as prepare() reports them
            side_a = read_side(request.a, "A", request.signature, request.tags, request.info_a)
        try:
            kind, value = self._conn.recv()
        except (EOFError, OSError):
            raise UserError(
                "reading the models stopped before it finished (the reading process ended); "
                "try again"
            ) from None
        finally:
            self._conn.close()
            self.process.join(5.0)
        if kind == "error":
            raise UserError(value)
        read_a, side_b = value
        return check_sides(side_a or read_a, side_b, request.signature)

    def stop(self) -> None:
        """End the child now (a cancelled comparison)."""
        with contextlib.suppress(Exception):
            if self.process.is_alive():
                self.process.kill()
