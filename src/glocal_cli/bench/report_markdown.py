"""``bench.md``'s pivotal report section: ``glocal report pivotal`` as users run it,
per graph and at 2,000 and 5,000 synthetic cities, with its goal (see
:mod:`glocal_cli.bench.report_cost`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["report_goal", "report_tables"]

_HEADER = [
    "| graph | report s | whole command s | peak tree MB | HTML MB | open in Chromium s "
    "| bootstrap / null replicates |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- |",
]


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _row(name: str, report: Mapping[str, Any]) -> str:
    if "command_s" not in report or "error" in report:
        reason = report.get("skipped") or report.get("error") or "not run"
        return f"| {name} | {reason} | – | – | – | – | – |"
    opened = report.get("html_open", {})
    open_s = f"{opened['open_s']:.2f}" if "open_s" in opened else opened.get("skipped", "–")
    return (
        f"| {name} | {_s(report.get('report_s'))} | {report['command_s']:.1f} | "
        f"{report['peak_tree_mb']:,.0f} | {report.get('html_bytes', 0) / 1e6:.2f} | {open_s} | "
        f"{report.get('bootstrap_replicates', '–')} / {report.get('null_replicates', '–')} |"
    )


def report_goal(result: Mapping[str, Any]) -> list[str]:
    """The goal line under the goals table, or nothing when the report was not timed.

    >>> report_goal({})
    []
    >>> goal = {"measured": [20.0, 50.0], "met": True}
    >>> report_goal({"goals": {"run": {"report_2000_under_5000": goal}}})[1]
    'Pivotal report at 2,000 synthetic cities < at 5,000: 20.0 s < 50.0 s, met.'
    """
    goal = result.get("goals", {}).get("run", {}).get("report_2000_under_5000", {})
    small, large = goal.get("measured") or (None, None)
    if small is None and large is None:
        return []
    verdict = {True: "met", False: "**not met**", None: "not measured"}[goal.get("met")]
    return [
        "",
        f"Pivotal report at 2,000 synthetic cities < at 5,000: {_s(small)} s < {_s(large)} s, "
        f"{verdict}.",
    ]


def report_tables(result: Mapping[str, Any]) -> list[str]:
    """The report's time and memory per graph and at each synthetic size.

    >>> report_tables({"graphs": {"curated": {"report": {"skipped": "--quick"}}}})[-1]
    '| curated | --quick | – | – | – | – | – |'
    """
    rows = [_row(name, graph.get("report", {})) for name, graph in result["graphs"].items()]
    scale = result.get("report_scale", {})
    rows += [
        _row(f"synthetic, {name}", report)
        for name, report in scale.items()
        if isinstance(report, Mapping)
    ]
    return [
        "",
        "## Pivotal report",
        "",
        "`glocal report pivotal` as users run it: the CLI's defaults, with layer sensitivity, "
        "bootstrap and leave-one-source-out intervals and the null model. Report s is the "
        "report alone (its own progress); the whole command also loads and validates the "
        "data and writes the HTML. Peak memory is the command's whole process tree, sampled "
        "from /proc.",
        "",
        *_HEADER,
        *rows,
    ]
