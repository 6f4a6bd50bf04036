"""The bench's load generator: `wrk <https://github.com/wg/wrk>`_, driven by a Lua script.

The load used to come from Python threads in the bench process, on the same cores as
the server: the generator ate most of a core, and its threads' turns at the interpreter
lock set the tail latencies it reported. wrk is an event loop in C; here one wrk
thread holds one connection per client, sends the paths round robin (each connection
starting at its own offset) for a fixed time, and waits for each answer before the
next request (a closed loop, as a browser or a script reads).

The Lua script counts the answers that are not 2xx, and at the end writes one line of
JSON (requests, the non-2xx count, socket errors and latency percentiles from wrk's
own histogram), which :func:`load_paths` parses.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["WRK_TIMEOUT_S", "load_paths", "wrk_version"]

#: Seconds wrk waits for an answer. wrk leaves a request that times out out of its
#: latencies, so the limit is far above any answer of the mix: a slow answer is timed.
WRK_TIMEOUT_S = 60

# One wrk thread per connection, so a thread's state is its connection's.
_SCRIPT = """\
local paths = {%(paths)s}
local accept = %(accept)s
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  local headers = {}
  if accept ~= "" then headers["Accept"] = accept end
  formatted = {}
  for i, path in ipairs(paths) do formatted[i] = wrk.format("GET", path, headers) end
  turn = id %% #formatted
end

function request()
  turn = turn %% #formatted + 1
  return formatted[turn]
end

function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end

function done(summary, latency, requests)
  local non2xx = 0
  for _, thread in ipairs(threads) do non2xx = non2xx + thread:get("non2xx") end
  local e = summary.errors
  io.write(string.format(
    '\\n{"requests": %%d, "duration_us": %%d, "bytes": %%d, "non2xx": %%d, ' ..
    '"socket_errors": {"connect": %%d, "read": %%d, "write": %%d, "timeout": %%d}, ' ..
    '"latency_us": {"p50": %%d, "p90": %%d, "p99": %%d, "max": %%d, "mean": %%.1f}}\\n',
    summary.requests, summary.duration, summary.bytes, non2xx,
    e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
"""


def _wrk() -> str:
    """The ``wrk`` executable.

    Raises
    ------
    FileNotFoundError
        If it is not installed.
    """
    found = shutil.which("wrk")
    if found is None:
        raise FileNotFoundError(
            "wrk is not installed: `make debian-packages` (or apt-get install wrk)"
        )
    return found


def wrk_version() -> str:
    """wrk's version as it reports it, e.g. ``debian/4.1.0-3+b2``.

    Raises
    ------
    FileNotFoundError
        If wrk is not installed.
    """
    # wrk prints its version with its usage, and exits with 1.
    done = subprocess.run([_wrk(), "--version"], capture_output=True, text=True, check=False)
    first = (done.stdout or done.stderr).split("\n", 1)[0].split()
    return first[1] if len(first) > 1 else "unknown"


def _lua_string(text: str) -> str:
    """``text`` as a Lua string literal; only printable ASCII, as in a request line.

    >>> _lua_string('/a?q="b"')
    '"/a?q=\\\\"b\\\\""'

    Raises
    ------
    ValueError
        If ``text`` has a space, a control character or a non-ASCII character.
    """
    if not text.isascii() or not text.isprintable() or " " in text:
        raise ValueError(f"not a request target (printable ASCII, no spaces): {text!r}")
    # JSON's escapes of printable ASCII (\" and \\) are Lua's too.
    return json.dumps(text)


def _script(paths: Sequence[str], accept: str | None) -> str:
    """The Lua script that sends ``paths`` round robin with ``accept``."""
    if not paths:
        raise ValueError("no paths to load: give at least one")
    return _SCRIPT % {
        "paths": ", ".join(_lua_string(path) for path in paths),
        "accept": _lua_string(accept or ""),
    }


def parse_report(stdout: str) -> dict[str, Any]:
    """The JSON line the script's ``done`` writes, from wrk's whole output.

    >>> parse_report('Running 1s test\\n{"requests": 3}\\n')
    {'requests': 3}

    Raises
    ------
    ValueError
        If no line of the output is a JSON object.
    """
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            report: dict[str, Any] = json.loads(line)
            return report
    raise ValueError(f"wrk wrote no report line; its output ends with: {stdout[-500:]!r}")


def load_paths(
    url: str,
    paths: Sequence[str],
    clients: int,
    seconds: float,
    *,
    accept: str | None = None,
) -> dict[str, Any]:
    """``clients`` connections GET ``paths`` round robin for ``seconds``, through wrk.

    Parameters
    ----------
    url
        The server, e.g. ``http://127.0.0.1:8000``.
    paths
        Request targets (path and query, URL-encoded).
    clients
        Connections, each on its own wrk thread, each waiting for its answer before
        its next request.
    seconds
        How long the load runs, rounded to whole seconds (wrk's unit), at least 1.
    accept
        The ``Accept`` header of every request, if any.

    Returns
    -------
    dict
        ``requests`` (answered), ``ok`` (2xx), ``non2xx``, ``socket_errors`` (connect,
        read, write and timeout), ``errors`` (the two together), ``error_messages``,
        ``seconds``, ``requests_per_s`` (2xx per second), ``p50_ms``, ``p90_ms``,
        ``p99_ms``, ``max_ms``, ``mean_ms`` (of every answer), and ``client`` (wrk's
        version, threads, connections, seconds, timeout).

    Raises
    ------
    FileNotFoundError
        If wrk is not installed.
    RuntimeError
        If wrk fails.
    """
    duration = max(1, round(seconds))
    with tempfile.TemporaryDirectory(prefix="glocal-wrk-") as folder:
        script = Path(folder) / "mix.lua"
        script.write_text(_script(paths, accept))
        command = [
            _wrk(),
            f"--threads={clients}",
            f"--connections={clients}",
            f"--duration={duration}s",
            f"--timeout={WRK_TIMEOUT_S}s",
            f"--script={script}",
            url,
        ]
        done = subprocess.run(
            command, capture_output=True, text=True, check=False, timeout=duration + 120
        )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr[-500:]}")
    report = parse_report(done.stdout)
    sockets: dict[str, int] = report["socket_errors"]
    ok = report["requests"] - report["non2xx"]
    run_s = report["duration_us"] / 1e6
    latency = {key: value / 1000 for key, value in report["latency_us"].items()}
    messages = [f"{report['non2xx']} answers not 2xx"] * bool(report["non2xx"]) + [
        f"{count} {kind} errors" for kind, count in sockets.items() if count
    ]
    return {
        "clients": clients,
        "requests": report["requests"],
        "ok": ok,
        "non2xx": report["non2xx"],
        "socket_errors": sum(sockets.values()),
        "errors": report["non2xx"] + sum(sockets.values()),
        "error_messages": messages,
        "seconds": run_s,
        "requests_per_s": ok / run_s if run_s else 0.0,
        **{f"{key}_ms": value for key, value in latency.items()},
        "client": {
            "tool": f"wrk {wrk_version()}",
            "threads": clients,
            "connections": clients,
            "duration_s": duration,
            "timeout_s": WRK_TIMEOUT_S,
        },
    }
