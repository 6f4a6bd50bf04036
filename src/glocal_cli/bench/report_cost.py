"""What the pivotal report costs as users run it: ``glocal report pivotal`` with the
CLI's defaults (layer sensitivity, bootstrap and leave-one-source-out intervals, the
null model), timed from outside, with the peak memory of its whole process tree.

The memory is sampled from ``/proc`` over the command and every process it starts
(:func:`~glocal_cli.bench.processes.run_measured`), not read from ``ru_maxrss``, which
a child inherits across ``exec`` from the large bench process and which keeps only
the largest worker's peak. The report's own time is the one its progress prints
("report ready"); the rest of the command is loading the data and writing the HTML.
:func:`report_scale` times it on synthetic graphs of 2,000 and 5,000 cities, where
the exact measures run (:data:`~glocal.analysis.centrality.LARGE_GRAPH`): the bench's
goal is that the smaller graph costs less.
"""

from __future__ import annotations

import re
import sys
import tempfile
from itertools import pairwise
from pathlib import Path
from typing import Any

from glocal_cli.bench.graphs import write_synthetic_file
from glocal_cli.bench.html_open import html_open_time
from glocal_cli.bench.processes import run_measured
from glocal_cli.bench.timing import say

__all__ = ["REPORT_CITIES", "read_progress", "report_cost", "report_scale"]

#: Synthetic sizes the report is timed at: below and at the size where betweenness
#: turns from exact to sampled.
REPORT_CITIES = (2_000, 5_000)

_READY = re.compile(r"^\[\s*([\d.]+)s\] report ready$", re.MULTILINE)
_BOOTSTRAP = re.compile(r"bootstrap: (\d+) replicates")
_NULL = re.compile(r"null model: (\d+) curveball graphs")


def read_progress(stderr: str) -> dict[str, Any]:
    """The report's seconds and replicate counts, from ``glocal report``'s progress.

    Examples
    --------
    >>> read_progress("[   0.1s] bootstrap: 10 replicates\\n[  26.0s] report ready\\n")
    {'report_s': 26.0, 'bootstrap_replicates': 10, 'null_replicates': None}
    """
    found = {"report_s": _READY, "bootstrap_replicates": _BOOTSTRAP, "null_replicates": _NULL}
    result: dict[str, Any] = {}
    for key, pattern in found.items():
        match = pattern.search(stderr)
        number = match.group(1) if match else None
        result[key] = None if number is None else float(number) if "." in number else int(number)
    return result


def report_cost(name: str, files: list[Path], work: Path) -> dict[str, Any]:
    """Run ``glocal report pivotal FILES --out page.html`` with the CLI's defaults.

    Parameters
    ----------
    name
        The graph's name, for the progress messages.
    files
        Extra RDF files (next to the curated data), e.g. a synthetic graph.
    work
        A folder for the command's cache and the HTML page.

    Returns
    -------
    dict
        ``command_s`` (the whole command), ``report_s`` (the report alone),
        ``peak_tree_mb`` (the command and all its processes), ``html_bytes``,
        ``html_open`` (:func:`~glocal_cli.bench.html_open.html_open_time`),
        ``bootstrap_replicates`` and ``null_replicates``, or ``error`` with the end of
        the command's error output.
    """
    work.mkdir(parents=True, exist_ok=True)
    page = work / f"{name.replace(' ', '-')}.html"
    command = [sys.executable, "-m", "glocal_cli.main", "--cache-dir", str(work / "cache")]
    command += ["report", "pivotal", *map(str, files), "--out", str(page)]
    say(f"{name}: glocal report pivotal, as users run it")
    measured = run_measured(command, keep_stderr=True)
    stderr = measured.pop("stderr", "")
    if measured["returncode"] != 0:
        return {"error": measured["stderr_tail"], "command_s": measured["seconds"]}
    result: dict[str, Any] = {
        "command_s": measured["seconds"],
        **read_progress(stderr),
        "peak_tree_mb": measured["peak_tree_mb"],
        "html_bytes": page.stat().st_size,
        "html_open": html_open_time(page),
    }
    say(
        f"{name}: report in {result['report_s']}s (command {result['command_s']:.1f}s), "
        f"peak {result['peak_tree_mb']:.0f} MB (process tree)"
    )
    return result


def report_scale(cities: tuple[int, ...] = REPORT_CITIES) -> dict[str, Any]:
    """:func:`report_cost` on a synthetic graph of each size in ``cities``.

    Returns
    -------
    dict
        ``"<n> cities"`` to the measurement, plus ``smaller_costs_less``: whether each
        size's report took less time than the next larger one's (``None`` when one
        failed).
    """
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="glocal-bench-report-") as folder:
        for n in cities:
            work = Path(folder) / str(n)
            work.mkdir()
            data = write_synthetic_file(work, n)
            result[f"{n} cities"] = {"cities": n, **report_cost(f"{n} cities", [data], work)}
    times = [result[f"{n} cities"].get("report_s") for n in cities]
    known = [t for t in times if t is not None]
    result["smaller_costs_less"] = (
        all(a < b for a, b in pairwise(known)) if len(known) == len(times) else None
    )
    return result
