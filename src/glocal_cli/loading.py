"""What every command shares: progress messages, loading and validating, opening the store."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from glocal.data.validation import ValidationReport, validate_dataset
from glocal.dataset import Dataset, RDFSyntaxError, curated_files, load_files
from glocal.store import GraphStore

__all__ = [
    "add_store_options",
    "analysis_store",
    "load_and_validate",
    "open_store",
    "progress",
    "write_text",
]


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_and_validate(
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
    base = curated_files() if curated else reference_files()
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
        progress(
            f"parsed {len(paths)} files, {len(dataset.quads)} quads "
            f"in {time.perf_counter() - started:.2f}s (data version {dataset.version})"
        )
    if not validate:
        return dataset, None
    started = time.perf_counter()
    report = validate_dataset(dataset, cache_dir=cache_dir)
    if not quiet:
        progress(f"validated in {time.perf_counter() - started:.2f}s")
    if not report.conforms:
        print(f"{len(report.violations)} SHACL violation(s):", file=sys.stderr)
        for violation in report.violations:
            print(f"  - {violation}", file=sys.stderr)
        return None
    return dataset, report


def reference_files() -> list[Path]:
    """The ontology and public reference data, without the curated sources."""
    return [p for p in curated_files() if "sources" not in p.parts]


def analysis_store(args: argparse.Namespace) -> GraphStore | None:
    loaded = load_and_validate(
        args.files, args.cache_dir, curated=not args.without_curated, validate=not args.no_validate
    )
    if loaded is None:
        return None
    return open_store(loaded[0], args)  # type: ignore[arg-type]


def write_text(text: str, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        progress(f"wrote {out}")


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


def add_store_options(parser: argparse.ArgumentParser) -> None:
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
