"""``show PATH [--json] [--version N]``: what is inside a SavedModel, without loading TensorFlow."""

from __future__ import annotations

import argparse
import io
import json
import sys
from typing import TextIO

from inspector_app.errors import UserError
from inspector_app.safeio import cut_list, escape
from inspector_app.savedmodel.dtypes import tf_dtype_name
from inspector_app.savedmodel.loader import versions_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        metavar="PATH",
        help="SavedModel folder, saved_model.pb(txt) or TF Serving base folder",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object (Contract 1)")
    parser.add_argument(
        "--version",
        type=int,
        metavar="N",
        help="version of a TF Serving base folder (default: highest)",
    )
    parser.add_argument(
        "--variables", action="store_true", help="also list variables (reads variables.index)"
    )


def execute(args: argparse.Namespace) -> int:
    from inspector_app.savedmodel import load_model

    info = load_model(args.path, version=args.version)
    failure: str | None = None
    if args.json:
        data = info.to_json()
        if args.variables:
            data["variables"], failure = _safe_variables(_variables_json, info)
            if failure:
                data["variables_error"] = failure
        text = json.dumps(data, indent=2) + "\n"
    else:
        buf = io.StringIO()
        write_text(info, buf)
        if args.variables:
            _, failure = _safe_variables(lambda i: _write_variables(i, buf), info)
            if failure:
                buf.write(f"\nVariables: not readable: {failure}\n")
        text = escape(buf.getvalue(), keep_newlines=True)  # names from the model: no escapes
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # `show ... | head`: the reader left, which is fine
        sys.stdout = None  # type: ignore[assignment]  # no second error at interpreter exit
    if failure:
        raise UserError(failure)
    if info.special_files:  # shown, but the folder holds a pipe or a device: say it, exit 2
        info.refuse_special()
    return 0


def _safe_variables(read, info):  # noqa: ANN001, ANN202
    """(value, None), or (None, one line) when variables/ is damaged or a special file."""
    from inspector_app.savedmodel.integrity import first_problem_message

    message = first_problem_message(info.model_dir)
    if message is not None:
        return None, f"{info.model_dir}: {message}"
    try:
        return read(info), None
    except (UserError, ValueError, OSError) as err:
        return None, f"{info.model_dir / 'variables'}: cannot read the variables ({err})"


def _variables_json(info) -> list[dict] | None:
    from inspector_app.savedmodel.variables import read_variables

    if not (info.model_dir / "variables" / "variables.index").is_file():
        return None
    mg = info.meta_graphs[0].proto if info.meta_graphs else None
    return [
        {"name": v.name, "dtype": v.dtype, "shape": v.shape, "bytes": v.size_bytes}
        for v in read_variables(info.model_dir, mg)
    ]


def _shape_cli(shape: list[int] | None) -> str:
    if shape is None:
        return "unknown_rank"
    return "(" + ", ".join(str(d) for d in shape) + ")"


def write_text(info, out: TextIO, *, with_variables: bool = False) -> None:
    """Readable text in the manner of ``saved_model_cli show --all``."""
    from inspector_app.savedmodel.functions import concrete_functions
    from inspector_app.savedmodel.tree_builder import facts, human_bytes

    w = out.write
    w(f"SavedModel: {info.path}\n")
    if info.versions is not None:
        w(f"TF Serving base folder, versions: {versions_text(info.versions)}; ")
        w(f"showing version {info.version} ({info.model_dir.name})\n")
        if info.ignored:
            w(f"ignored sub-folders (not version numbers): {cut_list(info.ignored)}\n")
    parts = ", ".join(f"{k} {human_bytes(v)}" for k, v in info.breakdown.items() if v)
    w(f"size: {human_bytes(info.size_bytes)} ({parts})\n")
    for problem in info.problems:
        w(f"{info.problem_severity.get(problem, 'warning')}: {problem}\n")
    for mg in info.meta_graphs:
        w(f"\nMetaGraphDef with tag-set: '{', '.join(mg.tags)}' ")
        w("contains the following SignatureDefs:\n")
        for sig in mg.signatures:
            w(f"\nsignature_def['{sig.key}']:\n")
            for label, tensors in (("input", sig.inputs), ("output", sig.outputs)):
                w(f"  The given SavedModel SignatureDef contains the following {label}(s):\n")
                for t in tensors:
                    dtype = tf_dtype_name(t.proto.dtype) if t.proto is not None else t.dtype
                    w(f"    {label}s['{t.name}'] tensor_info:\n")
                    w(f"        dtype: {dtype}\n")
                    w(f"        shape: {_shape_cli(t.shape)}\n")
                    w(f"        name: {t.tensor_name}\n")
            w(f"  Method name is: {sig.method_name}\n")
        ops = ", ".join(f"{op} ({n})" for op, n in mg.op_counts.items())
        w(f"\nThe MetaGraph with tag set {mg.tags} contains the following ops: {ops}\n")
        functions = concrete_functions(mg.proto)
        if functions:
            w("\nConcrete Functions:\n")
            for fn in functions:
                w(f"  Function Name: '{fn.name}'\n")
                for i, opt in enumerate(fn.options, 1):
                    w(f"    Option #{i}\n      Callable with:\n")
                    for j, arg in enumerate(opt.args, 1):
                        w(f"        Argument #{j}\n          {arg}\n")
                    for j, arg in enumerate(opt.kwargs, 1):
                        w(f"        Named Argument #{j}\n          {arg}\n")
                w("\n")
        w("\nFacts:\n")
        for label, value in facts(info, mg):
            w(f"  {label}: {value}\n")
    if with_variables:
        _write_variables(info, out)


def _write_variables(info, out: TextIO) -> None:
    from inspector_app.savedmodel.tree_builder import human_bytes
    from inspector_app.savedmodel.variables import describe, read_variables

    if not (info.model_dir / "variables" / "variables.index").is_file():
        out.write("\nVariables: none\n")
        return
    mg = info.meta_graphs[0].proto if info.meta_graphs else None
    variables = read_variables(info.model_dir, mg)
    total = sum(v.params for v in variables)
    out.write(f"\nVariables ({len(variables)}, {total:,} params):\n")
    for v in variables:
        out.write(f"  {v.name}: {describe(v)}, {v.params:,} params, {human_bytes(v.size_bytes)}\n")
