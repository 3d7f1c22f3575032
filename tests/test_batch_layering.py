"""The workflows package stays Qt-free and TensorFlow-free, and the core never imports it."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORE = ("savedmodel", "inputs", "results", "engine")

SCRIPT = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys
    import inspector_app.workflows as package
    names = [m.name for m in pkgutil.walk_packages(package.__path__, "inspector_app.workflows.")]
    for name in names:
        importlib.import_module(name)
    print(json.dumps({
        "modules": names,
        "qt": sorted(m for m in sys.modules if m.startswith("PySide6")),
        "tf": "tensorflow.python" in sys.modules,
    }))
    """
)


def test_workflows_import_neither_qt_nor_tensorflow():
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          cwd=REPO, timeout=120, env={"PYTHONPATH": str(REPO), "PATH": ""})  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "inspector_app.workflows.batch_job" in result["modules"]
    assert result["qt"] == [] and result["tf"] is False


def test_the_core_never_imports_workflows():
    pattern = re.compile(r"^\s*(from|import)\s+inspector_app\.workflows", re.MULTILINE)
    for package in CORE:
        for path in (REPO / "inspector_app" / package).rglob("*.py"):
            assert not pattern.search(path.read_text()), f"{path} imports workflows"
