"""``run PATH --signature KEY ...``: run a signature in the engine worker, print or save outputs.

The flags of ``saved_model_cli run`` (underscore spellings accepted too), evaluated safely. This
process never imports TensorFlow: the worker does. The model metadata is read and the feeds are
checked against the signature (names, dtypes, shapes, ``--outdir`` conflicts) first, in a
fraction of a second, so that such mistakes exit 2 before the worker spends seconds importing
TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from inspector_app.cli import run_output
from inspector_app.cli.options import add_model_version
from inspector_app.cli.run_target import choose as _choose
from inspector_app.errors import UserError
from inspector_app.inputs.expression_rules import DEFAULT_MAX_BYTES
from inspector_app.safeio import escape


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="SavedModel folder or TF Serving base folder")
    parser.add_argument("--signature", "--signature_def", dest="signature", metavar="KEY",
                        help="signature to run (default: serving_default)")  # fmt: skip
    parser.add_argument("--tag-set", "--tag_set", dest="tag_set", metavar="TAGS",
                        help="comma-separated tags of the MetaGraphDef (default: the only one, or serve)")  # fmt: skip
    add_model_version(parser)
    parser.add_argument(
        "--device", metavar="DEV", help="cpu, gpu:0, cpu:1 ... (default: GPU:0 if any)"
    )
    parser.add_argument("--inputs", metavar="SPEC", help="'k=file.npy;k2=file.npz[name]'")
    parser.add_argument("--input-exprs", "--input_exprs", dest="input_exprs", metavar="SPEC",
                        help="'k=np.ones((2,3))' (evaluated safely: literals and numpy constructors)")  # fmt: skip
    parser.add_argument("--input-examples", "--input_examples", dest="input_examples",
                        metavar="SPEC", help="'k=[{\"x\": [1.0]}]' (serialized tf.train.Example)")  # fmt: skip
    parser.add_argument("--image", action="append", metavar="KEY=FILE[,FILE...]",
                        help="an image input from PNG/JPEG/BMP/TIFF/WebP files (several files "
                        "form the batch); height/width inputs fill from its size")  # fmt: skip
    parser.add_argument("--image-resize", choices=("stretch", "pad", "crop"), default="stretch",
                        help="how an image meets a fixed input size (default stretch)")  # fmt: skip
    parser.add_argument("--image-color", choices=("rgb", "bgr", "gray"), default=None,
                        help="channel order (default: by the input's channels, RGB)")  # fmt: skip
    parser.add_argument("--image-values", choices=("raw", "unit", "signed", "imagenet"),
                        default=None, help="value preset: raw 0-255, unit 0-1, signed -1..1, "
                        "imagenet mean/std (default: raw for integer inputs, unit for float)")  # fmt: skip
    parser.add_argument("--load-ops", "--load_ops", dest="load_ops", action="append",
                        metavar="MODULE_OR_SO", help="a Python module to import or an op library "
                        "(.so) to load in the worker first, for custom ops (repeatable)")  # fmt: skip
    parser.add_argument("--outdir", metavar="DIR", help="write one .npy per output here")
    parser.add_argument("--overwrite", action="store_true", help="replace files in --outdir")
    parser.add_argument("--timeout", type=float, metavar="S", help="stop the worker after S seconds (exit 2)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=1, metavar="N", help="run N times, report latency")  # fmt: skip
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object (fields: docs/cli.md)"
    )
    parser.add_argument("--allow-pickle", "--allow_pickle", dest="allow_pickle", action="store_true",
                        help="let --inputs unpickle files (can run code: trusted files only)")  # fmt: skip
    parser.add_argument("--cast", action="store_true", help="cast an input given as another "
                        "dtype (float64 for float32...) when every value survives; without it "
                        "such an input is refused")  # fmt: skip
    parser.add_argument("--max-input-bytes", dest="max_input_bytes", type=int, default=DEFAULT_MAX_BYTES,
                        metavar="N", help="largest array an --input-exprs expression may make")  # fmt: skip


def execute(args: argparse.Namespace, engine: Any = None) -> int:
    """Run and print. ``engine``: an ``Engine`` to use (tests); by default one is started here,
    once the feeds have passed the checks that need no TensorFlow."""
    start = time.monotonic()
    if args.timeout is not None and not (math.isfinite(args.timeout) and args.timeout > 0):
        raise UserError(f"--timeout {args.timeout}: give a number of seconds above 0, e.g. 30")
    plan = _plan(args)
    own = engine is None
    if own:
        from inspector_app.engine import Engine, EngineOptions

        engine = Engine(EngineOptions(capture_stderr=not getattr(args, "debug", False)))
    try:
        return _execute(args, engine, start, plan)
    finally:
        if own:
            engine.close(graceful=False)  # nothing to flush: skip TensorFlow's teardown


def _deadline_left(args: argparse.Namespace, start: float) -> float | None:
    if args.timeout is None:
        return None
    return max(0.0, args.timeout - (time.monotonic() - start))


def _plan(args: argparse.Namespace) -> tuple[Path, list[str], Any, dict[str, Any], dict | None]:
    """Everything that needs no TensorFlow: the model, the signature, the feeds checked
    against it, and ``--outdir`` (UserError, exit 2, for any mistake)."""
    model_dir, tags, signature, meta_graph = _choose(args)
    targets = _check_outdir(args, model_dir, signature)
    feeds = _feeds(args)
    _add_images(args, signature, feeds)
    _check_inputs(signature, feeds)
    feeds = check_feeds(signature, feeds, meta_graph, allow_cast=getattr(args, "cast", False))
    return model_dir, tags, signature, feeds, targets


def _execute(args: argparse.Namespace, engine: Any, start: float, plan: tuple) -> int:
    from concurrent.futures import TimeoutError as FutureTimeout

    model_dir, tags, signature, feeds, targets = plan
    load_ops = list(getattr(args, "load_ops", None) or [])
    if load_ops:
        loading = engine.load(model_dir, tags, args.device, load_ops=load_ops)
    else:
        loading = engine.load(model_dir, tags, args.device)
    fut = engine.run(signature.key, feeds, device=args.device, repeat=max(1, args.repeat))
    try:
        info = loading.result(_deadline_left(args, start))  # its error is the one to show
        result = fut.result(_deadline_left(args, start))
    except FutureTimeout:
        engine.cancel(reload=False)
        raise UserError(f"timed out after {args.timeout:g} s; the worker was stopped") from None
    for warning in getattr(info, "warnings", None) or []:
        print(f"warning: {warning}", file=sys.stderr)
    composites = getattr(result, "composites", None) or {}
    if args.outdir:
        outputs = {**result.outputs, **run_output.components(composites)}
        run_output.save(outputs, Path(args.outdir), args.overwrite, targets)
    if args.json:
        from inspector_app.results.interpret import add_view_fields

        doc = run_output.to_json(result)
        context = {"inputs": feeds, "method_name": signature.method_name,
                   "assets_dir": str(model_dir / "assets")}  # fmt: skip
        add_view_fields(doc["outputs"], result.outputs, context)  # "view", "view_reason", ...
        print(json.dumps(doc, indent=None))
    else:
        run_output.print_text(result, bool(args.outdir), Path(args.outdir or "."))
    return 0


def _feeds(args: argparse.Namespace) -> dict[str, np.ndarray]:
    from inspector_app.inputs.arrays import parse_inputs
    from inspector_app.inputs.examples import parse_input_examples
    from inspector_app.inputs.expressions import parse_input_exprs

    def warn(message: str) -> None:
        print(f"warning: {message}", file=sys.stderr)

    feeds: dict[str, np.ndarray] = {}
    parts = [
        (
            "--inputs",
            args.inputs,
            lambda t: parse_inputs(
                t, allow_pickle=args.allow_pickle, warn=warn, max_bytes=args.max_input_bytes
            ),
        ),  # fmt: skip
        (
            "--input-exprs",
            args.input_exprs,
            lambda t: parse_input_exprs(t, args.max_input_bytes, keep_literals=True),
        ),
        ("--input-examples", args.input_examples, parse_input_examples),
    ]
    for flag, text, parse in parts:
        if not text:
            continue
        for key, value in parse(text).items():
            if key in feeds:
                raise UserError(f"input {key!r} is given twice (again in {flag})")
            feeds[key] = value
    return feeds


def _add_images(args: argparse.Namespace, signature: Any, feeds: dict[str, np.ndarray]) -> None:
    """``--image KEY=FILE[,FILE...]``: decode, resize and cast for the input's spec; inputs
    named for height and width (the DeepLab pattern) fill from the image's size."""
    if not getattr(args, "image", None):
        return
    from dataclasses import replace

    from inspector_app.inputs.feed_policy import check_names
    from inspector_app.inputs.images import build_image_batch, default_options
    from inspector_app.inputs.scalars import autofill_dimensions

    specs = {t.name: t for t in signature.inputs}
    for item in args.image:
        key, sep, files = item.partition("=")
        key = key.strip()
        if not sep or not key or not files.strip():
            raise UserError(f"--image takes KEY=FILE[,FILE...], not {item!r}")
        check_names(signature.key, list(specs), [key], require_all=False)
        if key in feeds:
            raise UserError(f"input {key!r} is given twice (again in --image)")
        options = replace(default_options(specs[key]), resize=args.image_resize)
        if args.image_color:
            options = replace(options, color=args.image_color)
        if args.image_values:
            options = replace(options, values=args.image_values)
        paths = [f.strip() for f in files.split(",") if f.strip()]
        feeds[key] = build_image_batch(paths, specs[key], options)
    for key, value in autofill_dimensions(signature.inputs, feeds).items():
        feeds.setdefault(key, value)


