"""The window's list of open models and the rows-to-signature rules, without a window."""

from __future__ import annotations

from ui_fakes import fake_info, fake_tree

from inspector_app.savedmodel.tree import TreeNode
from inspector_app.ui.open_models import OpenModel, OpenModels, tags_of, version_of
from inspector_app.ui.signature_choice import resolve_signature, signature_nodes


def _model(path: str, version: int | None = None) -> OpenModel:
    info = fake_info(path)
    info.version = version
    return OpenModel(path, version, info, fake_tree(info), 1.0)


def test_model_of_a_row_and_the_current_model_first() -> None:
    models = OpenModels()
    a, b, c = _model("/m/a"), _model("/m/b"), _model("/m/c")
    for m in (a, b, c):
        models.add(m)
    sig = signature_nodes(b.tree)[0]
    assert models.model_of(sig) is b and models.model_of(None) is None
    assert models.current_first(b) == [b, c, a]  # then the most recently opened first
    assert models.current_first(None) == [c, b, a]
    assert models.with_path("/m/c") is c and models.last() is c and len(models) == 3
    models.remove(b)
    assert models.model_of(sig) is None and not models.is_open(b.info) and models.is_open(a.info)


def test_signature_rows_resolve_to_the_loaded_signature() -> None:
    model = _model("/m/a")
    rows = signature_nodes(model.tree)
    assert [r.name for r in rows] == ["classify_x", "serving_default"]
    assert tags_of(rows[1]) == ("serve",) and version_of(rows[1]) is None
    selection = resolve_signature(model, rows[1])
    assert selection is not None and selection.key == "serving_default"
    assert selection.tag_set == "serve" and selection.info is model.info


def test_a_signature_of_another_version_is_not_the_loaded_one() -> None:
    model = _model("/base", version=2)
    other = TreeNode("version", "1", details={"version": 1}, children=[model.tree.children[0]])
    TreeNode("model", "base", children=[other])
    row = signature_nodes(other)[0]
    assert version_of(row) == 1 and resolve_signature(model, row) is None
    model.info.version = 1
    assert resolve_signature(model, row) is not None
