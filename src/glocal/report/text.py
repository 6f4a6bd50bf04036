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
    writer.writerow([*head, "listed", "community", "core", "lat", "long", *kinds, *_EXTRA_COLUMNS])
    for city in report.cities:
        facts = city.evidence.by_kind()
        boot = city.rank_interval or ("", "")
        loso = city.loso_interval or ("", "")
        writer.writerow(
            [city.rank, city.iri, city.label, city.score]
            + [city.measures.get(m, "") for m in measures]
            + [city.listed, city.community, city.core]
            + [_blank(city.lat), _blank(city.long)]
            + [len(facts[k]) for k in kinds]
            + [boot[0], boot[1], loso[0], loso[1]]
            + [_blank(getattr(city, name)) for name in _EXTRA_COLUMNS[4:]]
        )
    return out.getvalue()


#: The CSV's columns after the evidence counts: intervals, null model, brokerage.
_EXTRA_COLUMNS = (
    "rank_low",
    "rank_high",
    "loso_low",
    "loso_high",
    "z_score",
    "p_value",
    "q_value",
    "beyond_chance",
    "constraint",
    "effective_size",
    "region",
    "participation",
    "articulation",
    "component",
)


def _blank(value: object) -> object:
    return "" if value is None else value


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
    honest = [
        f"- {f.facts}: precision@{f.k} {fmt(f.precision_at_k)} "
        f"[{_interval(f.intervals.get('precision_at_k'))}], recall {fmt(f.recall_at_k)} "
        f"[{_interval(f.intervals.get('recall_at_k'))}], Spearman rho {fmt(f.spearman)} "
        f"(p {fmt(f.spearman_p)}) [{_interval(f.intervals.get('spearman'))}], AUC "
        f"{fmt(f.auc)} [{_interval(f.intervals.get('auc'))}]"
        for f in a.figures
    ]
    unsupported = (
        [
            "- listed, but no source ties them to anything: "
            + ", ".join(_md(c.label) for c in a.unsupported)
        ]
        if a.unsupported
        else []
    )
    return [*honest, *unsupported, *_plain_lines(a, rho, p_rho, tau, p_tau)]


def _interval(pair: tuple[float, float] | None) -> str:
    return "n/a" if pair is None else f"95% {pair[0]:.2f}–{pair[1]:.2f}"


def _plain_lines(
    a: AgreementSection,
    rho: float | None,
    p_rho: float | None,
    tau: float | None,
    p_tau: float | None,
) -> list[str]:
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
        report.ranking_rule,
        "",
        "## Ranking",
        "",
        "| rank | city | score | 95% interval | one source out | z | q | "
        + " | ".join(measures)
        + " | listed |",
        "|---:|---|---:|---|---|---:|---:|" + "---:|" * len(measures) + "---|",
    ]
    for c in report.cities:
        lines.append(
            f"| {c.rank} | {_md(c.label)} | {c.score:.3f} | {_span(c.rank_interval)} | "
            f"{_span(c.loso_interval)} | {fmt(c.z_score)} | {fmt(c.q_value)}"
            f"{' *' if c.beyond_chance else ''} | "
            + " | ".join(f"{c.measures[m]:.4g}" for m in measures)
            + f" | {'yes' if c.listed else ''} |"
        )
    lines += ["", *_structure_lines(report)]
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
        why = c.explanation
        if why is None:
            lines += ["- no explanation computed", ""]
            continue
        for fact in why.facts:
            quote = f' "{_md(fact.quote)}"' if fact.quote else ""
            lines.append(f"- {_md(fact.sentence)} ({_md(fact.citation)}){quote}")
        lines += [f"- {_md(text)}" for text in (why.below, why.above, why.interval) if text]
        if why.disagreeing:
            lines.append(f"- Measures that disagree: {'; '.join(why.disagreeing)}.")
        lines.append("")
    return "\n".join(lines) + "\n"


def _span(interval: tuple[int, int] | None) -> str:
    return "n/a" if interval is None else f"{interval[0]}–{interval[1]}"


def _structure_lines(report: PivotalReport) -> list[str]:
    """Components, isolates, uncertainty, backbone and timeline as Markdown."""
    lines = ["## Components and cities with no tie", ""]
    for part in report.components[:10]:
        names = ", ".join(_md(c.label) for c in part.cities[:12])
        more = ", …" if len(part.cities) > 12 else ""
        lines.append(
            f"- component {part.index}: {len(part.cities)} cities, {part.nodes} nodes "
            f"({names}{more})"
        )
    if len(report.components) > 10:
        lines.append(f"- and {len(report.components) - 10} smaller components")
    lines.append(
        "- no tie (not ranked): "
        + (", ".join(_md(c.label) for c in report.isolates[:60]) or "none")
        + (", …" if len(report.isolates) > 60 else "")
    )
    u = report.uncertainty
    if u is not None:
        lines += [
            "",
            "## Uncertainty",
            "",
            f"- {u.bootstrap_replicates} bootstrap replicates over facts; leave-one-source-out "
            f"over {len(u.loso_sources)} sources; seed {u.seed}",
            f"- null model: {u.null_model}; {u.null_replicates} null graphs; statistic "
            f"{u.null_statistic}; {u.correction}, alpha {u.alpha}",
            "- central beyond chance (marked * above): "
            + (", ".join(_md(c.label) for c in u.beyond_chance) or "none"),
            *(f"- limit: {limit}" for limit in u.limits),
        ]
    b = report.backbone
    if b is not None:
        lines += ["", "## Backbone of the city–city ties", "", f"- {b.method}"]
        if b.skipped:
            lines.append(f"- skipped: {b.skipped}")
        else:
            lines.append(f"- {len(b.edges)} of {b.tested_pairs} tied pairs are significant")
            lines += [
                f"- {_md(e.a.label)} – {_md(e.b.label)}: {e.shared} shared (p {fmt(e.p_value)})"
                for e in b.edges[:30]
            ]
    t = report.timeline
    if t is not None and t.years:
        lines += ["", "## Ranks through time", "", f"Rule: {t.rule}.", ""]
        lines.append("| city | " + " | ".join(str(y) for y in t.years) + " |")
        lines.append("|---|" + "---:|" * len(t.years))
        for c in report.cities[:16]:
            by_year = c.ranks_by_year or {}
            cells = [fmt(by_year.get(y)) if by_year.get(y) is not None else "–" for y in t.years]
            lines.append(f"| {_md(c.label)} | " + " | ".join(cells) + " |")
    return lines
