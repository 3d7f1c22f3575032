"""The input flags of ``run`` (--inputs, --input-exprs, --input-examples, --allow-pickle,
--max-input-bytes), shared with other sub-commands such as ``compare``.

The flags and their parsing stay defined in ``cli/run.py``; this module lends them out, so the
two commands cannot drift apart.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from inspector_app.cli import run

INPUT_DESTS = ("inputs", "input_exprs", "input_examples", "allow_pickle", "max_input_bytes", "cast")


def add_input_arguments(
    parser: argparse.ArgumentParser, title: str = "inputs (as for run)"
) -> None:
    """Add run's input flags to ``parser``, in a group of their own."""
    donor = argparse.ArgumentParser(add_help=False)
    run.add_arguments(donor)
    group = parser.add_argument_group(title)
    for action in donor._actions:  # argparse's own parents= mechanism does the same
        if action.dest in INPUT_DESTS:
            group._add_action(action)


def feeds_from_args(args: argparse.Namespace, signature: Any = None) -> dict[str, np.ndarray]:
    """The feeds the input flags in ``args`` describe (UserError for a bad one); with
    ``signature``, checked against its input names and dtypes by the one policy (``--cast``)."""
    feeds = run._feeds(args)
    if signature is None:
        return feeds
    from inspector_app.inputs.feed_policy import conform_feeds

    return conform_feeds(signature.key, signature.inputs, feeds,
                         allow_cast=getattr(args, "cast", False), require_all=False)  # fmt: skip
