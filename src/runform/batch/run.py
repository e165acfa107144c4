"""Run a batch: plan (skip what is done), execute locally or on Dask, summarise.

Both executors analyse every video with the library pipeline in a separate
process (:mod:`runform.batch.worker`), which answers with a typed
:class:`~runform.batch.outcome.JobOutcome`, and record it with
:func:`runform.batch.jobs.record_outcome`:

* ``local``: ``--jobs N`` long-lived analysis processes (:mod:`runform.batch.pool`),
  each running one video at a time; a crash costs one video and its process
  is replaced;
* ``dask``: :func:`runform.batch.jobs.run_job` (a fresh process per video, so
  a native crash never takes a Dask worker down) via ``distributed.Client.submit``
  on a cluster (``--scheduler``) or a ``LocalCluster`` (``--dask local``); the
  output folder must be a path the workers can reach.
"""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runform.batch.jobs import (
    MARKER,
    Job,
    describe_request,
    is_done,
    job_key,
    prepare_folder,
    read_marker,
    record_outcome,
    run_job,
)
from runform.batch.outcome import JobOutcome
from runform.batch.pool import WorkerPool
from runform.io.results import save_text

SUMMARY_COLUMNS = ("athlete", "date", "video", "status", "reason", "mode", "cadence_spm",
                   "ground_contact_ms", "focus", "report", "seconds")  # fmt: skip

Callback = Callable[[Job, dict[str, Any] | None], None]


@dataclass(frozen=True)
class Planned:
    """A job with its reuse key and whether its result can be reused."""

    job: Job
    key: str
    done: bool


def plan_batch(jobs: Sequence[Job], out: Path, settings: dict[str, Any]) -> list[Planned]:
    """Key every job and mark those already done with the same key."""
    planned = []
    for job in jobs:
        key = job_key(job, settings)
        planned.append(Planned(job, key, is_done(job, out, key)))
    return planned


def execute_local(
    todo: Sequence[Planned], out: Path, settings: dict[str, Any], jobs: int,
    on_start: Callback | None = None, on_done: Callback | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Run the jobs, ``jobs`` at a time, on long-lived worker processes (:mod:`.pool`)."""
    results: list[dict[str, Any]] = []
    slots = max(1, jobs)
    with WorkerPool(slots) as workers, ThreadPoolExecutor(max_workers=slots) as pool:
        pending: dict[Future[dict[str, Any]], Planned] = {}
        queue = list(todo)
        try:
            while queue or pending:
                while queue and len(pending) < slots:
                    item = queue.pop(0)
                    if on_start:
                        on_start(item.job, None)
                    future = pool.submit(run_pooled_job, workers, item.job, out, settings, item.key)
                    pending[future] = item
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    item = pending.pop(future)
                    result = future.result()
                    results.append(result)
                    if on_done:
                        on_done(item.job, result)
        except BaseException:
            for future in pending:
                future.cancel()
            workers.close(kill=True)  # the running jobs end now, recorded as failed
            raise
    return results


def run_pooled_job(
    workers: WorkerPool, job: Job, out: Path, settings: dict[str, Any], key: str
) -> dict[str, Any]:
    """Analyse one video on a pooled worker and record the outcome in ``batch.json``."""
    folder = prepare_folder(job, str(out))
    start = time.perf_counter()
    outcome = workers.run(describe_request(job, folder, settings))
    return record_outcome(job, folder, key, outcome, time.perf_counter() - start)


def execute_dask(
    todo: Sequence[Planned], out: Path, settings: dict[str, Any], address: str | None, workers: int,
    on_start: Callback | None = None, on_done: Callback | None = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """Run the jobs on a Dask cluster (``address``) or a local one with ``workers`` workers."""
    from distributed import Client, LocalCluster, as_completed

    cluster = None if address else LocalCluster(n_workers=max(1, workers), threads_per_worker=1,
                                                processes=True, dashboard_address=None)  # fmt: skip
    client = Client(address) if address else Client(cluster)
    results: list[dict[str, Any]] = []
    try:
        futures = {}
        for item in todo:
            if on_start:
                on_start(item.job, None)
            future = client.submit(run_job, item.job, str(out), settings, item.key, pure=False,
                                   key=f"runform-{item.key[:16]}")  # fmt: skip
            futures[future] = item
        for future in as_completed(futures):
            item = futures[future]
            try:
                result = future.result()
            except Exception as error:  # a worker lost: the job failed, the batch goes on
                outcome = JobOutcome("crashed", f"the Dask task failed: {error}", retry=True)
                folder = prepare_folder(item.job, str(out))
                result = record_outcome(item.job, folder, item.key, outcome, 0.0)
            results.append(result)
            if on_done:
                on_done(item.job, result)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return results


def _analysis(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / "analysis.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def build_rows(
    jobs: Iterable[Job], out: Path, keys: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """One summary row per job, from its ``batch.json`` and ``analysis.json``.

    With ``keys`` (``{job folder: planned key}``), a marker from another key
    (an older upload or settings) counts as ``not run``.
    """
    rows = []
    for job in jobs:
        folder = out / job.folder
        marker = read_marker(folder) or {}
        if keys is not None and marker.get("key") != keys.get(job.folder):
            marker = {}
        status = marker.get("status", "not run")
        # a cut-short upload still has its report: shown, though it counts as failed
        reported = status == "ok" or marker.get("outcome") == "truncated"
        analysis = _analysis(folder) if reported else {}
        summary = analysis.get("summary", {})
        rows.append({
            "athlete": job.athlete, "date": job.date, "video": Path(job.video).name,
            "status": status, "reason": marker.get("reason", ""),
            "mode": analysis.get("mode", {}).get("kind", ""),
            "cadence_spm": _fmt(summary.get("cadence_spm")),
            "ground_contact_ms": _fmt(summary.get("ground_contact_ms")),
            "focus": "; ".join(f.get("name", "") for f in analysis.get("focus", [])),
            "report": f"{job.folder}/report.html" if analysis else "",
            "seconds": marker.get("seconds", ""),
        })  # fmt: skip
    return rows


def _fmt(value: Any) -> str:
    return f"{value:.1f}" if isinstance(value, int | float) else ""


def write_summary(rows: Sequence[dict[str, Any]], out: Path) -> tuple[Path, Path]:
    """``summary.csv`` (one row per video) and ``errors.log`` (one line per failure)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SUMMARY_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    summary = save_text(buffer.getvalue(), out / "summary.csv")
    failures = [
        f"{r['athlete']}/{r['video']}: {r['reason'] or r['status']}"
        for r in rows
        if r["status"] != "ok"
    ]
    errors = save_text("".join(f"{line}\n" for line in failures), out / "errors.log")
    return summary, errors


def write_index(
    rows: Sequence[dict[str, Any]], out: Path, extra: dict[str, list[dict[str, str]]]
) -> Path:
    """``index.html``: the sortable, filterable overview, with each athlete's reports."""
    import datetime as dt

    from runform import __version__
    from runform.report.html import build_environment

    athletes = sorted({r["athlete"] for r in rows})
    html = build_environment().get_template("index.html.j2").render(
        rows=rows, athletes=athletes, columns=SUMMARY_COLUMNS, extra=extra, version=__version__,
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        n_ok=sum(r["status"] == "ok" for r in rows),
        n_failed=sum(r["status"] == "failed" for r in rows),
    )  # fmt: skip
    return save_text(html, out / "index.html")


def unmarked(out: Path, jobs: Sequence[Job]) -> list[Job]:
    """Jobs whose folder has no ``batch.json`` (never finished)."""
    return [job for job in jobs if not (out / job.folder / MARKER).is_file()]
