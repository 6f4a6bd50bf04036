"""Debian's Chromium, headless: where it is and the flags it is launched with.

One place for the benchmark (:mod:`~glocal_cli.bench.html_open`) and the browser tests
(the ``browser`` fixture of ``tests/conftest.py``), so both drive the same browser the
same way. It is never a downloaded one: Playwright is given its path.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

__all__ = ["ARGS", "CHROMIUM", "launch", "missing"]

#: Debian's ``chromium`` package (``make debian-packages``).
CHROMIUM = Path("/usr/bin/chromium")
#: Headless, and quiet: no first-run page, and nothing fetched in the background (no
#: component updates, sync or QUIC probes), so a test that refuses every non-loopback
#: request sees only the page's own.
ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def missing() -> str | None:
    """Why the browser cannot run here, or ``None`` when it can.

    Examples
    --------
    >>> missing() is None or "make debian-packages" in missing()
    True
    """
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing: install Debian's chromium (make debian-packages)"
    return None


def launch(playwright: Playwright) -> Browser:
    """Start :data:`CHROMIUM` with :data:`ARGS` under ``playwright``.

    Raises
    ------
    FileNotFoundError
        If Debian's Chromium is not installed (see :func:`missing`).
    """
    if reason := missing():
        raise FileNotFoundError(reason)
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(ARGS))
