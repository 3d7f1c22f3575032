"""Training leftovers in the serving graph: optimizer updates, input-pipeline queues and readers,
summaries, and dropout that is always on."""

from __future__ import annotations

from inspector_app.savedmodel.checks import graph_scan as graph
from inspector_app.savedmodel.checks.findings import Finding, mg_where
from inspector_app.savedmodel.loader import MetaGraphInfo


def training_leftovers(mg: MetaGraphInfo, scan: graph.GraphScan) -> list[Finding]:
    out = []
    rules = (
        (
            "training.optimizer_ops",
            graph.optimizer_ops(scan),
            "optimizer update ops in the serving graph",
            "Export the serving graph without the training op (build it in PREDICT mode or "
            "save a tf.function that only runs inference).",
        ),
        (
            "training.queues_readers",
            graph.queue_reader_ops(scan),
            "input-pipeline queues, readers or iterators in the serving graph",
            "Feed serving inputs through placeholders or a serving input function, not the "
            "training input pipeline.",
        ),
        (
            "training.summaries",
            graph.summary_ops(scan),
            "summary ops in the serving graph",
            "Leave tf.summary calls out of the serving path (export in PREDICT mode).",
        ),
    )
    for rule_id, ops, what, fix in rules:
        if ops:
            listed = ", ".join(f"{op} ×{scan.ops[op]}" for op in ops[:6])
            more = f" and {len(ops) - 6} more" if len(ops) > 6 else ""
            out.append(
                Finding(rule_id, "warning", f"{what}: {listed}{more}", mg_where(mg, op=ops[0]), fix)
            )
    if scan.dropout:
        out.append(
            Finding(
                "training.dropout",
                "warning",
                "dropout is active in the serving graph: a random mask with no training switch "
                f"(at {', '.join(scan.dropout[:3])}); predictions will be random",
                mg_where(mg, op="RandomUniform"),
                "Call the model with training=False (or set the Keras learning phase to 0) "
                "before exporting.",
            )
        )
    return out
