"""The rows of a batch job streamed to a CSV file, written the one atomic way
(``fileio.atomic_write``): the rows go to a hidden file beside the target, with the user's usual
mode, as they come, and the file takes its name when the job ends (a cancelled job's rows
included); a job that fails before any item ran leaves nothing behind. Qt-free.

    check_csv_target(path, model_dir, overwrite)         # at once, before the job starts
    atomic_write(path, CsvRows.around(body), ...)        # body(rows) calls rows.write(chunk)
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, BinaryIO

from inspector_app.errors import UserError
from inspector_app.workflows.batch_rows import CSV_COLUMNS, ItemRow


class CsvRows:
    """A CSV writer over an open binary file: a header, then rows as they come (flushed after
    each chunk, so that a long job's file grows as it runs)."""

    def __init__(self, fh: BinaryIO) -> None:
        self._text = io.TextIOWrapper(fh, encoding="utf-8", newline="", write_through=False)
        self._writer = csv.writer(self._text)
        self._writer.writerow(CSV_COLUMNS)

    def write(self, rows: Iterable[ItemRow]) -> None:
        self._writer.writerows(r.csv_cells() for r in rows)
        self._text.flush()

    def detach(self) -> None:
        """Hand the file back to its owner (which closes it) with everything written."""
        self._text.flush()
        self._text.detach()

    @staticmethod
    def around(body: Callable[[CsvRows], Any]) -> Callable[[BinaryIO], None]:
        """A ``write`` function for ``atomic_write`` that runs ``body`` with the rows' writer."""

        def write(fh: BinaryIO) -> None:
            rows = CsvRows(fh)
            try:
                body(rows)
            finally:
                with contextlib.suppress(ValueError):  # already detached
                    rows.detach()

        return write


def check_csv_target(path: Path, model_dir: Path, overwrite: bool) -> None:
    """Refuse at once what the final write would refuse after the whole job: a missing folder,
    a place inside the model folder, an existing file without ``overwrite``."""
    if not path.parent.is_dir():
        raise UserError("the folder does not exist", path=str(path.parent))
    with contextlib.suppress(OSError, ValueError):
        path.resolve().relative_to(model_dir.resolve())
        raise UserError("the CSV would go into the model folder; choose a place outside it",
                        path=str(path))  # fmt: skip
    if path.is_dir():
        raise UserError("is a folder; give a file name", path=str(path))
    if path.exists() and not overwrite:
        raise UserError("already exists; choose another name or pass --overwrite", path=str(path))
