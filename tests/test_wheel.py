"""The wheel runs anywhere: built without warnings, installed in a fresh virtual
environment outside the checkout, it validates and serves its own shipped data."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import venv
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _clean_env(home: Path) -> dict[str, str]:
    """No trace of the checkout: no PYTHONPATH, a cache of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["GLOCAL_CACHE_DIR"] = str(home / "cache")
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A wheel built from the checkout and installed into a new venv; (bin dir, home)."""
    home = tmp_path_factory.mktemp("elsewhere")
    wheels = home / "wheels"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-cache-dir",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        cwd=home,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr
    noise = [
        line for line in (build.stdout + build.stderr).splitlines() if "warning" in line.lower()
    ]
    assert not noise, "the build printed warnings:\n" + "\n".join(noise)
    (wheel,) = wheels.glob("glocal-*.whl")
    env_dir = home / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bin_dir = env_dir / "bin"
    install = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        cwd=home,
        env=_clean_env(home),
        timeout=900,
    )
    assert install.returncode == 0, install.stderr
    yield bin_dir, home


def test_the_installed_package_is_not_the_checkout(installed: tuple[Path, Path]) -> None:
    bin_dir, home = installed
    where = subprocess.run(
        [str(bin_dir / "python"), "-c", "import glocal.resources as r; print(r.DATA_DIR)"],
        capture_output=True,
        text=True,
        cwd=home,
        env=_clean_env(home),
        check=True,
    ).stdout.strip()
    assert where.startswith(str(home)) and "site-packages" in where, where
    assert not where.startswith(str(ROOT))


def test_validate_runs_from_the_wheel(installed: tuple[Path, Path]) -> None:
    bin_dir, home = installed
    done = subprocess.run(
        [str(bin_dir / "glocal"), "validate"],
        capture_output=True,
        text=True,
        cwd=home,
        env=_clean_env(home),
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "conforms to the SHACL shapes" in done.stdout


def test_serve_runs_from_the_wheel(installed: tuple[Path, Path]) -> None:
    bin_dir, home = installed
    port = _free_port()
    server = subprocess.Popen(
        [str(bin_dir / "glocal"), "serve", "--port", str(port), "--workers", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=home,
        env=_clean_env(home),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 300
        while True:
            try:
                answer = httpx.get(
                    f"{base}/sparql",
                    params={"query": "ASK { ?c a gl:City }"},
                    headers={"Accept": "application/sparql-results+json"},
                )
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "the installed server did not answer"
                time.sleep(0.2)
        assert answer.status_code == 200
        assert answer.json()["boolean"] is True
        page = httpx.get(f"{base}/")
        assert page.status_code == 200 and "<html" in page.text.lower()
        # The UI's editor is bundled inside the package, not fetched from a CDN.
        assert httpx.get(f"{base}/static/vendor/codemirror.js").status_code == 200
        assert (
            httpx.get(
                f"{base}/queries/networks-of-city", params={"city": "city:freetown"}
            ).status_code
            == 200
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