def _check_inputs(signature: Any, feeds: dict[str, np.ndarray]) -> None:
    from inspector_app.inputs.feed_policy import check_names

    check_names(signature.key, [t.name for t in signature.inputs], feeds,
                how="--inputs, --input-exprs, --input-examples or --image")  # fmt: skip
    _check_fixed_dims(signature, feeds)


def _check_fixed_dims(signature: Any, feeds: dict[str, np.ndarray]) -> None:
    """Fixed dimensions of the signature (and for TF2 exports its rank), enforced before the
    run as TF Serving does: [None, 32, 32, 3] refuses (1, 31, 32, 3)."""
    from inspector_app.inputs.validate import format_shape, shape_matches

    for spec in signature.inputs:
        value = feeds.get(spec.name)
        if value is None or spec.shape is None or getattr(spec, "encoding", "name") != "name":
            continue
        shape = tuple(np.shape(value))
        if len(shape) != len(spec.shape) and not getattr(signature, "strict_rank", True):
            continue  # a TF1 placeholder may be looser than its TensorInfo: TensorFlow decides
        if not shape_matches(shape, spec.shape):
            raise UserError(
                f"input {escape(spec.name)!r} of signature {escape(signature.key)!r} takes shape "
                f"{format_shape(spec.shape)}, got {format_shape(list(shape))}; give an array of "
                "that shape (None/? dimensions may be any size)"
            )


