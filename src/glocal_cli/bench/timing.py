"""Timing statistics of the bench: sampling, percentiles, summaries and ratios, and the
progress lines it writes to stderr, stamped with the time since the bench started."""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict

from pyoxigraph import QueryBoolean

from glocal.store import QueryResult

__all__ = ["Limits", "consume", "p50", "percentile", "ratio", "sample", "say", "timing_summary"]

_STARTED = time.perf_counter()


def say(message: str) -> None:
    """Write a progress line to stderr."""
    print(f"[bench {time.perf_counter() - _STARTED:7.1f}s] {message}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile by linear interpolation between closest ranks.

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50)
    2.5
    >>> percentile([5.0], 99)
    5.0
    >>> round(percentile(range(1, 101), 99), 2)
    99.01
    """
    ordered = sorted(values)
    if not ordered:
        raise ValueError("percentile of no values")
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def timing_summary(seconds: Sequence[float]) -> dict[str, float | int]:
    """p50, p99, mean, min and max in milliseconds, and the number of samples.

    >>> timing_summary([0.001, 0.002, 0.003])["p50_ms"]
    2.0
    """
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "p50_ms": percentile(ms, 50),
        "p99_ms": percentile(ms, 99),
        "mean_ms": sum(ms) / len(ms),
        "min_ms": min(ms),
        "max_ms": max(ms),
    }


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``, or ``None`` when either is missing or the denominator
    is not positive.

    >>> ratio(6.0, 2.0), ratio(None, 2.0), ratio(1.0, 0.0)
    (3.0, None, None)
    """
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def p50(section: Mapping[str, Any] | None) -> float | None:
    """The ``p50_ms`` of a :func:`timing_summary`, or ``None`` for a skipped section."""
    if not section or "p50_ms" not in section:
        return None
    value: float = section["p50_ms"]
    return value


class Limits(TypedDict):
    """How long :func:`sample` repeats: at most ``reps`` samples, stopping once ``budget``
    seconds are spent if ``min_reps`` were taken."""

    reps: int
    budget: float
    min_reps: int


def sample(
    run: Callable[[], object],
    *,
    reps: int,
    budget: float,
    min_reps: int,
    warmup: int = 1,
) -> list[float]:
    """Time ``run`` after ``warmup`` calls, until ``reps`` samples or the time budget
    (``budget`` seconds) is spent, taking at least ``min_reps``.

    >>> len(sample(lambda: None, reps=3, budget=10.0, min_reps=1))
    3
    """
    for _ in range(warmup):
        run()
    samples: list[float] = []
    deadline = time.perf_counter() + budget
    while len(samples) < reps and (len(samples) < min_reps or time.perf_counter() < deadline):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return samples


def consume(result: QueryResult) -> int:
    """Read every row (or triple) of a result; the number read."""
    if isinstance(result, QueryBoolean):
        return 1
    return sum(1 for _ in result)
