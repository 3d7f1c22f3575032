"""The window (PySide6). ``MainWindow`` is Contract 2 in DESIGN.md."""
