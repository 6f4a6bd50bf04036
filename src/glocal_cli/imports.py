"""``glocal import``: check a researcher's own data (a CSV of memberships, or RDF) and store it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_parser", "run"]


def run(args: argparse.Namespace) -> int:
    from glocal.data.files import DataFiles
    from glocal.data.imports.csv_rows import read_mapping
    from glocal.data.problems import DataRejected
    from glocal.data.storage import default_imports_dir
    from glocal.formats import RDF_EXTENSIONS

    path: Path = args.file
    try:
        raw = path.read_bytes()
        mapping = args.mapping.read_bytes() if getattr(args, "mapping", None) else None
    except OSError as err:
        print(f"error: cannot read {err.filename}: {err.strerror}", file=sys.stderr)
        return 1
    # The curated files are validated by every other command; an import is checked
    # against them (and the other imports) without checking them again.
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


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
        kind.set_defaults(func=run)
    memberships.add_argument(
        "--mapping", type=Path, help='JSON giving your column names, e.g. {"city": "Municipality"}'
    )
