"""``glocal bench`` times the opening of the report's page in headless Chromium (its own
Playwright session, so this test lives apart from the module that keeps a browser open)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from glocal.dataset import curated_files, load_files
from glocal.report.build import pivotal_report
from glocal.report.html import render_html
from glocal.store import EmbeddedStore
from glocal_cli.bench.chromium import missing
from glocal_cli.bench.html_open import html_open_time

pytestmark = pytest.mark.browser


def test_the_bench_times_the_page_opening(tmp_path: Path) -> None:
    if reason := missing():
        pytest.skip(reason)
    store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    try:
        report = pivotal_report(store, sensitivity=False)
    finally:
        store.close()
    page = tmp_path / "report.html"
    page.write_text(render_html(report), encoding="utf-8")
    opened = html_open_time(page, repeats=2)
    assert len(opened["samples"]) == 2 and opened["open_s"] > 0
    assert min(opened["samples"]) <= opened["open_s"] <= max(opened["samples"])
