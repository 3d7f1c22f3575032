"""The window's engine: its worker yields the CPU to the window."""

from __future__ import annotations


def test_the_windows_worker_is_a_little_nicer(qtbot):
    import os

    from inspector_app.ui.engine_bridge import WORKER_NICE, EngineBridge

    bridge = EngineBridge(warm_up=True)
    try:
        qtbot.waitUntil(lambda: bool(bridge.devices), timeout=90_000)
        pid = bridge.engine.worker_pid
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(19, mine + WORKER_NICE)
    finally:
        bridge.close()
