"""The input editors, one family per module; ``EDITORS`` maps each kind that
``inspector_app.inputs.editor_choice`` names to its widget class."""

from __future__ import annotations

from inspector_app.ui.editors.arrays import ArrayEditor, ArrayValueEditor, ExpressionEditor
from inspector_app.ui.editors.base import Editor
from inspector_app.ui.editors.examples import ExampleEditor
from inspector_app.ui.editors.image import AutoSizeEditor, ImageEditor
from inspector_app.ui.editors.numeric import FillEditor, ScalarEditor
from inspector_app.ui.editors.strings import BytesEditor, TextEditor

EDITORS: dict[str, type[Editor]] = {
    cls.kind: cls
    for cls in (
        AutoSizeEditor,
        ImageEditor,
        TextEditor,
        ExampleEditor,
        BytesEditor,
        ScalarEditor,
        FillEditor,
        ArrayEditor,
        ExpressionEditor,
        ArrayValueEditor,
    )  # fmt: skip
}

__all__ = [
    "EDITORS",
    "ArrayEditor",
    "ArrayValueEditor",
    "AutoSizeEditor",
    "BytesEditor",
    "Editor",
    "ExampleEditor",
    "ExpressionEditor",
    "FillEditor",
    "ImageEditor",
    "ScalarEditor",
    "TextEditor",
]
