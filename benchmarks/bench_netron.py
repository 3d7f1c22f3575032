"""Netron side by side with our Graph tab, on the same SavedModels, in the same run.

Usage: ``python3 benchmarks/bench_netron.py [--netron PATH] [--chromium PATH] [--repeat N]``.

Models (made once in a temporary folder): a 10,000-node graph (``bench_graph``'s blocks in name
scopes, written as a ``saved_model.pb``) and a Keras application (MobileNetV2, ``weights=None``)
exported as a SavedModel by TensorFlow in a child process.

Netron: its pip package's server (``netron -p PORT MODEL``) serves the page; a headless Chromium
(Debian's package) loads it, driven over the DevTools protocol (a small websocket client below,
standard library only). The clock runs from ``Page.navigate`` until the graph is drawn: the
``#nodes`` group of Netron's SVG holds node groups, none still hidden (Netron shows them with
opacity 0 until its layout is done), and the count has not changed for 0.5 s (that settling time
is taken off again). Netron's consent cookie is set first so that no dialog waits for a click.
Netron's nodes are ``#nodes > g``, its edges ``#edge-paths path.edge-path``.

Ours: in this process, offscreen: ``load_model`` of the same folder, then ``GraphPanel.show_target``
until the first frame is painted (the same measure as ``bench_graph``), for the graph Netron shows
(the top-level graph) and, for the Keras model, the function body that its serving call runs.

When the netron command or Chromium is missing, the comparison is skipped and the results say
so. Writes ``benchmarks/results/netron.json``.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import http.client
import json
import os
import platform
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))
RESULTS = REPO / "benchmarks" / "results" / "netron.json"
NETRON_CANDIDATES = ("/work/venv-netron/bin/netron", "netron")
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")

KERAS = """
import sys, os
os.environ["CUDA_VISIBLE_DEVICES"] = ""
import tensorflow as tf
import keras
model = keras.applications.MobileNetV2(weights=None, input_shape=(224, 224, 3))
model.export(sys.argv[1], verbose=False)
"""

COUNT_JS = """(() => {
  const nodes = document.querySelectorAll('#nodes > g');
  let hidden = 0;
  for (const n of nodes) { if (n.style.opacity === '0') hidden++; }
  const edges = document.querySelectorAll('#edge-paths path.edge-path').length;
  const spinner = document.body ? document.body.classList.contains('spinner') : true;
  const message = document.getElementById('message-text');
  return JSON.stringify({nodes: nodes.length, hidden, edges, spinner,
                         message: message ? message.innerText : ''});
})()"""


def find(candidates: tuple[str, ...]) -> str | None:
    for c in candidates:
        path = c if os.path.isabs(c) and os.access(c, os.X_OK) else shutil.which(c)
        if path:
            return path
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, path: str = "/", timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            body = conn.getresponse().read()
            conn.close()
            return body
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class DevTools:
    """Just enough of the DevTools protocol over a websocket: send a command, get its answer."""

    def __init__(self, ws_url: str) -> None:
        rest = ws_url.split("://", 1)[1]
        hostport, path = rest.split("/", 1)
        host, port = hostport.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=120)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
             f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
             "Sec-WebSocket-Version: 13\r\n\r\n").encode()
        )  # fmt: skip
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise OSError(f"websocket handshake failed: {head[:80]!r}")
        self.next_id = 0

    def _send(self, text: str) -> None:
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            header = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(header + mask + masked)

    def _exact(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise OSError("the browser closed the connection")
            out += chunk
        return out

    def _receive(self) -> str:
        parts = []
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._exact(8))[0]
            payload = self._exact(n)
            if b0 & 0x0F in (0x1, 0x0):
                parts.append(payload)
            if b0 & 0x80 and b0 & 0x0F in (0x1, 0x0):
                return b"".join(parts).decode()

    def call(self, method: str, **params: object) -> dict:
        self.next_id += 1
        my_id = self.next_id
        self._send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self._receive())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def evaluate(self, expression: str) -> object:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()


def netron_once(netron: str, chromium: str, model_pb: Path, timeout: float) -> dict:
    """Serve ``model_pb`` with Netron, load the page in headless Chromium, wait for the graph."""
    port, debug_port = free_port(), free_port()
    profile = tempfile.mkdtemp(prefix="netron-chromium-")
    t0 = time.perf_counter()
    server = subprocess.Popen(
        [netron, "-p", str(port), "--verbosity", "quiet", str(model_pb)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    browser = subprocess.Popen(
        [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-dev-shm-usage", f"--remote-debugging-port={debug_port}",
         f"--user-data-dir={profile}", "--window-size=1024,700", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    devtools = None
    try:
        wait_http(port)
        server_s = time.perf_counter() - t0
        targets = json.loads(wait_http(debug_port, "/json/list"))
        page = next(t for t in targets if t.get("type") == "page")
        devtools = DevTools(page["webSocketDebuggerUrl"])
        base = f"http://127.0.0.1:{port}/"
        devtools.call("Network.enable")
        devtools.call("Network.setCookie", name="consent", value=str(int(time.time())), url=base)
        start = time.perf_counter()
        devtools.call("Page.navigate", url=base)
        last, stable_since, state = -1, 0.0, {}
        while True:
            now = time.perf_counter()
            if now - start > timeout:
                return {"error": f"not drawn within {timeout:.0f} s", "last": state}
            raw = devtools.evaluate(COUNT_JS)
            state = json.loads(raw) if isinstance(raw, str) else {}
            n = state.get("nodes", 0)
            ready = n > 0 and not state.get("hidden") and not state.get("spinner")
            if ready and n == last:
                if now - stable_since >= 0.5:
                    return {
                        "seconds": round(stable_since - start, 3),
                        "server_start_s": round(server_s, 3),
                        "nodes": n,
                        "edges": state.get("edges", 0),
                    }
            else:
                last, stable_since = (n if ready else -1), now
            time.sleep(0.05)
    finally:
        if devtools is not None:
            devtools.close()
        for proc in (browser, server):
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
            if proc.poll() is None:
                proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


def make_models(folder: Path) -> dict[str, Path]:
    """The 10k-node SavedModel (no TensorFlow) and the Keras application (TensorFlow, a child)."""
    from bench_graph import make_meta_graph

    from inspector_app.savedmodel import protos

    big = folder / "graph10k"
    if not (big / "saved_model.pb").is_file():
        big.mkdir(parents=True, exist_ok=True)
        sm = protos.saved_model_pb2().SavedModel(saved_model_schema_version=1)
        mg = sm.meta_graphs.add()
        mg.CopyFrom(make_meta_graph(10_000))
        mg.meta_info_def.tags.append("serve")
        (big / "saved_model.pb").write_bytes(sm.SerializeToString())
    keras_dir = folder / "mobilenet_v2"
    if not (keras_dir / "saved_model.pb").is_file():
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
        subprocess.run([sys.executable, "-c", KERAS, str(keras_dir)], check=True, env=env,
                       timeout=900)  # fmt: skip
    return {"10k-node graph": big, "Keras MobileNetV2 (weights=None)": keras_dir}


def ours_once(panel: object, path: Path, name: str | None) -> dict:
    """load_model + GraphPanel.show_target until painted; nodes and edges of our graph."""
    from bench_graph import measure

    from inspector_app.savedmodel import load_model

    t0 = time.perf_counter()
    info = load_model(path)
    load_s = time.perf_counter() - t0
    row = measure(panel, info.meta_graphs[0].proto, name)
    graph = panel.graph  # type: ignore[attr-defined]
    return {
        "seconds": round(load_s + row["seconds"], 3),
        "load_s": round(load_s, 3),
        "show_s": row["seconds"],
        "worst_stall_ms": row["worst_stall_ms"],
        "nodes": len(graph.nodes),
        "edges": len(graph.edges),
        "data_edges": sum(1 for e in graph.edges if not e.control),
        "boxes_drawn": row["boxes"],
    }


def serving_function(path: Path) -> str | None:
    """The function that holds the model's real graph: the largest function reached from the
    serving signature through its calls (the signature wrapper, then the model's ``__call__``)."""
    from inspector_app.savedmodel import load_model
    from inspector_app.savedmodel.graph import open_graph

    mg = load_model(path).meta_graphs[0].proto
    seen: dict[str, int] = {}
    frontier = [c.function for c in open_graph(mg, None).calls]
    for _depth in range(4):
        nxt = []
        for fn in frontier:
            if fn in seen:
                continue
            g = open_graph(mg, fn)
            seen[fn] = len(g.nodes)
            nxt += [c.function for c in g.calls]
        frontier = nxt
    return max(seen, key=seen.get) if seen else None  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--netron", default=None)
    parser.add_argument("--chromium", default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", default=str(Path(tempfile.gettempdir()) / "bench-netron-models"))
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    netron = args.netron or find(NETRON_CANDIDATES)
    chromium = args.chromium or find(CHROMIUM_CANDIDATES)
    models = make_models(Path(args.dir))

    from PySide6.QtWidgets import QApplication

    from inspector_app.ui.gc_guard import MainThreadCollector
    from inspector_app.ui.graph import GraphPanel
    from inspector_app.ui.graph.layout_job import warm_up

    app = QApplication([])
    collector = MainThreadCollector(app)
    from inspector_app.ui.gil_handoff import quick_gil_handoff

    quick_gil_handoff()  # as start_window does
    panel = GraphPanel()
    panel.fetch_op_descriptions = False
    panel.resize(1024, 700)
    panel.show()
    collector.freeze_startup()
    warm_up()
    time.sleep(1.5)

    rows = []
    for title, path in models.items():
        cases = [("top-level graph (what Netron shows)", "graph")]
        fn = serving_function(path)
        if fn is not None:
            cases.append((f"the function holding the model's graph: {fn}", fn))
        ours = {}
        for label, name in cases:
            runs = [ours_once(panel, path, name) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["seconds"])
            best["median_s"] = sorted(r["seconds"] for r in runs)[len(runs) // 2]
            ours[label] = best
        row: dict = {"model": title, "ours": ours}
        if netron and chromium:
            runs = [netron_once(netron, chromium, path / "saved_model.pb", args.timeout)
                    for _ in range(args.repeat)]  # fmt: skip
            good = [r for r in runs if "seconds" in r]
            row["netron"] = (
                {**min(good, key=lambda r: r["seconds"]),
                 "median_s": sorted(r["seconds"] for r in good)[len(good) // 2],
                 "runs_s": [r["seconds"] for r in good]}
                if good else runs[0]
            )  # fmt: skip
        else:
            row["netron"] = {"skipped": "netron or chromium not installed"}
        rows.append(row)
        print(json.dumps(row, indent=1), flush=True)
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
        "netron": _version([netron, "--version"]) if netron else None,
        "chromium": _version([chromium, "--version"]) if chromium else None,
        "method": "Netron: Page.navigate until #nodes > g all shown and stable (DevTools); "
        "ours: load_model + GraphPanel.show_target until the first painted frame",
        "models": rows,
    }
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    panel.close()
    del app


def _version(cmd: list[str]) -> str | None:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        out = done.stdout or done.stderr
    except (OSError, subprocess.SubprocessError):
        return None
    return out.strip().splitlines()[-1] if out.strip() else None


if __name__ == "__main__":
    main()
