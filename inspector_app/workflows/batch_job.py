"""Run a signature over every item of a folder or TFRecord file, in the engine worker. Qt-free.

    spec = prepare_batch(model_dir, ["serve"], signature, "images", "/data/val", labels="folders")
    job = BatchJob(spec, engine, on_rows=table.add, on_progress=bar.show, csv_path="rows.csv")
    report = job.start().result()          # or job.cancel() at any moment: the rows so far stay

Pipelined: a few threads decode the next items (pillow lets go of the interpreter lock while it
decodes and resizes) while the worker runs the current batch, and the next batch is already
queued in the worker's pipe when the current one answers. Nothing of the outputs is kept but
each item's summary (``batch_rows.ItemRow``); rows stream to the caller and to the CSV file.

A batch the model fails on is run again item by item, so that only the bad item fails; a worker
that dies on a batch is restarted, the model reloaded, and the batch's items tried one by one.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from inspector_app.engine import Cancelled, EngineError, WorkerDied
from inspector_app.errors import UserError
from inspector_app.fileio import atomic_write
from inspector_app.workflows.batch_csv import CsvRows, check_csv_target
from inspector_app.workflows.batch_feeds import FeedPlan, group_key
from inspector_app.workflows.batch_items import BatchItem, read_record_at
from inspector_app.workflows.batch_metrics import TruthMapper, read_mask
from inspector_app.workflows.batch_report import (
    BatchReport,
    Progress,
    ProgressCallback,
    RowsCallback,
)
from inspector_app.workflows.batch_rows import ItemRow
from inspector_app.workflows.batch_spec import BatchSpec, prepare_batch
from inspector_app.workflows.batch_summary import OutputSummarizer

MAX_RELOADS = 8  # a worker dying more often than this stops the job
DECODE_THREADS = max(1, min(4, (os.cpu_count() or 2)))
LOAD_TIMEOUT_S = 600.0


class BatchJob:
    """One run over a data set, on a thread of its own; ``engine`` is an ``engine.Engine``
    (this job loads the model into it; the caller owns and closes it)."""

    def __init__(
        self,
        spec: BatchSpec,
        engine: Any,
        *,
        on_rows: RowsCallback | None = None,
        on_progress: ProgressCallback | None = None,
        csv_path: str | os.PathLike | None = None,
        overwrite: bool = False,
        keep_rows: bool = False,
        decode_threads: int = DECODE_THREADS,
    ) -> None:
        self.spec = spec
        self.engine = engine
        self.on_rows = on_rows
        self.on_progress = on_progress
        self.keep_rows = keep_rows
        self.decode_threads = max(1, decode_threads)
        self.overwrite = overwrite
        self.csv_path = Path(csv_path) if csv_path else None
        if self.csv_path is not None:
            check_csv_target(self.csv_path, spec.model_dir, overwrite)
        self.future: Future[BatchReport] = Future()
        self.report = BatchReport(spec.source.count, batch_size=spec.batch_size)
        self.summarizer = OutputSummarizer(spec.context)
        self.truth = TruthMapper(spec.source.classes())
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0
        self._reloads = 0
        self._csv: CsvRows | None = None

    # ------------------------------------------------------------------ public

    def start(self) -> Future[BatchReport]:
        """Start on a thread of its own; the future gives the report (the rows so far when
        cancelled) or the UserError that stopped it before any item ran."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._main, name="batch-job", daemon=True)
            self._thread.start()
        return self.future

    def run(self) -> BatchReport:
        """Run on the calling thread (the command line)."""
        self._main()
        return self.future.result()

    @property
    def running(self) -> bool:
        return self._thread is not None and not self.future.done()

    @property
    def truth_how(self) -> str:
        """How labels became class ids (once the first labelled batch has answered)."""
        return self.truth.how

    def cancel(self) -> None:
        """Stop at once: the worker is stopped (then restarted with the model, for single
        runs of rows); the report keeps the rows so far."""
        if self.future.done() or self._cancel.is_set():
            return
        self._cancel.set()
        self.engine.cancel(reload=True)

    def run_item(self, row: ItemRow) -> Future[tuple[dict[str, np.ndarray], dict[str, np.ndarray]]]:
        """Run one row's item again: (feeds, outputs) for the full result view."""
        out: Future = Future()

        def work() -> None:
            try:
                record = None
                if self.spec.source.kind == "examples":
                    record = read_record_at(row.path, row.offset)
                item = BatchItem(row.index, row.name, row.path, row.label, None, record)
                feeds = self.spec.plan.feeds([self.spec.plan.prepare(item)])
                result = self.engine.run(self.spec.key, feeds, device=self.spec.device).result()
                outputs = {k: _first(v, self.spec.plan) for k, v in result.outputs.items()}
                out.set_result((feeds, outputs))
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                out.set_exception(exc)

        threading.Thread(target=work, name="batch-item", daemon=True).start()
        return out

    # ------------------------------------------------------------------ the job

    def _main(self) -> None:
        try:
            if self.csv_path is None:
                self._body(None)
            else:  # rows stream to a hidden file that takes the name at the end
                atomic_write(self.csv_path, CsvRows.around(self._body),
                             overwrite=self.overwrite, model_dir=self.spec.model_dir)  # fmt: skip
                self.report.csv_path = str(self.csv_path)
        except UserError as err:
            self.future.set_exception(err)
            return
        except BaseException as exc:  # noqa: BLE001 - the caller shows one line
            self.future.set_exception(UserError(f"the batch job failed: {type(exc).__name__}: {exc}"))  # fmt: skip
            return
        report = self.report
        report.cancelled = report.cancelled or self._cancel.is_set()
        report.elapsed_s = time.perf_counter() - self._started if self._started else 0.0
        report.output = self.summarizer.output
        report.view = self.summarizer.view
        report.view_reason = self.summarizer.reason
        report.truth_how = self.truth.how
        self.future.set_result(report)

    def _body(self, csv_rows: CsvRows | None) -> None:
        """Load, then every batch; a cancel or a worker that keeps dying ends it with the rows
        so far (and the CSV of them); a UserError before that leaves no CSV."""
        self._csv = csv_rows
        try:
            start = time.perf_counter()
            self.load()
            self.report.load_s = time.perf_counter() - start
            self._started = time.perf_counter()
            self._run_all()
        except Cancelled:
            self.report.cancelled = True
        except _Stop as stop:
            self.report.error = str(stop)
        finally:
            self._csv = None

    def load(self) -> None:
        """Load the model in the worker, unless it holds that model already (a second job).
        ``start``/``run`` do it; a benchmark calls it first to leave the load out of its clock."""
        spec = self.spec
        info: Any = getattr(self.engine, "model", None)
        same = (
            isinstance(getattr(info, "path", None), str)
            and Path(info.path) == spec.model_dir.resolve()
            and list(info.tags or []) == list(spec.tags)
            and (spec.device is None or spec.device.upper() == str(info.device).upper())
        )
        if not same:
            info = self.engine.load(spec.model_dir, spec.tags, spec.device).result(LOAD_TIMEOUT_S)
        self.report.device = spec.device or getattr(info, "device", "") or ""
        if spec.key not in info.signatures:
            keys = ", ".join(sorted(info.signatures)) or "none"
            raise UserError(f"the loaded model has no signature {spec.key!r}; it has: {keys}")

    def _items(self) -> Iterator[tuple[BatchItem, np.ndarray | None, str | None]]:
        """(item, prepared part or None, reason it failed), in order, decoded ahead on a few
        threads (a bounded window of items: memory does not grow with the data set)."""
        window = self.spec.batch_size * 3 + self.decode_threads
        pending: deque = deque()
        items = iter(self.spec.source)
        plan = self.spec.plan
        with ThreadPoolExecutor(self.decode_threads, thread_name_prefix="batch-decode") as pool:
            exhausted = False
            try:
                while True:
                    while not exhausted and len(pending) < window:
                        item = next(items, None)
                        if item is None:
                            exhausted = True
                            break
                        pending.append((item, pool.submit(plan.prepare, item)))
                    if not pending or self._cancel.is_set():
                        return
                    item, fut = pending.popleft()
                    try:
                        yield item, fut.result(), None
                    except UserError as err:
                        yield item, None, _reason(err, item)
                    except Exception as exc:  # noqa: BLE001 - one item's problem, not the job's
                        yield item, None, f"{type(exc).__name__}: {exc}"
            finally:
                for _, fut in pending:
                    fut.cancel()

    def _batches(self) -> Iterator[list[tuple[BatchItem, np.ndarray]]]:
        groups: dict[tuple, list[tuple[BatchItem, np.ndarray]]] = {}
        size = self.spec.batch_size
        for item, part, reason in self._items():
            if part is None:
                self._emit([self._failed_row(item, reason or "cannot be read")])
                continue
            key = group_key(part)
            group = groups.setdefault(key, [])
            group.append((item, part))
            if len(group) >= size:
                yield groups.pop(key)
            elif sum(len(g) for g in groups.values()) > 2 * size:  # many sizes: free some
                yield groups.pop(max(groups, key=lambda k: len(groups[k])))
        for group in groups.values():
            yield group

    def _run_all(self) -> None:
        inflight: deque = deque()
        for group in self._batches():
            if self._cancel.is_set():
                break
            items = [item for item, _ in group]
            try:
                feeds = self.spec.plan.feeds([part for _, part in group])
            except UserError as err:
                self._emit([self._failed_row(item, _reason(err, item)) for item in items])
                continue
            del group
            fut = self.engine.run(self.spec.key, feeds, device=self.spec.device)
            inflight.append((items, fut, feeds))
            while len(inflight) >= 2:  # the next batch waits in the worker's pipe meanwhile
                self._finish(*inflight.popleft())
        while inflight:
            self._finish(*inflight.popleft())

    def _finish(self, items: list[BatchItem], fut: Future, feeds: dict) -> None:
        try:
            result = fut.result()
        except Cancelled:
            if self._cancel.is_set():
                raise
            self._one_by_one(items)
            return
        except WorkerDied:
            self._reload()
            self._one_by_one(items)
            return
        except EngineError as err:
            if len(items) == 1:
                self._emit([self._failed_row(items[0], f"the model failed: {err}")])
            else:
                self._one_by_one(items)
            return
        self._emit(self._rows(items, result.outputs, result.timing.get("run_ms", 0.0), feeds))

    def _one_by_one(self, items: list[BatchItem]) -> None:
        """Run each item of a failed batch alone, so that only the bad one fails."""
        plan = self.spec.plan
        for item in items:
            if self._cancel.is_set():
                raise Cancelled("cancelled")
            try:
                feeds = plan.feeds([plan.prepare(item)])
                result = self.engine.run(self.spec.key, feeds, device=self.spec.device).result()
            except Cancelled:
                if self._cancel.is_set():
                    raise
                self._emit([self._failed_row(item, "the run was cancelled")])
            except WorkerDied as err:
                self._emit([self._failed_row(item, f"the model worker died on this item ({err})")])
                self._reload()
            except UserError as err:
                self._emit([self._failed_row(item, f"the model failed: {_reason(err, item)}")])
            else:
                run_ms = result.timing.get("run_ms", 0.0)
                self._emit(self._rows([item], result.outputs, run_ms, feeds))

    def _reload(self) -> None:
        self._reloads += 1
        if self._reloads > MAX_RELOADS:
            raise _Stop(f"the model worker died {self._reloads} times; the job stopped")
        try:
            self.engine.reload().result(LOAD_TIMEOUT_S)
        except Cancelled:
            raise
        except EngineError as err:
            raise _Stop(f"the model could not be loaded again: {err}") from None

    # ------------------------------------------------------------------ rows

    def _failed_row(self, item: BatchItem, reason: str) -> ItemRow:
        return ItemRow(item.index, item.name, item.path, item.label, error=reason,
                       offset=item.offset)  # fmt: skip

    def _rows(
        self, items: list[BatchItem], outputs: dict, run_ms: float, feeds: dict
    ) -> list[ItemRow]:
        n = len(items)
        summaries = self.summarizer.summarize(outputs, n, feeds)
        rows = []
        for item, s in zip(items, summaries, strict=True):
            row = ItemRow(item.index, item.name, item.path, item.label, s.prediction,
                          s.class_id, s.score, s.top5, summary=s.summary, time_ms=run_ms / n,
                          offset=item.offset)  # fmt: skip
            if self.summarizer.view == "scores" and item.label is not None:
                self.truth.bind(self.summarizer.labels)
                self.report.metrics.add_classification(row, self.truth.id_for(item.label))
            elif s.class_map is not None and item.mask is not None:
                try:
                    row.iou = self.report.metrics.add_segmentation(
                        s.class_map, read_mask(item.mask)
                    )
                except UserError as err:
                    row.summary += f"; mask not counted: {err}"
            rows.append(row)
        return rows

    def _emit(self, rows: list[ItemRow]) -> None:
        report = self.report
        report.done += len(rows)
        for row in rows:
            if row.error is not None:
                report.failed.append((row.name, row.error))
        if self.keep_rows:
            report.rows.extend(rows)
        if self.summarizer.labels is not None:
            names = self.summarizer.labels.names
            if len(report.class_names) < len(names):
                report.class_names = dict(enumerate(names))
            if self.truth.bound and self.truth.how.startswith("labels in sorted"):
                report.class_names.update({i: c for c, i in self.truth.ids.items()
                                           if i >= len(names) or names[i].startswith("class ")})  # fmt: skip
        if self._csv is not None:
            self._csv.write(rows)
        if self.on_rows is not None:
            self.on_rows(rows)
        if self.on_progress is not None:
            elapsed = time.perf_counter() - self._started if self._started else 0.0
            self.on_progress(Progress(report.done, len(report.failed), report.total, elapsed))


class _Stop(Exception):
    """The job cannot go on (the worker keeps dying); the rows so far are the report."""


def _reason(err: BaseException, item: BatchItem) -> str:
    text = str(err)
    for prefix in (f"{item.path}: ", f"{item.name}: "):
        text = text.removeprefix(prefix)
    return text


def _first(value: np.ndarray, plan: FeedPlan) -> np.ndarray:
    """A single item's outputs without the padding of a fixed batch size."""
    if plan.fixed_batch and plan.fixed_batch > 1 and np.ndim(value) and value.shape[0] == plan.fixed_batch:  # fmt: skip
        return value[:1]
    return value


__all__ = [
    "BatchJob",
    "BatchReport",
    "BatchSpec",
    "ItemRow",
    "Progress",
    "prepare_batch",
]
