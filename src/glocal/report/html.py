"""The pivotal report as one self-contained HTML page: styles and SVG charts inline,
no script, nothing fetched, so it works offline and can be mailed as a file."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from glocal.namespaces import ID, PREFIXES
from glocal.report.model import PivotalReport
from glocal.report.svg import bar_chart, colour, network_picture, world_map
from glocal.report.text import agreement_lines, fmt

__all__ = ["render_html"]

TEMPLATES = files("glocal.report") / "templates"


def _curie(iri: object) -> str:
    """Shorten an IRI with glocal's prefixes (``city:bristol``), so the page shows no URL.

    >>> _curie("https://w3id.org/glocal/id/city/bristol")
    'city:bristol'
    """
    text = str(iri)
    best = max(
        ((prefix, ns) for prefix, ns in PREFIXES.items() if text.startswith(ns)),
        key=lambda pair: len(pair[1]),
        default=None,
    )
    return f"{best[0]}:{text[len(best[1]) :]}" if best else text


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = fmt
    env.filters["curie"] = _curie
    env.filters["local"] = _local
    return env


def _local(iri: object) -> str:
    """The site path of a glocal IRI, or ``""`` for any other.

    >>> _local("https://w3id.org/glocal/id/city/bristol"), _local("https://example.org/x")
    ('/id/city/bristol', '')
    """
    text = str(iri)
    return "/id/" + text[len(ID) :] if text.startswith(ID) else ""


def render_html(report: PivotalReport, *, details: int | None = 50, site: bool = False) -> str:
    """The report as one self-contained HTML page that works offline.

    A ranked table, a bar chart of the top cities, a drawing of the city–organisation
    network (networkx spring layout) and a world map of cities coloured by score, all
    inline SVG; then the agreement with the expert list, the sensitivity of the
    ranking, and for the first ``details`` cities (all when ``None``) the evidence
    behind their rank, with quotes and sources. No script, no external resource.
    With ``site``, the page is served by ``glocal serve``: it carries the site's
    navigation and links each city to its page.

    Examples
    --------
    >>> import tempfile
    >>> from glocal.dataset import curated_files, load_files
    >>> from glocal.report.build import pivotal_report
    >>> from glocal.store import EmbeddedStore
    >>> store = EmbeddedStore.open(load_files(curated_files()), cache_dir=tempfile.mkdtemp())
    >>> page = render_html(pivotal_report(store, top=5, sensitivity=False))
    >>> page.count("<svg") >= 3 and "src=\\"http" not in page
    True
    """
    return (
        _environment()
        .get_template("pivotal_report.html")
        .render(
            report=report,
            site=site,
            measures=report.parameters.measures,
            bars=bar_chart(report.cities),
            world=world_map(report.cities),
            network=network_picture(report.network),
            details=report.cities[:details],
            agreement=report.agreement,
            agreement_lines=agreement_lines(report.agreement),
            legend=[{"score": s, "colour": colour(s)} for s in (0.0, 0.25, 0.5, 0.75, 1.0)],
        )
    )
