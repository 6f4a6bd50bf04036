"""The ``glocal`` command line: validate, serve, import, report, export, synth and bench."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from glocal.data.validation import ValidationReport, validate_dataset
from glocal.dataset import Dataset, RDFSyntaxError, curated_files, load_files
from glocal.store import GraphStore, default_cache_dir

__all__ = ["main"]


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _load_and_validate(
    files: Sequence[str],
    cache_dir: Path | None,
    *,
    quiet: bool = False,
    curated: bool = True,
    validate: bool = True,
) -> tuple[object, ValidationReport | None] | None:
    """Parse and validate; print problems and return None when the graph is not usable.

    ``curated=False`` loads only the ontology and reference data with the given files
    (a synthetic or a researcher's own graph); ``validate=False`` skips SHACL, which
    pySHACL cannot do in reasonable time on hundreds of thousands of triples.
    """
    base = curated_files() if curated else _reference_files()
    paths = base + [Path(f) for f in files]
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
    if not validate:
        return dataset, None
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


def _reference_files() -> list[Path]:
    """The ontology and public reference data, without the curated sources."""
    return [p for p in curated_files() if "sources" not in p.parts]


def _analysis_store(args: argparse.Namespace) -> GraphStore | None:
    loaded = _load_and_validate(
        args.files, args.cache_dir, curated=not args.without_curated, validate=not args.no_validate
    )
    if loaded is None:
        return None
    return open_store(loaded[0], args)  # type: ignore[arg-type]


def _write_text(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        _progress(f"wrote {out}")


def _cmd_report(args: argparse.Namespace) -> int:
    from glocal.report.build import (
        pivotal_report,
        render_csv,
        render_html,
        render_json,
        render_markdown,
    )

    store = _analysis_store(args)
    if store is None:
        return 1
    try:
        report = pivotal_report(store, layers=args.layers, top=args.top, progress=_progress)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    finally:
        store.close()
    render = {"html": render_html, "md": render_markdown, "csv": render_csv, "json": render_json}
    _write_text(render[args.format](report), args.out)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from glocal.analysis.graph import city_graph
    from glocal.report.export import write_graph

    store = _analysis_store(args)
    if store is None:
        return 1
    try:
        graph = city_graph(store, layers=args.layers)
    finally:
        store.close()
    for path in write_graph(graph, args.out, format=args.format):
        _progress(f"wrote {path}")
    return 0


def _cmd_synth(args: argparse.Namespace) -> int:
    from glocal.data.synth import write_synthetic

    args.out.mkdir(parents=True, exist_ok=True)
    path = write_synthetic(
        args.out, cities=args.cities, networks=args.networks, seed=args.seed, progress=_progress
    )
    print(path)
    return 0


def _add_analysis_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from glocal.analysis.graph import LAYERS

    def common(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("files", nargs="*", help="extra RDF files to include")
        parser.add_argument(
            "--layers", nargs="+", choices=LAYERS, help="layers of ties (default: all)"
        )
        parser.add_argument(
            "--without-curated",
            action="store_true",
            help="use only the ontology, reference data and FILES (e.g. a synthetic graph)",
        )
        parser.add_argument(
            "--no-validate", action="store_true", help="skip SHACL (for very large graphs)"
        )
        _add_store_options(parser)

    report = sub.add_parser("report", help="network reports")
    kinds = report.add_subparsers(dest="report", required=True)
    pivotal = kinds.add_parser("pivotal", help="which cities are pivotal, and why")
    common(pivotal)
    pivotal.add_argument("--format", choices=["html", "md", "csv", "json"], default="html")
    pivotal.add_argument("--out", type=Path, help="file to write (default: stdout)")
    pivotal.add_argument("--top", type=int, help="list only the first N cities")
    pivotal.set_defaults(func=_cmd_report)

    export = sub.add_parser("export", help="the city network for Gephi and other tools")
    common(export)
    export.add_argument("--format", choices=["graphml", "gexf", "csv"], required=True)
    export.add_argument("--out", type=Path, required=True, help="file (or folder for csv)")
    export.set_defaults(func=_cmd_export)

    synth = sub.add_parser("synth", help="write a synthetic graph of researcher scale")
    synth.add_argument("--cities", type=int, default=20_000)
    synth.add_argument("--networks", type=int, default=1_000)
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--out", type=Path, required=True, help="folder to write into")
    synth.set_defaults(func=_cmd_synth)


def _cmd_validate(args: argparse.Namespace) -> int:
    loaded = _load_and_validate(args.files, None if args.no_cache else args.cache_dir)
    if loaded is None:
        return 1
    dataset, _ = loaded
    from glocal.views.counts import summarize

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

    from glocal.store.remote import RemoteStore

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

    # Imports, admin routes and --reload: see glocal.data.imports and api/admin.py.
    try:
        admin_token = _admin_token(args)
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    from glocal.data.imports import DataFiles, DataRejected, default_imports_dir

    if args.store and (args.reload or admin_token):
        print("error: --reload and the admin routes need the embedded store", file=sys.stderr)
        return 2
    data = DataFiles(
        args.imports_dir or default_imports_dir(args.cache_dir),
        extra=args.files,
        cache_dir=args.cache_dir,
        workers=args.workers,
    )
    try:
        dataset = data.load()  # the curated files (validated above, so cached) plus imports
    except DataRejected as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    store = open_store(dataset, args)  # type: ignore[arg-type]
    settings = Settings(
        timeout=args.timeout,
        max_query_bytes=args.max_query_bytes,
        update_token=args.update_token if args.enable_update else None,
        federation_allow=tuple(args.federation_allow or ()),
        admin_token=admin_token,
        data=None if args.store else data,
    )
    app = create_app(store, settings)
    # Watch the files, and log reloads and imports.
    from glocal_api.admin import Watcher

    logger = logging.getLogger("glocal.admin")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("glocal: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    watcher = Watcher(app).start() if args.reload else None
    extras = ["admin routes on"] * bool(admin_token) + ["reloading on file changes"] * args.reload
    print(
        f"glocal: serving http://{args.host}:{args.port}/ (SPARQL at /sparql"
        + "".join(f"; {e}" for e in extras)
        + ")",
        flush=True,
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    if watcher is not None:
        watcher.stop()
    app.state.runtime.store.close()
    return 0


def _admin_token(args: argparse.Namespace) -> str | None:
    """The admin token, from ``--admin-token-file`` or ``$GLOCAL_ADMIN_TOKEN``.

    Never from the command line itself, so it stays out of shell history and process
    listings; and it is never printed.
    """
    if args.admin_token_file is not None:
        token = Path(args.admin_token_file).read_text(encoding="utf-8").strip()
        if not token:
            raise ValueError(f"the admin token file {args.admin_token_file} is empty")
        return token
    return os.environ.get("GLOCAL_ADMIN_TOKEN") or None


def _cmd_import(args: argparse.Namespace) -> int:
    from glocal.data.imports import DataFiles, DataRejected, default_imports_dir, read_mapping
    from glocal.formats import RDF_EXTENSIONS

    path: Path = args.file
    try:
        raw = path.read_bytes()
        mapping = args.mapping.read_bytes() if getattr(args, "mapping", None) else None
    except OSError as err:
        print(f"error: cannot read {err.filename}: {err.strerror}", file=sys.stderr)
        return 1
    # The curated files are validated by `glocal validate` and `glocal serve`; an import
    # is checked against them (and the other imports) without checking them again.
    files = DataFiles(
        args.imports_dir or default_imports_dir(args.cache_dir),
        cache_dir=args.cache_dir,
        check_base=False,
    )
    try:
        if args.kind == "memberships":
            result = files.import_memberships(
                raw,
                file_name=path.name,
                name=args.name,
                mapping=read_mapping(mapping, file_name=str(args.mapping)) if mapping else None,
                graph=args.graph,
                source_label=args.source_label,
                out=args.out,
            )
        else:
            fmt = RDF_EXTENSIONS.get(path.suffix.lower())
            if fmt is None:
                known = ", ".join(sorted(RDF_EXTENSIONS))
                print(f"error: {path.name}: unknown RDF extension; use {known}", file=sys.stderr)
                return 1
            result = files.import_rdf(
                raw,
                file_name=path.name,
                fmt=fmt,
                name=args.name,
                graph=args.graph,
                source_label=args.source_label,
                out=args.out,
            )
    except DataRejected as err:
        print(f"error: {err}\nnothing was stored.", file=sys.stderr)
        return 1
    what = "memberships" if args.kind == "memberships" else "triples"
    print(f"imported {result.facts} {what} from {path.name} into graph <{result.graph}>")
    print(f"stored as {result.path}")
    if args.out is None:
        print("`glocal serve` loads it; a running server reloads with --reload or /admin/reload")
    return 0


def _add_import_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "import", help="check your own data (a CSV of memberships, or RDF) and store it"
    )
    kinds = parser.add_subparsers(dest="kind", required=True)
    memberships = kinds.add_parser(
        "memberships",
        help="a CSV with columns city, country, network[, role, since, source, geonames]",
    )
    rdf = kinds.add_parser(
        "rdf", help="an RDF file (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML)"
    )
    for kind in (memberships, rdf):
        kind.add_argument("file", type=Path)
        kind.add_argument("--name", help="a slug naming the import (default: from the file name)")
        kind.add_argument(
            "--graph", metavar="IRI", help="the graph IRI (default: id:import/<name>-<hash>)"
        )
        kind.add_argument(
            "--source-label", help="the imported source's title (default: the file name)"
        )
        kind.add_argument("--out", type=Path, help="write the TriG here instead of storing it")
        kind.add_argument(
            "--imports-dir",
            type=Path,
            help="folder of stored imports (default: <cache-dir>/imports)",
        )
        kind.set_defaults(func=_cmd_import)
    memberships.add_argument(
        "--mapping", type=Path, help='JSON giving your column names, e.g. {"city": "Municipality"}'
    )


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
    serve.add_argument(
        "--imports-dir", type=Path, help="folder of stored imports (default: <cache-dir>/imports)"
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
    serve.set_defaults(func=_cmd_serve)
    _add_import_parser(sub)
    # The bench command's options and body live in glocal_cli.bench.
    from glocal_cli.bench import configure_parser as configure_bench

    configure_bench(sub.add_parser("bench", help="benchmark load, queries, HTTP and engines"))
    _add_analysis_parsers(sub)
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
