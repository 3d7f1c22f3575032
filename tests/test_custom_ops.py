"""Issue 12, points 2 and 7: models with ops of other packages run (the worker imports the
installed package, or the library the user names); a missing package is one line with the
pip install; the worker reports the ops it registers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from inspector_app.engine import Engine, EngineError
from inspector_app.engine.custom_ops import missing_message
from inspector_app.savedmodel import op_packages

T = 120


def test_one_table_names_the_package() -> None:
    assert op_packages.package_of("WhitespaceTokenizeWithOffsets").pip == "tensorflow-text"
    assert op_packages.package_of("TFText>NgramsStringJoin").module == "tensorflow_text"
    assert op_packages.package_of("SimpleMLInferenceOpWithHandle").pip == (
        "tensorflow-decision-forests"
    )
    assert op_packages.package_of("IO>DecodeAvro").module == "tensorflow_io"
    assert op_packages.package_of("Addons>Resampler").pip == "tensorflow-addons"
    assert op_packages.package_of("MatMul") is None
    line = missing_message(["WhitespaceTokenizeWithOffsetsV2", "TFText>RoundRobinTrim", "MyOp"])
    assert "pip install tensorflow-text" in line and "MyOp" in line and "--load-ops" in line
    assert "\n" not in line


def test_worker_reports_registered_ops(tmp_path, monkeypatch) -> None:
    from inspector_app.savedmodel import checks_registry

    monkeypatch.setenv("SMI_CACHE_DIR", str(tmp_path))
    with Engine() as engine:
        ops = engine.registered_ops().result(T)
        assert {"MatMul", "ParseExampleV2", "StatefulPartitionedCall"} <= ops
    # kept for the checks (the window's, the bundle's, the command line's)
    assert checks_registry.cached_registered_ops() == ops


@pytest.fixture(scope="module")
def text_model(tmp_path_factory) -> Path:
    pytest.importorskip("tensorflow_text", reason="tensorflow-text is not installed")
    from models_issue12 import build_text_model

    return build_text_model(tmp_path_factory.mktemp("text") / "tok")


@pytest.fixture
def hidden_text(tmp_path, monkeypatch) -> Path:
    """A tensorflow_text that cannot be imported, for the worker (spawned workers get the
    parent's sys.path): as on a machine where the package is not installed."""
    shadow = tmp_path / "shadow" / "tensorflow_text"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('No module named tensorflow_text')\n")
    monkeypatch.setattr(sys, "path", [str(shadow.parent), *sys.path])
    return shadow


@pytest.mark.custom_ops
def test_text_model_runs_with_the_installed_package(text_model, capsys) -> None:
    import tensorflow as tf

    from inspector_app.cli import build_parser

    sentences = np.array([b"hello big world", b"hi"], object)
    with Engine() as engine:
        info = engine.load(text_model).result(T)
        assert info.custom_ops == ["imported tensorflow_text for its ops"]
        result = engine.run("serving_default", {"s": sentences}).result(T)
        assert result.outputs["count"].tolist() == [3, 1]
        plain = tf.saved_model.load(str(text_model)).signatures["serving_default"]
        want = plain(s=tf.constant(sentences))["tokens"].to_list()
        assert result.composites["tokens"].to_list() == want
        parser, module = build_parser("run")
        args = parser.parse_args([str(text_model), "--input-exprs", "s=['a b']", "--json"])
        assert module.execute(args, engine=engine) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["outputs"]["tokens"]["values"] == [["a", "b"]]


@pytest.mark.custom_ops
def test_missing_package_is_one_line_and_load_ops_fixes_it(text_model, hidden_text) -> None:
    from inspector_app.savedmodel.loader import load_model

    with Engine() as engine:
        with pytest.raises(EngineError) as err:
            engine.load(text_model).result(T)
        message = str(err.value)
        assert "WhitespaceTokenizeWithOffsetsV2" in message
        assert "pip install tensorflow-text" in message and "\n" not in message
        # the op library itself, as TF Serving users link it
        import tensorflow_text

        ops_dir = Path(tensorflow_text.__file__).parent / "python" / "ops"
        library = ops_dir / "_whitespace_tokenizer_v2.so"
        info = engine.load(text_model, load_ops=[str(library)]).result(T)
        assert info.custom_ops == [f"loaded {library}"]
        out = engine.run("serving_default", {"s": np.array([b"a b c"], object)}).result(T)
        assert out.composites["tokens"].to_list() == [[b"a", b"b", b"c"]]
        with pytest.raises(EngineError, match="cannot import 'no_such_ops_module'"):
            engine.load(text_model, load_ops=["no_such_ops_module"]).result(T)
    assert load_model(text_model)  # nothing was written into the model folder meanwhile


@pytest.mark.custom_ops
def test_check_says_the_package_is_installed(text_model) -> None:
    from inspector_app.savedmodel.checks import CheckOptions, check_path

    plain = frozenset({"Placeholder", "Identity", "StatefulPartitionedCall"})
    findings = check_path(text_model, options=CheckOptions(registered_ops=plain))
    custom = [f for f in findings if f.id == "ops.custom_installed"]
    assert custom and "tensorflow_text" in custom[0].message
    assert not any(f.id == "ops.unknown" and "Whitespace" in f.message for f in findings)
