"""What a model says about itself: who wrote it, what it weighs, its fingerprint, and the
metadata TF Serving would report for a signature."""

from __future__ import annotations

from pathlib import Path

from inspector_app.errors import UserError
from inspector_app.safeio import read_regular, special_kind
from inspector_app.savedmodel.model_info import MetaGraphInfo, SavedModelInfo, SignatureInfo


def model_name(info: SavedModelInfo) -> str:
    """The name TF Serving would serve it under: the base folder, else the model folder."""
    if info.base_dir is not None:
        return info.base_dir.name
    folder = info.model_dir
    if folder.name.isdigit() and folder.parent.name:
        return folder.parent.name
    return folder.name


def serving_metadata(info: SavedModelInfo, sig: SignatureInfo) -> dict:
    """What TF Serving's REST ``GET /v1/models/NAME/metadata`` returns for this one signature."""
    from google.protobuf.json_format import MessageToDict

    try:
        body = MessageToDict(
            sig.proto, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
        )
    except TypeError:  # protobuf < 5.26
        body = MessageToDict(
            sig.proto, preserving_proto_field_name=True, including_default_value_fields=True
        )
    version = info.version
    if version is None and info.model_dir.name.isdigit():
        version = int(info.model_dir.name)
    return {
        "model_spec": {
            "name": model_name(info),
            "signature_name": "",
            "version": str(version) if version is not None else "",
        },
        "metadata": {"signature_def": {"signature_def": {sig.key: body}}},
    }


def facts(info: SavedModelInfo, mg: MetaGraphInfo) -> list[tuple[str, str]]:
    """(label, value) pairs: who wrote the model and what it weighs."""
    meta = mg.proto.meta_info_def
    out = [
        ("TensorFlow version", meta.tensorflow_version or "unknown"),
        ("TensorFlow git version", meta.tensorflow_git_version or "unknown"),
        ("SavedModel schema version", str(info.proto.saved_model_schema_version)),
        ("format", f"{info.pb_path.name} ({'binary' if info.format == 'pb' else 'text'})"),
        ("written by", "TF2 (object graph)" if mg.proto.object_graph_def.nodes else "TF1"),
    ]
    fp = fingerprint(info.model_dir)
    if fp:
        out += fp
    out += [
        ("graph bytes", f"{info.breakdown.get('graph', 0):,}"),
        ("variables bytes", f"{info.breakdown.get('variables', 0):,}"),
        ("assets bytes", f"{info.breakdown.get('assets', 0):,}"),
        ("total bytes", f"{info.size_bytes:,}" + ("" if info.size_complete else " (at least)")),
        ("stripped default attrs", "yes" if meta.stripped_default_attrs else "no"),
    ]
    return out


def fingerprint(model_dir: Path) -> list[tuple[str, str]]:
    """The fields of ``fingerprint.pb`` (TF >= 2.12 writes it), or nothing."""
    path = model_dir / "fingerprint.pb"
    kind = special_kind(path)
    if kind is not None:
        return [("fingerprint", f"fingerprint.pb is {kind}, not a file: not read")]
    try:
        data = read_regular(path, 1 << 20, "a fingerprint.pb")
    except UserError as err:
        return [("fingerprint", f"fingerprint.pb not read: {err.args[0]}")] if path.exists() else []
    from inspector_app.savedmodel import protos

    try:
        fp = protos.module("fingerprint_pb2").FingerprintDef.FromString(data)
    except Exception:  # noqa: BLE001 - a damaged fingerprint is reported, not fatal
        return [("fingerprint", "fingerprint.pb is unreadable")]
    return [
        ("fingerprint saved_model_checksum", str(fp.saved_model_checksum)),
        ("fingerprint graph_def_program_hash", str(fp.graph_def_program_hash)),
        ("fingerprint signature_def_hash", str(fp.signature_def_hash)),
        ("fingerprint saved_object_graph_hash", str(fp.saved_object_graph_hash)),
        ("fingerprint checkpoint_hash", str(fp.checkpoint_hash)),
    ]
