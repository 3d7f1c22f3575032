"""Checks before a model is deployed to TF Serving or a cloud prediction service (issue 6).

``run_checks(info)`` returns ``Finding``s, each with a severity, the tree node it concerns
(``where``) and a fix in one sentence. Nothing here loads the TensorFlow runtime: whether an op
is registered comes from a cached list (``savedmodel.checks_registry``) that a child process or
the engine worker fills.

One module per rule family: ``serving`` (the TF Serving folder layout), ``signatures`` (tags,
signatures, dtypes), ``ops`` (denylisted, unknown and device-pinned ops), ``training``
(training leftovers), ``files`` (leftover files, the variables checkpoint), ``versions``
(breaking changes against the previous version) and ``size`` (deployment limits); ``runner``
lists them and runs them, ``findings`` holds what they return, ``where`` finds a finding's node.
"""

from inspector_app.savedmodel.checks.files import check_leftover_files, check_variables_files
from inspector_app.savedmodel.checks.findings import (
    SEVERITIES,
    CheckOptions,
    Finding,
    has_errors,
    where_text,
)
from inspector_app.savedmodel.checks.ops import check_ops, ops_touching_files
from inspector_app.savedmodel.checks.runner import RULES, check_path, run_checks
from inspector_app.savedmodel.checks.serving import check_serving_folder
from inspector_app.savedmodel.checks.signatures import (
    SERVING_METHODS,
    check_signature_dtypes,
    check_signatures,
    check_tags,
)
from inspector_app.savedmodel.checks.size import COMPUTE_ENGINE_LIMIT, LEGACY_LIMIT, check_size
from inspector_app.savedmodel.checks.versions import check_versions, compare_versions
from inspector_app.savedmodel.checks.where import find_node
from inspector_app.units import MB, human_bytes

__all__ = [
    "COMPUTE_ENGINE_LIMIT",
    "LEGACY_LIMIT",
    "MB",
    "RULES",
    "SERVING_METHODS",
    "SEVERITIES",
    "CheckOptions",
    "Finding",
    "check_leftover_files",
    "check_ops",
    "check_path",
    "check_serving_folder",
    "check_signature_dtypes",
    "check_signatures",
    "check_size",
    "check_tags",
    "check_variables_files",
    "check_versions",
    "compare_versions",
    "find_node",
    "has_errors",
    "human_bytes",
    "ops_touching_files",
    "run_checks",
    "where_text",
]
