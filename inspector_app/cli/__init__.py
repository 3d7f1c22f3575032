"""Command line: ``python -m inspector_app [PATH ...]`` opens the window; sub-commands
``show``, ``run`` and ``check`` print to the terminal (Contract 1 in DESIGN.md).

Exit status: 0 success, 1 a failed check, 2 bad input or an unreadable model.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from inspector_app import __version__
from inspector_app.errors import UserError
from inspector_app.safeio import display, one_line

# sub-command name -> module in this package defining add_arguments(parser) and execute(args) -> int
SUBCOMMANDS = {
    "show": "Print what is inside a SavedModel (folder, saved_model.pb(txt) or TF Serving base folder).",
    "run": "Run a signature in an isolated worker and print or save its outputs.",
    "check": "Check a model before it is deployed; exit 1 when a check fails with severity error.",
    "compare": "Run the same inputs through two versions (or two models) and compare the "
    "outputs; exit 1 when they differ.",
}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors: one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(command: str) -> tuple[argparse.ArgumentParser, object]:
    module = importlib.import_module(f"inspector_app.cli.{command}")
    parser = _Parser(prog=f"savedmodel-inspector {command}", description=SUBCOMMANDS[command])
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    module.add_arguments(parser)
    return parser, module


def _gui_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="savedmodel-inspector",
        description="SavedModel Inspector. With no PATH the window opens on the bundled demo models. "
        f"Sub-commands: {', '.join(SUBCOMMANDS)} (see '<command> --help').",
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="model folders or saved_model.pb files"
    )
    parser.add_argument(
        "--self-test", action="store_true", help="run a demo model headless and exit"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _unexpected(err: BaseException) -> str:
    if isinstance(err, MemoryError):
        return "out of memory; the input or the model is larger than this machine can hold"
    if isinstance(err, RecursionError):
        return "the input is nested too deeply to read; simplify it"
    assert isinstance(err, OSError)
    where = f"{display(err.filename)}: " if err.filename else ""
    return f"{where}{err.strerror or err}; check the path and its permissions (--debug shows where)"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in SUBCOMMANDS:
        parser, module = build_parser(argv[0])
        args = parser.parse_args(argv[1:])
        try:
            return int(module.execute(args))
        except UserError as err:
            if args.debug:
                raise
            print(f"error: {one_line(str(err))}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print("error: interrupted", file=sys.stderr)
            return 2
        except (MemoryError, RecursionError, OSError) as err:  # never a traceback for these
            if args.debug:
                raise
            print(f"error: {one_line(_unexpected(err))}", file=sys.stderr)
            return 2
    args = _gui_parser().parse_args(argv)
    if args.self_test:
        from inspector_app.selftest import self_test

        return self_test()
    from inspector_app.ui.app import run_app

    return run_app(args.paths)
