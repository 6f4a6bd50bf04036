"""``glocal validate``: check the ontology, the data and extra files against the shapes."""

from __future__ import annotations

import argparse

from glocal_cli.loading import load_and_validate, open_store

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    loaded = load_and_validate(args.files, None if args.no_cache else args.cache_dir)
    if loaded is None:
        return 1
    dataset, _ = loaded
    from glocal.views.counts import format_counts

    print(format_counts(dataset))  # type: ignore[arg-type]
    if args.store:
        # Validated data is what goes into an external engine, and only then.
        store = open_store(dataset, args)  # type: ignore[arg-type]
        print(f"the engine at {args.store} holds data version {store.version}")
        store.close()
    return 0
