"""The Weights tab: statistics, histogram, values, layer summary and exports of a model's weights.

``WeightsPanel`` is imported on first use (PEP 562), so that ``prepare`` can be imported without
the panel's modules, and import them one per turn of the event loop."""

from __future__ import annotations

from typing import Any

__all__ = ["WeightsPanel"]


def __getattr__(name: str) -> Any:
    if name == "WeightsPanel":
        from inspector_app.ui.weights.panel import WeightsPanel

        return WeightsPanel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
