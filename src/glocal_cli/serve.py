"""``glocal serve``: load and check the data, then serve the SPARQL endpoint, web UI and reports."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from glocal.store import GraphStore
from glocal_cli.loading import data_files, load_data, open_store, progress

__all__ = ["run"]


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
    data = data_files(args)
    # A warm start hashes the files and opens the store checked before: nothing is
    # parsed, and no parsed quads stay in this process.
    store: GraphStore | None = None
    if not args.store:
        store = data.warm_store(
            federation=bool(args.federation_allow), memory_mb=args.worker_memory_mb
        )
    if store is not None:
        progress(f"warm start: data version {store.version}, checked before")
    else:
        dataset = load_data(data, skip_broken=True)
        if dataset is None:
            return 1
        store = open_store(dataset, args)
        del dataset
    from glocal_api.admin import Watcher
    from glocal_api.app import Settings, create_app
    from glocal_api.server import ConnectionLimits, make_server

    settings = Settings(
        max_queries_per_client=args.max_queries_per_client,
        timeout=args.timeout,
        max_query_bytes=args.max_query_bytes,
        update_token=update_token,
        federation_allow=tuple(args.federation_allow or ()),
        admin_token=admin_token,
        data=None if args.store else data,
    )
    app = create_app(store, settings)
    # Watch the files, and log reloads and imports.
    logger = logging.getLogger("glocal.admin")
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("glocal: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    watcher = Watcher(app).start() if args.reload else None
    extras = ["admin routes on"] * bool(admin_token) + ["reloading on file changes"] * args.reload
    print(
        f"glocal: serving data version {store.version} at http://{args.host}:{args.port}/ "
        "(SPARQL at /sparql" + "".join(f"; {e}" for e in extras) + ")",
        flush=True,
    )
    limits = ConnectionLimits(
        header_timeout=args.header_timeout,
        body_timeout=args.body_timeout,
        max_connections=args.max_connections,
    )
    make_server(app, host=args.host, port=args.port, limits=limits).run()
    if watcher is not None:
        watcher.stop()
    app.state.runtime.store.close()
    return 0


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
