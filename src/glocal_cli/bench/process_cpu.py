"""CPU time of a server's process tree, read from ``/proc``: per request, split between
glocal's query workers and the rest (the HTTP processes), and waiting until it is idle."""

from __future__ import annotations

import os
import time
from pathlib import Path

__all__ = ["cpu_per_request", "process_tree", "tree_cpu_s", "wait_idle"]


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants, from the parent ids in ``/proc``."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def tree_cpu_s(pid: int | None) -> dict[str, float]:
    """CPU seconds used so far by ``pid`` and its descendants, from ``/proc``: ``total``,
    and ``query_workers``, the part of glocal's query workers and their fork server
    (:mod:`glocal.store.pool`; their command line names multiprocessing's
    ``forkserver``). A process that ended meanwhile is not counted; no process (``None``),
    nothing."""
    ticks = {"total": 0, "query_workers": 0}
    for member in process_tree(pid) if pid is not None else []:
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{member}/cmdline").read_bytes()
        except OSError:
            continue
        used = int(fields[11]) + int(fields[12])  # utime and stime, in clock ticks
        ticks["total"] += used
        if b"multiprocessing.forkserver" in command:
            ticks["query_workers"] += used
    return {key: value / os.sysconf("SC_CLK_TCK") for key, value in ticks.items()}


def wait_idle(pid: int | None, *, window_s: float = 0.5, timeout_s: float = 60.0) -> float:
    """Wait until ``pid``'s process tree uses under a tenth of a core over ``window_s``
    seconds (at most ``timeout_s``); the seconds waited (none for no process).

    A load generator that stops cuts the requests it had in flight, and the server
    replaces the query workers that ran them: each load test starts once that is over,
    so that it does not pay for the one before.
    """
    started = time.monotonic()
    if pid is None:
        return 0.0
    before = tree_cpu_s(pid)["total"]
    while time.monotonic() - started < timeout_s:
        time.sleep(window_s)
        now = tree_cpu_s(pid)["total"]
        if now - before < 0.1 * window_s:
            break
        before = now
    return time.monotonic() - started


def _per_request(cpu_s: float, requests: int) -> float | None:
    """Milliseconds of CPU per request; None for no request.

    >>> _per_request(1.5, 1000)
    1.5
    """
    return cpu_s * 1000 / requests if requests else None


def cpu_per_request(
    before: dict[str, float], after: dict[str, float], requests: int
) -> dict[str, float | None]:
    """Milliseconds of CPU per request between two :func:`tree_cpu_s` readings: the
    whole tree's, and the query workers' part; None for no request.

    >>> cpu_per_request({"total": 1.0, "query_workers": 0.5},
    ...                 {"total": 2.5, "query_workers": 1.5}, 1000)
    {'cpu_ms_per_request': 1.5, 'worker_cpu_ms_per_request': 1.0}
    """
    return {
        "cpu_ms_per_request": _per_request(after["total"] - before["total"], requests),
        "worker_cpu_ms_per_request": _per_request(
            after["query_workers"] - before["query_workers"], requests
        ),
    }
