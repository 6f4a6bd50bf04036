"""``glocal serve``: load and check the data, then serve the SPARQL endpoint, web UI and reports."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from glocal_cli.loading import data_files, load_data, open_store

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    # Imports, admin routes and --reload: see glocal.data.files and glocal_api.admin.
    try:
        admin_token = _admin_token(args)
    except (OSError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.store and (args.reload or admin_token):
        print("error: --reload and the admin routes need the embedded store", file=sys.stderr)
        return 2
    data = data_files(args)
    dataset = load_data(data)
    if dataset is None:
        return 1
    import uvicorn

    from glocal_api.admin import Watcher
    from glocal_api.app import Settings, create_app

    store = open_store(dataset, args)
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
