"""The pivotal report as one self-contained HTML page: styles and SVG charts inline,
no script, nothing fetched, so it works offline and can be mailed as a file.

The page shows the first :data:`TABLE_ROWS` cities; the CSV and JSON renderings have
them all, so the page stays small (under 2 MB at 20,000 cities) and opens quickly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from importlib.resources import files

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from glocal.namespaces import ID, PREFIXES
from glocal.report.charts import (
    ForestRow,
    RankPath,
    forest_chart,
    forest_rows,
    rank_paths,
    time_chart,
)
from glocal.report.labels import LABEL_FONT
from glocal.report.mapping import world_map
from glocal.report.model import PivotalReport
from glocal.report.network import KIND_COLOURS, network_caption, network_picture
from glocal.report.svg import bar_chart, colour
from glocal.report.text import agreement_lines, fmt

__all__ = ["EVIDENCE_ITEMS", "TABLE_ROWS", "render_html"]

#: How many cities the page's ranking table lists (the CSV and JSON list all).
TABLE_ROWS = 200
#: How many facts of each kind the page quotes for a city (the JSON has them all).
EVIDENCE_ITEMS = 12

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


def _words(term: str) -> str:
    """A role's or relation's local name as words, for a reader (``adoptedIn`` is
    "adopted in").

    >>> _words("LeadershipBoardMember"), _words("adoptedIn")
    ('leadership board member', 'adopted in')
    """
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", term).lower()


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
    env.filters["words"] = _words
    env.filters["local"] = _local
    return env


def _local(iri: object) -> str:
    """The site path of a glocal IRI, or ``""`` for any other.

    >>> _local("https://w3id.org/glocal/id/city/bristol"), _local("https://example.org/x")
    ('/id/city/bristol', '')
    """
    text = str(iri)
    return "/id/" + text[len(ID) :] if text.startswith(ID) else ""


def render_html(
    report: PivotalReport,
    *,
    details: int | None = 50,
    rows: int = TABLE_ROWS,
    forest: Sequence[ForestRow] | None = None,
    paths: Sequence[RankPath] | None = None,
    site: bool = False,
) -> str:
    """The report as one self-contained HTML page that works offline.

    A ranked table of the first ``rows`` cities, a bar chart of the top cities, a
    drawing of the network of the top cities (every component, every node labelled),
    a labelled map with regional views; the rank intervals as a forest plot when
    the report has intervals (or ``forest`` gives rows, see
    :func:`~glocal.report.charts.forest_rows`) and the ranks through the years
    (or ``paths``, :func:`~glocal.report.charts.rank_paths`); then the agreement with the expert
    list, the sensitivity of the ranking, and for the first ``details`` cities (all
    when ``None``) the evidence behind their rank, with quotes and sources (the first
    :data:`EVIDENCE_ITEMS` facts of each kind). All
    pictures are inline SVG; no script, no external resource. With ``site``, the
    page is served by ``glocal serve``: it carries the site's navigation and links
    each city to its page.

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
    picture = network_picture(report.network)
    # The report's own intervals and ranks by year, unless the caller gives others.
    forest = forest_rows(report.cities) if forest is None else forest
    paths = rank_paths(report.cities) if paths is None else paths
    return (
        _environment()
        .get_template("pivotal_report.html")
        .render(
            report=report,
            site=site,
            measures=report.parameters.measures,
            bars=bar_chart(report.cities),
            world=world_map(report.cities),
            network=picture,
            caption=network_caption(picture, report.cities),
            kind_colours=KIND_COLOURS,
            forest=forest_chart(forest) if forest else None,
            time=time_chart(paths) if paths else None,
            font=LABEL_FONT,
            table=report.cities[:rows],
            details=report.cities[:details],
            evidence_items=EVIDENCE_ITEMS,
            agreement=report.agreement,
            agreement_lines=agreement_lines(report.agreement),
            legend=[{"score": s, "colour": colour(s)} for s in (0.0, 0.25, 0.5, 0.75, 1.0)],
        )
    )
