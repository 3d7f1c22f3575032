"""The Weights tab: statistics, histogram, values, layer summary and exports of a model's weights."""

from inspector_app.ui.weights.panel import WeightsPanel

__all__ = ["WeightsPanel"]
