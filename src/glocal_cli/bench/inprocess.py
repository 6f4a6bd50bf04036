"""In-process query timings, taken in a fresh child process on request.

The bench process itself has parsed, validated and sent hundreds of megabytes over
HTTP by the time it times queries, and timings taken in it were seen to drift by tens
of percent: :class:`InProcessTimer` keeps a child process, as fresh as a query worker,
that times one job at a time when asked. Asking it between blocks of HTTP requests
(:func:`~glocal_cli.bench.latency.canned_latency`) times both under the same machine
load, which on a shared machine moves by more than the overhead being measured.
"""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import time
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from glocal.store import EmbeddedStore, serialize_result
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.timing import Limits, consume, sample

__all__ = ["CONSUME", "InProcessTimer", "Job", "time_in_process"]

#: The ``kind`` of a job that reads every row (or triple) of the result.
CONSUME = "consume"

#: A query to time in-process: ``(key, sparql, kind)``; ``kind`` is :data:`CONSUME`
#: (read every row) or a media type to serialize the result in, as a server would.
Job = tuple[str, str, str]


def _run(store: EmbeddedStore, sparql: str, kind: str) -> int:
    """Run one job once: rows read, or bytes written."""
    if kind == CONSUME:
        return consume(store.query(sparql))
    buffer = io.BytesIO()
    serialize_result(store.query(sparql), buffer, kind)
    return buffer.tell()


def _timer_child(store_path: str, version: str, conn: Connection) -> None:
    """Child process: time each job it is sent, until it is sent None.

    A request is ``(sparql, kind, limits, slow_s)``: one run first (its size and time
    are sent back), then samples as :func:`~glocal_cli.bench.timing.sample` takes them,
    unless the first run took longer than ``slow_s``, which is then the one sample; a
    query whose ``min_reps`` runs would overrun the budget takes one at least. A
    failure ends the process with its traceback on stderr.
    """
    store = EmbeddedStore(Path(store_path), version, workers=1)
    try:
        while (request := conn.recv()) is not None:
            sparql, kind, limits, slow_s = request
            started = time.perf_counter()
            size = _run(store, sparql, kind)
            first_s = time.perf_counter() - started
            slow = first_s > slow_s
            if first_s * limits["min_reps"] > limits["budget"]:
                limits = {**limits, "min_reps": 1}
            samples = (
                [first_s]
                if slow
                else sample(partial(_run, store, sparql, kind), warmup=0, **limits)
            )
            conn.send({"rows": size, "first_s": first_s, "slow": slow, "samples": samples})
    finally:
        store.close()
        conn.close()


class InProcessTimer:
    """A child process that times queries on a store in-process (``EmbeddedStore.query``).

    Use it as a context manager; :meth:`time` times one job. Each job's first run is
    its warm-up and is reported apart (``first_s``).
    """

    def __init__(self, store: EmbeddedStore) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_timer_child,
            args=(str(store.path), store.version, child),
            name="glocal-bench-inprocess",
        )
        self._process.start()
        child.close()

    def time(self, sparql: str, kind: str, limits: Limits, *, slow_s: float) -> dict[str, Any]:
        """Time one query: ``rows`` (or bytes written), ``first_s``, ``slow`` (the first
        run took longer than ``slow_s`` and is the one sample) and ``samples`` in seconds.

        Raises
        ------
        RuntimeError
            If the query failed (the child process died; its traceback is on stderr).
        """
        try:
            self._conn.send((sparql, kind, limits, slow_s))
            result: dict[str, Any] = self._conn.recv()
        except (EOFError, OSError):
            self._process.join(30)
            raise RuntimeError(
                f"in-process timings failed: the timing process died "
                f"({self._process.exitcode}); its traceback is above"
            ) from None
        return result

    def close(self) -> None:
        """Stop the child process."""
        with contextlib.suppress(OSError):  # it died already
            self._conn.send(None)
        self._conn.close()
        self._process.join(30)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(10)

    def __enter__(self) -> InProcessTimer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def time_in_process(store: EmbeddedStore, jobs: list[Job], options: BenchOptions) -> dict[str, Any]:
    """Time each job in one fresh child process (:class:`InProcessTimer`), with the
    repetitions and budget of ``options``.

    Returns
    -------
    dict
        Per job key: ``rows``, ``first_s``, ``slow`` and the ``samples`` in seconds.

    Raises
    ------
    RuntimeError
        If a query fails (the child process dies).
    """
    limits: Limits = {
        "reps": options.reps,
        "budget": options.budget_s,
        "min_reps": options.min_reps,
    }
    with InProcessTimer(store) as timer:
        return {
            key: timer.time(sparql, kind, limits, slow_s=options.slow_query_s)
            for key, sparql, kind in jobs
        }
