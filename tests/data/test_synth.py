"""Synthetic data: same shape as the curated graph, valid under the shapes, and heavy-tailed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from glocal.analysis.ties import fetch_ties
from glocal.data.synth import synthesize, write_synthetic
from glocal.data.validation import validate_dataset
from glocal.dataset import load_files
from glocal.report.build import pivotal_report
from glocal.report.charts import forest_rows, rank_paths
from glocal.report.html import render_html
from glocal.report.mapping import VIEWS
from glocal.resources import DATA_DIR, ONTOLOGY_DIR
from glocal.store import EmbeddedStore

REFERENCE = [
    ONTOLOGY_DIR / "glocal.ttl",
    DATA_DIR / "reference" / "compacts.trig",
]


def test_synthetic_data_conforms_to_the_shapes(tmp_path: Path) -> None:
    path = write_synthetic(tmp_path, cities=30, networks=3)
    report = validate_dataset(load_files([*REFERENCE, path]))
    assert report.conforms, "\n".join(map(str, report.violations[:5]))


def test_broken_synthetic_data_does_not_conform(tmp_path: Path) -> None:
    path = write_synthetic(tmp_path, cities=30, networks=3)
    lines = path.read_text().splitlines(keepends=True)
    # Drop the quote of one membership: the shapes must notice.
    first = next(i for i, line in enumerate(lines) if "ontology#quote>" in line)
    path.write_text("".join(lines[:first] + lines[first + 1 :]))
    assert not validate_dataset(load_files([*REFERENCE, path])).conforms


def test_same_seed_same_data_other_seed_other_data() -> None:
    one = "".join(synthesize(cities=50, networks=5, seed=1))
    assert one == "".join(synthesize(cities=50, networks=5, seed=1))
    assert one != "".join(synthesize(cities=50, networks=5, seed=2))


def test_network_sizes_are_heavy_tailed() -> None:
    text = "".join(synthesize(cities=4000, networks=200))
    sizes = Counter(
        line.split()[2] for line in text.splitlines() if "org#organization>" in line
    ).values()
    sizes = sorted(sizes, reverse=True)
    assert sum(sizes) == pytest.approx(3 * 4000, rel=0.1)
    assert sizes[0] == 2000  # the largest network has half the cities
    assert sizes[0] > 20 * np.median(sizes)


def test_report_runs_at_a_modest_synthetic_size(tmp_path: Path) -> None:
    path = write_synthetic(tmp_path, cities=600, networks=30, seed=3)
    store = EmbeddedStore.open(load_files([*REFERENCE, path]), cache_dir=tmp_path / "cache")
    messages: list[str] = []
    # The engines and the process pool that large graphs use.
    report = pivotal_report(
        store, top=25, exact=False, pivots=64, backend="sparse", workers=2, progress=messages.append
    )
    assert len(report.cities) == 25
    assert report.graph.cities == 600
    assert "64 random pivots" in report.parameters.methods["betweenness"]
    assert report.agreement.listed == 16
    assert report.agreement.precision_at_k is not None
    assert any("sensitivity" in m for m in messages)
    assert (report.cities[0].evidence.memberships[0].quote or "").startswith("Synthetic")
    # One map per view, and the interval and rank-over-time charts when there are any.
    charts = bool(forest_rows(report.cities)) + bool(rank_paths(report.cities))
    assert render_html(report).count("<svg") == 3 + len(VIEWS) + charts
    assert len(fetch_ties(store).ties) > 1500
