"""The graph read from the protos (edges, calls, pruning, scopes), its layout, node details and
``show --graph``: on a TF1 graph and a TF2 model with nested functions, If and While."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from models_graph import graph_models

from inspector_app.cli import main
from inspector_app.savedmodel import load_model
from inspector_app.savedmodel.graph import (
    ARG_OP,
    RET_OP,
    GraphError,
    graph_of_meta_graph,
    open_graph,
    scope_tree,
    targets,
)
from inspector_app.savedmodel.graph_details import node_details, tensor_stats, tensor_to_numpy
from inspector_app.savedmodel.graph_export import to_dot, to_svg
from inspector_app.savedmodel.graph_layout import compute_layout, default_expanded


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    return graph_models(tmp_path_factory)


def meta_graph(path: Path):
    return load_model(path).meta_graphs[0].proto


def function_def(mg, name):
    return next(f for f in mg.graph_def.library.function if f.signature.name == name)


def outer_name(mg) -> str:
    return next(
        f.signature.name
        for f in mg.graph_def.library.function
        if f.signature.name.startswith("__inference_outer")
    )


def test_function_body_has_every_data_edge_of_the_proto(models) -> None:
    mg = meta_graph(models["tf2"])
    for fdef in mg.graph_def.library.function:
        graph = open_graph(mg, fdef.signature.name)
        args = {a.name for a in fdef.signature.input_arg}
        edges = {(graph.nodes[e.dst].name, e.dst_input): e for e in graph.edges}
        for nd in fdef.node_def:
            assert graph.nodes[graph.index[nd.name]].op == nd.op
            for pos, text in enumerate(nd.input):
                edge = edges[(nd.name, pos)]  # every input, data and control, is an edge
                src = graph.nodes[edge.src]
                if text.startswith("^"):
                    assert edge.control and src.name == text[1:]
                elif text.split(":")[0] in args:
                    assert src.op == ARG_OP and src.name == text.split(":")[0]
                else:
                    node, out, idx = text.split(":")
                    assert (src.name, edge.src_output) == (node, f"{out}:{idx}")
                    assert not edge.control
        # each return is a _Retval fed by the tensor named in `ret`
        for arg in fdef.signature.output_arg:
            ret = graph.nodes[graph.index[arg.name]]
            assert ret.op == RET_OP
            (edge,) = graph.in_edges(ret.index)
            assert graph.nodes[edge.src].name == fdef.ret[arg.name].split(":")[0]
        n_inputs = sum(len(nd.input) for nd in fdef.node_def) + len(fdef.ret)
        assert len(graph.edges) == n_inputs


def test_calls_of_nested_functions_if_and_while(models) -> None:
    mg = meta_graph(models["tf2"])
    graph = open_graph(mg, outer_name(mg))
    calls = {(c.attr, c.function.rsplit("_", 1)[0]) for c in graph.calls}
    assert ("f", "__inference_inner") in calls
    assert ("then_branch", "block_cond_true") in calls
    assert ("else_branch", "block_cond_false") in calls
    assert ("cond", "block_while_cond") in calls
    assert ("body", "block_while_body") in calls
    if_node = next(n for n in graph.nodes if n.op in ("If", "StatelessIf"))
    assert if_node.function.startswith("block_cond_true")  # then before else
    # the signature's graph: the placeholder feeds a call of the wrapper function
    sig = open_graph(mg, "serving_default")
    call = next(n for n in sig.nodes if n.op == "StatefulPartitionedCall")
    assert call.function.startswith("__inference_signature_wrapper")
    assert {sig.nodes[e.src].name for e in sig.in_edges(call.index)} >= {"serving_default_x"}
    assert sorted(n.name for n in sig.nodes if n.op == RET_OP) == ["scores", "steps"]


def test_tf1_signature_is_pruned_to_what_its_outputs_need(models) -> None:
    mg = meta_graph(models["tf1"])
    whole = graph_of_meta_graph(mg)
    sig = open_graph(mg, None)  # serving_default
    assert sig.kind == "signature" and sig.pruned_from == len(whole.nodes)
    names = {n.name for n in sig.nodes}
    assert "unused" in {n.name for n in whole.nodes} and "unused" not in names
    assert {"x", "dense1/relu", "dense2/logits", "probs"} <= names
    assert not any(n.name.endswith("Initializer/ones") for n in sig.nodes)
    # the edges are those of the GraphDef: x -> dense1/MatMul input 0, and a control input
    by_name = {n.name: n for n in mg.graph_def.node}
    for e in sig.edges:
        dst = sig.nodes[e.dst]
        if dst.op == RET_OP:
            continue
        text = by_name[dst.name].input[e.dst_input]
        assert e.control == text.startswith("^")
        assert text.lstrip("^").split(":")[0] == sig.nodes[e.src].name
        assert e.src_output == (int(text.split(":")[1]) if ":" in text else 0)
    assert any(e.control and sig.nodes[e.dst].name == "probs" for e in sig.edges)
    # the v1 while loop of a TF2 runtime calls its cond and body functions
    assert {c.attr for c in sig.calls} == {"cond", "body"}
    root, owner = scope_tree(sig)
    assert {"dense1", "dense2", "loop"} <= set(root.children)
    assert owner[sig.index["dense1/relu"]].path == "dense1"
    assert root.size == len(sig.nodes)


def test_unknown_graph_name_is_one_clear_error(models) -> None:
    mg = meta_graph(models["tf2"])
    with pytest.raises(GraphError, match="no signature or function named 'nope'"):
        open_graph(mg, "nope")
    kinds = {t.kind for t in targets(mg)}
    assert kinds == {"graph", "signature", "function"}


def test_layout_gives_every_node_a_box_inside_its_scope_frames(models) -> None:
    mg = meta_graph(models["tf1"])
    graph = open_graph(mg, "graph")
    tree = scope_tree(graph)
    everything = {s.path for s in tree[0].walk() if s.path}
    layout = compute_layout(graph, everything, tree=tree)
    assert all(layout.boxes[b].kind == "node" for b in layout.node_box)
    assert len({layout.node_box[i] for i in range(len(graph.nodes))}) == len(graph.nodes)
    frames = {b.key: b for b in layout.boxes if b.kind == "frame"}
    assert set(frames) == everything
    for i, node in enumerate(graph.nodes):
        box = layout.boxes[layout.node_box[i]]
        if node.scope:
            frame = frames[node.scope]
            assert frame.x <= box.x and box.x + box.w <= frame.x + frame.w + 1e-6
            assert frame.y <= box.y and box.y + box.h <= frame.y + frame.h + 1e-6
    # boxes in the same frame never overlap
    nodes = [layout.boxes[layout.node_box[i]] for i in range(len(graph.nodes))]
    for a in nodes:
        for b in nodes:
            if a is not b and a.depth == b.depth:
                assert a.x + a.w <= b.x or b.x + b.w <= a.x or a.y + a.h <= b.y or b.y + b.h <= a.y
    # every graph edge between different boxes is drawn
    drawn = {(e.src, e.dst) for e in layout.edges}
    for e in graph.edges:
        a, b = layout.node_box[e.src], layout.node_box[e.dst]
        assert a == b or (a, b) in drawn


def test_collapsed_scopes_stand_for_their_nodes(models) -> None:
    mg = meta_graph(models["tf1"])
    graph = open_graph(mg, "graph")
    layout = compute_layout(graph, set())
    scopes = {b.key: i for i, b in enumerate(layout.boxes) if b.kind == "scope"}
    assert {"dense1", "dense2", "loop", "save"} <= set(scopes)
    assert layout.node_box[graph.index["dense1/relu"]] == scopes["dense1"]
    assert not any(b.kind == "frame" for b in layout.boxes)
    # a 160-item budget opens this small graph's scopes when it is first shown
    root, _owner = scope_tree(graph)
    assert "dense1" in default_expanded(root)
    assert default_expanded(root, budget=1) == set()


def test_node_details_attrs_shapes_values_and_stats(models) -> None:
    mg = meta_graph(models["tf1"])
    graph = open_graph(mg, "graph")
    const = next(n for n in graph.nodes if n.op == "Const" and n.name.endswith("Initializer/ones"))
    d = node_details(graph, const.index)
    assert d.op == "Const" and ("dtype", "float32") in d.attrs
    assert d.stats == {"count": 32, "zeros": 0.0, "nan": 0, "inf": 0, "min": 1.0, "max": 1.0,
                       "mean": 1.0, "std": 0.0}  # fmt: skip
    assert d.value.startswith("[1, 1, 1")
    matmul = node_details(graph, graph.index["dense1/MatMul"])
    assert matmul.inputs[0].label == "x" and matmul.inputs[0].shape == "[?, 4]"
    assert matmul.outputs[0].shape == "[?, 8]" and "dense1/relu" in matmul.outputs[0].node
    # a function argument: its shape comes from arg_attr
    tf2 = meta_graph(models["tf2"])
    fn = open_graph(tf2, outer_name(tf2))
    arg = node_details(fn, fn.index["x"])
    assert ("type", "float32") in arg.attrs and ("_output_shapes", "[[?, 4]]") in arg.attrs


def test_tensor_decoding_matches_tensorflow() -> None:
    tf = pytest.importorskip("tensorflow")
    cases = [
        np.arange(6, dtype=np.float32).reshape(2, 3),
        np.array([1, -2, 3], dtype=np.int64),
        np.array([True, False]),
        np.array([0.5, 2.0], dtype=np.float16),
        np.array([[7]], dtype=np.uint8),
        np.array([b"a", b"bc"], dtype=object),
    ]
    for value in cases:
        proto = tf.make_tensor_proto(value)
        np.testing.assert_array_equal(tensor_to_numpy(proto), tf.make_ndarray(proto))
    # a filled constant: one value repeated
    proto = tf.make_tensor_proto(2.5, shape=[2, 2])
    np.testing.assert_array_equal(tensor_to_numpy(proto), np.full((2, 2), 2.5, np.float32))
    stats = tensor_stats(np.array([0.0, np.nan, np.inf, 2.0]))
    assert stats["nan"] == 1 and stats["inf"] == 1 and stats["zeros"] == 0.25
    assert stats["min"] == 0.0 and stats["max"] == 2.0


def test_op_descriptions_from_tensorflow(tmp_path, monkeypatch) -> None:
    pytest.importorskip("tensorflow")
    from inspector_app.engine import op_registry
    from inspector_app.savedmodel import op_catalog

    monkeypatch.setenv("SMI_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(op_catalog, "_loaded", None)
    assert op_catalog.cached() is None
    ops = op_catalog.store(json.dumps(op_registry.op_catalog()))
    assert "matrix" in ops["MatMul"].summary.lower()
    assert [a.name for a in ops["MatMul"].outputs] == ["product"]
    monkeypatch.setattr(op_catalog, "_loaded", None)
    assert op_catalog.cached()["Relu"].summary == ops["Relu"].summary  # read back from the file


def test_exports_dot_and_svg(models) -> None:
    mg = meta_graph(models["tf2"])
    graph = open_graph(mg, outer_name(mg))
    dot = to_dot(graph)
    assert dot.startswith("digraph") and dot.count("->") == len(graph.edges)
    assert dot.count("style=dashed") == sum(e.control for e in graph.edges)
    svg = ET.fromstring(to_svg(graph, compute_layout(graph)))
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.find(f"{ns}title").text == graph.title
    texts = [t.text for t in svg.iter(f"{ns}text")]
    assert "StatelessIf" in texts or "If" in texts


def test_cli_show_graph_json(models, capsys) -> None:
    mg = meta_graph(models["tf2"])
    name = outer_name(mg)
    assert main(["show", str(models["tf2"]), "--graph", name, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"nodes", "edges", "calls"}
    assert set(data["nodes"][0]) >= {"name", "op", "device", "attrs", "function"}
    assert set(data["edges"][0]) == {"src", "src_output", "dst", "dst_input", "control"}
    fdef = function_def(mg, name)
    assert len(data["edges"]) == sum(len(n.input) for n in fdef.node_def) + len(fdef.ret)
    assert {c["attr"] for c in data["calls"]} >= {"f", "then_branch", "cond", "body"}
    x = next(n for n in data["nodes"] if n["name"] == "x")
    assert x["op"] == "_Arg" and x["attrs"]["T"] == "float32"
    # the default graph of a TF1 model: serving_default, pruned
    assert main(["show", str(models["tf1"]), "--graph", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["kind"] == "signature" and "unused" not in {n["name"] for n in data["nodes"]}


def test_cli_show_graph_pictures_and_errors(models, tmp_path, capsys) -> None:
    out = tmp_path / "g.svg"
    assert main(["show", str(models["tf1"]), "--graph", "--format", "svg", "--out", str(out)]) == 0
    ET.parse(out)
    assert main(["show", str(models["tf1"]), "--graph", "--format", "svg", "--out", str(out)]) == 2
    assert "exists" in capsys.readouterr().err
    assert main(["show", str(models["tf1"]), "--graph", "--format", "dot"]) == 0
    assert capsys.readouterr().out.startswith('digraph "serving_default"')
    assert main(["show", str(models["tf1"]), "--graph", "nope", "--json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no signature or function named 'nope'" in err
    assert main(["show", str(models["tf1"]), "--graph", "--tag-set", "gpu"]) == 2


def test_captured_variables_share_one_collapsed_box(models) -> None:
    from inspector_app.savedmodel.graph import CAPTURES

    mg = meta_graph(models["tf2"])
    name = next(
        f.signature.name
        for f in mg.graph_def.library.function
        if f.signature.name.startswith("__inference_inner")
    )
    graph = open_graph(mg, name)
    root, owner = scope_tree(graph)
    captured = [n for n in graph.nodes if n.op == ARG_OP and owner[n.index].path == CAPTURES]
    assert len(captured) == 1  # the variable w; the argument x stays at the top
    assert root.children[CAPTURES].size == 1
    layout = compute_layout(graph)
    box = layout.scope_box[CAPTURES]
    assert layout.boxes[box].kind == "scope"
    assert not any(e.src == box for e in layout.edges)  # its reads are not drawn across
    # the edge is still in the graph (and in the details and the JSON)
    assert any(e.src == captured[0].index for e in graph.edges)


def test_a_tf2_signature_s_variables_share_the_captured_box(models) -> None:
    """A TF2 export's signature graph is its variables (VarHandleOp) feeding one call: they go
    into the one collapsed box, as a function's captured arguments do; a TF1 graph's variables,
    read by ops in their own scopes, stay there."""
    from inspector_app.savedmodel.graph import CAPTURES
    from inspector_app.savedmodel.graph_model import captured_variables

    graph = open_graph(meta_graph(models["tf2"]), "serving_default")
    variables = [n for n in graph.nodes if n.op == "VarHandleOp"]
    assert variables
    calls = {c.node for c in graph.calls}
    for v in variables:  # what makes them captured: every consumer is a call
        assert {e.dst for e in graph.edges if e.src == v.index} <= calls
    root, owner = scope_tree(graph)
    assert captured_variables(graph) == {v.index for v in variables}
    assert all(owner[v.index].path == CAPTURES for v in variables)
    layout = compute_layout(graph)
    box = layout.scope_box[CAPTURES]
    assert layout.boxes[box].kind == "scope" and not any(e.src == box for e in layout.edges)
    tf1 = open_graph(meta_graph(models["tf1"]), "graph")
    assert not captured_variables(tf1)
    assert CAPTURES not in scope_tree(tf1)[0].children
