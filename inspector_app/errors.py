"""The one exception type the user sees: a single line that says what is wrong and what to do."""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input (a path, a file, a value), shown as one line.

    The command line prints it on stderr and exits with status 2; the window shows it in a
    dialog or the status bar. ``str(err)`` is the whole message.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path

    def __str__(self) -> str:
        msg = self.args[0] if self.args else ""
        return f"{self.path}: {msg}" if self.path else msg
