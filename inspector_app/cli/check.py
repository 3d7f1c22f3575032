"""``check PATH [--json] [--version N] [--denylist OP,OP]``: checks before deployment.

Exit status 1 when any finding is an error, 0 otherwise, 2 on an unreadable model.
"""

from __future__ import annotations

import argparse
import json
import sys

from inspector_app.cli.options import add_model_version
from inspector_app.safeio import escape


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "path",
        metavar="PATH",
        help="SavedModel folder, saved_model.pb(txt) or TF Serving base folder",
    )
    parser.add_argument(
        "--json", action="store_true", help='print {"findings": [{id, severity, ...}]}'
    )
    add_model_version(parser)
    parser.add_argument(
        "--denylist",
        metavar="OP,OP",
        help="ops to report as reading/writing files or printing, comma-separated "
        "(default: saved_model_cli scan's list plus Print; '' for none)",
    )
    parser.add_argument(
        "--no-registry",
        action="store_true",
        help="do not start a Python with TensorFlow to learn the registered ops (when not cached)",
    )


def execute(args: argparse.Namespace) -> int:
    from inspector_app.savedmodel.checks import CheckOptions, check_path, has_errors
    from inspector_app.savedmodel.checks_registry import parse_denylist

    options = CheckOptions(
        denylist=None if args.denylist is None else parse_denylist(args.denylist),
        compute_registry=not args.no_registry,
    )
    findings = check_path(args.path, version=args.version, options=options)
    if args.json:
        text = json.dumps({"findings": [f.to_json() for f in findings]}, indent=2) + "\n"
    else:
        counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning")}
        lines = [f.text() for f in findings]
        lines.append(
            f"{counts['error']} error(s), {counts['warning']} warning(s), "
            f"{len(findings) - sum(counts.values())} note(s)"
        )
        text = escape("\n".join(lines) + "\n", keep_newlines=True)  # names from the model
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        sys.stdout = None  # type: ignore[assignment]
    return 1 if has_errors(findings) else 0
