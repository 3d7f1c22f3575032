"""Fuzz suite: hostile and broken inputs answered with exit 2 and one line, never a traceback,
a hang or a process left behind (issues 12.6 and 13).

Every case builds its input in a tmp folder (tests/hostile_corpus.py, fixed seed) from a copy of
the bundled mnist_softmax demo and calls ``inspector_app.cli.main`` in this process. ``run`` gets
an engine that refuses to be asked anything: each case here must be answered by a check made
before a worker (TensorFlow) would start. A SIGALRM bounds every case, so a FIFO that blocks
fails the test instead of hanging it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import hostile_corpus as corpus
import numpy as np
import pytest

import inspector_app.engine as engine_pkg
from inspector_app.cli import main
from inspector_app.errors import UserError

CASE_SECONDS = 20  # a case that takes longer is a hang
MAX_LINE = 400  # one line of at most ~300 characters, with room for a long tmp path
ADVICE = (
    "choose", "give", "export", "save", "raise", "check", "put", "write", "replace", "pass",
    "use", "remove", "copy", "make", "rename", "drop", "run ", "simplify", "move", "open",
    "name one",
)  # fmt: skip


class NoWorker:
    """Stands in for the engine: a case that reaches the worker failed to check first."""

    def __init__(self, *args, **kwargs) -> None:
        pass

    def load(self, *args, **kwargs):  # noqa: ANN201
        raise AssertionError(f"the worker was asked to load {args}: a pre-check should answer")

    def run(self, *args, **kwargs):  # noqa: ANN201
        raise AssertionError("the worker was asked to run")

    def close(self, *args, **kwargs) -> None:
        pass


def _children() -> set[int]:
    me = str(os.getpid())
    out = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if fields[1] == me and fields[0] != "Z":
                out.add(int(entry))
    return out


@contextlib.contextmanager
def _bounded(seconds: int = CASE_SECONDS):
    def alarm(*_):  # noqa: ANN002
        raise TimeoutError(f"no answer within {seconds} s (a hang)")

    old = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@pytest.fixture
def cli(capsys, monkeypatch):
    monkeypatch.setattr(engine_pkg, "Engine", NoWorker)

    def call(argv: list[str]) -> tuple[int, str, str]:
        before = _children()
        start = time.monotonic()
        with _bounded():
            rc = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        assert time.monotonic() - start < CASE_SECONDS
        assert _children() <= before, "a process was left behind"
        return rc, out, err

    return call


def assert_one_line(rc: int, err: str, *names: str, expect_rc: int = 2) -> str:
    assert "Traceback" not in err, err[-2000:]
    lines = [ln for ln in err.splitlines() if ln.strip() and not ln.startswith("warning:")]
    assert rc == expect_rc, f"exit {rc}: {err[-1000:]}"
    assert len(lines) == 1, err[-2000:]
    line = lines[0]
    assert line.startswith("error: "), line
    assert len(line) <= MAX_LINE, f"{len(line)} characters: {line[:500]}"
    assert "\x1b" not in line
    for name in names:
        assert name in line, f"{name!r} not named in: {line}"
    assert any(word in line.lower() for word in ADVICE), f"no advice in: {line}"
    return line


@pytest.fixture
def model(tmp_path) -> Path:
    return corpus.copy_model(tmp_path / "model")


# --------------------------------------------------------------------------- model folders

# (id, edit(model), commands): each command is answered with exit 2 and one line naming the file
FOLDER_CASES: list[tuple[str, Callable[[Path], object], str, list[list[str]]]] = [
    ("pb_truncated", lambda m: corpus.truncate(m / "saved_model.pb", 100), "saved_model.pb",
     [["show"], ["check"], ["run"]]),
    ("pb_empty", lambda m: corpus.truncate(m / "saved_model.pb", 0), "saved_model.pb",
     [["show"], ["check"]]),
    ("pb_sparse_64g", lambda m: corpus.sparse_huge(m / "saved_model.pb"), "saved_model.pb",
     [["show"], ["check"], ["run"]]),
    ("pb_fifo", lambda m: corpus.make_fifo(m / "saved_model.pb"), "saved_model.pb",
     [["show"], ["check"], ["run"]]),
    ("pb_dev_zero", lambda m: corpus.link_dev_zero(m / "saved_model.pb"), "saved_model.pb",
     [["show"], ["check"]]),
    ("pb_folder", lambda m: corpus.make_dir_instead(m / "saved_model.pb"), "saved_model.pb",
     [["show"]]),
    ("fingerprint_fifo", lambda m: corpus.make_fifo(m / "fingerprint.pb"), "fingerprint.pb",
     [["show"], ["show", "--json"], ["run"]]),
    ("fingerprint_dev_zero", lambda m: corpus.link_dev_zero(m / "fingerprint.pb"),
     "fingerprint.pb", [["show"], ["run"]]),
    ("shard_fifo", lambda m: corpus.make_fifo(m / corpus.DATA), "variables.data",
     [["show", "--variables"], ["show", "--variables", "--json"], ["run"]]),
    ("shard_dev_zero", lambda m: corpus.link_dev_zero(m / corpus.DATA), "variables.data",
     [["show", "--variables"], ["run"]]),
    ("shard_truncated", lambda m: corpus.truncate(m / corpus.DATA, 1000), "variables.data",
     [["show", "--variables"], ["run"]]),
    ("shard_missing", lambda m: (m / corpus.DATA).unlink(), "variables.data",
     [["show", "--variables"], ["run"]]),
    ("shard_foreign", lambda m: (m / corpus.DATA).write_bytes(
        (corpus.other_model() / corpus.DATA).read_bytes()), "variables.data",
     [["show", "--variables"], ["run"]]),
    ("index_garbage", lambda m: (m / corpus.INDEX).write_bytes(b"\0garbage" * 40),
     "variables.index", [["show", "--variables"], ["run"]]),
    ("index_truncated", lambda m: corpus.truncate(m / corpus.INDEX, 60), "variables.index",
     [["show", "--variables"], ["run"]]),
    ("index_fifo", lambda m: corpus.make_fifo(m / corpus.INDEX), "variables.index",
     [["show", "--variables"], ["run"]]),
    ("index_foreign", lambda m: (m / corpus.INDEX).write_bytes(
        (corpus.other_model() / corpus.INDEX).read_bytes()), "variables",
     [["show", "--variables"], ["run"]]),
    ("asset_fifo", lambda m: corpus.make_fifo(m / "assets" / "labels.txt"), "labels.txt",
     [["show"], ["run"]]),
]  # fmt: skip


def _run_args(model: Path) -> list[str]:
    return ["run", model, "--input-exprs", "images=np.ones((1, 784), np.float32)"]


@pytest.mark.parametrize(
    ("edit", "name", "commands"),
    [pytest.param(e, n, c, id=i) for i, e, n, c in FOLDER_CASES],
)
def test_damaged_model_folders(cli, model, edit, name, commands):
    edit(model)
    for command in commands:
        argv = _run_args(model) if command == ["run"] else [command[0], model, *command[1:]]
        if command == ["check"]:
            argv.append("--no-registry")
        rc, out, err = cli(argv)
        assert "\x1b" not in out
        assert_one_line(rc, err, name)


def test_check_reports_damaged_variables_as_findings(cli, model):
    """check exits 1 (a failed check) and names the file, the bytes expected and found."""
    corpus.truncate(model / corpus.DATA, 1000)
    rc, out, err = cli(["check", model, "--no-registry"])
    assert rc == 1 and "Traceback" not in err
    assert "variables.truncated" in out and "31,947 bytes" in out and "1,000 bytes" in out
    assert "export the model again" in out


def test_check_verifies_the_checksums_of_a_shard(cli, model):
    """A flipped bit keeps the size: check's CRC32C comparison finds it (open and run do not
    spend the time; TensorFlow's own restore checks the CRC)."""
    corpus.bit_flips(model / corpus.DATA, 1, corpus.rng())
    rc, out, err = cli(["check", model, "--no-registry"])
    assert rc == 1 and "variables.foreign" in out and "checksum" in out, out
    assert "Traceback" not in err


