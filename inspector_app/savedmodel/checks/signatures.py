"""Tags and signatures: a 'serve' MetaGraphDef with a 'serving_default' signature, method names
TF Serving knows, classify/regress shapes, batchable inputs, wide dtypes, and signature dtypes
that disagree with the graph."""

from __future__ import annotations

from inspector_app.savedmodel.checks.findings import (
    Finding,
    mg_where,
    plural,
    serve_graphs,
    user_signatures,
)
from inspector_app.savedmodel.loader import MetaGraphInfo, SavedModelInfo, SignatureInfo

SERVING_METHODS = {
    "tensorflow/serving/predict",
    "tensorflow/serving/classify",
    "tensorflow/serving/regress",
}


def check_tags(info: SavedModelInfo) -> list[Finding]:
    serve = serve_graphs(info)
    if not serve:
        tags = "; ".join(",".join(mg.tags) or "(none)" for mg in info.meta_graphs)
        return [
            Finding(
                "tags.no_serve",
                "error",
                f"no MetaGraphDef has the 'serve' tag (tag sets: {tags}); TF Serving and cloud "
                "prediction load 'serve' by default",
                {},
                "Export with tags=[tf.saved_model.SERVING] (tf.saved_model.save does this).",
            )
        ]
    out = []
    for mg in serve:
        if mg.signature("serving_default") is None:
            keys = ", ".join(s.key for s in user_signatures(mg)) or "none"
            out.append(
                Finding(
                    "signatures.no_serving_default",
                    "warning" if user_signatures(mg) else "error",
                    f"no 'serving_default' signature (signatures: {keys}); requests that name "
                    "no signature fail",
                    mg_where(mg),
                    "Export with signatures={'serving_default': fn} "
                    "(tf.saved_model.DEFAULT_SERVING_SIGNATURE_DEF_KEY).",
                )
            )
    return out


def check_signatures(info: SavedModelInfo) -> list[Finding]:
    out: list[Finding] = []
    for mg in serve_graphs(info):
        for sig in user_signatures(mg):
            out += _check_signature(mg, sig)
    return out


def _check_signature(mg: MetaGraphInfo, sig: SignatureInfo) -> list[Finding]:
    out: list[Finding] = []
    here = mg_where(mg, signature=sig.key)
    method = sig.method_name
    if method not in SERVING_METHODS:
        out.append(
            Finding(
                "signatures.unknown_method",
                "error",
                f"signature '{sig.key}' has method name '{method or '(empty)'}', which TF "
                "Serving does not know (predict, classify, regress)",
                here,
                "Build the signature with tf.compat.v1.saved_model.predict_signature_def (or "
                "classification_/regression_signature_def), or export with tf.saved_model.save.",
            )
        )
    elif method.endswith("/classify"):
        names = {t.name for t in sig.outputs}
        if not names & {"classes", "scores"}:
            out.append(
                Finding(
                    "signatures.classify_outputs",
                    "error",
                    f"classify signature '{sig.key}' has no 'classes' or 'scores' output "
                    f"(outputs: {', '.join(sorted(names)) or 'none'}); the Classify API "
                    "rejects it",
                    here,
                    "Name the outputs 'classes' (string) and/or 'scores' (float) with "
                    "classification_signature_def, or make it a predict signature.",
                )
            )
    elif method.endswith("/regress") and (len(sig.inputs) != 1 or len(sig.outputs) != 1):
        out.append(
            Finding(
                "signatures.regress_arity",
                "error",
                f"regress signature '{sig.key}' has {plural(len(sig.inputs), 'input')} and "
                f"{plural(len(sig.outputs), 'output')}; the Regress API needs exactly one of each",
                here,
                "Use regression_signature_def with one input and one output, or make it a "
                "predict signature.",
            )
        )
    for side, tensors in (("inputs", sig.inputs), ("outputs", sig.outputs)):
        for t in tensors:
            where = {**here, "side": side, "tensor": t.name}
            if side == "inputs" and t.shape and t.shape[0] > 0:
                rank2 = len(t.shape) >= 2
                out.append(
                    Finding(
                        "signatures.fixed_batch",
                        "warning" if rank2 else "info",
                        f"input '{t.name}' of '{sig.key}' has a fixed first dimension "
                        f"{t.shape}: requests cannot be batched"
                        + ("" if rank2 else " (if that dimension is the batch)"),
                        where,
                        "Export with None as the first dimension of the input signature "
                        "(tf.TensorSpec([None, ...])).",
                    )
                )
            if t.dtype == "float64":
                out.append(
                    Finding(
                        "signatures.wide_dtype",
                        "warning",
                        f"{side[:-1]} '{t.name}' of '{sig.key}' is float64: twice the bytes "
                        "of float32 and slow on GPUs and TPUs",
                        where,
                        "Cast to float32 in the serving function unless the extra precision "
                        "is needed.",
                    )
                )
            elif t.dtype == "int64" and t.encoding == "name":
                out.append(
                    Finding(
                        "signatures.wide_dtype",
                        "info",
                        f"{side[:-1]} '{t.name}' of '{sig.key}' is int64: int32 halves the "
                        "bytes where values stay below 2^31",
                        where,
                        "Cast to int32 in the serving function if ids and counts are small.",
                    )
                )
    return out


def check_signature_dtypes(info: SavedModelInfo) -> list[Finding]:
    """Signature tensors whose TensorInfo dtype is not the graph tensor's (half_plus_three)."""
    from inspector_app.savedmodel.dtypes import tf_dtype_name
    from inspector_app.savedmodel.signature_graph import mismatches

    out = []
    for mg in info.meta_graphs:
        for m in mismatches(mg.proto):
            declared, real = tf_dtype_name(m.declared), tf_dtype_name(m.graph)
            out.append(
                Finding(
                    "signatures.dtype_mismatch",
                    "warning",
                    f"{m.side[:-1]} '{m.name}' of '{m.signature}' is declared {declared} but "
                    f"graph tensor {m.tensor_name} is {real}; clients that follow the signature "
                    f"send the wrong type (run feeds {real}, as saved_model_cli does)",
                    mg_where(mg, signature=m.signature, side=m.side, tensor=m.name),
                    f"Export the signature with dtype {real} for '{m.name}' (build the "
                    "TensorInfo from the tensor itself).",
                )
            )
    return out
