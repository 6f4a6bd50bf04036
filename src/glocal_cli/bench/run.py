"""One bench run: the graphs, the servers and engines, every measured section in order,
and ``bench.json`` and ``bench.md`` at the end."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pyoxigraph

from glocal.store.virtuoso import VirtuosoServer
from glocal_cli.bench import markdown
from glocal_cli.bench.engines import aggregation
from glocal_cli.bench.goals import GOALS, check_goals
from glocal_cli.bench.graphs import (
    SYNTHETIC_GENERATOR,
    BenchGraph,
    load_graph,
    synthetic_networks,
    validate,
    validate_by_engine,
    validation_graph,
    write_synthetic_file,
)
from glocal_cli.bench.headroom import headroom
from glocal_cli.bench.latency import canned_latency, overhead_breakdown, page_latency
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.pages import page_loads
from glocal_cli.bench.process_cpu import wait_idle
from glocal_cli.bench.processes import membership_import, server_starts
from glocal_cli.bench.report_cost import report_cost, report_scale
from glocal_cli.bench.servers import GlocalServer, RdflibEndpoint, free_port
from glocal_cli.bench.serving import serving
from glocal_cli.bench.throughput import throughput
from glocal_cli.bench.timing import say

__all__ = ["run_bench"]


def run_bench(options: BenchOptions) -> dict[str, Any]:
    """Run every measurement and write ``bench.json`` and ``bench.md`` to ``options.out``.

    Returns
    -------
    dict
        What ``bench.json`` holds: ``meta``, ``notes``, ``graphs`` (per graph: sizes,
        ``load``, ``validation``, ``queries``, ``throughput``, ``aggregation``, ``report``)
        and ``goals``.
    """
    started = time.perf_counter()
    cpu_before = _cpu_snapshot()
    out = options.out
    out.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    work = Path(tempfile.mkdtemp(prefix="glocal-bench-"))
    virtuoso: VirtuosoServer | None = None
    virtuoso_note: str | None = None
    graphs: list[BenchGraph] = []
    result: dict[str, Any] = {"meta": _meta(options), "notes": notes, "graphs": {}}
    try:
        say(f"writing synthetic data ({options.synthetic_cities:,} cities)")
        synth_started = time.perf_counter()
        synthetic_path = write_synthetic_file(work / "synthetic", options.synthetic_cities)
        result["meta"]["synthetic"] = {
            "generator": SYNTHETIC_GENERATOR,
            "cities": options.synthetic_cities,
            "networks": synthetic_networks(options.synthetic_cities),
            "file_bytes": synthetic_path.stat().st_size,
            "seconds": time.perf_counter() - synth_started,
        }
        graphs.append(load_graph("curated", [], work))
        graphs.append(load_graph("synthetic", [synthetic_path], work))
        # Validation: the native engine on both graphs in full; pySHACL, the
        # reference, next to it on the curated graph and on a smaller synthetic graph.
        if options.validate_curated:
            graphs[0].result["validation"] = validate_by_engine(
                graphs[0].files.load(), "curated graph"
            )
        else:
            graphs[0].result["validation"] = {"skipped": "--quick: curated validation skipped"}
        full = graphs[1].files.load()
        graphs[1].result["validation"] = {"full": validate(full, "full synthetic graph")}
        del full
        small = write_synthetic_file(work / "validation", options.validation_cities)
        graphs[1].result["validation"]["smaller"] = validate_by_engine(
            validation_graph(small),
            f"smaller synthetic graph ({options.validation_cities:,} cities)",
        )
        graphs[1].result["validation"]["note"] = (
            "pySHACL on the full synthetic graph takes many minutes; it runs next to the "
            "native engine on a smaller synthetic graph of the same shape"
        )
        say(f"importing {options.import_rows:,} memberships (glocal import)")
        result["import"] = membership_import(options.import_rows)
        say("cold and warm starts of glocal serve (curated, then synthetic)")
        result["starts"] = {
            "curated": server_starts([], port=free_port()),
            "synthetic": server_starts([synthetic_path], port=free_port()),
        }

        if options.skip_virtuoso:
            virtuoso_note = "--skip-virtuoso"
        else:
            try:
                folder = work / "virtuoso"
                folder.mkdir()
                # Buffers and limits sized for a graph of half a million triples.
                virtuoso = VirtuosoServer(
                    folder, max_rows=10_000_000, buffers=170_000, max_query_seconds=300
                )
                say("starting Virtuoso on loopback")
                virtuoso.start(timeout=90.0)
                # RemoteStore loads through the anonymous user: right only on loopback.
                virtuoso.grant_updates()
            except (FileNotFoundError, RuntimeError) as err:
                if virtuoso is not None:
                    virtuoso.stop()  # started, but the grant failed
                virtuoso, virtuoso_note = None, f"Virtuoso unavailable: {err}"
                notes.append(virtuoso_note)

        for graph in graphs:
            _measure_graph(graph, options, virtuoso, virtuoso_note, work, notes)
            result["graphs"][graph.name] = graph.result
        if options.report:
            result["report_scale"] = report_scale()
    finally:
        for graph in graphs:
            graph.store.close()
        if virtuoso is not None:
            virtuoso.stop()
        shutil.rmtree(work, ignore_errors=True)
    result["goals"] = check_goals(result["graphs"], result)
    wall = time.perf_counter() - started
    cpu_after = _cpu_snapshot()
    other = (cpu_after[0] - cpu_before[0]) - (cpu_after[1] - cpu_before[1])
    result["meta"]["duration_s"] = wall
    result["meta"]["other_processes_cpu_s"] = None if math.isnan(other) else max(0.0, other)
    result["meta"]["other_processes_cpu_share"] = (
        None if math.isnan(other) else max(0.0, other) / (wall * (os.cpu_count() or 1))
    )
    (out / "bench.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "bench.md").write_text(markdown.render(result))
    say(f"wrote {out / 'bench.json'} and {out / 'bench.md'} in {result['meta']['duration_s']:.0f}s")
    return result


def _measure_graph(
    graph: BenchGraph,
    options: BenchOptions,
    virtuoso: VirtuosoServer | None,
    virtuoso_note: str | None,
    work: Path,
    notes: list[str],
) -> None:
    say(f"{graph.name}: starting two glocal servers (result cache off / on)")
    with (
        GlocalServer(graph.store, workers=options.workers, cache=False) as uncached,
        GlocalServer(graph.store, workers=options.workers, cache=True) as cached,
    ):
        # Each server builds its catalogue, labels and facet counts in the background
        # after start (seconds at 20,000 cities): timings start once that is over.
        graph.result["warm_up_s"] = max(
            wait_idle(server.process.pid) for server in (uncached, cached)
        )
        queries = canned_latency(graph, (uncached, cached), options)
        graph.result["queries"] = queries
        graph.result["overhead_breakdown"] = overhead_breakdown(graph, uncached, options)
        graph.result["pages"] = page_latency(graph, uncached, options)
        graph.result["page_loads"] = page_loads(graph, uncached, options)
        graph.result["throughput"] = throughput(graph, (uncached, cached), queries, options)
        if graph.name == "curated":
            mix = graph.result["throughput"].get("mix", [])
            graph.result["headroom"] = headroom(uncached, mix, options)
            graph.result["serving"] = serving(
                graph, mix, options, virtuoso=virtuoso, virtuoso_note=virtuoso_note
            )
        rdflib: RdflibEndpoint | None = None
        rdflib_note: str | None = None
        if options.skip_rdflib_endpoint:
            rdflib_note = "--skip-rdflib-endpoint"
        else:
            try:
                import rdflib_endpoint  # noqa: F401

                files = graph.files.paths()
                say(f"{graph.name}: starting rdflib-endpoint (parsing {len(files)} files)")
                rdflib = RdflibEndpoint(files, work / f"rdflib-{graph.name}.log")
                say(f"{graph.name}: rdflib-endpoint ready after {rdflib.startup_s:.1f}s")
            except ImportError:
                rdflib_note = "rdflib-endpoint not installed: pip install -e '.[bench]'"
                notes.append(rdflib_note)
            except RuntimeError as err:
                rdflib_note = f"rdflib-endpoint failed: {err}"
                notes.append(rdflib_note)
        try:
            graph.result["aggregation"] = aggregation(
                graph, uncached, virtuoso, virtuoso_note, rdflib, rdflib_note, options
            )
        except (RuntimeError, TimeoutError) as err:
            # An engine that fails (Virtuoso refusing a load, say) costs its section, not
            # the run's other measurements.
            graph.result["aggregation"] = {"error": f"{type(err).__name__}: {err}"}
            notes.append(f"{graph.name}: the engines' comparison failed: {err}")
        finally:
            if rdflib is not None:
                rdflib.stop()
    if not options.report:
        graph.result["report"] = {"skipped": "--quick: report not generated"}
    elif graph.name == "curated" or options.report_synthetic:
        graph.result["report"] = report_cost(
            graph.name, list(graph.files.extra), work / f"report-{graph.name}"
        )
    else:
        graph.result["report"] = {"skipped": "timed at 2,000 and 5,000 cities instead"}


def _cpu_snapshot() -> tuple[float, float]:
    """Busy CPU seconds of the whole machine (steal included), and CPU seconds of this
    process and its finished children; NaN for the machine where /proc/stat is missing."""
    times = os.times()
    ours = times.user + times.system + times.children_user + times.children_system
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return math.nan, ours
    # user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
    busy = sum(fields[:3]) + sum(fields[5:8])
    return busy / os.sysconf("SC_CLK_TCK"), ours


def _meta(options: BenchOptions) -> dict[str, Any]:
    return {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if options.quick else "full",
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "options": {k: (str(v) if isinstance(v, Path) else v) for k, v in options.__dict__.items()},
        "goals": GOALS,
    }