def test_check_names_a_special_shard(cli, model):
    corpus.make_fifo(model / corpus.DATA)
    rc, out, err = cli(["check", model, "--no-registry"])
    assert rc == 1 and "named pipe" in out and "Traceback" not in err


def test_random_bit_flips_never_traceback(cli, tmp_path):
    """Seeded bit flips in saved_model.pb and variables.index: a clean answer every time."""
    rng = corpus.rng()
    for n in range(12):
        model = corpus.copy_model(tmp_path / f"m{n}")
        target = "saved_model.pb" if n % 2 == 0 else corpus.INDEX
        corpus.bit_flips(model / target, 1 + n, rng)
        for argv in (["show", model, "--variables"], ["check", model, "--no-registry"]):
            rc, out, err = cli(argv)
            assert "Traceback" not in err and rc in (0, 1, 2), (argv, rc, err[-1500:])
            if rc == 2:
                assert_one_line(rc, err)


def test_model_path_that_is_a_special_file(cli, tmp_path):
    fifo = corpus.make_fifo(tmp_path / "model_pipe")
    assert_one_line(*cli(["show", fifo])[::2], "model_pipe")
    assert_one_line(*cli(["show", "/dev/zero"])[::2], "/dev/zero")
    assert_one_line(*cli(["check", "/dev/null", "--no-registry"])[::2], "/dev/null")


