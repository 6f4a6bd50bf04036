"""The pivotal report as text: JSON (everything), CSV (one row per city) and Markdown
(tables and the evidence of the leading cities)."""

from __future__ import annotations

import csv
import io
import json

from glocal.analysis.evidence import EVIDENCE_KINDS
from glocal.report.model import AgreementSection, PivotalReport

__all__ = ["agreement_lines", "fmt", "render_csv", "render_json", "render_markdown"]


def render_json(report: PivotalReport) -> str:
    """The report as JSON (UTF-8 text, keys in field order); see
    :meth:`~glocal.report.model.PivotalReport.to_json`.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.report.build import pivotal_report
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> text = render_json(pivotal_report(store, top=1, sensitivity=False))
    >>> list(json.loads(text))[:3]
    ['title', 'data_version', 'cities']
    """
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"


def render_csv(report: PivotalReport) -> str:
    """One row per city: rank, score, each measure, community and the count of facts.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.report.build import pivotal_report
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> lines = render_csv(pivotal_report(store, top=2, sensitivity=False)).splitlines()
    >>> lines[0].split(",")[:4], len(lines)
    (['rank', 'iri', 'label', 'score'], 3)
    """
    measures = report.parameters.measures
    kinds = list(EVIDENCE_KINDS.values())
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    head = ["rank", "iri", "label", "score", *measures]
    writer.writerow([*head, "listed", "community", "core", "lat", "long", *kinds])
    for city in report.cities:
        facts = city.evidence.by_kind()
        writer.writerow(
            [city.rank, city.iri, city.label, city.score]
            + [city.measures.get(m, "") for m in measures]
            + [city.listed, city.community, city.core]
            + ["" if city.lat is None else city.lat, "" if city.long is None else city.long]
            + [len(facts[k]) for k in kinds]
        )
    return out.getvalue()


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def fmt(value: object) -> str:
    """A figure for reading: floats to 3 decimals, ``n/a`` for none.

    >>> fmt(0.12345), fmt(None), fmt(3)
    ('0.123', 'n/a', '3')
    """
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def agreement_lines(a: AgreementSection) -> list[str]:
    """The agreement with the expert list as Markdown bullet points."""
    if not a.listed:
        return ["No pivotal-city assessment in the graph."]
    rho, p_rho = (a.spearman.rho, a.spearman.p) if a.spearman else (None, None)
    tau, p_tau = (a.kendall.tau, a.kendall.p) if a.kendall else (None, None)
    return [
        f"- listed cities: {a.listed} ({a.listed_in_graph} in the graph)",
        f"- precision@{a.k}: {fmt(a.precision_at_k)}; recall@{a.k}: {fmt(a.recall_at_k)}",
        f"- Spearman rho (score vs listed): {fmt(rho)} (p {fmt(p_rho)}); "
        f"Kendall tau: {fmt(tau)} (p {fmt(p_tau)}); AUC {fmt(a.auc)}",
        "- listed but ranked low: "
        + (
            ", ".join(
                f"{r.label} (rank {r.rank}; no {', '.join(r.lacks) or 'missing layer'})"
                for r in a.listed_ranked_low
            )
            or "none"
        ),
        "- not listed but ranked high: "
        + (", ".join(f"{r.label} (rank {r.rank})" for r in a.unlisted_ranked_high) or "none"),
    ]


def render_markdown(report: PivotalReport, *, details: int | None = 25) -> str:
    """The report as Markdown: ranked table, agreement, sensitivity and the evidence of
    the first ``details`` cities (all when ``None``).

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.report.build import pivotal_report
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> text = render_markdown(pivotal_report(store, top=3, sensitivity=False))
    >>> text.startswith("# Pivotal cities")
    True
    """
    measures = report.parameters.measures
    lines = [f"# {report.title}", ""]
    lines += [
        f"Data version `{report.data_version}`. Composite: {report.parameters.composite}.",
        "",
        "## Ranking",
        "",
        "| rank | city | score | " + " | ".join(measures) + " | listed |",
        "|---:|---|---:|" + "---:|" * len(measures) + "---|",
    ]
    for c in report.cities:
        lines.append(
            f"| {c.rank} | {_md(c.label)} | {c.score:.3f} | "
            + " | ".join(f"{c.measures[m]:.4g}" for m in measures)
            + f" | {'yes' if c.listed else ''} |"
        )
    lines += ["", "## Agreement with the expert list", ""]
    lines += agreement_lines(report.agreement)
    lines += ["", "## Sensitivity", ""]
    sens = report.sensitivity
    lines += [f"| ranking by | Spearman with composite | top-{sens.k} overlap |", "|---|---:|---:|"]
    for name, row in sens.measures.items():
        lines.append(f"| {name} only | {fmt(row.spearman_with_composite)} | {row.top_overlap} |")
    for name, row in sens.layers_dropped.items():
        lines.append(f"| without {name} | {fmt(row.spearman_with_composite)} | {row.top_overlap} |")
    for name, reason in report.parameters.skipped.items():
        lines.append(f"\n*{name} skipped: {reason}.*")
    lines += ["", "## Why these cities", ""]
    for c in report.cities[:details]:
        lines.append(f"### {c.rank}. {_md(c.label)}")
        lines.append("")
        facts = c.evidence.by_kind()
        for kind, items in facts.items():
            for item in items:
                via = f" (via {item.via_label})" if item.via else ""
                quote = f' — "{_md(item.quote)}"' if item.quote else ""
                lines.append(
                    f"- {kind[:-1]}: {item.relation} {_md(item.label)}{via}{quote}"
                    f" [{item.source or 'no source'}]"
                )
        if not any(facts.values()):
            lines.append("- no facts tie this city to the network")
        lines.append("")
    return "\n".join(lines) + "\n"
