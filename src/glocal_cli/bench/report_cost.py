"""What the pivotal report costs: generation and HTML rendering time, and peak memory
(``ru_maxrss`` of a child process that builds nothing else, and of the worker
processes it starts), with the replicate counts of its bootstrap and null model."""

from __future__ import annotations

import multiprocessing
import resource
import shutil
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from glocal.report.build import pivotal_report
from glocal.report.html import render_html
from glocal.store import EmbeddedStore
from glocal_cli.bench.graphs import BenchGraph
from glocal_cli.bench.html_open import html_open_time
from glocal_cli.bench.timing import say

__all__ = ["report_cost"]


def _peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _report_child(
    store_path: str, version: str, sensitivity: bool, html_path: str, conn: Connection
) -> None:
    """Child process: build the pivotal report, write its HTML to ``html_path``, and
    send its time and peak memory.

    A failure ends the process with its traceback on stderr.
    """
    result: dict[str, Any] = {}
    store = EmbeddedStore(Path(store_path), version, workers=1)
    try:
        result["rss_before_mb"] = _peak_rss_mb(resource.RUSAGE_SELF)
        started = time.perf_counter()
        report = pivotal_report(store, sensitivity=sensitivity)
        result["seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        html = render_html(report)
        result["render_html_s"] = time.perf_counter() - started
        result["html_bytes"] = Path(html_path).write_bytes(html.encode())
        result["cities_listed"] = len(report.cities)
        if report.uncertainty is not None:
            result["bootstrap_replicates"] = report.uncertainty.bootstrap_replicates
            result["null_replicates"] = report.uncertainty.null_replicates
            result["loso_sources"] = len(report.uncertainty.loso_sources)
    finally:
        store.close()
    result["peak_rss_mb"] = _peak_rss_mb(resource.RUSAGE_SELF)
    result["peak_rss_children_mb"] = _peak_rss_mb(resource.RUSAGE_CHILDREN)
    # The whole process tree: the report process plus its largest worker. The workers
    # run side by side, so this is a bound from below when there are several (the
    # kernel keeps only the largest child's peak) and exact with one.
    result["peak_rss_tree_mb"] = result["peak_rss_mb"] + result["peak_rss_children_mb"]
    conn.send(result)
    conn.close()


def report_cost(graph: BenchGraph, sensitivity: bool) -> dict[str, Any]:
    """Build the pivotal report of ``graph`` in a child process; its times and memory.

    Parameters
    ----------
    sensitivity
        Run the report's layer sensitivity (one extra ranking per layer).

    Returns
    -------
    dict
        ``seconds``, ``render_html_s``, ``html_bytes``, ``html_open`` (the page's
        opening time in Chromium, :func:`~glocal_cli.bench.html_open.html_open_time`),
        ``peak_rss_mb`` (the report process), ``peak_rss_tree_mb`` (with its largest
        worker), ``bootstrap_replicates``, ``null_replicates`` and more, or ``error``
        when the child failed or took longer than 15 minutes; always ``wall_s`` and
        ``options``.
    """
    options = {"sensitivity": sensitivity}
    say(f"{graph.name}: pivotal report ({options}) in a child process")
    context = multiprocessing.get_context("spawn")
    page = Path(tempfile.mkdtemp(prefix="glocal-bench-")) / f"{graph.name}.html"
    receiver, sender = context.Pipe(duplex=False)
    started = time.perf_counter()
    process = context.Process(
        target=_report_child,
        args=(str(graph.store.path), graph.store.version, sensitivity, str(page), sender),
        name="glocal-bench-report",
    )
    process.start()
    sender.close()
    try:
        result: dict[str, Any] = receiver.recv() if receiver.poll(900) else {"error": "timeout"}
    except EOFError:
        process.join(30)
        result = {"error": f"the report process died (exit code {process.exitcode})"}
    process.join(30)
    if process.is_alive():
        process.kill()
        process.join(10)
    result["wall_s"] = time.perf_counter() - started
    result["options"] = options
    if page.exists():
        result["html_open"] = html_open_time(page)
        shutil.rmtree(page.parent)
    if "seconds" in result:
        seconds, peak = result["seconds"], result["peak_rss_tree_mb"]
        say(f"{graph.name}: report in {seconds:.1f}s, peak RSS {peak:.0f} MB (process tree)")
    return result