def test_names_from_the_model_are_escaped(cli, model):
    corpus.add_escape_names(model)
    rc, out, err = cli(["show", model])
    assert rc == 0 and "\x1b" not in out and "\x07" not in out
    assert "evil\\x1b]0;pwned\\x07" in out
    rc, out, err = cli(["check", model, "--no-registry"])
    assert "\x1b" not in out and "Traceback" not in err


def test_a_5000_digit_device_string(cli, model):
    corpus.long_device_string(model)
    rc, out, err = cli(["check", model, "--no-registry"])
    assert rc in (0, 1) and "Traceback" not in err
    rc, out, err = cli(["show", model])
    assert rc == 0 and "Traceback" not in err


# --------------------------------------------------------------------------- versions


def test_versions_are_int64_names_only(cli, tmp_path):
    import json

    base = corpus.base_with_versions(
        tmp_path / "base", ["99999999999999999999", "-3", "+4"], corpus.source_model()
    )
    rc, out, err = cli(["show", base, "--json"])
    assert rc == 0, err
    data = json.loads(out)
    assert data["versions"] == [1] and data["version"] == 1
    assert "99999999999999999999" in data["ignored"]


def test_thousands_of_versions_listed_by_count(cli, tmp_path):
    base = corpus.base_many_versions(tmp_path / "base", 3000)
    line = assert_one_line(*cli(["show", base])[::2], "3,000 versions")
    assert "1 to 3000" in line
    line = assert_one_line(*cli(["show", base, "--version", "5000"])[::2], "3,000 versions")


@pytest.mark.slow
def test_a_base_folder_with_more_than_10000_entries(cli, tmp_path):
    base = corpus.base_many_entries(tmp_path / "base", 10_050, corpus.source_model())
    rc, out, err = cli(["show", base])
    assert rc == 0, err
    assert "showing version 7" in out
    assert len(out.splitlines()[1]) < 400  # the ignored list is cut with a count
    assert "more)" in out


def test_check_names_the_corrupt_newest_version(cli, tmp_path):
    base = corpus.base_newest_corrupt(tmp_path / "base")
    line = assert_one_line(*cli(["check", base, "--no-registry"])[::2], "saved_model.pb")
    assert f"{os.sep}2{os.sep}" in line and "no numeric version" not in line


def test_paths_that_are_not_utf8(cli, tmp_path):
    folder = Path(os.fsdecode(bytes(tmp_path) + b"/m\xff\xfe"))
    corpus.copy_model(folder)
    rc, out, err = cli(["show", folder])
    assert rc == 0 and "\\xff\\xfe" in out, err
    rc, out, err = cli(["check", folder, "--no-registry"])
    assert rc in (0, 1) and "Traceback" not in err
    corpus.truncate(folder / corpus.DATA, 10)
    assert_one_line(*cli(_run_args(folder))[::2], "\\xff\\xfe")


