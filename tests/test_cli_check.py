"""``python -m inspector_app check``: text and JSON output, exit status 0 / 1 / 2."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import models_checks as mc
import pytest

from inspector_app.cli import main
from inspector_app.savedmodel import checks_registry as registry
from inspector_app.savedmodel import load_model

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Iterator[dict[str, Path]]:
    root = tmp_path_factory.mktemp("cli_check")
    base = root / "base"
    base.mkdir()
    mc.build_clean(base / "1")
    # a registry in a private cache, so no test starts a child Python for it
    cache = root / "cache"
    before = os.environ.get("SMI_CACHE_DIR")
    os.environ["SMI_CACHE_DIR"] = str(cache)
    ops = {op for mg in load_model(base / "1").meta_graphs for op in mg.op_counts}
    registry.store_registered_ops(sorted(ops))

    def no_serve(message) -> None:
        message.meta_graphs[0].meta_info_def.tags[0] = "train"

    no_serve = mc.edited_copy(base / "1", root / "no_serve", no_serve)
    yield {"base": base, "no_serve": no_serve, "cache": cache}
    _restore_env("SMI_CACHE_DIR", before)


def _restore_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def run_main(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_json_on_a_clean_base_folder(models, capsys, monkeypatch):
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "")
    code, out, _ = run_main(["check", str(models["base"]), "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"findings"}
    for f in data["findings"]:
        assert set(f) == {"id", "severity", "message", "where", "fix"}
        assert f["severity"] == "info"


def test_error_exits_1_with_readable_text(models, capsys):
    code, out, _ = run_main(["check", str(models["no_serve"])], capsys)
    assert code == 1
    assert "ERROR   tags.no_serve" in out and "fix: " in out
    assert "1 error(s)" in out


def test_denylist_option(models, capsys):
    code, out, _ = run_main(
        ["check", str(models["base"]), "--json", "--denylist", "MatMul, Foo"], capsys
    )
    assert code == 0
    hit = [f for f in json.loads(out)["findings"] if f["id"] == "ops.denylisted"]
    assert hit and "MatMul" in hit[0]["message"]
    assert hit[0]["where"] == {"meta_graph": "serve", "op": "MatMul"}


def test_version_option_and_unreadable_model(models, capsys, tmp_path):
    code, _, err = run_main(["check", str(models["base"]), "--version", "7"], capsys)
    assert code == 2 and "no version 7" in err
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "saved_model.pb").write_bytes(b"\x00garbage\xff")
    code, out, err = run_main(["check", str(bad), "--json"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "saved_model.pb" in err


def test_no_numeric_version_is_a_finding(models, capsys, tmp_path):
    shutil.copytree(models["base"] / "1", tmp_path / "base" / "export")
    code, out, _ = run_main(["check", str(tmp_path / "base"), "--json"], capsys)
    assert code == 1
    assert json.loads(out)["findings"][0]["id"] == "serving.no_version"


def test_as_a_subprocess(models):
    env = dict(os.environ, PYTHONPATH=str(REPO), SMI_CACHE_DIR=str(models["cache"]))
    proc = subprocess.run(
        [sys.executable, "-m", "inspector_app", "check", str(models["no_serve"]), "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["findings"][0]["id"] == "tags.no_serve"
