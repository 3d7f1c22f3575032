"""A guard against a refcount bug of PySide6 6.12 on Python 3.11: every call of a Qt method that
returns nothing takes one reference from ``None`` without having given it one (the wheels are
built for the stable ABI, where Python 3.12 and later make ``None`` immortal). A few thousand calls
(one paint of a big graph makes more) bring the count to zero and Python aborts with
"none_dealloc: deallocating None".

``keep_none_alive`` lends ``None`` 2**40 references once, which is what Python 3.12 does for good;
it changes nothing on Python 3.12 and later, nor where the binding is right (a spare reference on
an object that is never freed costs nothing).
"""

from __future__ import annotations

import sys

_LENT = 1 << 40


def keep_none_alive() -> None:
    if sys.version_info >= (3, 12):
        return
    import ctypes

    count = ctypes.c_ssize_t.from_address(id(None))
    if count.value < _LENT:
        count.value += _LENT
