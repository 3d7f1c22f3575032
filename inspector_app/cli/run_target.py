"""Which model, tag set and signature ``run`` and ``batch`` mean (the one resolver of
``savedmodel.resolve``), with the checks that need no TensorFlow and would otherwise hang or
confuse the worker: pipes or devices in the folder, damaged variables, features of
``--input-examples`` the graph does not parse."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def choose(args: argparse.Namespace) -> tuple[Path, list[str], Any, Any]:
    """The model folder, the tag set, the signature and its MetaGraphDef (protobuf), from
    ``args.path``, ``--version``, ``--tag-set`` and ``--signature``."""
    from inspector_app.savedmodel import load_model
    from inspector_app.savedmodel.integrity import refuse_damaged
    from inspector_app.savedmodel.resolve import resolve

    info = load_model(args.path, version=args.version)
    mg, sig = resolve(info, args.tag_set, args.signature)
    if getattr(args, "input_examples", None) and mg.proto is not None:  # name bad features now
        from inspector_app.inputs.examples import check_input_examples

        check_input_examples(args.input_examples, mg.proto, sig, lambda m: print(f"warning: {m}", file=sys.stderr))  # fmt: skip
    # TF2 signature functions refuse another rank; TF1 graphs may take one (saved_model_cli)
    sig.strict_rank = bool(mg.proto.object_graph_def.nodes)  # type: ignore[attr-defined]
    info.refuse_special()  # a pipe or a device in the folder would hang the worker
    refuse_damaged(Path(info.model_dir), mg.proto)  # cut or foreign shards, said in words
    return Path(info.model_dir), list(mg.tags), sig, mg.proto
