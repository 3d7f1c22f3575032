"""The TF Serving folder layout: a numeric version folder, sub-folders TF Serving ignores, and
version folders without a model."""

from __future__ import annotations

from inspector_app.savedmodel.checks.findings import Finding
from inspector_app.savedmodel.discovery import holds_model
from inspector_app.savedmodel.loader import SavedModelInfo


def check_serving_folder(info: SavedModelInfo) -> list[Finding]:
    out: list[Finding] = []
    if info.base_dir is None:
        if info.pb_path.parent.name.isdigit():
            return out  # a version folder opened on its own
        out.append(
            Finding(
                "serving.no_version",
                "info",
                f"'{info.model_dir.name}' is not inside a numeric version folder; TF Serving "
                "serves base/<version>/saved_model.pb",
                {},
                f"Put the model in a version folder, e.g. {info.model_dir.name}/1/, and give "
                "TF Serving the parent as model_base_path.",
            )
        )
        return out
    for name in info.ignored:
        holds = holds_model(info.base_dir / name)
        out.append(
            Finding(
                "serving.ignored_folder",
                "warning" if holds else "info",
                f"TF Serving ignores the folder '{name}' (not a version number)"
                + ("; it holds a SavedModel that will never be served" if holds else ""),
                {"ignored": name},
                "Rename it to a number (the version) or move it out of the base folder."
                if holds
                else "Move it out of the base folder to keep it tidy.",
            )
        )
    for version in info.versions or []:
        folder = info.version_dirs.get(version)
        if folder is not None and not holds_model(folder):
            out.append(
                Finding(
                    "serving.version_without_model",
                    "warning",
                    f"version folder '{folder.name}' holds no saved_model.pb; TF Serving "
                    "fails to load that version",
                    {"version": version},
                    "Remove the folder or finish the export into it (write to a temporary "
                    "folder, then rename it to the version number).",
                )
            )
    return out
