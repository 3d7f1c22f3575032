"""``run``'s dtype policy before any worker starts: an array of another dtype is refused in one
line naming both dtypes and --cast; --cast casts it; a plain literal takes the input's dtype."""

from __future__ import annotations

import numpy as np
import pytest

from inspector_app.cli import build_parser
from inspector_app.cli.run import _plan
from inspector_app.errors import UserError


def _args(*argv):
    parser, _module = build_parser("run")
    return parser.parse_args([str(a) for a in argv])


@pytest.mark.real_models
def test_cast_is_explicit(real_models, tmp_path):
    model = real_models / "saved_model_half_plus_two_cpu"  # x: float32
    np.save(tmp_path / "x.npy", np.array([1.0, 2.0, 5.0]))  # float64
    given = f"x={tmp_path / 'x.npy'}"
    with pytest.raises(UserError) as err:
        _plan(_args(model, "--inputs", given))
    message = str(err.value)
    assert "takes float32, got float64" in message and "--cast" in message and "\n" not in message
    with pytest.raises(UserError, match="takes float32, got float64"):
        _plan(_args(model, "--input-exprs", "x=np.ones(3)"))
    feeds = _plan(_args(model, "--inputs", given, "--cast"))[3]
    assert feeds["x"].dtype == np.float32 and feeds["x"].tolist() == [1.0, 2.0, 5.0]
    feeds = _plan(_args(model, "--input-exprs", "x=[1, 2, 5]"))[3]  # a literal: no dtype named
    assert feeds["x"].dtype == np.float32
    with pytest.raises(UserError, match="has no input 'z'; its inputs: x"):
        _plan(_args(model, "--input-exprs", "z=[1.0]"))
