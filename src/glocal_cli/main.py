"""The ``glocal`` command line: validate, serve, import, query, report, export, synth, bench."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from glocal.data.validation import ENGINES
from glocal.store import StoreUnavailable, default_cache_dir
from glocal_cli import analysis, imports
from glocal_cli import query as query_command
from glocal_cli import serve as serve_command
from glocal_cli import validate as validate_command
from glocal_cli.loading import add_store_options

__all__ = ["build_parser", "main"]


class _Parser(argparse.ArgumentParser):
    """No abbreviated options: ``--update-token`` must not quietly mean
    ``--update-token-file`` (a secret typed on the command line is refused, not read)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the docs test to list commands)."""
    parser: argparse.ArgumentParser = _Parser(prog="glocal", description=__doc__)
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=default_cache_dir(),
        help="where stores and validation results are cached (default: %(default)s)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="validate the ontology, data and extra RDF files")
    validate.add_argument("files", nargs="*", help="extra RDF files to validate with the graph")
    validate.add_argument("--no-cache", action="store_true", help="ignore cached results")
    validate.add_argument(
        "--engine",
        choices=ENGINES,
        default="native",
        help="SHACL engine: the native one, or pySHACL, the reference (default: %(default)s)",
    )
    add_store_options(validate)
    validate.set_defaults(func=validate_command.run)

    serve = sub.add_parser("serve", help="validate, then serve the SPARQL endpoint and web UI")
    serve.add_argument("files", nargs="*", help="extra RDF files to load and serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--timeout", type=float, default=30.0, help="query time limit, seconds")
    add_store_options(serve)
    serve.add_argument("--max-query-bytes", type=int, default=1_000_000)
    serve.add_argument(
        "--max-queries-per-client",
        type=int,
        default=8,
        metavar="N",
        help="queries one client address may have running at once; more get 429",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=4096,
        metavar="N",
        help="open connections at most, per HTTP process; more are answered 503 and closed",
    )
    serve.add_argument(
        "--header-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="time a client has to send a request's headers",
    )
    serve.add_argument(
        "--body-timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="time a client has to send a request's body, after its headers",
    )
    serve.add_argument(
        "--http-workers",
        type=int,
        metavar="N",
        help="HTTP server processes, sharing the query workers and the per-client limit "
        "(default: one per usable core, at most 8); --reload, --enable-update, --store and "
        "the admin routes serve from one process",
    )
    serve.add_argument("--enable-update", action="store_true", help="accept SPARQL Update")
    serve.add_argument(
        "--update-token-file",
        type=Path,
        metavar="PATH",
        help="the bearer token updates need, read from this file (or set "
        "GLOCAL_UPDATE_TOKEN); never given on the command line",
    )
    serve.add_argument(
        "--federation-allow",
        action="append",
        metavar="IRI",
        help="allow SERVICE calls to this endpoint (repeatable); federation is off otherwise",
    )
    serve.add_argument(
        "--reload", action="store_true", help="watch the data files and reload when they change"
    )
    serve.add_argument(
        "--admin-token-file",
        type=Path,
        metavar="PATH",
        help="turn on /admin/import and /admin/reload with the token in this file "
        "(or set GLOCAL_ADMIN_TOKEN); they are off otherwise",
    )
    serve.set_defaults(func=serve_command.run)
    imports.add_parser(sub)
    query_command.add_parser(sub)
    # The bench command's options and body live in glocal_cli.bench.
    from glocal_cli.bench.command import configure_parser as configure_bench

    configure_bench(sub.add_parser("bench", help="benchmark load, queries, HTTP and engines"))
    analysis.add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``glocal`` console script."""
    args = build_parser().parse_args(argv)
    # Start-up failures anyone can fix get one line saying how, not a traceback.
    try:
        result: int = args.func(args)
    except StoreUnavailable as err:
        print(
            f"error: {err}; start the engine or check --store {getattr(args, 'store', '')}",
            file=sys.stderr,
        )
        return 1
    except OSError as err:
        if err.filename is None:
            raise
        print(
            f"error: cannot use {err.filename}: {err.strerror}; pass --cache-dir or set "
            "GLOCAL_CACHE_DIR to a folder you can write to",
            file=sys.stderr,
        )
        return 1
    return result


if __name__ == "__main__":
    sys.exit(main())
