"""Which view fits each output, and the reason the window shows for it.

Views: ``scores`` (top-k with bars), ``mask`` (colourised class map over the image),
``detection`` (boxes over the image), ``image`` (a picture), ``tensor`` (values: table, slices,
statistics, a plot for vectors, text for strings). Every output can be shown as a tensor.
``interpret_outputs`` decides for the window, the comparison and ``run --json`` alike
(``view_fields`` adds its answer to the command line's JSON).

The optional context is a plain dict; known keys (all optional):
``method_name`` (the signature's method, e.g. ``tensorflow/serving/classify``), ``image`` (the input
image array, [H, W, C] or [N, H, W, C]), ``inputs`` (the arrays fed, by input name: their image
sizes and height / width scalars tell a segmentation output by its size), ``labels`` (a list of
class names the user chose), ``assets_dir`` (the model's assets folder), ``model_path``.

This module is the one place callers import from; the work is done in ``view_choice`` (which
view, and why), ``view_inputs`` (what the inputs say: image, sizes), ``view_build`` (the object a
view draws) and ``view_json`` (the views and summaries of ``run --json``).
"""

from inspector_app.results.view_build import build_result, mask_labels
from inspector_app.results.view_choice import (
    CLASSIFY_METHOD,
    MAX_CLASS_ID,
    SCORE_WORDS,
    SEGMENTATION_WORDS,
    VIEWS,
    Interpretation,
    describe,
    interpret,
    interpret_outputs,
    possible_views,
)
from inspector_app.results.view_inputs import image_from_inputs, match_size, spatial_sizes
from inspector_app.results.view_json import (
    JSON_BOX_THRESHOLD,
    JSON_VIEWS,
    TOP_SCORES,
    add_view_fields,
    json_number,
    json_view,
    view_fields,
)

__all__ = [
    "CLASSIFY_METHOD",
    "JSON_BOX_THRESHOLD",
    "JSON_VIEWS",
    "MAX_CLASS_ID",
    "SCORE_WORDS",
    "SEGMENTATION_WORDS",
    "TOP_SCORES",
    "VIEWS",
    "Interpretation",
    "add_view_fields",
    "build_result",
    "describe",
    "image_from_inputs",
    "interpret",
    "interpret_outputs",
    "json_number",
    "json_view",
    "mask_labels",
    "match_size",
    "possible_views",
    "spatial_sizes",
    "view_fields",
]
