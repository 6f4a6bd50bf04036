"""What one bench run measures, and how hard: :class:`BenchOptions`."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

__all__ = ["BenchOptions"]


@dataclass(frozen=True)
class BenchOptions:
    """What one bench run measures, and how hard.

    Use :meth:`full_run` or :meth:`quick_run` for the two standard sizes.
    """

    out: Path = Path("bench-results")
    quick: bool = False
    synthetic_cities: int = 20_000
    #: Cities of the smaller synthetic graph that SHACL validation runs on.
    validation_cities: int = 1_000
    #: Rows of the membership CSV that ``glocal import`` is timed on.
    import_rows: int = 5_000
    validate_curated: bool = True
    skip_virtuoso: bool = False
    skip_rdflib_endpoint: bool = False
    #: Query worker processes of each glocal server.
    workers: int = 4
    #: Most timed repetitions per query and mode, and the time budget that stops
    #: repeating earlier (at least ``min_reps`` are taken, or one for slow queries).
    reps: int = 60
    budget_s: float = 1.0
    min_reps: int = 3
    #: A query slower than this (in-process, first run) is timed once per mode.
    slow_query_s: float = 2.0
    #: Queries in the throughput mix must run under this in-process p50.
    throughput_query_max_ms: float = 250.0
    clients: tuple[int, ...] = (8, 32)
    #: Seconds of each load test (wrk counts whole seconds).
    throughput_s: float = 5.0
    aggregation_reps: int = 30
    aggregation_budget_s: float = 2.0
    rdflib_reps: int = 10
    rdflib_budget_s: float = 15.0
    report: bool = True
    #: Time ``glocal report pivotal`` on the full synthetic graph too (minutes at 20,000
    #: cities); the curated graph and 2,000 and 5,000 synthetic cities are always timed.
    report_synthetic: bool = False

    @classmethod
    def full_run(cls, **overrides: Any) -> BenchOptions:
        """The standard run: about 540k quads of synthetic data, under ~10 minutes on 2 cores."""
        return replace(cls(), **overrides)

    @classmethod
    def quick_run(cls, **overrides: Any) -> BenchOptions:
        """A tiny run for tests: small graphs, few repetitions, short throughput runs.

        >>> BenchOptions.quick_run().synthetic_cities
        150
        """
        base = cls(
            quick=True,
            synthetic_cities=150,
            validation_cities=40,
            import_rows=50,
            validate_curated=False,
            workers=2,
            reps=5,
            budget_s=0.2,
            min_reps=2,
            throughput_s=1.0,
            aggregation_reps=5,
            aggregation_budget_s=0.3,
            rdflib_reps=3,
            rdflib_budget_s=2.0,
            report=False,
        )
        return replace(base, **overrides)
