"""How long the pivotal report's HTML page takes to open in headless Chromium
(Debian's, driven by Playwright from the ``test`` extra): from navigation to the load
event plus two animation frames, so layout and the first paint are counted."""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

from glocal_cli.bench.chromium import launch, missing

__all__ = ["html_open_time"]

PAINTED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def html_open_time(path: Path, *, repeats: int = 3) -> dict[str, Any]:
    """Open ``path`` ``repeats`` times in a fresh tab; the median and every sample.

    Returns
    -------
    dict
        ``open_s`` (median seconds) and ``samples``, or ``skipped`` with the reason
        when Chromium or Playwright is missing.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"skipped": "Playwright is not installed (pip install -e '.[test]')"}
    if reason := missing():
        return {"skipped": reason}
    samples = []
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            for _ in range(repeats):
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                started = time.perf_counter()
                page.goto(path.resolve().as_uri(), wait_until="load")
                page.evaluate(PAINTED)
                samples.append(time.perf_counter() - started)
                page.close()
        finally:
            browser.close()
    return {"open_s": statistics.median(samples), "samples": samples}
