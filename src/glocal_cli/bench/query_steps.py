"""Where the canned queries that miss a scale goal spend their time, step by step, on
glocal and on Virtuoso in the same run.

Each profiled query is cut into steps, each a query of its own that does one more part
of the work than the step before (read a pattern, join it, group it, the whole query).
A step that counts returns one row, the number of rows its pattern makes, so that both
engines can be checked to do the same work without sending it. Timed the same way on
the embedded store in-process and on Virtuoso through
:class:`~glocal.store.remote.RemoteStore`, the steps show which part of a query makes
the difference: the reading of patterns, a join, or a grouping.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from pyoxigraph import QuerySolutions, Variable

from glocal.canned import load_queries
from glocal.store import EmbeddedStore, QueryFailed, QueryResult, QueryTimeout
from glocal.store.remote import RemoteStore
from glocal_cli.bench.latency import default_page
from glocal_cli.bench.options import BenchOptions
from glocal_cli.bench.timing import consume, p50, ratio, sample, say, timing_summary

__all__ = ["STEPS", "step_lines", "time_steps"]

_MEMBER = (
    "{ SELECT ?source ?qualifier ?subject "
    "WHERE { GRAPH ?source { ?qualifier org:member ?subject } } }"
)
_ORGANISATION = (
    "{ SELECT ?source ?qualifier ?object "
    "WHERE { GRAPH ?source { ?qualifier org:organization ?object } } }"
)
_DERIVED = "GRAPH ?source { ?fact prov:wasDerivedFrom ?source }"

_ACTING_COUNTS = """SELECT (COUNT(*) AS ?rows) WHERE {
  SELECT ?city (COUNT(DISTINCT ?act) AS ?actingFacts) (COUNT(DISTINCT ?venue) AS ?venueFacts)
  WHERE {
    {
      { SELECT ?act WHERE {
          ?act gl:role ?role . ?role a ?roleClass .
          FILTER (?roleClass IN (gl:ActingRole, gl:Role)) } }
      { SELECT ?act ?city WHERE { ?act rdf:subject|rdf:object ?city } }
      { SELECT ?city WHERE { ?city a gl:City } }
    } UNION {
      { SELECT ?act ?city WHERE { ?act org:member ?city } }
      { SELECT ?act WHERE { ?act a org:Membership } }
      { SELECT ?city WHERE { ?city a gl:City } }
    } UNION {
      ?venue gl:role ?role . ?role a gl:VenueRole .
      ?venue rdf:subject|rdf:object ?city . ?city a gl:City .
    }
  }
  GROUP BY ?city }"""

#: The steps of each profiled query: a label saying what the step adds, and its text.
#: The last step of each is the canned query itself, as served (its first page).
STEPS: dict[str, list[tuple[str, str]]] = {
    "corroborated-facts": [
        (
            "read one part of every membership (org:member)",
            f"SELECT (COUNT(*) AS ?rows) WHERE {{ {_MEMBER} }}",
        ),
        (
            "join it with the membership's organisation",
            f"SELECT (COUNT(*) AS ?rows) WHERE {{ {_MEMBER} {_ORGANISATION} }}",
        ),
        (
            "group the memberships by member and organisation: the candidates",
            "SELECT (COUNT(*) AS ?rows) WHERE { SELECT ?subject ?object WHERE { "
            f"{_MEMBER} {_ORGANISATION} }} GROUP BY ?subject ?object HAVING (COUNT(*) > 1) }}",
        ),
    ],
    "acting-cities": [
        (
            "join every membership's member with the membership's type",
            "SELECT (COUNT(*) AS ?rows) WHERE { "
            "{ SELECT ?act ?city WHERE { ?act org:member ?city } } "
            "{ SELECT ?act WHERE { ?act a org:Membership } } }",
        ),
        (
            "count every city's acting and venue facts (the query's inner subquery)",
            _ACTING_COUNTS,
        ),
    ],
    "sources": [
        (
            "count the facts derived from each source, in its graph",
            f"SELECT ?source (COUNT(*) AS ?derived) WHERE {{ {_DERIVED} }} GROUP BY ?source",
        ),
        (
            "count those without a quote there",
            f"SELECT ?source (COUNT(*) AS ?unquoted) WHERE {{ {_DERIVED} "
            "MINUS { GRAPH ?source { ?fact gl:quote ?factQuote } } } GROUP BY ?source",
        ),
    ],
}

_WHOLE = "the whole query"


def _answer(result: QueryResult) -> int:
    """A step's answer in one number: the count a counting step returns, else the rows.

    A count is compared across engines as the number of rows its pattern made.
    """
    if not isinstance(result, QuerySolutions):
        return consume(result)
    rows = list(result)
    if len(rows) == 1 and result.variables == [Variable("rows")]:
        count = rows[0]["rows"]
        if count is not None:
            return int(count.value)
    return len(rows)


def _timed(
    run: Callable[[], QueryResult], options: BenchOptions
) -> tuple[dict[str, Any], int] | str:
    answers: list[int] = []
    try:
        samples = sample(
            lambda: answers.append(_answer(run())),
            reps=options.reps,
            budget=options.budget_s,
            min_reps=3,
        )
    except (QueryFailed, QueryTimeout) as err:
        return f"{type(err).__name__}: {str(err)[:160]}"
    return timing_summary(samples), answers[-1]


def time_steps(
    store: EmbeddedStore,
    remote: RemoteStore | None,
    options: BenchOptions,
    names: tuple[str, ...] = tuple(STEPS),
) -> dict[str, Any]:
    """Time each step of the queries ``names`` on ``store`` and, if given, ``remote``.

    Returns
    -------
    dict
        Per query, a list of steps: ``label``, ``glocal`` (a timing summary) and
        ``glocal_answer`` (its count, or rows), and the same for ``virtuoso`` when
        ``remote`` is given (or ``virtuoso_error``), with ``virtuoso_over_glocal``.
    """
    queries = load_queries()
    profiles: dict[str, Any] = {}
    for name in names:
        steps = [*STEPS[name], (_WHOLE, default_page(queries[name]))]
        timed: list[dict[str, Any]] = []
        for label, text in steps:
            ours = _timed(partial(store.query, text), options)
            if isinstance(ours, str):
                raise RuntimeError(f"{name}: step {label!r} failed on glocal: {ours}")
            step: dict[str, Any] = {"label": label, "glocal": ours[0], "glocal_answer": ours[1]}
            if remote is not None:
                theirs = _timed(partial(remote.query, text), options)
                if isinstance(theirs, str):
                    step["virtuoso_error"] = theirs
                else:
                    step["virtuoso"], step["virtuoso_answer"] = theirs
                    step["virtuoso_over_glocal"] = ratio(p50(theirs[0]), p50(ours[0]))
            timed.append(step)
        profiles[name] = timed
        say(f"steps of {name}: " + ", ".join(f"{p50(s['glocal']):.1f}" for s in timed) + " ms")
    return profiles


def step_lines(graphs: Mapping[str, Any]) -> list[str]:
    """Per graph with profiled queries: one table of steps per query.

    >>> lines = step_lines({"g": {"aggregation": {"steps": {"q": [{"label": "read",
    ...     "glocal": {"p50_ms": 2.0}, "glocal_answer": 5, "virtuoso": {"p50_ms": 1.0},
    ...     "virtuoso_answer": 5, "virtuoso_over_glocal": 0.5}]}}}})
    >>> lines[1]
    '## Where the time goes: g graph'
    >>> lines[-1]
    '| 1. read | 5 / 5 | 2.00 | 1.00 | 0.5× |'
    """
    lines: list[str] = []
    for name, graph in graphs.items():
        profiles: Mapping[str, Any] = graph.get("aggregation", {}).get("steps", {})
        if not profiles:
            continue
        lines += [
            "",
            f"## Where the time goes: {name} graph",
            "",
            "The canned queries that miss a scale goal, cut into steps: each step does one "
            "more part of the work than the one before, and the last is the query as served. "
            "A counting step returns the number of rows its pattern makes (the answer column "
            "shows it), so both engines are seen to do the same work. p50 in ms; glocal "
            "in-process, Virtuoso through RemoteStore.",
        ]
        for query, steps in profiles.items():
            lines += [
                "",
                f"`{query}`:",
                "",
                "| step | answer glocal / Virtuoso | glocal p50 | Virtuoso p50 "
                "| Virtuoso ÷ glocal |",
                "| --- | ---: | ---: | ---: | ---: |",
            ]
            lines += [_row(number, step) for number, step in enumerate(steps, start=1)]
    return lines


def _row(number: int, step: Mapping[str, Any]) -> str:
    ours = f"| {number}. {step['label']} | {step['glocal_answer']} / "
    theirs = step.get("virtuoso")
    if theirs is None:
        return f"{ours}– | {step['glocal']['p50_ms']:.2f} | {step.get('virtuoso_error', '–')} | – |"
    return (
        f"{ours}{step['virtuoso_answer']} | {step['glocal']['p50_ms']:.2f} | "
        f"{theirs['p50_ms']:.2f} | {step['virtuoso_over_glocal']:.1f}× |"
    )
