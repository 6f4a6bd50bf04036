"""Syntax errors that help: the endpoint names what it found, where, and the likely fix."""

from __future__ import annotations

import pytest

from glocal.canned import load_queries
from glocal.store.syntax_hints import explain
from tests.conftest import LiveServer

JSON = {"Accept": "application/sparql-results+json, application/json;q=0.1"}


@pytest.mark.parametrize(
    ("query", "line", "column", "found", "hint"),
    [
        ("SELEC ?city WHERE { ?city a gl:City }", 1, 1, "SELEC", "did you mean SELECT?"),
        ("SELECT ?x WHERE { ?x a foo:Bar }", 1, 24, "foo:Bar", "prefix foo: is not declared"),
        (
            "SELECT ?x WHERE {\n  ?x a gl:City\n  ?x rdfs:label ?l .\n}",
            3,
            3,
            "?x",
            "A '.' seems to be missing before ?x",
        ),
        (
            "SELECT ?city (COUNT(?n) AS ?networks) WHERE { ?city org:memberOf ?n } GROUP BY ?n",
            1,
            8,
            "?city",
            "?city is selected but not grouped",
        ),
        ("SELECT ?x WHERE { ?x a gl:City } LIMT 3", 1, 34, "LIMT", "did you mean LIMIT?"),
    ],
)
def test_common_mistakes_are_named(
    server: LiveServer, query: str, line: int, column: int, found: str, hint: str
) -> None:
    with server.client() as client:
        text = client.post("/sparql", data={"query": query})
        explained = client.post("/sparql", data={"query": query}, headers=JSON)
    assert text.status_code == explained.status_code == 400
    # SPARQL clients get one line of text; the editor, which asks for JSON, the fields.
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text.startswith(f"SPARQL syntax error: line {line}, column {column}: found {found}")
    assert hint in text.text
    body = explained.json()
    assert (body["line"], body["column"], body["found"]) == (line, column, found)
    assert hint in body["hint"] and body["error"] == text.text.strip()
    # The engine's alternatives, without its character ranges.
    assert not any("\\u{" in item or "..=" in item for item in body["expected"])


def test_a_group_by_error_no_longer_lists_unicode_ranges(server: LiveServer) -> None:
    with server.client() as client:
        response = client.get(
            "/sparql", params={"query": "SELECT ?x ?n WHERE { ?x ?p ?n } GROUP BY ?x"}
        )
    assert response.status_code == 400
    assert "\\u{" not in response.text and "..=" not in response.text
    assert "?n is selected but not grouped" in response.text


def test_an_error_without_a_known_mistake_names_what_was_found(server: LiveServer) -> None:
    with server.client() as client:
        response = client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x a gl:City "})
    assert response.status_code == 400
    assert "found the end of the query; expected ',', '.', ';'" in response.text


@pytest.mark.parametrize(
    "query",
    [
        # VALUES data, property paths, ';' and ',' lists, language tags and a sub-SELECT
        # are not missing dots; the mistake is the string after LIMIT.
        "SELECT ?x WHERE { VALUES ?x { city:a city:b city:c city:d } "
        '?x org:memberOf/rdfs:label ?y ; rdfs:label "x"@en-GB , "y" . '
        "{ SELECT ?a ?b ?c ?d WHERE { ?a ?b ?c } } } LIMIT 'a'",
    ],
)
def test_valid_patterns_get_no_wrong_hint(server: LiveServer, query: str) -> None:
    with server.client() as client:
        body = client.post("/sparql", data={"query": query}, headers=JSON).json()
    assert body["hint"] == ""
    assert body["found"] == "'a'"
    assert body["line"] == 1 and body["column"] == query.index("'a'") + 1


def test_no_hint_fires_on_the_canned_queries() -> None:
    """Every check reads valid SPARQL without finding a mistake: the canned queries are
    explained as if the engine had failed at their very end."""
    queries = load_queries()
    assert len(queries) > 20
    for name, query in queries.items():
        lines = query.sparql.split("\n")
        end = f"error at {len(lines)}:{len(lines[-1]) + 1}: expected OPTIONAL"
        hint = explain(query.sparql, end)
        assert hint.hint == "", (name, hint.message())
        assert hint.found == "the end of the query", name
