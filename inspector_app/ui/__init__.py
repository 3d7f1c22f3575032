"""The window (PySide6). ``MainWindow`` is Contract 2 in DESIGN.md."""

from inspector_app.ui.main_window import MainWindow, OpenModel, SignatureSelection

__all__ = ["MainWindow", "OpenModel", "SignatureSelection"]
