"""Each small rule written once (issue 14): one byte formatter, one folder discovery, one
tag-set and signature resolver, each giving the same answer wherever it is asked."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from inspector_app.errors import UserError
from inspector_app.savedmodel import build_tree, load_model
from inspector_app.savedmodel.checks import check_size
from inspector_app.savedmodel.discovery import (
    holds_model,
    model_folder_of,
    nested_models,
    version_folders,
)
from inspector_app.savedmodel.resolve import find_signature, parse_tags, resolve
from inspector_app.units import MB, human_bytes

REAL = Path("/work/shared/real-models")
TWO_VERSIONS = REAL / "saved_model_half_plus_two_2_versions"


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (0, "0 B"),
        (999, "999 B"),
        (1000, "1.0 KB"),
        (1536, "1.5 KB"),
        (999_960, "1.0 MB"),  # not "1000.0 KB"
        (503_000_000, "503.0 MB"),
        (2**31, "2.1 GB"),
        (12_000_000_000, "12.0 GB"),
        (5 * 10**15, "5,000.0 TB"),
    ],
)
def test_one_byte_formatter_in_decimal_units(n: int, text: str) -> None:
    assert human_bytes(n) == text


def _copy_model(tmp_path: Path) -> Path:
    if not TWO_VERSIONS.is_dir():
        pytest.skip("TF Serving's test models are not here")
    base = tmp_path / "base"
    shutil.copytree(TWO_VERSIONS, base)
    return base


def test_tree_and_checks_say_the_same_size(tmp_path) -> None:
    """A 503,000,000-byte model: "503.0 MB" in the tree and in Checks, over the 500 MB limit
    (the tree said "479.7 MB" in powers of 1024 before)."""
    info = load_model(_copy_model(tmp_path))
    info = dataclasses.replace(
        info, size_bytes=503_000_000, breakdown={"graph": 3 * MB, "variables": 500 * MB}
    )
    assert build_tree(info).summary == "503.0 MB"
    (finding,) = check_size(info)
    assert finding.id == "size.legacy_limit"
    assert "503.0 MB" in finding.message and "variables 500.0 MB" in finding.message


def test_folder_discovery(tmp_path) -> None:
    base = _copy_model(tmp_path)
    assert sorted(version_folders(base)) == [123, 124]
    (base / "0125").mkdir()  # a version folder still being written: no model in it
    (base / "old").mkdir()
    shutil.copy(base / "00000123" / "saved_model.pb", base / "old" / "saved_model.pb")
    assert sorted(version_folders(base)) == [123, 124, 125]
    assert sorted(version_folders(base, with_model=True)) == [123, 124]
    assert nested_models(base) == ["old"]
    model = base / "00000124"
    assert holds_model(model) and not holds_model(base)
    assert version_folders(model) == {}  # a SavedModel folder is not a base folder
    assert model_folder_of(model / "variables" / "x.index") == model.resolve()
    assert model_folder_of(tmp_path) is None
    # the loader and the checks find the same versions
    info = load_model(base)
    assert info.version == 124 and set(version_folders(base)) == set(info.version_dirs)


def _info(*graphs: tuple[list[str], list[str]]) -> SimpleNamespace:
    meta_graphs = []
    for tags, keys in graphs:
        sigs = [SimpleNamespace(key=k) for k in keys]
        meta_graphs.append(
            SimpleNamespace(
                tags=tags,
                signatures=sigs,
                signature=lambda k, sigs=sigs: next((s for s in sigs if s.key == k), None),
            )
        )
    return SimpleNamespace(meta_graphs=meta_graphs)


def test_resolver_defaults_and_errors() -> None:
    one = _info((["serve"], ["serving_default", "other", "__saved_model_init_op"]))
    mg, sig = resolve(one)
    assert sig.key == "serving_default"
    assert resolve(one, " serve ", "other")[1].key == "other"
    with pytest.raises(UserError, match=r"^no signature 'nope'; signatures: serving_default, "
                       r"other \(tag set 'serve'\)$"):  # fmt: skip
        resolve(one, None, "nope")
    with pytest.raises(UserError, match=r"^no MetaGraphDef with tag set 'train'; tag sets: serve$"):
        resolve(one, "train")
    two = _info((["serve", "gpu"], ["a"]), (["serve"], ["b"]))
    assert resolve(two, None, "b")[0].tags == ["serve"]  # the one tagged exactly serve
    assert resolve(two, "gpu,serve", "a")[0].tags == ["serve", "gpu"]  # order does not matter
    no_serve = _info((["train"], []), (["eval"], []))
    with pytest.raises(
        UserError, match="several MetaGraphDefs; pick one with --tag-set: train; eval"
    ):
        resolve(no_serve)
    with pytest.raises(UserError, match=r"^model A \(x\): no serving_default signature"):
        resolve(no_serve, "train", model="model A (x)")
    assert parse_tags("serve, gpu") == ["serve", "gpu"] and parse_tags(" , ") is None
    assert find_signature(two, ("serve",), "b")[1].key == "b"
    assert find_signature(two, ("serve",), "a") is None


def test_run_and_show_graph_refuse_alike(tmp_path) -> None:
    """``run`` (and ``batch``, which shares its choice) and ``show --graph`` give the same words
    for a tag set the model lacks."""
    from inspector_app.cli.run_target import choose
    from inspector_app.cli.show_graph import render

    base = _copy_model(tmp_path)
    args = SimpleNamespace(path=str(base), version=None, tag_set="gpu", signature=None)
    with pytest.raises(UserError) as run_err:
        choose(args)
    with pytest.raises(UserError) as graph_err:
        render(load_model(base), "", "json", "gpu")
    assert str(run_err.value) == str(graph_err.value)
    assert str(run_err.value) == "no MetaGraphDef with tag set 'gpu'; tag sets: serve"
