"""Every quote in the curated data appears in the source it cites, and reads as text.

The five source texts are PDF extractions (``../shared/seeds/README.md``): lines break
anywhere, words are hyphenated at line ends ("migra-" / "tion"), and the conversion left
Markdown link markup around names ("[Mayors Mechanism](#)"). The stored quotes read as a
reader reads the document, without that debris. :func:`normalise` brings a quote and its
source text to the same form, so that containment proves the quote.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from pyoxigraph import Store

from glocal.dataset import Dataset
from glocal.namespaces import PREFIXES

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

QUOTES = """
SELECT ?graph ?file ?quote WHERE {
  GRAPH ?graph { ?fact gl:quote ?quote ; prov:wasDerivedFrom ?source }
  ?source gl:fileName ?file .
}
"""

#: A Markdown link of the extraction: ``[text](#)``, ``[text](#anchor)``, ``[text](https://…)``.
LINK = re.compile(r"\[([^\[\]]*)\]\((?:#[^()\s]*|https?://[^()\s]*)\)")
#: A Markdown escape inside link text: ``Transfer \(FFVT\)``.
ESCAPE = re.compile(r"\\([^\w\s])")
#: The words a suspended hyphen pairs with ("short- and long-term", "Flucht- und
#: Flüchtlingsforschung"): a hyphen and space before one of them is the author's.
SUSPENDED = r"(?:and|or|to|und)(?:\s|$)"
#: A line-break hyphen once whitespace is collapsed: letter, hyphen, space, letter.
BREAK = re.compile(rf"(?<=[^\W\d_])- (?!{SUSPENDED})(?=[^\W\d_])")
#: Compounds whose own hyphen fell at a line end: joined keeping the hyphen.
COMPOUNDS = {
    # 004: "co-" / "chairs"; no other spelling in the five texts, and "cochairs" is no word.
    "co- chairs": "co-chairs",
    # 004: "migration-" / "related"; 001 spells "migration-related" twice.
    "migration- related": "migration-related",
}

#: The suspended hyphens the stored quotes keep, each with the reason it is genuine.
KEPT_HYPHENS = {
    "rights- and solidarity-based": "rights-based and solidarity-based (001, line 309)",
    "Flucht- und Flüchtlingsforschung": "German: Fluchtforschung und Flüchtlingsforschung (001)",
}


def normalise(text: str) -> str:
    """A text as a reader reads it: one space between words, no link markup, no line-break hyphens.

    >>> normalise("the [Mayors\\nMechanism](#) and migra-\\ntion")
    'the Mayors Mechanism and migration'
    >>> normalise("short- and long-term")
    'short- and long-term'
    """
    text = re.sub(r"\s+", " ", text).strip()
    text = ESCAPE.sub(r"\1", LINK.sub(r"\1", text))
    for broken, compound in COMPOUNDS.items():
        text = text.replace(broken, compound)
    return BREAK.sub("", text)


@pytest.fixture(scope="module")
def quotes(dataset: Dataset) -> list[tuple[str, str, str]]:
    """Each stored quote with its graph and the file name of its source."""
    store = Store()
    store.bulk_extend(dataset.quads)
    rows = store.query(QUOTES, prefixes=PREFIXES, use_default_graph_as_union=True)
    return [(r["graph"].value, r["file"].value, r["quote"].value) for r in rows]


def test_every_quoted_fact_names_a_source_file(
    dataset: Dataset, quotes: list[tuple[str, str, str]]
) -> None:
    store = Store()
    store.bulk_extend(dataset.quads)
    total = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?f gl:quote ?q } }", prefixes=PREFIXES
    )
    assert int(next(iter(total))["n"].value) == len(quotes) > 500


def test_quotes_match_the_source_text(quotes: list[tuple[str, str, str]]) -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"source texts not found at {SEEDS}: clone with ../shared beside the repo")
    texts = {p.name: normalise(p.read_text(encoding="utf-8")) for p in SEEDS.glob("*.txt")}
    missing: dict[str, list[str]] = defaultdict(list)
    for _graph, file, quote in quotes:
        assert file in texts, f"unknown source file {file}"
        if normalise(quote) not in texts[file]:
            missing[file].append(quote)
    assert not missing, {k: v[:5] for k, v in missing.items()}


def test_quotes_are_short(quotes: list[tuple[str, str, str]]) -> None:
    assert all(len(normalise(q)) <= 300 for _, _, q in quotes)


def test_quotes_are_stored_as_read(quotes: list[tuple[str, str, str]]) -> None:
    """A stored quote is already its own normal form: nothing is left to clean."""
    unread = sorted({q for _, _, q in quotes if normalise(q) != q})
    assert not unread, unread[:5]


def test_no_quote_keeps_link_markup(quotes: list[tuple[str, str, str]]) -> None:
    # "](", a bracketed span, a bracket left open or closed by a quote cut inside a link,
    # or a Markdown escape such as "\(".
    markup = re.compile(r"\]\(|\[[^\]]*\]|\[[^\]]*$|^[^\[]*\]|\\[^\w\s]")
    marked = sorted({q for _, _, q in quotes if markup.search(q)})
    assert not marked, marked[:5]


def test_no_quote_keeps_line_break_hyphenation(quotes: list[tuple[str, str, str]]) -> None:
    stored = {q for _, _, q in quotes}
    broken = re.compile(r"(\w)- (\w)")
    hyphenated = []
    for quote in stored:
        rest = quote
        for kept in KEPT_HYPHENS:
            rest = rest.replace(kept, "")
        hyphenated += [
            m.group(0) for m in broken.finditer(rest) if m[1].islower() and m[2].islower()
        ]
    assert not hyphenated, sorted(hyphenated)
    # The list of kept hyphens names only what the quotes hold.
    assert all(any(kept in q for q in stored) for kept in KEPT_HYPHENS)


@pytest.mark.parametrize(
    ("quote", "source"),
    [
        ("the Mayors Mechanism is", "the [Mayors Mechanism](#) is"),
        ("the Mayors Mechanism is", "the [Mayors\nMechanism](#) is"),
        ("see the overview of tools", "see the [overview](#tools) of tools"),
        ("bosch-stiftung.de", "[bosch-stiftung.de](https://www.bosch-stiftung.de)"),
        ("Vernetzung und Transfer (FFVT)", "Vernetzung und Transfer \\(FFVT\\)](#)"),
        ("international migration", "interna-\ntional migration"),
        ("international migration", "interna- tional migration"),
        ("the Toronto-based Cities", "the Toron-\nto-based Cities"),
        ("GFMD co-chairs, Germany", "GFMD co-\nchairs, Germany"),
        ("short- and long-term", "short- and long-term"),
        ("a rights- and solidarity-based", "a rights- and solidarity-based"),
        ("Flucht- und Flüchtlingsforschung", "[Flucht- und Flüchtlingsforschung](#)"),
        ("cities – and states", "cities – and\nstates"),
    ],
)
def test_normalise_proves_a_quote_read_as_text(quote: str, source: str) -> None:
    assert normalise(quote) in normalise(source)


@pytest.mark.parametrize(
    ("quote", "source"),
    [
        # A suspended hyphen is the author's: neither joined nor dropped.
        ("shortand long-term", "short- and long-term"),
        ("short and long-term", "short- and long-term"),
        ("Flucht und Flüchtlingsforschung", "Flucht- und Flüchtlingsforschung"),
        # A line-break hyphen is joined, not turned into a space.
        ("migra tion", "migra-\ntion"),
        # A compound's own hyphen stays.
        ("GFMD cochairs", "GFMD co-\nchairs"),
        # Link text is kept, not dropped with the markup.
        ("the is", "the [Mayors Mechanism](#) is"),
        # Brackets that are no link (an editor's insertion) stay.
        ("different than the", "different [than] the"),
    ],
)
def test_normalise_rejects_a_misread_quote(quote: str, source: str) -> None:
    assert normalise(quote) not in normalise(source)


def test_normalise_keeps_suspended_hyphens_and_dashes() -> None:
    assert normalise("short- and long-term, city- or state-level") == (
        "short- and long-term, city- or state-level"
    )
    assert normalise("local- to regional") == "local- to regional"
    assert normalise("the Toron-\nto-based project") == "the Toronto-based project"
    assert normalise("cities - and states") == "cities - and states"
    assert normalise("  a\n\tb  ") == "a b"


def test_each_fact_is_in_the_graph_of_its_source(dataset: Dataset) -> None:
    store = Store()
    store.bulk_extend(dataset.quads)
    wrong = list(
        store.query(
            """SELECT ?g ?fact ?source WHERE {
                 GRAPH ?g { ?fact gl:quote ?q ; prov:wasDerivedFrom ?source }
                 FILTER (?g != ?source) }""",
            prefixes=PREFIXES,
        )
    )
    assert not wrong
    # ...and each statement's direct triple sits in that same graph.
    orphans = list(
        store.query(
            """SELECT ?g ?s ?p ?o WHERE {
                 GRAPH ?g { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }
                 FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }""",
            prefixes=PREFIXES,
        )
    )
    assert not orphans
