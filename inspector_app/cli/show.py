"""``show PATH [--json] [--version N]``: what is inside a SavedModel, without loading TensorFlow."""

from __future__ import annotations

import argparse
import io
import json
import sys
from typing import TextIO

from inspector_app.cli.options import add_model_version
from inspector_app.errors import UserError
from inspector_app.safeio import cut_list, escape
from inspector_app.savedmodel.dtypes import enum_of, tf_dtype_name
from inspector_app.savedmodel.locate import versions_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        metavar="PATH",
        help="SavedModel folder, saved_model.pb(txt) or TF Serving base folder",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object (fields: docs/cli.md)"
    )
    add_model_version(parser)
    parser.add_argument(
        "--variables", action="store_true", help="also list variables (reads variables.index)"
    )
    from inspector_app.cli.show_graph import add_graph_arguments

    add_graph_arguments(parser)
    parser.add_argument(
        "--functions", action="store_true", help="also list every function of the library"
    )


def execute(args: argparse.Namespace) -> int:
    from inspector_app.cli.show_weights import functions_json, variables_json, write_functions
    from inspector_app.savedmodel import load_model

    info = load_model(args.path, version=args.version)
    if args.graph is not None:
        from inspector_app.cli.show_graph import execute_graph

        return execute_graph(info, args)
    failure: str | None = None
    if args.json:
        data = info.to_json()
        add_example_features(info, data)
        if args.variables:
            read, failure = _safe_variables(variables_json, info)
            if failure:
                data["variables"], data["variables_error"] = None, failure
            else:
                data["variables"], counts = read
                data["parameters"] = counts["weight"]
                data["parameter_counts"] = counts
        if getattr(args, "functions", False):
            data["functions"] = functions_json(info)
        text = json.dumps(data, indent=2) + "\n"
    else:
        buf = io.StringIO()
        write_text(info, buf)
        if args.variables:
            _, failure = _safe_variables(lambda i: _write_variables(i, buf), info)
            if failure:
                buf.write(f"\nVariables: not readable: {failure}\n")
        if getattr(args, "functions", False):
            write_functions(info, buf)
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


def add_example_features(info, data: dict) -> None:
    """``"example_features"`` under each signature fed with serialized tf.Example records."""
    from inspector_app.savedmodel.example_features import signature_example_features

    for mg, mg_json in zip(info.meta_graphs, data.get("meta_graphs", []), strict=False):
        if mg.proto is None:
            continue
        for sig, sig_json in zip(mg.signatures, mg_json.get("signatures", []), strict=False):
            features = signature_example_features(mg.proto, sig)
            if features:
                sig_json["example_features"] = [f.to_json() for f in features]


def feature_text(feature) -> str:
    """``x: float32 [784], dense, required`` / ``default [0.0]`` / ``sparse``."""
    shape = "" if feature.shape is None else " [" + ", ".join(str(d) if d >= 0 else "?" for d in feature.shape) + "]"  # fmt: skip
    if feature.kind != "dense":
        return f"{feature.name}: {feature.dtype}, {feature.kind}"
    how = "required" if feature.required else f"default {feature.default!r}"
    if not feature.required and feature.default is None:
        how = "default computed in the graph"
    return f"{feature.name}: {feature.dtype}{shape}, dense, {how}"


def _shape_cli(shape: list[int] | None) -> str:
    if shape is None:
        return "unknown_rank"
    return "(" + ", ".join(str(d) for d in shape) + ")"


def write_text(info, out: TextIO, *, with_variables: bool = False) -> None:
    """Readable text in the manner of ``saved_model_cli show --all``."""
    from inspector_app.savedmodel.example_features import signature_example_features
    from inspector_app.savedmodel.functions import concrete_functions
    from inspector_app.savedmodel.tree_builder import facts
    from inspector_app.units import human_bytes

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
                    if t.encoding == "composite_tensor":  # DT_INVALID in the TensorInfo itself
                        dtype = tf_dtype_name(enum_of(t.dtype))
                    if t.kind != "dense":
                        dtype += f" ({t.kind})"
                    w(f"    {label}s['{t.name}'] tensor_info:\n")
                    w(f"        dtype: {dtype}\n")
                    w(f"        shape: {_shape_cli(t.shape)}\n")
                    w(f"        name: {t.tensor_name}\n")
            w(f"  Method name is: {sig.method_name}\n")
            features = signature_example_features(mg.proto, sig) if mg.proto is not None else None
            if features:
                w(f"  Fed with tf.Example records ({features[0].input!r}) with the features:\n")
                for feat in features:
                    w(f"    {feature_text(feat)}\n")
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
    from inspector_app.cli.show_weights import write_variables

    write_variables(info, out)