# --------------------------------------------------------------------------- run inputs

EXPR_CASES = [
    ("nested_lists", "[[[0]*3000]*3000]*3000", "--max-input-bytes"),
    ("astype_str", "np.ones(2**31).astype(str)", "--max-input-bytes"),
    ("astype_str_4gib", "np.ones(2**25).astype(np.str_)", "--max-input-bytes"),
    ("percent_width", "'%0*d' % (10**11, 1)", "formatting"),
    ("deep_brackets", "[" * 30_000 + "]" * 30_000, "nested"),
    ("string_repeat", "'ab' * 10**12", "--max-input-bytes"),
    ("dunder", "np.__class__", "not allowed"),
]


@pytest.mark.parametrize(("expr", "said"), [pytest.param(e, s, id=i) for i, e, s in EXPR_CASES])
def test_hostile_expressions(cli, model, expr, said):
    line = assert_one_line(*cli(["run", model, "--input-exprs", f"images={expr}"])[::2], said)
    assert "images" in line


def _npy_cases(tmp: Path) -> list[tuple[str, Path, str]]:
    np.save(tmp / "ok.npy", np.ones((1, 784)))
    return [
        ("claims_50gb", corpus.npy_claiming(tmp / "big.npy", (7_000_000_000,)), "GB"),
        ("truncated", corpus.truncate(tmp / "ok.npy", 200), "truncated"),
        ("bad_crc", corpus.npz_bad_crc(tmp / "crc.npz"), "crc.npz"),
        ("bad_deflate", corpus.npz_bad_deflate(tmp / "deflate.npz"), "deflate.npz"),
        ("npz_claims_50gb", corpus.npz_claiming(tmp / "bigz.npz", (7_000_000_000,)), "GB"),
        ("npz_20000_members", corpus.npz_many_members(tmp / "many.npz", 20_000), "20,000"),
        ("fifo", corpus.make_fifo(tmp / "pipe.npy"), "named pipe"),
        ("dev_zero", corpus.link_dev_zero(tmp / "zero.npy"), "device"),
        ("folder", corpus.make_dir_instead(tmp / "dir.npy"), "folder"),
        ("garbage", _write(tmp / "junk.npy", b"\x93NUMPY\x01\x00\xff\xff{junk"), "junk.npy"),
    ]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_hostile_array_files(cli, model, tmp_path):
    cases = _npy_cases(tmp_path)
    for case_id, path, said in cases:
        rc, _, err = cli(["run", model, "--inputs", f"images={path}"])
        try:
            assert_one_line(rc, err, said)
        except AssertionError as exc:
            raise AssertionError(f"{case_id}: {exc}") from None


def test_an_npz_member_list_is_cut(cli, model, tmp_path):
    np.savez(tmp_path / "two.npz", **{f"array_{n}": np.zeros(1) for n in range(5000)})
    line = assert_one_line(*cli(["run", model, "--inputs", f"images={tmp_path}/two.npz"])[::2])
    assert "5,000 arrays" in line and "more)" in line


EXAMPLE_CASES = [
    ("deep_json", "[" * 30_000 + "]" * 30_000, "nested"),
    ("lone_surrogate_value", '[{"x": ["\\ud800"]}]', "surrogate"),
    ("lone_surrogate_name", '[{"\\ud800": [1.0]}]', "surrogate"),
    ("huge_echo", "x" * 200_000, "more characters"),
]


@pytest.mark.parametrize(("text", "said"), [pytest.param(t, s, id=i) for i, t, s in EXAMPLE_CASES])
def test_hostile_examples(cli, model, text, said):
    assert_one_line(*cli(["run", model, "--input-examples", f"images={text}"])[::2], said)


