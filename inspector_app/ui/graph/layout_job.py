"""Reading, grouping and laying out a graph off the GUI thread, and keeping the garbage
collector's passes short meanwhile.

igraph holds the GIL while it lays out (a 250-item level: tens of milliseconds), so a graph's
levels, once they hold more than ``SMALL_BATCH`` items together, are laid out in a helper process
in one round trip, and the event loop keeps turning.

The collector runs on the GUI thread only (ui/gc_guard), every half second, and each pass scans
every object made since the last one: a graph job makes tens of thousands (a 158 ms pass after
"Expand" on 10,000 nodes). ``CollectorSlices`` runs short passes on the GUI thread while a job
is in flight, each over the few thousand objects made since the one before, and parks what
survives (the graph being built) with ``gc.freeze`` so that later passes do not scan it again.
Each pass is a full one over what is not parked yet (a few thousand objects), so garbage is
collected before it could be parked; and the graph's own objects hold no reference cycles (a
scope's parent is a weak reference), so a closed graph is freed by reference counting.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from inspector_app.savedmodel import graph_model
from inspector_app.ui import gc_guard

SMALL_BATCH = 200  # items of all levels together: laid out in a helper process beyond this
SLICE_MS = 8  # how often the GUI thread looks at the collector while a job runs
SLICE_OBJECTS = 1500  # new objects that make a pass worth it (a few ms to scan)
LAG = 4  # a job waits for the GUI thread's pass once this many slices have piled up
WAIT_S = 0.5  # the longest a job waits for a pass it asked for
FINISH_MS = 150  # a job's last pass, this long after it ended (its answer is shown first)
_pool: Any = None  # a concurrent.futures.ProcessPoolExecutor, made when first needed


def _process_pool() -> Any:
    global _pool
    if _pool is None:
        import atexit
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        atexit.register(_pool.shutdown, wait=True, cancel_futures=True)  # before the interpreter
    return _pool


def prewarm_layout_process() -> None:
    """Start the helper process now, so that the first big graph does not wait for it."""
    from inspector_app.savedmodel.graph_sugiyama import igraph_sugiyama

    with contextlib.suppress(Exception):  # a failure leaves the in-thread layout
        _process_pool().submit(igraph_sugiyama, 2, [(0, 1)])


def warm_up() -> None:
    """igraph's first graph, numpy's lazily imported parts and the modules a graph job needs,
    before the first graph needs them (PySide's import hook reads each new module's source, which
    in the job would hold up the event loop for a tenth of a second). Run it as a job of
    ``CollectorSlices``: the imports make some 20,000 objects, and a checkpoint after each step
    lets the GUI thread's collector take them a few thousand at a time (in one pass: 15–40 ms)."""
    import numpy as np

    np.unique(np.lexsort((np.zeros(2), np.ones(2)))).tolist()
    graph_model.checkpoint()
    import inspector_app.savedmodel.graph
    import inspector_app.savedmodel.graph_details  # noqa: F401

    graph_model.checkpoint()
    import inspector_app.savedmodel.graph_layout
    import inspector_app.ui.graph.canvas  # noqa: F401

    graph_model.checkpoint()
    from inspector_app.savedmodel.graph_sugiyama import igraph_sugiyama

    igraph_sugiyama(3, [(0, 1), (1, 2)])  # igraph's first graph costs half a second
    graph_model.checkpoint()
    prewarm_layout_process()


def start_warm_up(collector: CollectorSlices, view: Any) -> None:
    """``warm_up`` in the thread pool as a job of ``collector`` (its passes take the imports'
    objects in slices), then, on the GUI thread, the first frame's costs paid on a tiny graph
    (``canvas.warm_paint``) while ``view`` shows nothing yet."""
    from inspector_app.ui.background import run_in_background
    from inspector_app.ui.palette import is_dark

    def paint() -> None:
        from inspector_app.ui.graph.canvas import warm_paint

        warm_paint(view, is_dark(view))

    def done(_result: Any) -> None:
        collector.job_ended()
        QTimer.singleShot(0, view, paint)

    collector.job_started()
    run_in_background(warm_up, done, done, receiver=view)


def sugiyama_in_helper(
    jobs: list[tuple[int, list[tuple[int, int]]]], timeout: float = 120
) -> list[list[tuple[float, float]]]:
    """``jobs`` laid out by the helper process; raises when it cannot start or answer."""
    from inspector_app.savedmodel.graph_sugiyama import igraph_sugiyama_many

    return _process_pool().submit(igraph_sugiyama_many, jobs).result(timeout=timeout)


