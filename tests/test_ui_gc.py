"""The GUI-thread garbage collector: automatic collection off, the timer collects instead."""

from __future__ import annotations

import gc
import weakref

from inspector_app.ui.gc_guard import MainThreadCollector


class _Cycle:
    def __init__(self) -> None:
        self.me = self


def test_timer_frees_cycles_on_the_gui_thread(qtbot) -> None:
    was_enabled = gc.isenabled()
    collector = MainThreadCollector(interval_ms=10)
    try:
        assert not gc.isenabled()
        gc.collect()
        cycle = _Cycle()
        gone = weakref.ref(cycle)
        del cycle
        # pushes generation 0 well over: another thread (pytest-xdist's, a job's) that frees
        # objects made before gc.collect() lowers the count, and 10 over was not enough
        keep = [[] for _ in range(2 * gc.get_threshold()[0])]
        assert gone() is not None  # automatic collection is off
        qtbot.waitUntil(lambda: gone() is None, timeout=2000)
        assert collector.check() == -1  # nothing left over a threshold
        del keep
    finally:
        collector.stop()
        assert gc.isenabled()
        if not was_enabled:
            gc.disable()


def test_startup_objects_are_left_out_of_later_collections(qtbot) -> None:
    was_enabled = gc.isenabled()
    collector = MainThreadCollector(interval_ms=10)
    try:
        early = _Cycle()  # alive at start-up, like the window's widgets
        collector.freeze_startup()
        assert gc.get_freeze_count() > 0
        tracked = {id(o) for o in gc.get_objects()}
        assert id(early) not in tracked  # frozen: full collections no longer scan it
        late = _Cycle()
        gone = weakref.ref(late)
        del late
        gc.collect()
        assert gone() is None  # what came after is still collected
    finally:
        collector.stop()
        assert gc.get_freeze_count() == 0
        if not was_enabled:
            gc.disable()


def test_a_background_job_does_not_call_back_into_a_deleted_receiver(qtbot) -> None:
    import shiboken6
    from PySide6.QtCore import QObject

    from inspector_app.ui.background import run_in_background

    receiver = QObject()
    called, started = [], __import__("threading").Event()

    def work() -> int:
        started.wait(5)
        return 1

    run_in_background(work, called.append, called.append, receiver=receiver)
    shiboken6.delete(receiver)  # the window goes before the job answers
    started.set()
    qtbot.wait(300)
    assert called == []


def test_the_window_s_process_hands_the_gil_back_within_a_millisecond(qtbot) -> None:
    """A busy pool thread would otherwise hold each of the GUI thread's callbacks up for the
    default 5 ms switch interval (ui/gil_handoff)."""
    import sys

    from inspector_app.ui.app import start_window

    before = sys.getswitchinterval()
    was_enabled = gc.isenabled()
    _app, window, collector = start_window()
    try:
        assert sys.getswitchinterval() <= 0.001 < before
    finally:
        window.close()
        collector.stop()
        sys.setswitchinterval(before)
        if not was_enabled:
            gc.disable()


def test_a_graph_job_s_passes_stand_in_for_the_timer_s(qtbot) -> None:
    """While a graph job runs, its short passes (full ones) replace the timer's collections, so
    the two never run back to back on the GUI thread."""
    from inspector_app.ui.graph.layout_job import CollectorSlices

    was_enabled = gc.isenabled()
    collector = MainThreadCollector(interval_ms=10_000)
    slices = CollectorSlices()
    try:
        keep = [[] for _ in range(gc.get_threshold()[0] * 2)]
        slices.job_started()
        assert collector.check() == -1  # held: the job's passes collect
        slices.job_ended()
        assert collector.check() == -1  # still held: its last pass comes after the answer
        qtbot.waitUntil(lambda: not slices.busy, timeout=5000)  # its last pass
        keep += [[] for _ in range(gc.get_threshold()[0] * 2)]
        assert collector.check() == 0  # the timer collects again
        del keep
    finally:
        collector.stop()
        if not was_enabled:
            gc.disable()


def test_a_collector_deleted_before_its_job_s_last_pass_gives_the_hold_back(qtbot) -> None:
    """The timer's collections are held from a job's start to its last pass, which comes a
    little after the job: a panel closed in between must not leave them held for good."""
    from inspector_app.ui import gc_guard
    from inspector_app.ui.graph.layout_job import CollectorSlices

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        before = gc_guard._held
        slices = CollectorSlices()
        slices.job_started()
        assert gc_guard._held == before + 1
        slices.job_ended()
        slices.deleteLater()
        del slices
        qtbot.waitUntil(lambda: gc_guard._held == before, timeout=5000)
    finally:
        if was_enabled:
            gc.enable()


def test_a_closed_graph_waits_while_a_graph_job_runs(qtbot, monkeypatch) -> None:
    """Freeing old objects lowers the collector's count of new ones: while a job runs its passes
    would come late and long, so the graveyard frees nothing until the job is done."""
    from types import SimpleNamespace

    from inspector_app.ui.graph.layout_job import CollectorSlices, Graveyard

    monkeypatch.setattr(Graveyard, "DELAY_MS", 10)
    slices = CollectorSlices()
    grave = Graveyard(collector=slices)
    graph = SimpleNamespace(index={str(i): i for i in range(50)}, nodes=list(range(50)),
                            edges=list(range(50)), calls=[])  # fmt: skip
    grave.retire([SimpleNamespace(graph=graph, layout=None, tree=None, expanded=None)])
    slices.job_started()
    grave.release(None)
    qtbot.wait(150)
    assert grave.pending == 150  # nothing freed while the job runs
    slices.job_ended()
    qtbot.waitUntil(lambda: grave.pending == 0, timeout=5000)
    assert graph.nodes == [] and graph.index == {}