def test_hostile_images(cli, model, tmp_path):
    cases = [
        ("text_bomb", corpus.png_text_bomb(tmp_path / "bomb.png"), "bomb.png"),
        ("pixel_bomb", corpus.png_pixel_bomb(tmp_path / "pixels.png"), "pixels.png"),
        ("fifo", corpus.make_fifo(tmp_path / "pipe.png"), "named pipe"),
        ("dev_zero", corpus.link_dev_zero(tmp_path / "zero.png"), "device"),
        ("truncated", corpus.truncate(corpus.png(tmp_path / "cut.png"), 45), "cut.png"),
        ("not_an_image", _write(tmp_path / "text.png", b"hello"), "text.png"),
    ]
    for case_id, path, said in cases:
        rc, _, err = cli(["run", model, "--image", f"images={path}"])
        try:
            assert_one_line(rc, err, said)
        except AssertionError as exc:
            raise AssertionError(f"{case_id}: {exc}") from None


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "0", "-inf"])
def test_timeout_must_be_a_finite_positive_number(cli, model, value):
    argv = [*_run_args(model), f"--timeout={value}"]
    assert_one_line(*cli(argv)[::2], "--timeout")


def test_a_fixed_dimension_is_enforced_before_the_run(cli, model):
    line = assert_one_line(
        *cli(["run", model, "--input-exprs", "images=np.ones((1, 783))"])[::2], "images"
    )
    assert "784" in line and "783" in line
    assert_one_line(*cli(["run", model, "--input-exprs", "images=np.ones(784)"])[::2], "images")


# --------------------------------------------------------------------------- --outdir


def test_hostile_outdirs(cli, model, tmp_path):
    a_file = _write(tmp_path / "a_file", b"x")
    taken = tmp_path / "taken"
    (taken / "scores.npy").mkdir(parents=True)
    cases = [
        ("file", a_file, "not a folder"),
        ("dev_null", "/dev/null", "/dev"),
        ("proc", "/proc/self/out", "/proc"),
        ("inside_model", model / "outputs", "inside the model folder"),
        ("inside_variables", model / "variables", "inside the model folder"),
        ("too_long", tmp_path / ("x" * 300), "longer than"),
        ("under_a_file", a_file / "sub", "a_file"),
        ("target_is_folder", taken, "is a folder"),
    ]
    for case_id, outdir, said in cases:
        rc, _, err = cli([*_run_args(model), "--outdir", outdir])
        try:
            assert_one_line(rc, err, said)
        except AssertionError as exc:
            raise AssertionError(f"{case_id}: {exc}") from None
    assert not (model / "outputs").exists()  # nothing was written into the model


def test_output_file_names_are_unique_and_reversible(tmp_path):
    from inspector_app.results.outfiles import file_stem, output_files, output_key

    keys = ["a/b", "a_b", "a%2Fb", ".hidden", "", "x\x1by", "naïve", "a b", "%"]
    targets = output_files(tmp_path, keys)
    assert len({p.name for p in targets.values()}) == len(keys)
    for key in keys:
        assert output_key(file_stem(key)) == key
        assert "/" not in file_stem(key) and not file_stem(key).startswith(".")
    with pytest.raises(UserError, match="differ only in case"):
        output_files(tmp_path, ["Scores", "scores"])
    with pytest.raises(UserError, match="file name"):
        output_files(tmp_path, ["x" * 300])


# --------------------------------------------------------------------------- warmup, REST bodies


@pytest.mark.parametrize("case", sorted(corpus.warmup_cases()))
def test_hostile_warmup_records(tmp_path, case):
    from inspector_app.inputs.warmup import read_warmup

    path = corpus.warmup_file(tmp_path / "warmup", corpus.warmup_cases()[case])
    with _bounded(), pytest.raises(UserError) as info:
        read_warmup(path, max_bytes=64 * 2**20)
    message = str(info.value)
    assert "\n" not in message and len(message) <= MAX_LINE and "record 1" in message


def test_warmup_special_files(tmp_path):
    from inspector_app.inputs.warmup import read_warmup

    for path in (corpus.make_fifo(tmp_path / "w_pipe"), corpus.link_dev_zero(tmp_path / "w0")):
        with _bounded(), pytest.raises(UserError, match="not a regular file"):
            read_warmup(path)


