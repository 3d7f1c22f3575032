"""A TF Serving base folder whose versions disagree, for the compare tests (built with TF)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

GRID = np.arange(16, dtype=np.float32).reshape(4, 4) / 4.0  # 0 .. 3.75
VERSIONS = {1: (2.0, 2.5), 2: (3.0, 3.5)}  # version -> (offset b, threshold k); 3 copies 2


def expected(x: np.ndarray, version: int) -> dict[str, np.ndarray]:
    """What ``serving_default`` answers for input ``x`` (float32 [N])."""
    b, k = VERSIONS[min(version, 2)]
    x = np.asarray(x, np.float32)
    return {
        "y": 0.5 * x + b,
        "scores": np.stack([x, np.full_like(x, k)], axis=1),
        "mask": (x[:, None, None] + GRID > k).astype(np.int32),
    }


def build_versions(base: Path) -> Path:
    """Versions 1 and 2 of one signature ``serving_default`` (x float32 [-1]) with outputs
    ``y`` = 0.5 x + b (a tensor), ``scores`` = [x, k] per item (two classes: top-1 is class 0
    when x > k) and ``mask`` = (x + GRID > k) as int32 [N, 4, 4] (a two-class map);
    version 1 has b = 2, k = 2.5, version 2 b = 3, k = 3.5. Version 3 is a copy of 2."""
    for version, (b, k) in VERSIONS.items():
        _save(base / str(version), b, k)
    shutil.copytree(base / "2", base / "3")
    return base


def _save(folder: Path, b: float, k: float) -> None:
    import tensorflow as tf

    class M(tf.Module):
        @tf.function(input_signature=[tf.TensorSpec([None], tf.float32, name="x")])
        def serve(self, x):
            scores = tf.stack([x, tf.fill(tf.shape(x), k)], axis=1)
            mask = tf.cast(x[:, None, None] + tf.constant(GRID)[None] > k, tf.int32)
            return {"y": 0.5 * x + b, "scores": scores, "mask": mask}

    m = M()
    tf.saved_model.save(m, str(folder), signatures={"serving_default": m.serve})


def versions_base(tmp_path_factory) -> Path:  # noqa: ANN001 - pytest's TempPathFactory
    """``build_versions`` once per test session, shared by the compare test modules."""
    base = tmp_path_factory.getbasetemp() / "compare_versions"
    done = base / ".built"  # not a version folder: TF Serving and the inspector ignore it
    if not done.exists():
        shutil.rmtree(base, ignore_errors=True)
        build_versions(base)
        done.write_text("ok")
    return base
