"""inspector_app.resources: finding icons, demo models and samples wherever the app runs from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

import inspector_app
from inspector_app import resources
from inspector_app.resources import ResourceNotFound


def test_source_tree_files_are_found() -> None:
    svg = resources.resource_path("icons", "app.svg")
    assert svg.is_file() and svg.parent.parent.name == "resources"
    assert resources.app_icon_path() == svg
    assert resources.sample_path("digit_7.png").is_file()


@pytest.mark.parametrize("size", resources.ICON_SIZES)
def test_icon_pngs_have_their_size(size: int) -> None:
    with Image.open(resources.app_icon_path(size)) as im:
        assert im.size == (size, size) and im.mode == "RGBA"


def test_ico_and_icns_exist() -> None:
    assert resources.resource_path("icons", "app.ico").stat().st_size > 0
    assert resources.resource_path("icons", "app.icns").stat().st_size > 0


def test_demo_models_are_savedmodel_folders() -> None:
    paths = resources.demo_model_paths()
    assert [p.name for p in paths] == ["mnist_softmax", "shapes_segmentation"]
    for p in paths:
        assert (p / "saved_model.pb").is_file()
        assert (p / "variables" / "variables.index").is_file()
        assert (p / "assets" / "labels.txt").is_file()


def test_unknown_names_fail_loudly() -> None:
    with pytest.raises(ResourceNotFound, match="no_such.png"):
        resources.sample_path("no_such.png")
    with pytest.raises(ValueError, match="no 20px icon"):
        resources.app_icon_path(20)
    for bad in [("..", "pyproject.toml"), ("/etc",), ()]:
        with pytest.raises(ValueError):
            resources.resource_path(*bad)


def _fake_root(base: Path) -> Path:
    root = base / "resources"
    (root / "samples").mkdir(parents=True)
    (root / "samples" / "x.txt").write_text("x")
    return root


def test_pyinstaller_bundle_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _fake_root(tmp_path)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources.resources_dir() == root
    assert resources.sample_path("x.txt") == root / "samples" / "x.txt"


def test_installed_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = tmp_path / "venv"
    root = _fake_root(prefix / "share" / "savedmodel-inspector")
    # a package installed in site-packages has no resources/ beside it
    monkeypatch.setattr(inspector_app, "__file__", str(tmp_path / "site" / "inspector_app" / "x"))
    monkeypatch.setattr(sys, "prefix", str(prefix))
    assert resources.resources_dir() == root


def test_no_resources_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inspector_app, "__file__", str(tmp_path / "site" / "inspector_app" / "x"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "empty"))
    with pytest.raises(ResourceNotFound, match="reinstall"):
        resources.app_icon_path()


def test_imports_neither_qt_nor_tensorflow() -> None:
    code = (
        "import sys, inspector_app.resources as r; r.demo_model_paths(); "
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'tensorflow'))]; "
        "assert not bad, bad"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=Path(inspector_app.__file__).parents[1]
    )
