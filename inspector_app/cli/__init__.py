"""Command line: ``python -m inspector_app [PATH ...]`` opens the window; sub-commands
``show``, ``run``, ``check`` and ``compare`` print to the terminal. The whole contract (flags,
JSON fields, exit status) is in docs/cli.md.

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
    "batch": "Run a signature over a folder of images, .npy files or a TFRecord file.",
}


DOCS = "docs/cli.md"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own errors: one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}{_did_you_mean(self, message)}\n")


def build_parser(command: str) -> tuple[argparse.ArgumentParser, object]:
    module = importlib.import_module(f"inspector_app.cli.{command}")
    parser = _Parser(
        prog=f"savedmodel-inspector {command}",
        description=SUBCOMMANDS[command],
        epilog=f"Flags and JSON fields: {DOCS}. The app's own version: savedmodel-inspector "
        "--version.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks (exit codes stay)")
    module.add_arguments(parser)
    return parser, module


def _gui_parser() -> argparse.ArgumentParser:
    commands = "\n".join(f"  {name:<9} {text}" for name, text in SUBCOMMANDS.items())
    parser = _Parser(
        prog="savedmodel-inspector",
        usage="%(prog)s [-h] [--version] [--self-test] [--debug] [PATH ...]\n"
        f"       %(prog)s {{{','.join(SUBCOMMANDS)}}} ... (see '%(prog)s COMMAND --help')",
        description="SavedModel Inspector. With PATHs the window opens on those models; with "
        "none, on the bundled demo models.",
        epilog=f"commands:\n{commands}\n\nexit status: 0 success, 1 a failed check or "
        "differing compare, 2 bad input or an unreadable model (one line on stderr).\n"
        f"Every command, flag and JSON field: {DOCS}.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "paths", nargs="*", metavar="PATH", help="model folders or saved_model.pb files"
    )
    parser.add_argument(
        "--self-test", action="store_true", help="run a demo model headless and exit"
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks (exit codes stay)")
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help="the app's version"
    )
    return parser


def _did_you_mean(parser: argparse.ArgumentParser, message: str) -> str:
    """``unrecognized arguments: --jsn`` -> ``; did you mean --json?``."""
    import difflib

    if "unrecognized arguments:" not in message:
        return ""
    flags = [o for a in parser._actions for o in a.option_strings]
    for word in message.split("unrecognized arguments:", 1)[1].split():
        if word.startswith("-"):
            close = difflib.get_close_matches(word.split("=", 1)[0], flags, n=1, cutoff=0.6)
            if close:
                return f"; did you mean {close[0]}?"
    return ""


def _check_paths(paths: list[str]) -> None:
    """The window opens only paths that exist; a word close to a command is a typo for it."""
    import difflib
    import os

    for path in paths:
        if os.path.exists(path):
            continue
        close = difflib.get_close_matches(path, list(SUBCOMMANDS), n=1, cutoff=0.6)
        if close:
            raise UserError(
                f"unknown command {path!r}; did you mean {close[0]!r}? "
                f"(commands: {', '.join(SUBCOMMANDS)})"
            )
        if os.sep not in path and not path.startswith(".") and path.isidentifier():
            raise UserError(
                f"no command or path {path!r}; commands: {', '.join(SUBCOMMANDS)} "
                "(a model path must exist)"
            )
        raise UserError("no such file or folder", path=path)


def _fail(err: BaseException, debug: bool, text: str | None = None) -> int:
    """One line on stderr (and the traceback with --debug); the exit status stays 2."""
    if debug:  # the tracebacks (the worker's too), then the same line and status
        import traceback

        traceback.print_exception(err)
        details = getattr(err, "details", "")
        if details:
            print(f"worker traceback:\n{details.rstrip()}", file=sys.stderr)
    print(f"error: {one_line(str(err) if text is None else text)}", file=sys.stderr)
    return 2


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
            return _fail(err, args.debug)
        except KeyboardInterrupt:
            print("error: interrupted", file=sys.stderr)
            return 2
        except (MemoryError, RecursionError, OSError) as err:  # never a traceback for these
            return _fail(err, args.debug, _unexpected(err))
    args = _gui_parser().parse_args(argv)
    if args.self_test:
        from inspector_app.selftest import self_test

        return self_test()
    try:
        _check_paths(args.paths)
        from inspector_app.platform_check import check_gui_platform

        check_gui_platform()
    except UserError as err:
        return _fail(err, args.debug)
    from inspector_app.ui.app import run_app

    return run_app(args.paths)
