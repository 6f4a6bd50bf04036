"""The ``--reload`` watcher outlives every failure, and serving starts despite a bad import."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from glocal.data.files import DataFiles
from glocal_api.admin import Watcher
from glocal_api.app import Settings, create_app
from tests.conftest import ROOT, free_port

CSV = b"city,country,network,role,since\nBologna,IT,Eurocities,member,2012\n"


def _eventually(predicate: Callable[[], bool], timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_the_watcher_survives_a_failure_it_did_not_expect(tmp_path: Path) -> None:
    """A reload that fails with an error of the system (here the cache folder turned
    into a file, as a full or broken disk might) is logged; the next change is served.
    The watcher thread used to die silently at the first such error."""
    data = DataFiles(tmp_path / "imports", cache_dir=tmp_path / "cache", check_base=False)
    app = create_app(data.open_store(), Settings(data=data))
    runtime = app.state.runtime
    watcher = Watcher(app, interval=0.1).start()
    try:
        version = runtime.store.version
        good_cache = data.cache_dir
        blocked = tmp_path / "not-a-folder"
        blocked.write_text("")
        data.cache_dir = blocked
        # Another process (say `glocal import`) adds an import.
        other = DataFiles(data.imports_dir, cache_dir=good_cache, check_base=False)
        other.import_memberships(CSV, file_name="first.csv")
        time.sleep(1.0)  # several polls, each failing to build the new store
        assert runtime.store.version == version
        assert watcher._thread.is_alive()
        # The first failure consumed the change; a new one is noticed and served.
        data.cache_dir = good_cache
        other.import_memberships(CSV.replace(b"2012", b"2013"), file_name="first.csv")
        data.cache_dir = good_cache
        assert _eventually(lambda: runtime.store.version != version)
    finally:
        watcher.stop()
        runtime.store.close()


def test_serve_starts_without_an_import_it_cannot_read_and_names_it(tmp_path: Path) -> None:
    imports = tmp_path / "imports"
    imports.mkdir()
    (imports / "broken.trig").write_text("<https://example.org/g> {\n <https://example.org/a>")
    port = free_port()
    command = [sys.executable, "-m", "glocal_cli.main", "--cache-dir", str(tmp_path / "cache")]
    command += ["serve", "--port", str(port), "--workers", "1", "--imports-dir", str(imports)]
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:

        def answers() -> bool:
            assert process.poll() is None, log.read_text()
            try:
                return httpx.get(f"http://127.0.0.1:{port}/sparql?query=ASK%7B%7D").is_success
            except httpx.TransportError:
                return False

        assert _eventually(answers, timeout=180), log.read_text()
        text = log.read_text()
        assert "broken.trig:2" in text and "the import is left out" in text
        assert "Traceback" not in text
    finally:
        process.terminate()
        process.wait(timeout=30)
