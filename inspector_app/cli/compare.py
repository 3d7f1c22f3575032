"""``compare PATH ...``: run the same inputs through two models and say which outputs differ.

A is PATH (its version --version-a), B is PATH2 given with --other (its version --version-b), or
else another version of the base folder PATH: by default its two highest versions, the older as A.
Each model runs in a worker of its own; this process never imports TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from typing import TYPE_CHECKING

from inspector_app.errors import UserError

if TYPE_CHECKING:
    from inspector_app.workflows.compare_job import CompareOutcome, ModelRef, Side

EPILOG = (
    "exit status: 0 when every output agrees within --atol, 1 when an output differs (its name is "
    "printed), 2 for bad input, an unreadable model or a failed run."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from inspector_app.cli.feeds import add_input_arguments

    parser.epilog = EPILOG
    parser.add_argument("path", metavar="PATH", help="TF Serving base folder (or a SavedModel folder with --other)")  # fmt: skip
    parser.add_argument("--other", metavar="PATH2", help="compare PATH with this model (B) instead of with another version")  # fmt: skip
    parser.add_argument("--version-a", "--version_a", dest="version_a", type=int, metavar="N",
                        help="version of PATH to run as A (default: the second highest, or the highest with --other)")  # fmt: skip
    parser.add_argument("--version-b", "--version_b", dest="version_b", type=int, metavar="M",
                        help="version to run as B (default: the highest; with --other, PATH2's highest)")  # fmt: skip
    parser.add_argument("--signature", "--signature_def", dest="signature", metavar="KEY",
                        default="serving_default", help="signature to run in both (default: serving_default)")  # fmt: skip
    parser.add_argument("--tag-set", "--tag_set", dest="tag_set", metavar="TAGS",
                        help="comma-separated tags of the MetaGraphDef (default: the only one, or serve)")  # fmt: skip
    parser.add_argument("--device", metavar="DEV", help="cpu, gpu:0 ... for both (default: GPU:0 if any)")  # fmt: skip
    parser.add_argument("--atol", type=float, default=1e-6, metavar="X",
                        help="largest absolute difference that still counts as agreeing (default: 1e-6)")  # fmt: skip
    parser.add_argument("--one-worker", dest="one_worker", action="store_true",
                        help="load one model after the other (half the memory, slower)")  # fmt: skip
    parser.add_argument("--timeout", type=float, metavar="S", help="stop the workers after S seconds (exit 2)")  # fmt: skip
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_input_arguments(parser)


def _refs(args: argparse.Namespace) -> tuple[ModelRef, ModelRef]:
    from inspector_app.workflows.compare_job import ModelRef, default_pair

    if args.other:
        return ModelRef(args.path, args.version_a), ModelRef(args.other, args.version_b)
    return default_pair(args.path, args.version_a, args.version_b)


def execute(args: argparse.Namespace) -> int:
    """Compare and print; 0 when all outputs agree, 1 when some differ."""
    from inspector_app.cli.feeds import feeds_from_args
    from inspector_app.savedmodel.resolve import parse_tags
    from inspector_app.workflows.compare_job import prepare, start_compare

    start = time.monotonic()
    if args.timeout is not None and args.timeout <= 0:
        raise UserError("--timeout must be more than 0 seconds")
    if not math.isfinite(args.atol) or args.atol < 0:
        raise UserError("--atol must be a number of 0 or more")
    tags = parse_tags(args.tag_set)
    plan = prepare(*_refs(args), args.signature, tags)
    feeds = feeds_from_args(args, plan.a.signature)
    job = start_compare(plan, feeds, device=args.device, atol=args.atol, parallel=not args.one_worker)  # fmt: skip
    left = None if args.timeout is None else max(0.01, args.timeout - (time.monotonic() - start))
    outcome = job.wait(left, args.timeout)
    if args.json:
        print(json.dumps(_to_json(outcome, args.atol)))
    else:
        _print_text(outcome, args.atol)
    return 0 if outcome.agree else 1


def _side_json(side: Side, device: str) -> dict:
    return {
        "path": str(side.ref.path),
        "version": side.version,
        "model_dir": str(side.model_dir),
        "tags": side.tags,
        "device": device,
    }


def _to_json(outcome: CompareOutcome, atol: float) -> dict:
    comparison = outcome.comparison
    return {
        "a": _side_json(outcome.plan.a, outcome.device_a),
        "b": _side_json(outcome.plan.b, outcome.device_b),
        "signature": outcome.plan.signature,
        "atol": atol,
        "agree": outcome.agree,
        "differing": comparison.differing,
        "summary": comparison.summary(),
        "outputs": [d.to_json() for d in comparison.outputs],
        "timing_ms": {k: round(v, 3) for k, v in outcome.timing_ms.items()},
    }


def _print_text(outcome: CompareOutcome, atol: float) -> None:
    plan = outcome.plan
    for which, side, device in (("A", plan.a, outcome.device_a), ("B", plan.b, outcome.device_b)):
        print(f"{which}: {side.label} ({side.model_dir}) on {device}")
    print(f"signature {plan.signature!r}, tags {','.join(plan.a.tags)}, atol {atol:g}")
    print()
    print(outcome.comparison.table())
    t = outcome.timing_ms
    print(f"ran A in {t['run_a_ms']:.2f} ms, B in {t['run_b_ms']:.2f} ms", file=sys.stderr)
