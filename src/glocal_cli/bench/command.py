"""``glocal bench`` on the command line: its options, and the command that runs the bench
and prints whether each goal was met."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from glocal_cli.bench.options import BenchOptions

__all__ = ["configure_parser"]


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Add ``glocal bench``'s options to a (sub)parser and set its command."""
    parser.add_argument(
        "--out", type=Path, default=Path("bench-results"), help="folder for bench.json and bench.md"
    )
    parser.add_argument("--quick", action="store_true", help="a tiny run (for tests)")
    parser.add_argument(
        "--synthetic-cities",
        type=int,
        default=None,
        metavar="N",
        help="cities of the synthetic graph (default 20000; 150 with --quick)",
    )
    parser.add_argument("--skip-virtuoso", action="store_true", help="do not start Virtuoso")
    parser.add_argument(
        "--skip-rdflib-endpoint", action="store_true", help="do not start rdflib-endpoint"
    )
    parser.set_defaults(func=_command)


def _command(args: argparse.Namespace) -> int:
    # The bench imports the report, SciPy and the servers: 3 s that every other
    # command would pay at start-up if this module imported them.
    from glocal_cli.bench.markdown import verdict
    from glocal_cli.bench.run import run_bench

    overrides: dict[str, Any] = {
        "out": args.out,
        "skip_virtuoso": args.skip_virtuoso,
        "skip_rdflib_endpoint": args.skip_rdflib_endpoint,
    }
    if args.synthetic_cities is not None:
        if args.synthetic_cities < 2:
            print("error: --synthetic-cities needs at least 2", file=sys.stderr)
            return 2
        overrides["synthetic_cities"] = args.synthetic_cities
    options = (
        BenchOptions.quick_run(**overrides) if args.quick else BenchOptions.full_run(**overrides)
    )
    result = run_bench(options)
    goals = result["goals"]
    for name, graph_goals in goals.items():
        summary = ", ".join(f"{k}: {verdict(v['met']).strip('*')}" for k, v in graph_goals.items())
        print(f"{name}: {summary}")
    print(f"wrote {options.out / 'bench.json'} and {options.out / 'bench.md'}")
    return 0
