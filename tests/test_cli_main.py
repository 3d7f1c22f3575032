"""The command line's front door: unknown commands and flags, --debug, --help, --version, umask."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import numpy as np
import pytest

from inspector_app import __version__
from inspector_app.cli import main

REPO = Path(__file__).resolve().parent.parent


def run_main(argv: list[str], capsys) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's --help / --version / errors
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_mistyped_command_is_an_error_with_a_suggestion(capsys) -> None:
    code, out, err = run_main(["shwo", "some/model"], capsys)
    assert code == 2
    from inspector_app.cli import SUBCOMMANDS

    assert err.strip().splitlines() == [
        f"error: unknown command 'shwo'; did you mean 'show'? (commands: {', '.join(SUBCOMMANDS)})"
    ]


def test_a_word_that_is_no_command_and_no_path(capsys) -> None:
    code, _, err = run_main(["frobnicate"], capsys)
    assert code == 2
    assert "no command or path 'frobnicate'" in err and len(err.strip().splitlines()) == 1


def test_a_missing_path_is_not_opened(capsys, tmp_path) -> None:
    code, _, err = run_main([str(tmp_path / "nope")], capsys)
    assert code == 2
    assert err.strip() == f"error: {tmp_path / 'nope'}: no such file or folder"


@pytest.mark.parametrize(
    ("argv", "suggestion"),
    [
        (["show", "x", "--jsn"], "did you mean --json?"),
        (["run", "x", "--imput-exprs", "a=1"], "did you mean --input-exprs?"),
        (["--self-tset"], "did you mean --self-test?"),
    ],
)
def test_unknown_flag_suggests(argv, suggestion, capsys) -> None:
    code, _, err = run_main(argv, capsys)
    assert code == 2
    assert suggestion in err and len(err.strip().splitlines()) == 1


def test_debug_keeps_the_exit_status(capsys, tmp_path) -> None:
    code, _, err = run_main(["show", str(tmp_path / "nope"), "--debug"], capsys)
    assert code == 2
    assert "Traceback" in err and err.strip().splitlines()[-1].startswith("error: ")
    code, _, err = run_main(["show", str(tmp_path / "nope")], capsys)
    assert code == 2 and "Traceback" not in err


def test_version_is_the_apps(capsys) -> None:
    code, out, _ = run_main(["--version"], capsys)
    assert code == 0 and out.strip() == f"savedmodel-inspector {__version__}"


def test_help_lists_every_command_and_stays_in_the_repo(capsys) -> None:
    code, out, _ = run_main(["--help"], capsys)
    assert code == 0
    from inspector_app.cli import SUBCOMMANDS

    for command in SUBCOMMANDS:
        assert f"  {command} " in out
    assert "{" + ",".join(SUBCOMMANDS) + "}" in out.splitlines()[1]
    assert "docs/cli.md" in out and "DESIGN.md" not in out
    assert (REPO / "docs" / "cli.md").is_file()
    code, out, _ = run_main(["show", "--help"], capsys)
    assert "--model-version N, --version N" in out and "docs/cli.md" in out


def test_docs_describe_every_flag(capsys) -> None:
    """Each sub-command has its section in docs/cli.md, and each long flag of these is there."""
    from inspector_app.cli import SUBCOMMANDS, build_parser

    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for command in SUBCOMMANDS:
        assert f"## `{command}" in text, f"docs/cli.md has no section for {command!r}"
    for command in SUBCOMMANDS:
        parser, _ = build_parser(command)
        for action in parser._actions:
            longs = [o for o in action.option_strings if o.startswith("--") and "_" not in o]
            if longs and longs[0] != "--help":
                assert longs[0] in text, (command, longs[0])
    assert "DESIGN.md" not in (REPO / "README.md").read_text(encoding="utf-8")


@pytest.fixture
def umask_022():
    from inspector_app import fileio

    old = os.umask(0o022)
    fileio._umask = None
    yield
    os.umask(old)
    fileio._umask = None


def test_files_follow_the_umask(tmp_path, umask_022) -> None:
    from inspector_app.cli.run_output import save as _save
    from inspector_app.fileio import atomic_write_bytes

    written = atomic_write_bytes(tmp_path / "a.json", b"{}")
    _save({"y": np.zeros(3, np.float32)}, tmp_path / "out", overwrite=False)
    for path in (written, tmp_path / "out" / "y.npy"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path
