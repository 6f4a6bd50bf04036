"""``glocal serve``: load and check the data, then serve the SPARQL endpoint, web UI and reports.

The HTTP work runs in one process per usable core (:mod:`glocal_api.processes`), each
with its share of the query workers; what changes the served store (reloads, imports,
updates) and a remote store keep to one process.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from glocal.store import EmbeddedStore, GraphStore
from glocal_cli.loading import data_files, load_data, open_store, progress

if TYPE_CHECKING:
    from fastapi import FastAPI

    from glocal.data.files import DataFiles
    from glocal_api.client_slots import ClientSlots
    from glocal_api.server import ConnectionLimits
    from glocal_api.settings import Settings

__all__ = ["MAX_HTTP_WORKERS", "default_http_workers", "run", "serving_app", "worker_share"]

#: HTTP processes at most by default: each holds its own app, caches and query workers.
MAX_HTTP_WORKERS = 8
#: Quick-lane query workers in all (see glocal.store.pool), split between the processes.
QUICK_WORKERS = 2


def run(args: argparse.Namespace) -> int:
    # Imports, admin routes and --reload: see glocal.data.files and glocal_api.admin.
    try:
        admin_token = _token(args.admin_token_file, "GLOCAL_ADMIN_TOKEN", "admin")
        update_token = (
            _token(args.update_token_file, "GLOCAL_UPDATE_TOKEN", "update")
            if args.enable_update
            else None
        )
        if args.enable_update and update_token is None:
            raise ValueError(
                "--enable-update needs a token: --update-token-file PATH or GLOCAL_UPDATE_TOKEN"
            )
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.store and (args.reload or admin_token):
        print("error: --reload and the admin routes need the embedded store", file=sys.stderr)
        return 2
    from glocal_api.server import ConnectionLimits
    from glocal_api.settings import Settings

    data = data_files(args)
    settings = Settings(
        max_queries_per_client=args.max_queries_per_client,
        timeout=args.timeout,
        max_query_bytes=args.max_query_bytes,
        update_token=update_token,
        federation_allow=tuple(args.federation_allow or ()),
        admin_token=admin_token,
        data=None if args.store else data,
    )
    limits = ConnectionLimits(
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        max_connections=args.max_connections,
    )
    processes = args.http_workers or default_http_workers()
    one_process = (
        ["--reload"] * args.reload
        + ["the admin routes"] * bool(admin_token)
        + ["--enable-update"] * args.enable_update
        + ["--store"] * bool(args.store)
    )
    if processes > 1 and one_process:
        # They change the served store, which every process would have to follow.
        print(f"glocal: one HTTP process, as {' and '.join(one_process)} need", flush=True)
        processes = 1
    if processes > 1:
        return _serve_processes(data, settings, limits, args, processes)
    store = _open(data, args)
    if store is None:
        return 1
    return _serve_one(store, settings, limits, args)


def _open(data: DataFiles, args: argparse.Namespace) -> GraphStore | None:
    """The store to serve; ``None`` if the data cannot be served (the problems are printed).

    A warm start hashes the files and opens the store checked before: nothing is
    parsed, and no parsed quads stay in this process.
    """
    store: GraphStore | None = None
    if not args.store:
        store = data.warm_store(
            federation=bool(args.federation_allow), memory_mb=args.worker_memory_mb
        )
    if store is not None:
        progress(f"warm start: data version {store.version}, checked before")
        return store
    dataset = load_data(data, skip_broken=True)
    if dataset is None:
        return None
    return open_store(dataset, args)


def default_http_workers() -> int:
    """HTTP processes by default: one per usable core, at most :data:`MAX_HTTP_WORKERS`.

    >>> 1 <= default_http_workers() <= MAX_HTTP_WORKERS
    True
    """
    return max(1, min(MAX_HTTP_WORKERS, len(os.sched_getaffinity(0))))


def _serve_one(
    store: GraphStore, settings: Settings, limits: ConnectionLimits, args: argparse.Namespace
) -> int:
    """Serve from this process: the admin routes, reloads and updates swap its store."""
    from glocal_api.admin import Watcher
    from glocal_api.app import create_app
    from glocal_api.server import make_server

    app = create_app(store, settings)
    # Watch the files, and log reloads and imports.
    logger = logging.getLogger("glocal.admin")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("glocal: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    watcher = Watcher(app).start() if args.reload else None
    extras = ["admin routes on"] * bool(settings.admin_token) + [
        "reloading on file changes"
    ] * args.reload
    _announce(store.version, args, extras)
    previous = signal.signal(signal.SIGTERM, _exit_on_term)
    try:
        make_server(app, host=args.host, port=args.port, limits=limits).run()
    except (KeyboardInterrupt, SystemExit):
        pass  # uvicorn re-raises the signal that stopped it, once it has shut down
    finally:
        signal.signal(signal.SIGTERM, previous)
        if watcher is not None:
            watcher.stop()
        app.state.runtime.store.close()
    return 0


def _serve_processes(
    data: DataFiles,
    settings: Settings,
    limits: ConnectionLimits,
    args: argparse.Namespace,
    processes: int,
) -> int:
    """Serve from ``processes`` HTTP processes, each with its share of the query workers.

    The processes are spawned first and import the web app while this one loads and
    checks the data (:func:`glocal_api.processes.serve_processes`).
    """
    from glocal_api.client_slots import ClientSlots
    from glocal_api.processes import serve_processes

    options = {
        **worker_share(args.workers, processes),
        "federation": bool(args.federation_allow),
        "memory_mb": args.worker_memory_mb,
    }

    def prepare() -> tuple[Any, ...] | None:
        store = _open(data, args)
        if store is None:
            return None
        assert isinstance(store, EmbeddedStore)  # a remote store (--store) keeps to one process
        # Only its path and version cross to the HTTP processes, which open their own.
        path, version = str(store.path), store.version
        store.close()
        _announce(version, args, [f"{processes} HTTP processes"])
        return (path, version, options, replace(settings, data=None))

    return serve_processes(
        serving_app,
        (ClientSlots(settings.max_queries_per_client),),
        prepare=prepare,
        preload=("glocal_api.app",),
        host=args.host,
        port=args.port,
        processes=processes,
        limits=limits,
    )


def worker_share(workers: int, processes: int) -> dict[str, Any]:
    """One HTTP process's query workers, main and quick lane, so that the totals stay
    ``workers`` and :data:`QUICK_WORKERS` (rounded up to one each).

    >>> worker_share(4, 2)
    {'workers': 2, 'quick_workers': 1}
    """
    return {
        "workers": max(1, math.ceil(workers / processes)),
        "quick_workers": max(1, QUICK_WORKERS // processes),
    }


def serving_app(
    path: str,
    version: str,
    options: dict[str, Any],
    settings: Settings,
    clients: ClientSlots,
) -> tuple[FastAPI, Callable[[], None]]:
    """One HTTP process's app over the built store at ``path``, and what closes it."""
    from glocal_api.app import create_app

    app = create_app(EmbeddedStore(Path(path), version, **options), settings, clients=clients)
    return app, lambda: app.state.runtime.store.close()


def _announce(version: str, args: argparse.Namespace, extras: list[str]) -> None:
    print(
        f"glocal: serving data version {version} at http://{args.host}:{args.port}/ "
        "(SPARQL at /sparql" + "".join(f"; {e}" for e in extras) + ")",
        flush=True,
    )


def _exit_on_term(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def _token(path: Path | None, variable: str, what: str) -> str | None:
    """A token from a file, else from the environment variable; None when neither.

    Never from the command line itself, so it stays out of shell history and process
    listings (``ps`` shows every local user the arguments); and it is never printed.
    """
    if path is not None:
        token = Path(path).read_text(encoding="utf-8").strip()
        if not token:
            raise ValueError(f"the {what} token file {path} is empty")
        return token
    return os.environ.get(variable) or None