def layout_process_id(timeout: float) -> int:
    """The helper process's id (the self-test checks that the layout ran in another process)."""
    import os

    return _process_pool().submit(os.getpid).result(timeout=timeout)


def off_gil_sugiyama(
    jobs: list[tuple[int, list[tuple[int, int]]]],
) -> list[list[tuple[float, float]]]:
    """A graph's levels laid out (``graph_layout``'s batch function): in the helper process unless
    they are small together."""
    from inspector_app.savedmodel.graph_sugiyama import igraph_sugiyama_many

    if sum(n for n, _e in jobs) <= SMALL_BATCH:
        return igraph_sugiyama_many(jobs)
    try:
        return sugiyama_in_helper(jobs)
    except Exception:  # noqa: BLE001 - a broken helper process: lay out here, slower for the GUI
        return igraph_sugiyama_many(jobs)


def build(meta_graph: Any, name: str | None, graph: Any, tree: Any, expanded: set | None) -> tuple:
    """(graph, scope tree, layout, paint arrays): the job the thread pool runs for the panel."""
    from inspector_app.savedmodel.graph import open_graph
    from inspector_app.savedmodel.graph_layout import compute_layout
    from inspector_app.savedmodel.graph_scopes import scope_tree
    from inspector_app.ui.graph.canvas import box_arrays, prepare_paths

    g = graph if graph is not None else open_graph(meta_graph, name)
    t = tree if tree is not None else scope_tree(g)
    lay = compute_layout(g, expanded, tree=t, sugiyama=off_gil_sugiyama)
    arrays = box_arrays(g, lay)
    arrays["paths"] = prepare_paths(arrays)
    return g, t, lay, arrays


def _let_go(holding: list[bool]) -> None:
    if holding[0]:
        holding[0] = False
        gc_guard.hold_timer_collections(False)


class CollectorSlices(QObject):
    """Short collector passes on the GUI thread while jobs run (see the module's text).

    The job asks for a pass at its checkpoints (``graph_model.checkpoint``) once a few thousand
    objects have piled up and goes on; when ``LAG`` times as many have piled up it waits (at most
    ``WAIT_S``) until the GUI thread has done one: on a busy machine the GUI thread may get no
    core for a while, and without the wait the pile, and the pass that follows, would grow. The
    timer's own collections (``MainThreadCollector``) wait meanwhile: each of these passes is a
    full one already. Only when automatic collection is off (the app's ``MainThreadCollector``
    owns it); with it on, Python collects by itself."""

    _wanted = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, interval=SLICE_MS)
        self._timer.timeout.connect(self.step)
        self._wanted.connect(self.step)  # queued: emitted by the job's thread
        self._passed = threading.Event()
        self._passed.set()  # no pass asked for
        self._jobs = 0
        self._finishing = False  # a job's last pass is yet to come
        self.passes = 0  # for tests and benchmarks
        # the timer's collections are held from a job's start to its last pass; an object
        # deleted meanwhile (a closed panel) gives the hold back (no reference to self here)
        holding = self._holding = [False]
        self.destroyed.connect(lambda *_: _let_go(holding))

    def job_started(self) -> None:
        self._jobs += 1
        if not gc.isenabled() and not self._timer.isActive():
            graph_model.checkpoint_hook = self.checkpoint
            if not self._holding[0]:  # (still held while the last job's last pass waits)
                gc_guard.hold_timer_collections(True)
                self._holding[0] = True
            self._finishing = False
            self._timer.start()

    def job_ended(self) -> None:
        """The last pass (what the job's last moments made) comes ``FINISH_MS`` later, once the
        window has shown the job's answer: in the same turns it would lengthen them."""
        self._jobs = max(0, self._jobs - 1)
        if not self._jobs and self._timer.isActive():
            self._timer.stop()  # no job makes objects now
            self._finishing = True
            QTimer.singleShot(FINISH_MS, self, self._finish)

    def _finish(self) -> None:
        if self._jobs or not self._finishing:
            return  # a newer job runs (its own end finishes), or finished already
        self._finishing = False
        self.step(force=True)
        _let_go(self._holding)
        if graph_model.checkpoint_hook == self.checkpoint:
            graph_model.checkpoint_hook = None

    @property
    def busy(self) -> bool:
        """Whether a job (or the warm-up) is running, or its last pass is yet to come."""
        return self._jobs > 0 or self._finishing

    def checkpoint(self) -> None:
        """On the job's thread: ask for a pass when a few thousand objects have piled up, and
        wait for it only when the GUI thread has fallen behind (``LAG`` times as many)."""
        if gc.isenabled() or threading.current_thread() is threading.main_thread():
            return
        young = gc.get_count()[0]
        if young > SLICE_OBJECTS and self._passed.is_set():
            self._passed.clear()
            self._wanted.emit()
        if young > LAG * SLICE_OBJECTS:
            self._passed.wait(WAIT_S)

    def step(self, force: bool = False) -> None:
        if gc.isenabled():
            return
        young = gc.get_count()[0]
        if young > SLICE_OBJECTS or (force and young > 0):
            gc.collect()  # garbage goes now, and so is never parked; the parked are not scanned
            gc.freeze()  # the survivors: out of later passes' sight
            self.passes += 1
        self._passed.set()


