"""The ``glocal`` command line: validate, serve, query, report, export, synth, import, bench."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from glocal.loading import Dataset, RDFSyntaxError, curated_files, load_files
from glocal.store import GraphStore, default_cache_dir
from glocal.validate import ValidationReport, validate_dataset

__all__ = ["main"]


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _load_and_validate(
    files: Sequence[str], cache_dir: Path | None, *, quiet: bool = False
) -> tuple[object, ValidationReport] | None:
    """Parse and validate; print problems and return None when the graph is not usable."""
    paths = curated_files() + [Path(f) for f in files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"error: no such file: {', '.join(missing)}", file=sys.stderr)
        return None
    started = time.perf_counter()
    try:
        dataset = load_files(paths)
    except RDFSyntaxError as err:
        print(f"error: malformed RDF: {err}", file=sys.stderr)
        return None
    if not quiet:
        _progress(
            f"parsed {len(paths)} files, {len(dataset.quads)} quads "
            f"in {time.perf_counter() - started:.2f}s (data version {dataset.version})"
        )
    started = time.perf_counter()
    report = validate_dataset(dataset, cache_dir=cache_dir)
    if not quiet:
        _progress(f"validated in {time.perf_counter() - started:.2f}s")
    if not report.conforms:
        print(f"{len(report.violations)} SHACL violation(s):", file=sys.stderr)
        for violation in report.violations:
            print(f"  - {violation}", file=sys.stderr)
        return None
    return dataset, report


def _cmd_validate(args: argparse.Namespace) -> int:
    loaded = _load_and_validate(args.files, None if args.no_cache else args.cache_dir)
    if loaded is None:
        return 1
    dataset, _ = loaded
    from glocal.summary import summarize

    print(summarize(dataset))  # type: ignore[arg-type]
    if args.store:
        # Validated data is what goes into an external engine, and only then.
        store = open_store(dataset, args)  # type: ignore[arg-type]
        print(f"the engine at {args.store} holds data version {store.version}")
        store.close()
    return 0


def open_store(dataset: Dataset, args: argparse.Namespace) -> GraphStore:
    """The embedded store, or the remote engine named by ``--store`` (loaded if stale).

    Credentials for the engine come from ``$GLOCAL_STORE_USER`` and
    ``$GLOCAL_STORE_PASSWORD``, never from the command line, so they stay out of shell
    history and process listings.
    """
    if not getattr(args, "store", None):
        from glocal.store import EmbeddedStore

        return EmbeddedStore.open(dataset, cache_dir=args.cache_dir, workers=args.workers)
    import httpx

    from glocal.remote import RemoteStore

    user = os.environ.get("GLOCAL_STORE_USER")
    auth = httpx.DigestAuth(user, os.environ.get("GLOCAL_STORE_PASSWORD", "")) if user else None
    return RemoteStore.open(
        dataset,
        args.store,
        update_url=args.store_update_url,
        graph_store_url=args.store_graph_store_url,
        auth=auth,
        timeout=getattr(args, "timeout", 30.0),
    )


def _add_store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store",
        metavar="URL",
        help="use an external SPARQL 1.1 engine (its query endpoint) instead of the embedded store",
    )
    parser.add_argument("--store-update-url", metavar="URL", help="the engine's update endpoint")
    parser.add_argument(
        "--store-graph-store-url", metavar="URL", help="the engine's Graph Store Protocol endpoint"
    )
    parser.add_argument("--workers", type=int, default=4, help="query worker processes")


def _cmd_serve(args: argparse.Namespace) -> int:
    loaded = _load_and_validate(args.files, args.cache_dir)
    if loaded is None:
        return 1
    dataset, _ = loaded
    import uvicorn

    from glocal_api.app import Settings, create_app

    store = open_store(dataset, args)  # type: ignore[arg-type]
    settings = Settings(
        timeout=args.timeout,
        max_query_bytes=args.max_query_bytes,
        update_token=args.update_token if args.enable_update else None,
        federation_allow=tuple(args.federation_allow or ()),
    )
    app = create_app(store, settings)
    print(f"glocal: serving http://{args.host}:{args.port}/ (SPARQL at /sparql)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    store.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the docs test to list commands)."""
    parser = argparse.ArgumentParser(prog="glocal", description=__doc__)
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
    _add_store_options(validate)
    validate.set_defaults(func=_cmd_validate)

    serve = sub.add_parser("serve", help="validate, then serve the SPARQL endpoint and web UI")
    serve.add_argument("files", nargs="*", help="extra RDF files to load and serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--timeout", type=float, default=30.0, help="query time limit, seconds")
    _add_store_options(serve)
    serve.add_argument("--max-query-bytes", type=int, default=1_000_000)
    serve.add_argument("--enable-update", action="store_true", help="accept SPARQL Update")
    serve.add_argument("--update-token", help="bearer token required for updates")
    serve.add_argument(
        "--federation-allow",
        action="append",
        metavar="IRI",
        help="allow SERVICE calls to this endpoint (repeatable); federation is off otherwise",
    )
    serve.set_defaults(func=_cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``glocal`` console script."""
    args = build_parser().parse_args(argv)
    if getattr(args, "enable_update", False) and not args.update_token:
        print("error: --enable-update needs --update-token", file=sys.stderr)
        return 2
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
