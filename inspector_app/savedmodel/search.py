"""Find everything in the open models: graph nodes (top level and inside every function body),
tensors, op types, weights, functions and signatures, searched in the model's data itself (not in
the tree rows, which load lazily). Qt-free; the window builds an index off the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("signature", "tensor", "node", "op", "weight", "function")


@dataclass(frozen=True)
class FindResult:
    kind: str  # one of KINDS
    name: str
    detail: str  # the op of a node, dtype and shape of a tensor or weight...
    where: str  # "graph", "function NAME", "signature KEY", "variables"...
    tags: tuple[str, ...] = ()  # the MetaGraphDef's tag set
    function: str | None = None  # the library function that holds a node or argument
    signature: str | None = None  # the signature of a tensor
    model_path: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "detail": self.detail,
            "where": self.where,
            "tags": list(self.tags),
            "function": self.function,
            "signature": self.signature,
        }


@dataclass
class FindIndex:
    """Everything searchable of one model, with lower-cased names for matching."""

    model_path: str = ""
    results: list[FindResult] = field(default_factory=list)
    _names: list[str] = field(default_factory=list)

    def add(self, result: FindResult) -> None:
        self.results.append(result)
        self._names.append(result.name.lower())

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(KINDS, 0)
        for r in self.results:
            out[r.kind] = out.get(r.kind, 0) + 1
        return out

    def search(
        self, text: str, kinds: set[str] | None = None, limit: int = 1000
    ) -> tuple[list[FindResult], int]:
        """Results whose name contains ``text`` (case-insensitive; exact and prefix matches
        first), at most ``limit`` of them, and how many matched in all."""
        needle = text.strip().lower()
        if not needle:
            return [], 0
        exact, prefix, inner = [], [], []
        for i, name in enumerate(self._names):
            if needle not in name:
                continue
            result = self.results[i]
            if kinds is not None and result.kind not in kinds:
                continue
            if name == needle:
                exact.append(result)
            elif name.startswith(needle) or name.rsplit("/", 1)[-1].startswith(needle):
                prefix.append(result)
            else:
                inner.append(result)
        total = len(exact) + len(prefix) + len(inner)
        prefix.sort(key=lambda r: len(r.name))
        return (exact + prefix + inner)[:limit], total


def _shape(shape: list[int] | None) -> str:
    from inspector_app.savedmodel.dtypes import shape_text

    return shape_text(shape)


def build_index(info: Any) -> FindIndex:
    """The index of one loaded model (``SavedModelInfo``): reads variables.index, nothing else."""
    from inspector_app.savedmodel.functions import function_library

    index = FindIndex(model_path=str(info.path))
    path = str(info.path)
    for mg in info.meta_graphs:
        tags = tuple(mg.tags)
        for sig in mg.signatures:
            index.add(FindResult("signature", sig.key, sig.method_name, "signatures", tags,
                                 model_path=path))  # fmt: skip
            for t in [*sig.inputs, *sig.outputs]:
                detail = f"{t.dtype} {_shape(t.shape)} ({t.tensor_name})"
                index.add(FindResult("tensor", t.name, detail, f"signature {sig.key}", tags,
                                     signature=sig.key, model_path=path))  # fmt: skip
                if t.tensor_name and t.tensor_name != t.name:
                    index.add(FindResult("tensor", t.tensor_name, f"{t.dtype} {_shape(t.shape)}",
                                         f"signature {sig.key}", tags, signature=sig.key,
                                         model_path=path))  # fmt: skip
        graph = mg.proto.graph_def
        for node in graph.node:
            index.add(FindResult("node", node.name, node.op, "graph", tags, model_path=path))
        for fdef in graph.library.function:
            fname = fdef.signature.name
            for node in fdef.node_def:
                index.add(FindResult("node", node.name, node.op, f"function {fname}", tags,
                                     function=fname, model_path=path))  # fmt: skip
        for fn in function_library(mg.proto):
            args = ", ".join(a.name for a in fn.inputs if not a.dtype.startswith("resource"))
            where = f"as {', '.join(fn.attached_to)}" if fn.attached_to else "library"
            index.add(FindResult("function", fn.name, f"({args}) · {fn.nodes} nodes", where, tags,
                                 function=fn.name, model_path=path))  # fmt: skip
            for attached in fn.attached_to:
                index.add(FindResult("function", attached, fn.name, "object graph", tags,
                                     function=fn.name, model_path=path))  # fmt: skip
        for op, count in mg.op_counts.items():
            index.add(FindResult("op", op, f"× {count}", "ops", tags, model_path=path))
    _add_weights(index, info)
    return index


def _add_weights(index: FindIndex, info: Any) -> None:
    from inspector_app.savedmodel.variables import ROLE_LABELS, read_variables

    if not (info.model_dir / "variables" / "variables.index").is_file():
        return
    mg = info.meta_graphs[0] if info.meta_graphs else None
    try:
        variables = read_variables(info.model_dir, mg.proto if mg is not None else None)
    except (OSError, ValueError):
        return
    tags = tuple(mg.tags) if mg is not None else ()
    for var in variables:
        role = f" · {ROLE_LABELS[var.role]}" if var.role in ROLE_LABELS else ""
        detail = f"{var.dtype} {_shape(var.shape)} · {var.params:,} values{role}"
        index.add(
            FindResult("weight", var.name, detail, "variables", tags, model_path=index.model_path)
        )
        if var.key != var.name:
            index.add(FindResult("weight", var.key, f"checkpoint key of {var.name}", "variables",
                                 tags, model_path=index.model_path))  # fmt: skip