class _ScopeTree:
    """A scope tree to free (``Graveyard``), a slice of scopes at a time: each taken from the
    stack leaves its children on it, and is freed once nothing else holds it."""

    def __init__(self, root: Any) -> None:
        self.stack = [root]

    def __len__(self) -> int:
        return len(self.stack)

    def free(self, count: int) -> None:
        stack = self.stack
        for _ in range(min(count, len(stack))):
            scope = stack.pop()
            stack.extend(scope.children.values())
            scope.children.clear()


class Graveyard(QObject):
    """Graphs that were closed (frames dropped from the breadcrumb), freed on the GUI thread a
    slice per turn of the event loop: a 100,000-node graph is about 400,000 objects, and freeing
    them in one go holds the GIL for a tenth of a second. (A thread freeing them would hold the
    GIL in slices too, and the GUI thread, painting the new graph meanwhile, would wait for each.)
    A graph still drawn waits until the view shows another; freeing starts ``DELAY_MS`` after the
    new one is shown, so its first frames are painted first."""

    DELAY_MS = 300
    SLICE = 512  # objects per ``del``: well under a millisecond
    BUDGET_S = 0.003  # per turn of the event loop

    def __init__(self, parent: QObject | None = None, collector: Any = None) -> None:
        """``collector``: the ``CollectorSlices`` of the jobs; nothing is freed while it is busy
        (freeing lowers the collector's count of new objects by as many old ones, so that its
        passes would come late and long: 47 ms for 4,600 "new" objects)."""
        super().__init__(parent)
        self._collector = collector
        self._frames: list[Any] = []
        self._lists: list[list] = []  # what is being freed, a slice at a time
        self._gone: list[Any] = []  # their frames, dropped once the lists are empty
        self._timer = QTimer(self, singleShot=False, interval=1)
        self._timer.timeout.connect(self.step)

    def retire(self, frames: Sequence[Any]) -> None:
        self._frames.extend(f for f in frames if f.graph is not None)

    def release(self, shown_graph: Any) -> None:
        """Free every retired graph except ``shown_graph`` (the one on screen, if any)."""
        keep = [f for f in self._frames if f.graph is shown_graph]
        gone = [f for f in self._frames if f.graph is not shown_graph]
        self._frames = keep
        if not gone:
            return
        for f in gone:
            g = f.graph
            self._lists += [g.index, g.nodes, g.edges, g.calls]
            if f.layout is not None:
                lay = f.layout
                self._lists += [lay.scope_box, lay.boxes, lay.edges, lay.node_box]
            if f.tree is not None:
                self._lists += [_ScopeTree(f.tree[0]), f.tree[1]]
            if f.expanded:
                self._lists.append(f.expanded)
        self._gone += gone
        if not self._timer.isActive():
            QTimer.singleShot(self.DELAY_MS, self, self._start)

    @property
    def pending(self) -> int:
        """Objects still to be freed (for tests; a scope tree counts the scopes in its stack)."""
        return sum(len(items) for items in self._lists)

    def _start(self) -> None:
        if self._lists or self._gone:
            self._timer.start()

    def step(self) -> None:
        if self._collector is not None and self._collector.busy:  # a job runs: later
            self._timer.stop()
            QTimer.singleShot(self.DELAY_MS, self, self._start)
            return
        start = time.perf_counter()
        lists = self._lists
        while lists:  # at least one slice, then as many as the budget allows
            items = lists[-1]
            if not items:
                lists.pop()
            elif isinstance(items, _ScopeTree):
                items.free(self.SLICE)
            elif isinstance(items, list):
                del items[-self.SLICE :]
            else:  # a dict or a set
                for _ in range(min(self.SLICE, len(items))):
                    items.popitem() if isinstance(items, dict) else items.pop()
            if time.perf_counter() - start >= self.BUDGET_S:
                break
        if not lists:
            self._gone.clear()  # the rest: the graphs' shells and scope trees
            self._timer.stop()
