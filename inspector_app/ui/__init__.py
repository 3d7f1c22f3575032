"""The window (PySide6). ``MainWindow`` is Contract 2 in DESIGN.md."""

from inspector_app.ui.main_window import MainWindow
from inspector_app.ui.open_models import OpenModel
from inspector_app.ui.signature_choice import SignatureSelection

__all__ = ["MainWindow", "OpenModel", "SignatureSelection"]
