"""Does ``variables/`` hold what ``variables.index`` promises? Checked without TensorFlow.

``variables.index`` lists every saved tensor with its data shard, offset, size and CRC32C. A shard
that is missing, shorter than the index needs (a cut copy), longer than it describes or with
tensors whose checksums differ (a shard from another export), or an index that is damaged or
names variables other than the model's, makes TensorFlow fail with ``Read less bytes than
requested``, ``not an sstable`` or ``Found N Python objects that were not bound``. Here each
becomes one sentence naming the file, the bytes expected and found, and what to do.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector_app.errors import UserError
from inspector_app.safeio import refuse_message, special_kind
from inspector_app.savedmodel.bundle import (
    BundleEntry,
    BundleError,
    read_bundle_index,
    shard_count,
    shard_name,
)
from inspector_app.savedmodel.dtypes import ITEM_SIZE
from inspector_app.savedmodel.object_graph import ATTR_SUFFIX, checkpoint_names, variable_specs
from inspector_app.savedmodel.sizes import folder_sizes

EXPORT_AGAIN = "export the model again (or copy its whole variables/ folder from one export)"
CRC_BUDGET = 1 << 20  # bytes of tensor data whose checksums are verified (pure Python is slow)


@dataclass
class VariablesProblem:
    file: str  # relative to the model folder, e.g. "variables/variables.data-00000-of-00001"
    message: str  # one line: what is wrong, bytes expected and found, what to do
    kind: str  # "missing", "truncated", "foreign", "damaged", "special"


class DamagedVariables(UserError):
    """The variables of a model cannot be loaded; ``str()`` says which file and why."""


def check_variables(
    model_dir: Path, meta_graph: Any | None = None, *, checksums: bool = False
) -> list[VariablesProblem]:
    """What is wrong with ``model_dir/variables`` (empty when it is sound or absent).

    ``checksums`` also verifies the CRC32C of up to 1 MB of small tensors (about 0.5 s in pure
    Python: ``check`` does it; opening and running look at sizes only, which is instant)."""
    var_dir = model_dir / "variables"
    index = var_dir / "variables.index"
    if not var_dir.is_dir() or not (index.exists() or index.is_symlink()):
        return []  # the loader reports a missing variables/ or index when the graph needs one
    rel_index = "variables/variables.index"
    kind = special_kind(index)
    if kind is not None:
        return [
            VariablesProblem(
                rel_index, f"{rel_index} is {kind}, not a file; {EXPORT_AGAIN}", "special"
            )
        ]
    try:
        size = index.stat().st_size
        if not os.access(index, os.R_OK):
            return [
                VariablesProblem(
                    rel_index,
                    f"{rel_index} is not readable (permission denied); make it readable "
                    "(chmod a+r) or copy the model as a user who can read it",
                    "damaged",
                )
            ]
        header, entries = read_bundle_index(index)
    except (BundleError, UserError) as err:
        detail = err.args[0] if err.args else type(err).__name__
        return [
            VariablesProblem(
                rel_index,
                f"{rel_index} is damaged or not a checkpoint index ({detail}; "
                f"{_bytes(size if 'size' in locals() else 0)}); {EXPORT_AGAIN}",
                "damaged",
            )
        ]
    except OSError as err:
        return [
            VariablesProblem(rel_index, f"{rel_index} cannot be read ({err.strerror})", "damaged")
        ]
    except Exception as err:  # noqa: BLE001 - a protobuf DecodeError of a damaged entry
        return [
            VariablesProblem(
                rel_index,
                f"{rel_index} holds a damaged entry ({type(err).__name__}); {EXPORT_AGAIN}",
                "damaged",
            )
        ]
    num_shards = shard_count(header)
    problems = _check_shards(var_dir, num_shards, entries, CRC_BUDGET if checksums else 0)
    if not problems and meta_graph is not None:
        problems += _check_keys(rel_index, entries, meta_graph)
    return problems


def first_problem_message(model_dir: Path, meta_graph: Any | None = None) -> str | None:
    problems = check_variables(model_dir, meta_graph)
    if not problems:
        return None
    more = f" ({len(problems) - 1} more problems in variables/)" if len(problems) > 1 else ""
    return problems[0].message + more


def refuse_damaged(model_dir: Path, meta_graph: Any | None = None) -> None:
    """DamagedVariables for the first problem of ``check_variables``; nothing when sound."""
    message = first_problem_message(model_dir, meta_graph)
    if message is not None:
        raise DamagedVariables(f"cannot load the variables: {message}", path=str(model_dir))


def _bytes(n: int) -> str:
    return f"{n:,} byte{'' if n == 1 else 's'}"


def _check_shards(
    var_dir: Path, num_shards: int, entries: list[BundleEntry], budget: int
) -> list[VariablesProblem]:
    ends: dict[int, int] = {}
    for e in entries:
        if e.sliced:
            continue
        ends[e.shard_id] = max(ends.get(e.shard_id, 0), e.offset + e.size_bytes)
    problems: list[VariablesProblem] = []
    bad_ids = [s for s in ends if s >= num_shards]
    if bad_ids:
        problems.append(
            VariablesProblem(
                "variables/variables.index",
                f"variables/variables.index names shard {bad_ids[0]} but its header says "
                f"{num_shards} shard(s): the index is damaged; {EXPORT_AGAIN}",
                "damaged",
            )
        )
    for shard in range(num_shards):
        name = shard_name("variables", shard, num_shards)
        rel = f"variables/{name}"
        path = var_dir / name
        expected = ends.get(shard, 0)
        kind = special_kind(path)
        if kind is not None:
            problems.append(
                VariablesProblem(
                    rel,
                    f"{rel} is {kind}, not a file: refused without reading it; {EXPORT_AGAIN}",
                    "special",
                )  # fmt: skip
            )
            continue
        try:
            found = path.stat().st_size
        except FileNotFoundError:
            others = sorted(p.name for p in var_dir.glob("variables.data-*"))[:3]
            seen = f"; found {', '.join(others)} instead" if others else ""
            problems.append(
                VariablesProblem(
                    rel,
                    f"{rel} is missing: the index needs {_bytes(expected)} from it{seen}; "
                    f"{EXPORT_AGAIN}",
                    "missing",
                )
            )
            continue
        except OSError as err:
            problems.append(
                VariablesProblem(rel, f"{rel} cannot be read ({err.strerror})", "missing")
            )
            continue
        if found < expected:
            problems.append(
                VariablesProblem(
                    rel,
                    f"{rel} is truncated: the index expects {_bytes(expected)}, the file has "
                    f"{_bytes(found)} (a copy cut short?); {EXPORT_AGAIN}",
                    "truncated",
                )
            )
            continue
        if found > expected:
            problems.append(
                VariablesProblem(
                    rel,
                    f"{rel} does not belong to this index: the index describes "
                    f"{_bytes(expected)}, the file has {_bytes(found)} (a shard from another "
                    f"export?); {EXPORT_AGAIN}",
                    "foreign",
                )
            )
            continue
        bad, budget = _crc_mismatch(path, [e for e in entries if e.shard_id == shard], budget)
        if bad is not None:
            problems.append(
                VariablesProblem(
                    rel,
                    f"{rel} does not match variables/variables.index: the checksum of "
                    f"'{bad.key[:80]}' differs ({_bytes(bad.size_bytes)} at offset {bad.offset:,}); "
                    f"the shard is corrupt or from another export; {EXPORT_AGAIN}",
                    "foreign",
                )
            )
    return problems


# --------------------------------------------------------------------------- checksums

_CRC_TABLE: list[int] = []


def _crc32c(data: bytes) -> int:
    if not _CRC_TABLE:
        for i in range(256):
            crc = i
            for _ in range(8):
                crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
            _CRC_TABLE.append(crc)
    table = _CRC_TABLE
    crc = 0xFFFFFFFF
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def _masked(crc: int) -> int:  # TensorFlow's crc32c::Mask
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def _crc_mismatch(
    path: Path, entries: list[BundleEntry], budget: int
) -> tuple[BundleEntry | None, int]:
    """The first numeric entry whose bytes do not have the checksum the index records."""
    numeric = [
        e
        for e in entries
        if e.crc32c is not None
        and not e.sliced
        and e.dtype in ITEM_SIZE
        and e.size_bytes == ITEM_SIZE[e.dtype] * e.num_elements
        and 0 < e.size_bytes <= budget
    ]
    if not numeric:
        return None, budget
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None, budget
    try:
        for e in sorted(numeric, key=lambda x: x.size_bytes):
            if e.size_bytes > budget:
                break
            data = os.pread(fd, e.size_bytes, e.offset)
            budget -= e.size_bytes
            if len(data) == e.size_bytes and _masked(_crc32c(data)) != e.crc32c:
                return e, budget
    finally:
        os.close(fd)
    return None, budget


# --------------------------------------------------------------------------- the model's keys


def _check_keys(
    rel_index: str, entries: list[BundleEntry], meta_graph: Any
) -> list[VariablesProblem]:
    """A TF2 model's variables (object graph) must all be in the index, with their dtype and shape."""
    by_key = {e.key: e for e in entries}
    expected = checkpoint_names(meta_graph)
    if not expected:
        return []
    specs = variable_specs(meta_graph)
    missing = [k for k in expected if k not in by_key]
    if missing:
        name = expected[missing[0]]
        return [
            VariablesProblem(
                rel_index,
                f"{rel_index} does not belong to this model: {len(missing):,} of its "
                f"{len(expected):,} variables are not in it (e.g. '{name[:80]}'); {EXPORT_AGAIN}",
                "foreign",
            )
        ]
    for key, name in expected.items():
        spec = specs.get(key[: -len(ATTR_SUFFIX)] if key.endswith(ATTR_SUFFIX) else key)
        entry = by_key[key]
        if spec is None:
            continue
        dtype, shape = spec
        known = shape is not None and all(d >= 0 for d in shape)
        if (dtype and dtype != entry.dtype) or (known and shape != entry.shape):
            return [
                VariablesProblem(
                    rel_index,
                    f"{rel_index} does not belong to this model: variable '{name[:80]}' is "
                    f"{dtype} {shape} in the graph but {entry.dtype} {entry.shape} in the index; "
                    f"{EXPORT_AGAIN}",
                    "foreign",
                )
            ]
    return []


def preflight(model_dir: Path, meta_graph: Any | None = None) -> str | None:
    """One line on what in ``model_dir`` would make TensorFlow hang or fail with an opaque
    error (a pipe or device among its files, damaged variables), or None when it looks sound.
    Reads only the index and the file sizes; run before a worker is asked to load."""
    sizes = folder_sizes(model_dir, "saved_model.pb")
    if sizes.special:
        rel, kind = sizes.special[0]
        return f"{model_dir / rel}: {refuse_message(kind, 'the file the export wrote')}"
    message = first_problem_message(model_dir, meta_graph)
    if message is not None:
        return f"{model_dir}: cannot load the variables: {message}"
    return None
