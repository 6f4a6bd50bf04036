"""``glocal validate``: check the ontology, the data, extra files and stored imports."""

from __future__ import annotations

import argparse

from glocal.views.counts import format_counts
from glocal_cli.loading import data_files, load_data, open_store

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    dataset = load_data(data_files(args, cache_checks=not args.no_cache))
    if dataset is None:
        return 1
    # The summary names the data version checked: the curated data's, or with stored
    # imports the combined one (what `glocal serve` serves).
    print(format_counts(dataset))
    if args.store:
        # Validated data is what goes into an external engine, and only then.
        store = open_store(dataset, args)
        print(f"the engine at {args.store} holds data version {store.version}")
        store.close()
    return 0
