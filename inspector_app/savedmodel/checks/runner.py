"""The rule families, in the order their findings are listed, and the entry points that run
them: ``run_checks(info)`` for a loaded model, ``check_path(path)`` to load and check.

Each rule family is a module of this package with one function taking the loaded model (and,
where it needs them, the ``CheckOptions``); ``RULES`` names them, so adding a family is one line
here. Nothing here loads the TensorFlow runtime.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from inspector_app.savedmodel.checks import files, ops, serving, signatures, size, versions
from inspector_app.savedmodel.checks.findings import ORDER, CheckOptions, Finding
from inspector_app.savedmodel.discovery import nested_models
from inspector_app.savedmodel.loader import ModelError, SavedModelInfo, load_model

Rule = Callable[[SavedModelInfo, CheckOptions], list[Finding]]

# (name, rule): the families in the order their findings are listed (then sorted by severity)
RULES: tuple[tuple[str, Rule], ...] = (
    ("serving folder", lambda info, _: serving.check_serving_folder(info)),
    ("tags", lambda info, _: signatures.check_tags(info)),
    ("signatures", lambda info, _: signatures.check_signatures(info)),
    ("signature dtypes", lambda info, _: signatures.check_signature_dtypes(info)),
    ("ops", ops.check_ops),
    ("leftover files", lambda info, _: files.check_leftover_files(info)),
    ("variables files", lambda info, _: files.check_variables_files(info)),
    ("versions", lambda info, o: versions.check_versions(info) if o.compare_versions else []),
    ("size", lambda info, _: size.check_size(info)),
)


def run_checks(info: SavedModelInfo, options: CheckOptions | None = None) -> list[Finding]:
    """All checks of a loaded model, errors first."""
    options = options or CheckOptions()
    findings = [finding for _name, rule in RULES for finding in rule(info, options)]
    return sorted(findings, key=lambda f: ORDER.get(f.severity, 3))


def check_path(
    path: str | Path, version: int | None = None, options: CheckOptions | None = None
) -> list[Finding]:
    """Load and check; a folder with SavedModels only in non-numeric sub-folders gives an error
    finding instead of a ``ModelError``. Other unreadable input raises ``ModelError``."""
    try:
        info = load_model(path, version=version)
    except ModelError:
        # a numeric folder is a version: its own error names the damaged file
        nested = nested_models(path) if version is None else []
        if not nested:
            raise
        return [
            Finding(
                "serving.no_version",
                "error",
                f"no numeric version folder: TF Serving serves nothing here; the SavedModels "
                f"are in {', '.join(repr(n) for n in nested[:3])}",
                {"ignored": nested[0]},
                f"Rename '{nested[0]}' to a version number (e.g. 1) or give TF Serving that "
                "folder's parent after moving the model into <base>/1/.",
            )
        ]
    return run_checks(info, options)
