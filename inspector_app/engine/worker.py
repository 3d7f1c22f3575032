"""The engine worker: a separate process, the only one that imports TensorFlow.

``worker_main`` is the ``multiprocessing`` (spawn) target. It imports TensorFlow at once, sets up
the devices, sends a ``ready`` reply (id 0) listing them, then serves requests one at a time
(``server.Server`` does the work). A worker holds at most one model: the client starts a fresh
worker for each load, so models never share TensorFlow's process-wide state (TF1 variables are
global by name) and unloading gives all memory back.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

from inspector_app.engine.protocol import Reply, Request, recv_message, send_message
from inspector_app.engine.server import Server
from inspector_app.engine.tf_errors import error_tuple

OPS_REPLY_ID = -1  # the worker's second unsolicited message: its registered op names


@dataclass(frozen=True)
class WorkerOptions:
    logical_cpus: int = 0  # >1: split the CPU into this many logical devices (tests, demos)
    memory_growth: bool = True
    log_path: str | None = None  # the worker's stderr goes here (None: inherit)
    nice: int = 0  # added to the worker's niceness (the window's engine uses a little)


def _die_with_parent() -> None:
    """End this process when the one that started it ends, whatever ended it (SIGKILL too):
    a thread watches the parent id, which changes when the parent dies (the orphan is adopted).
    Thread-independent, unlike PR_SET_PDEATHSIG, which fires when the starting *thread* ends."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(0.25)
            if os.getppid() != parent:
                os._exit(0)

    import threading  # noqa: PLC0415

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def worker_main(conn: Any, options: WorkerOptions) -> None:
    """Process entry point: warm up, then serve requests until ``exit`` or the pipe closes."""
    _die_with_parent()
    if options.log_path:
        fd = os.open(options.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.dup2(fd, 2)
        os.close(fd)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if options.nice and hasattr(os, "nice"):
        # On a machine with few cores the window must win when both want the CPU.
        with contextlib.suppress(OSError):
            os.nice(options.nice)
    try:
        server = Server(options.logical_cpus, options.memory_growth)
        send_message(conn, Reply(0, value=server.devices))
    except BaseException as exc:  # TensorFlow missing or broken: say so, then leave
        send_message(conn, Reply(0, error=error_tuple(exc)))
        return
    # the op names this TensorFlow registers, for the unknown-op check (window, bundle)
    send_message(conn, Reply(OPS_REPLY_ID, value=sorted(server.registered)))
    if getattr(sys, "frozen", False):  # a bundle has no python to start: the op descriptions
        _store_op_catalog()  # for the graph view's details are written here, once a version
    request: Request | None
    reply: Reply | None
    while True:
        try:
            request = recv_message(conn)
        except (EOFError, OSError):
            return
        if request.op == "exit":
            send_message(conn, Reply(request.id))
            return
        try:
            value = server.handle(request)
            reply = Reply(request.id, value=value)
        except BaseException as exc:
            reply = Reply(request.id, error=error_tuple(exc, server.op_of))
        send_message(conn, reply)
        # Outputs (and the request's inputs) go now, not when the next request has run: their
        # memory is then free for that run, as in a plain script that drops its results.
        value = reply = request = None


def _store_op_catalog() -> None:
    import json

    from inspector_app.engine.op_registry import op_catalog
    from inspector_app.savedmodel import op_catalog as cache

    with contextlib.suppress(Exception):  # descriptions are a nicety: never fail the worker
        if cache.cached() is None:
            cache.store(json.dumps(op_catalog()))
