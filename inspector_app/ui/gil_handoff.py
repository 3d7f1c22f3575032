"""How soon the GUI thread gets the GIL back from a busy thread of the pool.

Each time the event loop calls into Python (a timer, a signal, a paint), the GUI thread takes the
GIL again; while a pool thread runs Python (a graph read, weight statistics) it waits for the
interpreter's switch interval first: 5 ms by default, so ten callbacks in one turn of the loop
would hold it up for 50 ms. A 1 ms interval makes each hand-over about a millisecond; the pool
thread loses little (a switch happens only when another thread waits for the GIL).
"""

from __future__ import annotations

import sys

GUI_SWITCH_INTERVAL_S = 0.001


def quick_gil_handoff() -> None:
    """Set the switch interval for the window's process (call once, at start)."""
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