def test_a_30_byte_warmup_file_cannot_ask_for_gigabytes(tmp_path):
    from inspector_app.inputs.warmup import read_warmup

    path = corpus.warmup_file(tmp_path / "w", corpus.warmup_cases()["huge_shape"])
    assert path.stat().st_size < 100
    with pytest.raises(UserError, match=" GB"):
        read_warmup(path, max_bytes=2**30)


REST_BODIES = [
    '{"instances": ' + "[" * 100_000 + "]" * 100_000 + "}",
    '{"inputs": {"images": "\\ud800"}}',
    '{"instances": [{"images": 1}, {"other": 2}]}',
    '{"inputs": {"images": [[1], [1, 2]]}}',
    "[1, 2",
    '{"inputs": {"images": {"b64": "%%%"}}}',
]


@pytest.mark.parametrize("body", REST_BODIES, ids=range(len(REST_BODIES)))
def test_hostile_rest_bodies(body):
    from types import SimpleNamespace

    from inspector_app.inputs.serving import parse_request

    spec = SimpleNamespace(name="images", dtype="float32", shape=[-1, 784])
    with pytest.raises(UserError) as info:
        parse_request(body, [spec])
    assert "\n" not in str(info.value) and len(str(info.value)) <= MAX_LINE


# --------------------------------------------------------------------------- the worker's life


WORKER_SCRIPT = """
import signal, sys
signal.signal(signal.SIGHUP, signal.SIG_DFL)  # dies of a hangup even when started under nohup
from inspector_app.engine import Engine
engine = Engine()
print(engine.worker_pid, flush=True)
engine.wait_ready(120)
print("ready", flush=True)
sys.stdin.read()
"""


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGHUP])
def test_a_worker_dies_with_its_parent(sig):
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    proc = subprocess.Popen(
        [sys.executable, "-c", WORKER_SCRIPT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        worker = int(proc.stdout.readline())
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(sig)
        proc.wait(10)
        deadline = time.monotonic() + 15  # the watch polls every 0.25 s; CI may be busy
        while time.monotonic() < deadline and _alive(worker):
            time.sleep(0.1)
        assert not _alive(worker), f"worker {worker} outlived its parent ({sig.name})"
    finally:
        with contextlib.suppress(OSError):
            proc.kill()
        proc.wait(10)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


NO_START_SCRIPT = """
import multiprocessing, sys
multiprocessing.get_context("spawn").set_executable(sys.argv[1])
from inspector_app.cli import main
sys.exit(main(["run", sys.argv[2], "--input-exprs", "images=np.ones((1, 784), np.float32)"]))
"""


@pytest.mark.parametrize("python", ["/bin/false", "/nonexistent/python3"])
def test_a_worker_that_cannot_start_is_reported_within_seconds(model, python):
    """A Python that cannot be run (or exits at once): one line, exit 2, no wait."""
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", NO_START_SCRIPT, python, str(model)],
        capture_output=True, text=True, env=env, timeout=60,
    )  # fmt: skip
    assert time.monotonic() - started < 30
    err = "\n".join(ln for ln in proc.stderr.splitlines() if "warn" not in ln.lower())
    line = assert_one_line(proc.returncode, err)
    assert "could not start" in line


@pytest.mark.parametrize(
    ("code", "said"),
    [(30, "read-only"), (13, "not writable"), (1, "immutable"), (28, "full disk")],
    ids=["erofs", "eacces", "eperm", "enospc"],
)
def test_an_outdir_that_cannot_be_written(cli, model, tmp_path, monkeypatch, code, said):
    """Simulated (root writes anywhere; a read-only mount needs privileges): the probe file."""
    from inspector_app.results import outfiles

    def refuse(*args, **kwargs):  # noqa: ANN202
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(outfiles.tempfile, "mkstemp", refuse)
    line = assert_one_line(*cli([*_run_args(model), "--outdir", tmp_path / "out"])[::2], said)
    assert "out" in line
