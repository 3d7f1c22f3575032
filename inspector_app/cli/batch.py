"""``batch MODEL --signature KEY (--images DIR | --arrays DIR | --examples FILE)``: run a signature
over a data set in the engine worker; print a summary, write per-item rows.

Items that cannot be read, fitted or run are failures with their reason; they never stop the job.
Exit status 0 when the job ran (whatever the failures), 2 for bad input (no such folder, no items,
a signature that cannot take them) or an unreadable model. Ctrl+C stops the job; the rows so far
are written and summarised, and the exit status is 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from inspector_app.cli.options import add_model_version
from inspector_app.errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="MODEL", help="SavedModel folder or TF Serving base folder")
    parser.add_argument("--signature", "--signature_def", dest="signature", metavar="KEY",
                        help="signature to run (default: serving_default)")  # fmt: skip
    parser.add_argument("--tag-set", "--tag_set", dest="tag_set", metavar="TAGS",
                        help="comma-separated tags of the MetaGraphDef (default: the only one, or serve)")  # fmt: skip
    add_model_version(parser)
    parser.add_argument("--device", metavar="DEV", help="cpu, gpu:0 ... (default: GPU:0 if any)")
    items = parser.add_mutually_exclusive_group(required=True)
    items.add_argument("--images", metavar="DIR", help="a folder of images (searched recursively)")
    items.add_argument("--arrays", metavar="DIR", help="a folder of .npy files, one item each")
    items.add_argument("--examples", metavar="FILE", help="a TFRecord file of tf.Example records")
    parser.add_argument("--labels", metavar="folders|FILE.csv",
                        help="true labels: 'folders' (a folder per class) or a CSV of file,label")  # fmt: skip
    parser.add_argument("--label-names", metavar="FILE",
                        help="class names of the model, one per line (default: its assets)")  # fmt: skip
    parser.add_argument("--input", metavar="NAME", help="the input the items feed (when several could)")  # fmt: skip
    parser.add_argument("--batch-size", type=int, metavar="N",
                        help="items per run (default: what the signature allows, else 32)")  # fmt: skip
    parser.add_argument("--csv", metavar="OUT.csv", help="write one row per item here")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --csv file")
    parser.add_argument("--json", action="store_true", help="print one JSON object, rows included")
    parser.add_argument("--image-resize", choices=("stretch", "pad", "crop"), default="stretch",
                        help="how an image meets a fixed input size (default stretch)")  # fmt: skip
    parser.add_argument("--image-color", choices=("rgb", "bgr", "gray"), default=None,
                        help="channel order (default: by the input's channels, RGB)")  # fmt: skip
    parser.add_argument("--image-values", choices=("raw", "unit", "signed", "imagenet"),
                        default=None, help="value preset (default: raw for integer inputs, unit "
                        "for float)")  # fmt: skip
    from inspector_app.cli.feeds import add_input_arguments

    add_input_arguments(parser, "other inputs, the same for every item (as for run)")


def execute(args: argparse.Namespace, engine: Any = None) -> int:
    """Run the job and print. ``engine``: an ``Engine`` to use (tests); by default one is
    started here, at once, so that it imports TensorFlow while the items are counted."""
    own = engine is None
    if own:
        from inspector_app.engine import Engine, EngineOptions

        engine = Engine(EngineOptions(capture_stderr=not getattr(args, "debug", False)))
    try:
        return _execute(args, engine)
    finally:
        if own:
            engine.close(graceful=False)


def _execute(args: argparse.Namespace, engine: Any) -> int:
    from inspector_app.cli.feeds import feeds_from_args
    from inspector_app.cli.run_target import choose
    from inspector_app.inputs.images import ImageOptions
    from inspector_app.workflows.batch_job import BatchJob, prepare_batch

    kind, where = next((k, getattr(args, k)) for k in ("images", "arrays", "examples")
                       if getattr(args, k))  # fmt: skip
    model_dir, tags, signature, _meta_graph = choose(args)
    options = ImageOptions(resize=args.image_resize, color=args.image_color,
                           values=args.image_values)  # fmt: skip
    names = None
    if args.label_names:
        from inspector_app.results.labels import read_label_file

        names = read_label_file(args.label_names)
    spec = prepare_batch(
        model_dir, tags, signature, kind, where,
        labels=args.labels, batch_size=args.batch_size, options=options,
        extra=feeds_from_args(args, signature), input_name=args.input, device=args.device,
        label_names=names,
    )  # fmt: skip
    spec.plan.allow_cast = bool(getattr(args, "cast", False))  # item arrays too (feed_policy)
    show_progress = sys.stderr.isatty() and not args.json
    last = [0.0]

    def progress(p: Any) -> None:
        now = time.monotonic()
        if show_progress and (now - last[0] > 0.5 or p.done == p.total):
            last[0] = now
            print(f"\r{p.text()}   ", end="", file=sys.stderr, flush=True)

    job = BatchJob(spec, engine, on_progress=progress, csv_path=args.csv,
                   overwrite=args.overwrite, keep_rows=args.json)  # fmt: skip
    if show_progress:
        print(f"{spec.source.count:,} items, batch size {spec.batch_size}; loading the model...",
              file=sys.stderr)  # fmt: skip
    job.start()
    try:
        report = _wait(job)
    except KeyboardInterrupt:
        job.cancel()
        report = job.future.result()
    if show_progress:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_json()))
    else:
        for line in report.summary_lines():
            print(line)
        for name, reason in report.failed[:20]:
            print(f"failed: {name}: {reason}")
        if len(report.failed) > 20:
            print(f"... and {len(report.failed) - 20} more failures (all in the CSV / JSON)")
        if report.csv_path:
            print(f"rows written to {report.csv_path}")
    if report.cancelled:
        print("error: interrupted; the rows so far were kept", file=sys.stderr)
        return 2
    return 0


def _wait(job: Any) -> Any:
    """The report; waits in short steps so that Ctrl+C reaches this thread at once."""
    from concurrent.futures import TimeoutError as FutureTimeout

    while True:
        try:
            return job.future.result(0.2)
        except FutureTimeout:
            continue
        except UserError:
            raise
