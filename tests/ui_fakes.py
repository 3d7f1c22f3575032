"""Hand-built models and trees for window tests that need no SavedModel on disk."""

from __future__ import annotations

from types import SimpleNamespace

from inspector_app.errors import UserError
from inspector_app.savedmodel.tree import TreeNode


def fake_info(path: str) -> SimpleNamespace:
    x = SimpleNamespace(name="x", dtype="float32", shape=[-1, 1], tensor_name="x:0")
    y = SimpleNamespace(name="y", dtype="float32", shape=[-1, 1], tensor_name="y:0")
    sigs = [
        SimpleNamespace(
            key=key, method_name=f"tensorflow/serving/{method}", inputs=[x], outputs=[y]
        )
        for key, method in (("classify_x", "classify"), ("serving_default", "predict"))
    ]
    return SimpleNamespace(
        path=path,
        model_dir=path,
        size_bytes=12345,
        load_ms=3.0,
        problems=[],
        version=None,
        meta_graphs=[SimpleNamespace(tags=["serve"], signatures=sigs)],
    )


def _tensor(t: SimpleNamespace) -> TreeNode:
    return TreeNode(
        "tensor",
        t.name,
        f"{t.dtype} [?, 1] {t.tensor_name}",
        details={"dtype": t.dtype, "shape": t.shape, "tensor_name": t.tensor_name},
        copy_value=t.tensor_name,
    )


def fake_tree(info: SimpleNamespace) -> TreeNode:
    meta_graphs = []
    for mg in info.meta_graphs:
        sig_nodes = [
            TreeNode(
                "signature",
                s.key,
                s.method_name,
                details={
                    "key": s.key,
                    "method_name": s.method_name,
                    "serving_metadata": {"signature_def": {s.key: {"method_name": s.method_name}}},
                },
                children=[
                    TreeNode("inputs", "inputs", children=[_tensor(t) for t in s.inputs]),
                    TreeNode("outputs", "outputs", children=[_tensor(t) for t in s.outputs]),
                ],
                cli_command=f"saved_model_cli show --dir {info.path} --tag_set serve "
                f"--signature_def {s.key}",
            )
            for s in mg.signatures
        ]
        variables = TreeNode(
            "variables",
            "Variables",
            "2 variables",
            load_children=lambda: [
                TreeNode("variable", "dense/kernel", "float32 [1, 1]"),
                TreeNode("variable", "dense/bias", "float32 [1]"),
            ],
        )
        meta_graphs.append(
            TreeNode(
                "meta_graph",
                ",".join(mg.tags),
                f"{len(sig_nodes)} signatures",
                details={"tags": mg.tags},
                children=[*sig_nodes, variables],
            )
        )
    name = info.path.rstrip("/").rsplit("/", 1)[-1]
    return TreeNode("model", name, "12.1 KB", details={"path": info.path}, children=meta_graphs)


def fake_load(path: str, version: int | None) -> tuple[SimpleNamespace, TreeNode]:
    """A loader for ``MainWindow(load=...)``: paths containing "bad" fail, "boom" raise a bug."""
    name = path.rstrip("/").rsplit("/", 1)[-1]
    if "boom" in name:
        raise RuntimeError("unexpected\nmulti-line failure")
    if "bad" in name:
        raise UserError("no saved_model.pb or saved_model.pbtxt in this folder", path=path)
    info = fake_info(path)
    return info, fake_tree(info)


def open_and_wait(qtbot, win, path, timeout_ms: int = 15_000) -> None:
    """Open ``path`` in the window and wait until its tree shows."""
    with qtbot.waitSignal(win.model_opened, timeout=timeout_ms):
        win.open_model(path)
