"""What two models are compared: the two sides (model folder, version, tag set, signature) read
from their metadata and checked against each other. Qt-free, no TensorFlow; reading a model's
metadata parses its saved_model.pb, so a window does it off its GUI thread (``CompareRequest``
is read by the compare job, ``find_versions`` lists a base folder's versions in the background).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector_app.errors import UserError
from inspector_app.savedmodel.discovery import holds_model, version_folders
from inspector_app.savedmodel.resolve import resolve


@dataclass(frozen=True)
class ModelRef:
    """One side of a comparison: a model folder (or saved_model.pb, or a TF Serving base folder)
    and, for a base folder, the version (None: the highest)."""

    path: str | os.PathLike
    version: int | None = None

    @property
    def label(self) -> str:
        """``resnet version 2`` or ``resnet``: short, for tables and progress lines."""
        name = Path(self.path).name or str(self.path)
        return f"{name} version {self.version}" if self.version is not None else name


@dataclass(frozen=True)
class Side:
    """A model ready to load: where it is, with which tags, and the signature to run."""

    ref: ModelRef
    model_dir: Path
    version: int | None  # the version chosen (a base folder's highest when ref.version is None)
    tags: list[str]
    signature: Any  # savedmodel.SignatureInfo

    @property
    def label(self) -> str:
        return ModelRef(self.ref.path, self.version).label


@dataclass(frozen=True)
class ComparePlan:
    """Both sides checked against each other: the signature exists in both."""

    a: Side
    b: Side
    signature: str

    @property
    def context(self) -> dict[str, Any]:
        """The context ``interpret`` takes (the signature's method, for classify outputs)."""
        return {"method_name": self.a.signature.method_name}

    def check_feeds(self, feeds: Mapping[str, Any]) -> None:
        """UserError unless ``feeds`` names exactly the inputs of the signature of both sides."""
        for side, which in ((self.a, "A"), (self.b, "B")):
            names = [t.name for t in side.signature.inputs]
            valid = ", ".join(names) or "none"
            where = f"signature {self.signature!r} of model {which} ({side.label})"
            for key in feeds:
                if key not in names:
                    raise UserError(f"{where} has no input {key!r}; its inputs: {valid}")
            missing = [n for n in names if n not in feeds]
            if missing:
                raise UserError(f"{where} needs input {missing[0]!r} (inputs: {valid})")


@dataclass
@dataclass(frozen=True)
class CompareRequest:
    """Two models and the signature to compare, not read yet: ``prepare()`` reads both, or only
    B when ``info_a`` is A's ``SavedModelInfo`` already (the window's open model)."""

    a: ModelRef
    b: ModelRef
    signature: str
    tags: Sequence[str] | None = None
    info_a: Any = field(default=None, compare=False, repr=False)

    def prepare(self) -> ComparePlan:
        return prepare(self.a, self.b, self.signature, self.tags, info_a=self.info_a)


def versions_with_model(dirs: Mapping[int, Path]) -> dict[int, Path]:
    """The version folders in ``dirs`` that hold a SavedModel (looks at file names only)."""
    return {v: d for v, d in sorted(dirs.items()) if holds_model(d)}


def version_dirs(path: str | os.PathLike) -> dict[int, Path]:
    """The version folders of a TF Serving base folder that hold a SavedModel ({} otherwise)."""
    if not Path(path).is_dir():
        raise UserError("no such folder; name a SavedModel folder or a TF Serving base folder",
                        path=str(path))  # fmt: skip
    return version_folders(path, with_model=True)


def find_versions(path: str | os.PathLike) -> Future[list[int]]:
    """The versions of ``version_dirs(path)``, found on a thread of their own (reading the model
    parses its metadata): [] for a single SavedModel or a folder that cannot be read."""
    fut: Future[list[int]] = Future()

    def work() -> None:
        try:
            versions = sorted(version_dirs(path))
        except UserError:
            versions = []
        except Exception as exc:  # noqa: BLE001 - handed to the future's owner
            fut.set_exception(exc)
            return
        fut.set_result(versions)

    threading.Thread(target=work, name="compare-versions", daemon=True).start()
    return fut


def default_pair(
    path: str | os.PathLike, version_a: int | None = None, version_b: int | None = None
) -> tuple[ModelRef, ModelRef]:
    """Two versions of the base folder ``path``: the two highest by default (A the older); a
    version left out is the highest one other than the version given."""
    versions = sorted(version_dirs(path))
    if not versions:
        raise UserError(
            f"{path} is a single SavedModel, not a TF Serving base folder with versions; "
            "name a second model to compare with (--other PATH2)"
        )
    have = ", ".join(map(str, versions))
    for v in (version_a, version_b):
        if v is not None and v not in versions:
            raise UserError(f"{path} has no version {v} holding a SavedModel; versions: {have}")
    if version_a is None and version_b is None:
        if len(versions) < 2:
            raise UserError(
                f"{path} has only version {versions[0]}; compare needs two versions "
                "(or --other PATH2)"
            )
        return ModelRef(path, versions[-2]), ModelRef(path, versions[-1])
    if version_a is None or version_b is None:
        given = version_a if version_a is not None else version_b
        others = [v for v in versions if v != given]
        if not others:
            raise UserError(f"{path} has only version {given}; compare needs two versions")
        if version_a is None:
            version_a = others[-1]
        else:
            version_b = others[-1]
    return ModelRef(path, version_a), ModelRef(path, version_b)


def read_side(
    ref: ModelRef, which: str, signature: str, tags: Sequence[str] | None, info: Any = None
) -> Side:
    """Side ``which`` ("A" or "B") of a comparison: ``ref`` read (or its ``info``, read before),
    its MetaGraphDef of ``tags`` and its ``signature``; UserError when either is missing."""
    from inspector_app.savedmodel import load_model

    if info is None:
        info = load_model(ref.path, version=ref.version)
    side_label = f"{which} ({ModelRef(ref.path, info.version).label})"
    mg, sig = resolve(info, tags, signature, model=f"model {side_label}", hint="pick a tag set")
    return Side(ref, Path(info.model_dir), info.version, list(mg.tags), sig)


def prepare(
    a: ModelRef,
    b: ModelRef,
    signature: str,
    tags: Sequence[str] | None = None,
    *,
    info_a: Any = None,
) -> ComparePlan:
    """Read both models' metadata (no TensorFlow; parsing a large saved_model.pb takes a few
    hundred ms) and check that ``signature`` exists in both with the same inputs. ``tags``: the
    MetaGraphDef (default: the only one, or serve). ``info_a``: A's ``SavedModelInfo`` when
    it has been read already (then only B is read)."""
    side_a = read_side(a, "A", signature, tags, info_a)
    return check_sides(side_a, read_side(b, "B", signature, tags), signature)


def check_sides(side_a: Side, side_b: Side, signature: str) -> ComparePlan:
    """The plan of two sides read; UserError when their signatures take different inputs."""

    def inputs(side: Side) -> dict[str, str]:
        return {t.name: t.dtype for t in side.signature.inputs}

    if inputs(side_a) != inputs(side_b):

        def text(side: Side) -> str:
            return ", ".join(f"{k} {v}" for k, v in sorted(inputs(side).items())) or "none"

        raise UserError(
            f"signature {signature!r} takes different inputs in A ({text(side_a)}) and B "
            f"({text(side_b)}); the same inputs cannot feed both"
        )
    return ComparePlan(side_a, side_b, signature)