def _check_outdir(args: argparse.Namespace, model_dir: Path, signature: Any) -> dict | None:
    """--outdir checked (and created) before the worker is asked for anything."""
    if not args.outdir:
        return None
    from inspector_app.results.outfiles import check_outdir

    keys = run_output.output_keys(signature)
    return check_outdir(
        args.outdir, keys, overwrite=args.overwrite, model_dirs=[model_dir, args.path]
    )


def check_feeds(
    signature: Any, feeds: dict[str, Any], meta_graph: Any = None, allow_cast: bool = False
) -> dict[str, Any]:
    """Each feed conformed to its input's dtype by the one policy (``inputs.feed_policy``:
    strict, cast only with ``--cast``), then to the graph's dtype where the signature declares
    another (as saved_model_cli feeds), and checked against the declared shape. UserError names
    the input, what it takes and what it got."""
    from inspector_app.engine.composites import is_composite
    from inspector_app.engine.feeds import coerce_value
    from inspector_app.inputs.feed_policy import conform
    from inspector_app.inputs.validate import describe, dtype_name, shape_matches
    from inspector_app.savedmodel.signature_graph import feed_dtype

    specs = {t.name: t for t in signature.inputs}
    strict_shapes = meta_graph is None or bool(meta_graph.object_graph_def.nodes)
    out: dict[str, Any] = {}
    for name, value in feeds.items():
        spec = specs[name]
        if is_composite(value) or getattr(spec, "kind", "dense") != "dense":
            # a dense value for a composite input: its dtype by the same policy (the worker
            # splits it); a composite value carries its own dtypes
            composite = is_composite(value)
            out[name] = (
                value if composite else conform(name, value, spec.dtype, allow_cast=allow_cast)
            )
            continue
        proto = getattr(spec, "proto", None)
        dtype = spec.dtype
        if proto is not None and meta_graph is not None:
            dtype = feed_dtype(meta_graph, proto)
        arr = conform(name, value, spec.dtype, allow_cast=allow_cast)
        try:
            arr = coerce_value(name, arr, dtype) if dtype != spec.dtype else arr
        except UserError as err:
            raise UserError(f"{err} (signature {signature.key!r})") from None
        # TF2 signature functions refuse another shape; TF1 graphs run what their placeholders
        # take (half_plus_two's x, declared [-1, 1], runs on [3] in saved_model_cli too)
        shape = spec.shape if strict_shapes else None
        if not shape_matches(arr.shape, shape):
            raise UserError(
                f"input {name!r} of {signature.key!r} takes {describe(dtype, shape)}, "
                f"got {describe(dtype_name(arr), list(arr.shape))}"
            )
        out[name] = arr
    return out
