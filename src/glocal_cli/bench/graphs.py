"""The graphs the bench measures: synthetic data, loading into a store, and validation.

Both graphs are loaded through :class:`~glocal.data.imports.DataFiles`, the one answer to
"what is served": the curated graph as it is, the synthetic graph as the curated files
plus :func:`~glocal.data.synth.write_synthetic` output passed as an extra file.
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from glocal.data.files import DataFiles
from glocal.data.synth import write_synthetic
from glocal.data.validation import validate_dataset
from glocal.dataset import Dataset, load_files
from glocal.resources import DATA_DIR, ONTOLOGY_DIR, RESOURCES_ROOT
from glocal.store import EmbeddedStore
from glocal_cli.bench.timing import say

__all__ = [
    "SYNTHETIC_GENERATOR",
    "BenchGraph",
    "load_graph",
    "synthetic_networks",
    "validate",
    "validate_by_engine",
    "validation_graph",
    "write_synthetic_file",
]

#: What writes the synthetic data (named in ``bench.json``).
SYNTHETIC_GENERATOR = f"{write_synthetic.__module__}.{write_synthetic.__name__}"


@dataclass
class BenchGraph:
    """A graph under measurement: its files, its store, and what was measured on it."""

    name: str
    files: DataFiles
    store: EmbeddedStore
    result: dict[str, Any] = field(default_factory=dict)


def synthetic_networks(cities: int) -> int:
    """Networks of a synthetic graph: one per 20 cities, at least two.

    >>> synthetic_networks(20_000), synthetic_networks(30)
    (1000, 2)
    """
    return max(2, cities // 20)


def write_synthetic_file(folder: Path, cities: int) -> Path:
    """Write a synthetic graph of ``cities`` cities (seed 0) into ``folder``."""
    return write_synthetic(folder, cities=cities, networks=synthetic_networks(cities), seed=0)


def load_graph(name: str, extra: list[Path], work: Path) -> BenchGraph:
    """Parse the curated files plus ``extra`` and build their store in ``work/cache``.

    The result holds the sizes and the load times: parsing, building the store, and
    opening it again once built.
    """
    cache_dir = work / "cache"
    # The imports folder stays empty: the bench serves the curated files and its own.
    files = DataFiles(
        work / "imports", extra=extra, cache_dir=cache_dir, workers=1, check_base=False
    )
    say(f"{name}: parsing {len(files.paths())} files")
    started = time.perf_counter()
    dataset = files.load()
    parsed = time.perf_counter()
    store = EmbeddedStore.open(dataset, cache_dir=cache_dir, workers=1)
    built = time.perf_counter()
    reopened = EmbeddedStore.open(dataset, cache_dir=cache_dir, workers=1)
    reopen_s = time.perf_counter() - built
    reopened.close()
    quads = len(dataset.quads)
    load = {
        "parse_s": parsed - started,
        "build_s": built - parsed,
        "total_s": built - started,
        "reopen_s": reopen_s,
        "quads_per_s": quads / (built - started),
    }
    say(f"{name}: {quads:,} quads, loaded in {load['total_s']:.2f}s")
    graph = BenchGraph(name, files, store)
    graph.result = {
        "quads": quads,
        "store_quads": len(store),
        "files": [_display(f) for f in files.paths()],
        "data_version": dataset.version,
        "load": load,
    }
    # Half a million quads kept alive would make every garbage collection of this
    # process slow, and the in-process timings with it: the store has them now.
    del dataset
    gc.collect()
    return graph


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(RESOURCES_ROOT))
    except ValueError:
        return path.name


def validation_graph(synthetic: Path) -> Dataset:
    """The synthetic shape alone: a synthetic graph with only the ontology and the
    compacts its pledges cite.

    :class:`DataFiles` always adds the curated data, so these files are parsed directly.
    """
    return load_files(
        [ONTOLOGY_DIR / "glocal.ttl", DATA_DIR / "reference" / "compacts.trig", synthetic]
    )


def validate(dataset: Dataset, what: str, *, engine: str = "native") -> dict[str, Any]:
    """Validate ``dataset`` against the SHACL shapes with one engine, without the cache."""
    say(f"validating {what} ({len(dataset.quads):,} quads) with {engine}")
    started = time.perf_counter()
    report = validate_dataset(dataset, cache_dir=None, engine=engine)
    seconds = time.perf_counter() - started
    say(f"validated {what} in {seconds:.1f}s with {engine}: conforms={report.conforms}")
    return {
        "graph": what,
        "engine": engine,
        "quads": len(dataset.quads),
        "seconds": seconds,
        "quads_per_s": len(dataset.quads) / seconds,
        "conforms": report.conforms,
        "violations": len(report.violations),
    }


def validate_by_engine(dataset: Dataset, what: str) -> dict[str, Any]:
    """Both engines on one graph, and pySHACL's time over the native engine's."""
    native = validate(dataset, what, engine="native")
    reference = validate(dataset, what, engine="pyshacl")
    return {
        "native": native,
        "pyshacl": reference,
        "pyshacl_over_native": reference["seconds"] / native["seconds"],
        "same_violations": native["violations"] == reference["violations"],
    }
