"""What every command shares: progress messages, loading the served data, opening the store.

Every command loads what it uses through :class:`glocal.data.files.DataFiles` (curated
or reference files, extra files, stored imports); :func:`load_data` only reports.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from glocal.data.files import DataFiles
from glocal.data.problems import (
    InvalidDataFiles,
    MalformedDataFiles,
    MissingDataFiles,
    NonconformingData,
)
from glocal.data.storage import default_imports_dir
from glocal.data.validation import InvalidShapes, UnsupportedShapes
from glocal.dataset import Dataset
from glocal.store import GraphStore
from glocal.store.pool import DEFAULT_MEMORY_MB

__all__ = [
    "add_store_options",
    "analysis_store",
    "data_files",
    "load_data",
    "open_store",
    "progress",
    "write_text",
]


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def data_files(
    args: argparse.Namespace,
    *,
    curated: bool = True,
    validate: bool = True,
    cache_checks: bool = True,
) -> DataFiles:
    """The files a command serves or analyses: its ``FILES``, ``--imports-dir`` and cache.

    ``curated=False`` loads only the ontology and reference data with the given files
    (a synthetic or a researcher's own graph); ``validate=False`` skips SHACL for data
    the researcher trusts. ``--engine`` (``glocal validate``) picks the SHACL engine.
    """
    return DataFiles(
        args.imports_dir or default_imports_dir(args.cache_dir),
        extra=args.files,
        cache_dir=args.cache_dir,
        workers=args.workers,
        curated=curated,
        validate=validate,
        cache_checks=cache_checks,
        engine=getattr(args, "engine", "native"),
    )


def load_data(data: DataFiles, *, skip_broken: bool = False) -> Dataset | None:
    """Load and check; print progress, or the problems and None when the graph is not usable.

    ``skip_broken`` serves the rest when a stored import cannot be used, with a warning
    naming it (``glocal serve`` at start-up).
    """
    try:
        dataset = data.load(progress=progress, skip_broken=skip_broken)
    except MissingDataFiles as err:
        print(f"error: no such file: {', '.join(str(p) for p in err.paths)}", file=sys.stderr)
    except MalformedDataFiles as err:
        for error in err.errors:
            print(f"error: malformed RDF: {error}", file=sys.stderr)
    except NonconformingData as err:
        print(f"{len(err.report.violations)} SHACL violation(s):", file=sys.stderr)
        for violation in err.report.violations:
            print(f"  - {violation}", file=sys.stderr)
    except (InvalidDataFiles, InvalidShapes, UnsupportedShapes) as err:
        print(f"error: {err}", file=sys.stderr)
    else:
        for skipped in data.skipped:
            print(f"warning: {skipped}", file=sys.stderr)
        return dataset
    return None


def analysis_store(args: argparse.Namespace) -> GraphStore | None:
    """The store of what ``glocal report`` and ``export`` analyse, or None (reported)."""
    data = data_files(args, curated=not args.without_curated, validate=not args.no_validate)
    dataset = load_data(data)
    return None if dataset is None else open_store(dataset, args)


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

        return EmbeddedStore.open(
            dataset,
            cache_dir=args.cache_dir,
            workers=args.workers,
            federation=bool(getattr(args, "federation_allow", None)),
            memory_mb=args.worker_memory_mb,
        )
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
    """Options of every command that loads the served data into a store.

    Where the stored imports are (they are served and analysed with the curated
    files), and which store: the embedded one, or an external SPARQL engine.
    """
    parser.add_argument(
        "--imports-dir", type=Path, help="folder of stored imports (default: <cache-dir>/imports)"
    )
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
    parser.add_argument(
        "--worker-memory-mb",
        type=int,
        default=DEFAULT_MEMORY_MB,
        metavar="MB",
        help="resident memory a query worker may use before it is stopped (default: %(default)s)",
    )
