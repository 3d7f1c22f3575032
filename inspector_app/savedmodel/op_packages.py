"""Which package provides a custom op: the one table, op name -> pip package and Python module.

``check`` uses it to say what to install; the engine worker uses it to import the installed
package before it loads a model that needs the package's ops (importing ``tensorflow_text``
registers the tensorflow-text ops, for one). No TensorFlow here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class OpPackage:
    pip: str  # what to ``pip install``
    module: str  # what to import so that its ops are registered ("" when it has no Python module)
    note: str = ""  # shown after the package name, e.g. an alternative


TEXT = OpPackage("tensorflow-text", "tensorflow_text")
DECISION_FORESTS = OpPackage("tensorflow-decision-forests", "tensorflow_decision_forests")
IO = OpPackage("tensorflow-io", "tensorflow_io")
ADDONS = OpPackage("tensorflow-addons", "tensorflow_addons")
RECOMMENDERS_ADDONS = OpPackage("tensorflow-recommenders-addons", "tensorflow_recommenders_addons")
STRUCT2TENSOR = OpPackage("struct2tensor", "struct2tensor")
SCANN = OpPackage("scann", "scann")
SENTENCEPIECE = OpPackage("tensorflow-text", "tensorflow_text", "or tf_sentencepiece")

# Op name prefixes (a package's namespace) and single op names.
PREFIXES: dict[str, OpPackage] = {
    "TFText>": TEXT,
    "Addons>": ADDONS,
    "IO>": IO,
    "TFRA>": RECOMMENDERS_ADDONS,
    "SimpleML": DECISION_FORESTS,
    "YggdrasilDecisionForests": DECISION_FORESTS,
    "Scann": SCANN,
}
NAMES: dict[str, OpPackage] = {
    **dict.fromkeys(
        [  # tensorflow-text 2.21 ops outside its TFText> namespace
            "CaseFoldUTF8",
            "ConstrainedSequence",
            "FastBertNormalize",
            "FastWordpieceTokenizeWithOffsets",
            "FindSourceOffsets",
            "MaxSpanningTree",
            "NormalizeUTF8",
            "NormalizeUTF8WithOffsetsMap",
            "PhraseTokenize",
            "RegexSplitWithOffsets",
            "RougeL",
            "SentenceFragments",
            "SentenceFragmentsV2",
            "SplitMergeTokenizeWithOffsets",
            "TokenizerFromLogits",
            "UnicodeScriptTokenizeWithOffsets",
            "WhitespaceTokenizeWithOffsets",
            "WordpieceTokenizeWithOffsets",
        ],
        TEXT,
    ),
    **dict.fromkeys(
        [
            "SentencepieceOp",
            "SentencepieceTokenizeOp",
            "SentencepieceTokenizeWithOffsetsOp",
            "SentencepieceDetokenizeOp",
            "SentencepieceVocabSizeOp",
            "SentencepieceIdToStringOp",
            "SentencepieceStringToIdOp",
        ],
        SENTENCEPIECE,
    ),
    **dict.fromkeys(
        ["DecodeProtoSparseV2", "DecodeProtoSparseV3", "DecodeProtoSparseV4", "EquiJoinIndices"],
        STRUCT2TENSOR,
    ),
}


def package_of(op: str) -> OpPackage | None:
    """The package that provides ``op``, where known."""
    if op in NAMES:
        return NAMES[op]
    for prefix, package in PREFIXES.items():
        if op.startswith(prefix):
            return package
    return None


def label(package: OpPackage) -> str:
    """``tensorflow-text`` or ``tensorflow-text (or tf_sentencepiece)``."""
    return f"{package.pip} ({package.note})" if package.note else package.pip


def group_by_package(ops: Iterable[str]) -> tuple[dict[OpPackage, list[str]], list[str]]:
    """The ops of each known package, and the ops no known package provides."""
    known: dict[OpPackage, list[str]] = {}
    unknown: list[str] = []
    for op in sorted(set(ops)):
        package = package_of(op)
        if package is None:
            unknown.append(op)
        else:
            known.setdefault(package, []).append(op)
    return known, unknown
