"""``glocal report``, ``export`` and ``synth``: the network analysis on the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from glocal_cli.loading import add_store_options, analysis_store, progress, write_text

__all__ = ["add_parsers"]


def _cmd_report(args: argparse.Namespace) -> int:
    from glocal.report.build import pivotal_report
    from glocal.report.html import render_html
    from glocal.report.text import render_csv, render_json, render_markdown

    store = analysis_store(args)
    if store is None:
        return 1
    try:
        report = pivotal_report(
            store,
            layers=args.layers,
            top=args.top,
            seed=args.seed,
            bootstrap=args.bootstrap,
            null=args.null,
            progress=progress,
        )
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    finally:
        store.close()
    render = {"html": render_html, "md": render_markdown, "csv": render_csv, "json": render_json}
    write_text(render[args.format](report), args.out)
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from glocal.report.export import analyst_graph, write_graph

    store = analysis_store(args)
    if store is None:
        return 1
    try:
        graph = analyst_graph(store, graph=args.graph, layers=args.layers)
    finally:
        store.close()
    for path in write_graph(graph, args.out, format=args.format):
        progress(f"wrote {path}")
    return 0


def _cmd_synth(args: argparse.Namespace) -> int:
    from glocal.data.synth import write_synthetic

    args.out.mkdir(parents=True, exist_ok=True)
    path = write_synthetic(
        args.out, cities=args.cities, networks=args.networks, seed=args.seed, progress=progress
    )
    print(path)
    return 0


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
        add_store_options(parser)

    report = sub.add_parser("report", help="network reports")
    kinds = report.add_subparsers(dest="report", required=True)
    pivotal = kinds.add_parser("pivotal", help="which cities are pivotal, and why")
    common(pivotal)
    pivotal.add_argument("--format", choices=["html", "md", "csv", "json"], default="html")
    pivotal.add_argument("--out", type=Path, help="file to write (default: stdout)")
    pivotal.add_argument("--top", type=int, help="list only the first N cities")
    pivotal.add_argument(
        "--seed", type=int, default=0, help="seed of the bootstrap and null model (default 0)"
    )
    pivotal.add_argument(
        "--bootstrap",
        type=int,
        help="bootstrap replicates over facts (default 200; 10 above 200 nodes)",
    )
    pivotal.add_argument(
        "--null", type=int, help="curveball null graphs (default 500; 5 above 200 nodes)"
    )
    pivotal.set_defaults(func=_cmd_report)

    export = sub.add_parser("export", help="the city network for Gephi and other tools")
    common(export)
    export.add_argument("--format", choices=["graphml", "gexf", "pajek", "csv"], required=True)
    export.add_argument(
        "--graph",
        choices=["bipartite", "projection", "backbone"],
        default="bipartite",
        help="cities and what ties them, the city-city projection, or its significance backbone",
    )
    export.add_argument("--out", type=Path, required=True, help="file (or folder for csv)")
    export.set_defaults(func=_cmd_export)

    synth = sub.add_parser("synth", help="write a synthetic graph of researcher scale")
    synth.add_argument("--cities", type=int, default=20_000)
    synth.add_argument("--networks", type=int, default=1_000)
    synth.add_argument("--seed", type=int, default=0)
    synth.add_argument("--out", type=Path, required=True, help="folder to write into")
    synth.set_defaults(func=_cmd_synth)
