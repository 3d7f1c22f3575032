"""The details pane's text for a node or a collapsed name scope (HTML; names from the model are
escaped, control characters too), and the op descriptions it quotes, read in the background."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QObject, Signal

from inspector_app.safeio import escape
from inspector_app.ui.background import run_in_background


def e(text: str) -> str:
    """A name from the model as HTML text: no markup, control characters escaped."""
    return html.escape(escape(text))


def scope_html(scope: Any, path: str, is_open: bool) -> str:
    ops = sorted(scope.ops.items(), key=lambda kv: -kv[1])[:12]
    rows = "".join(f"<tr><td>{e(op)}</td><td align=right>{n:,}</td></tr>" for op, n in ops)
    return (
        f"<h3>{e(scope.name)}</h3><p>name scope <code>{e(path)}</code>, "
        f"{scope.size:,} nodes, {len(scope.children)} sub-scopes. Double-click to "
        f"{'close' if is_open else 'open'} it.</p>"
        f"<table cellspacing=4><tr><th align=left>op</th><th>nodes</th></tr>{rows}</table>"
    )


def node_html(graph: Any, i: int, d: Any, ops_pending: bool) -> str:
    """``d`` is ``graph_details.node_details(graph, i, ops)``."""
    parts = [f"<h3>{e(d.op)}</h3><p><code>{e(d.name)}</code></p>"]
    if d.summary:
        parts.append(f"<p><i>{e(d.summary)}</i></p>")
    elif ops_pending:
        parts.append("<p><i>(op descriptions are being read)</i></p>")
    if d.device:
        parts.append(f"<p>device: <code>{e(d.device)}</code></p>")
    calls = [c for c in graph.calls if c.node == i]
    if calls:
        links = ", ".join(
            f"{e(c.attr)}: <a href='fn:{e(c.function)}'>{e(c.function)}</a>" for c in calls
        )
        parts.append(f"<p>calls {links}</p>")
    parts.append(_tensor_list("Inputs", d.inputs))
    parts.append(_tensor_list("Outputs", d.outputs))
    if d.attrs:
        body = "".join(f"<tr><td><b>{e(k)}</b></td><td>{e(v)}</td></tr>" for k, v in d.attrs)
        parts.append(f"<h4>Attributes</h4><table cellspacing=3>{body}</table>")
    if d.value:
        parts.append(f"<h4>Value</h4><p><code>{e(d.value)}</code></p>")
    if d.stats:
        s = d.stats
        text = ", ".join(
            f"{k} {v:.6g}" if isinstance(v, float) else f"{k} {v}"
            for k, v in s.items()
            if k != "zeros"
        )
        parts.append(f"<p>{e(text)}, zeros {s['zeros']:.1%}</p>")
    return "".join(parts)


def _tensor_list(title: str, rows: list) -> str:
    if not rows:
        return ""
    items = []
    for r in rows:
        facts = " ".join(x for x in (r.dtype, r.shape) if x)
        other = _node_links(r.node)
        arrow = "from" if title == "Inputs" else "to"
        items.append(
            f"<li><code>{e(r.label)}</code>"
            + (f" <b>{e(facts)}</b>" if facts else "")
            + (f"<br>{arrow} {other}" if other and not r.label.startswith("^") else "")
            + "</li>"
        )
    return f"<h4>{title}</h4><ul style='margin-left:-20px'>{''.join(items)}</ul>"


def _node_links(names: str) -> str:
    if not names:
        return ""
    return ", ".join(f"<a href='node:{e(n)}'>{e(n)}</a>" for n in names.split(", ")[:20])


class OpDescriptions(QObject):
    """TensorFlow's op descriptions (``op_catalog``), read once in the thread pool when first
    asked for; ``ready`` when they are in."""

    ready = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ops: dict | None = None
        self.asked = False
        self.compute_missing = True  # tests turn the child python off

    @property
    def pending(self) -> bool:
        return self.ops is None and not self.asked

    def ask(self) -> None:
        if self.asked:
            return
        self.asked = True
        from inspector_app.savedmodel import op_catalog

        compute = self.compute_missing

        def got(ops: Any) -> None:
            self.ops = ops
            if ops:
                self.ready.emit()

        run_in_background(
            lambda: op_catalog.catalog(compute_missing=compute), got, lambda _e: None, receiver=self
        )
