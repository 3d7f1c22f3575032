"""Sizes in bytes as people read them: the one byte formatter of the inspector.

Decimal SI units (1 KB = 1,000 bytes, 1 MB = 1,000,000 bytes), the unit in which the deployment
guides state their limits (Vertex AI / Google Cloud: 500 MB for legacy machine types, 10 GB for
Compute Engine ones), so a size shown in the model tree, in Checks, in an error message and on
the command line reads the same and compares directly with those limits. No Qt, no TensorFlow:
every layer may use this module.
"""

from __future__ import annotations

KB = 1000
MB = 1000 * KB
GB = 1000 * MB
TB = 1000 * GB

_UNITS = (("KB", KB), ("MB", MB), ("GB", GB))


def human_bytes(n: float) -> str:
    """``503_000_000`` -> ``"503.0 MB"``; ``999`` -> ``"999 B"``; ``1536`` -> ``"1.5 KB"``."""
    size = float(n)
    if abs(size) < KB:
        return f"{int(size)} B"
    for unit, scale in _UNITS:
        if round(abs(size) / scale, 1) < 1000:  # 999,960 bytes is 1.0 MB, not 1000.0 KB
            return f"{size / scale:.1f} {unit}"
    return f"{size / TB:,.1f} TB"
