"""Flags that several sub-commands share, defined once."""

from __future__ import annotations

import argparse


def add_model_version(parser: argparse.ArgumentParser) -> None:
    """``--model-version N`` (alias ``--version N``): the version of a TF Serving base folder."""
    parser.add_argument(
        "--model-version",
        "--version",
        dest="version",
        type=int,
        metavar="N",
        help="version of a TF Serving base folder (default: highest); --version N is the "
        "same (the app's own version: savedmodel-inspector --version)",
    )
