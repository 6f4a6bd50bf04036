"""The canned queries in ``queries/`` answer their competency questions on the curated data.

Every query runs through the real path (``load_queries`` + ``bind`` + ``store.query``) on
an embedded store built once for this module. The answers asserted are facts the five
source texts state (checked against ``/work/shared/seeds``); since curators keep adding
and deduplicating data, the assertions are things that must hold whatever is added:
specific known facts present, order, non-emptiness, counts at least a floor.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import QuerySolutions

from glocal.canned import CannedQuery, Parameter, ParameterError, bind, load_queries
from glocal.dataset import curated_files, load_files
from glocal.store import EmbeddedStore
from glocal.store.service_policy import check_federation
from tests.data.test_quotes import normalise

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"

ID = "https://w3id.org/glocal/id/"
GL = "https://w3id.org/glocal/ontology#"
ORG = "http://www.w3.org/ns/org#"
CITY = ID + "city/"
ORGN = ID + "org/"
DECL = ID + "declaration/"
EVENT = ID + "event/"
PERSON = ID + "person/"
COUNTRY = ID + "country/"
OBJ = ID + "objective/"
SRC = ID + "source/"

QUERIES = load_queries()

#: The competency questions glocal must answer, by query name.
REQUIRED = {
    "networks-of-city",
    "members-of-network",
    "cities-in-both-networks",
    "declarations-of-city",
    "declaration-signatories",
    "declaration-timeline",
    "pledges-by-objective",
    "objective-gaps",
    "network-governance",
    "mayoral-forum-editions",
    "mayors",
    "cities-by-country",
    "fact-provenance",
    "pivotal-cities-assessment",
    "sources",
    "events-of-city",
    "city-profile",
    "acting-cities",
    "mayor-in-year",
    "state-positions-on-gcm",
    "signatory-counts",
    "unconfirmed-plans",
    "assessments-of-city",
}

HOSTILE = ['"} ; DROP ALL #', "<http://x> } ; DROP ALL #"]

#: A value of each parameter type that matches nothing in the graph.
NOTHING = {
    "iri": "http://example.org/nothing-here",
    "string": "no such value",
    "integer": "-1",
    "year": "1900",
}

Row = dict[str, str]


@pytest.fixture(scope="module")
def canned_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedStore]:
    """The curated graph in an embedded store, built once for this module."""
    store = EmbeddedStore.open(
        load_files(curated_files()), cache_dir=tmp_path_factory.mktemp("canned-queries")
    )
    yield store
    store.close()


def run(store: EmbeddedStore, name: str, params: dict[str, str] | None = None) -> list[Row]:
    """Bind and run a canned query; each row maps variable names to term values."""
    result = store.query(bind(QUERIES[name], params or {}))
    assert isinstance(result, QuerySolutions), f"{name} is not a SELECT query"
    names = [v.value for v in result.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in result]


def rows_where(rows: list[Row], **conditions: str) -> list[Row]:
    """The rows whose columns equal the given values."""
    return [r for r in rows if all(r.get(k) == v for k, v in conditions.items())]


def column(rows: list[Row], name: str) -> list[str]:
    return [r[name] for r in rows if name in r]


def in_seed(quote: str, file_name: str) -> bool:
    """Whether a quote occurs in a seed text, both read as text (see ``normalise``)."""
    return normalise(quote) in normalise((SEEDS / file_name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------
# Every query: metadata, defaults, parameters
# --------------------------------------------------------------------------------------


def test_the_competency_questions_have_queries() -> None:
    missing = REQUIRED - set(QUERIES)
    assert not missing, sorted(missing)


@pytest.mark.parametrize("query", QUERIES.values(), ids=list(QUERIES))
def test_query_has_title_description_and_documented_parameters(query: CannedQuery) -> None:
    assert query.title.strip()
    assert len(query.description) > 20, f"{query.name}: describe what the query answers"
    for param in query.parameters:
        assert param.default, f"{query.name}: parameter {param.name} needs a default"
        assert param.description.strip(), f"{query.name}: describe parameter {param.name}"
        assert f"?{param.name}" in query.sparql, f"{query.name}: {param.name} is never used"


@pytest.mark.parametrize("query", QUERIES.values(), ids=list(QUERIES))
def test_defaults_bind_and_give_distinct_answers(
    canned_store: EmbeddedStore, query: CannedQuery
) -> None:
    bound = bind(query, {})
    if query.parameters:
        # Bound inside the WHERE clause (before grouping), not appended at the end.
        assert re.search(r"\bWHERE\s*\{ VALUES \(", bound, re.IGNORECASE), bound
    rows = run(canned_store, query.name)
    assert rows, f"{query.name} answers nothing with its default parameters"
    keys = [tuple(sorted(row.items())) for row in rows]
    assert len(keys) == len(set(keys)), f"{query.name} repeats rows"


WITH_PARAMETERS = [q for q in QUERIES.values() if q.parameters]


@pytest.mark.parametrize("query", WITH_PARAMETERS, ids=[q.name for q in WITH_PARAMETERS])
def test_binding_in_subqueries_keeps_the_answer(
    canned_store: EmbeddedStore, query: CannedQuery
) -> None:
    """``bind`` repeats the block in subqueries that project a parameter (so Oxigraph
    computes them for the bound value only); the answer is that of the block in the
    outer WHERE clause alone."""
    bound = bind(query, {})
    block = r" VALUES \([^)]*\) \{ \([^\n]*\) \}\n"
    blocks = list(re.finditer(block, bound))
    outer_only = bound
    for found in reversed(blocks[1:]):
        outer_only = outer_only[: found.start()] + outer_only[found.end() :]
    assert len(re.findall(block, outer_only)) == 1
    answers = []
    for text in (bound, outer_only):
        result = canned_store.query(text)
        assert isinstance(result, QuerySolutions)
        answers.append([[str(row[v]) for v in result.variables] for row in result])
    assert answers[0] == answers[1]
    assert answers[0], f"{query.name} answers nothing with its defaults"


@pytest.mark.parametrize("query", QUERIES.values(), ids=list(QUERIES))
def test_query_text_calls_no_service(query: CannedQuery) -> None:
    """The API checks only a canned query's bound values against the SERVICE policy
    (glocal_api.canned): the text itself must call no endpoint."""
    check_federation(query.sparql)


PARAMETERS = [(q, p) for q in QUERIES.values() for p in q.parameters]


@pytest.mark.parametrize(
    ("query", "param"), PARAMETERS, ids=[f"{q.name}:{p.name}" for q, p in PARAMETERS]
)
def test_each_parameter_restricts_every_row(
    canned_store: EmbeddedStore, query: CannedQuery, param: Parameter
) -> None:
    """A value that matches nothing gives no rows: the parameter is joined, never ignored
    (e.g. by an aggregate the trailing VALUES block is joined after)."""
    assert run(canned_store, query.name, {param.name: NOTHING[param.type]}) == []


@pytest.mark.parametrize("query", QUERIES.values(), ids=list(QUERIES))
@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_parameter_values(
    canned_store: EmbeddedStore, query: CannedQuery, hostile: str
) -> None:
    """Injection attempts are refused for IRI (and year) parameters and are plain,
    harmless literals for string parameters: the query runs, finds nothing, changes
    nothing."""
    size = len(canned_store)
    for param in query.parameters:
        if param.type in ("iri", "year", "integer"):
            with pytest.raises(ParameterError):
                bind(query, {param.name: hostile})
        else:
            bound = bind(query, {param.name: hostile})
            # As many VALUES blocks as a harmless value gets (one per place it is bound):
            # the hostile one opened none of its own.
            harmless = bind(query, {param.name: "x"})
            assert bound.count("VALUES (") == harmless.count("VALUES (")
            assert harmless.count("VALUES (") > query.sparql.count("VALUES (")
            assert run(canned_store, query.name, {param.name: hostile}) == []
    assert len(canned_store) == size


def test_there_are_string_parameters_to_check() -> None:
    kinds = {p.type for q in QUERIES.values() for p in q.parameters}
    assert {"iri", "string", "year"} <= kinds


# --------------------------------------------------------------------------------------
# Cities and networks
# --------------------------------------------------------------------------------------


def test_networks_of_freetown(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "networks-of-city", {"city": "city:freetown"})
    board = rows_where(rows, organisation=ORGN + "mmc", role="leadership board member")
    assert board and board[0]["since"] == "2018"
    assert board[0]["source"] == SRC + "stuerner-2020"
    assert rows_where(rows, organisation=ORGN + "mayors-dialogue-on-growth-and-solidarity")
    labels = column(rows, "organisationLabel")
    assert labels == sorted(labels)


def test_networks_of_bristol(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "networks-of-city", {"city": "city:bristol"})
    assert {ORGN + "mmc", ORGN + "gpm"} <= set(column(rows, "organisation"))


def test_members_of_the_mmc(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "members-of-network", {"network": "orgn:mmc"})
    board = rows_where(rows, role="leadership board member")
    # The MMC's 2018 launch: "Council to be led by mayors of Los Angeles, Athens,
    # Montreal, Milan, Freetown, Kampala, Amman and Bristol" (Stürner 2020, references).
    leaders = {"amman", "athens", "bristol", "freetown", "kampala", "los-angeles"}
    leaders |= {"milan", "montreal"}
    assert {CITY + c for c in leaders} <= set(column(board, "member"))
    freetown = rows_where(board, member=CITY + "freetown")[0]
    assert freetown["since"] == "2018"
    assert freetown["memberType"] == "city"
    assert "Freetown" in freetown["quote"]
    labels = column(rows, "memberLabel")
    assert labels == sorted(labels)


def test_co_steering_partners_of_the_mayors_mechanism(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "members-of-network", {"network": "orgn:mayors-mechanism"})
    partners = rows_where(rows, role="co-steering partner")
    assert {ORGN + "iom", ORGN + "uclg", ORGN + "mmc"} <= set(column(partners, "member"))
    assert {SRC + "stuerner-2020", SRC + "van-haasen-2021"} <= set(column(partners, "source"))


def test_cities_in_both_networks(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "cities-in-both-networks")
    # Milan and Freetown lead the Mayors Dialogue and sit on the MMC's board.
    assert {CITY + "freetown", CITY + "milan"} <= set(column(rows, "city"))
    freetown = rows_where(rows, city=CITY + "freetown")[0]
    assert "leadership board member" in freetown["rolesInNetwork1"]
    assert "chair" in freetown["rolesInNetwork2"]
    both = {"network1": "orgn:mmc", "network2": "orgn:gpm"}
    assert CITY + "bristol" in column(run(canned_store, "cities-in-both-networks", both), "city")
    swapped = {"network1": "orgn:gpm", "network2": "orgn:mmc"}
    assert column(run(canned_store, "cities-in-both-networks", swapped), "city") == column(
        run(canned_store, "cities-in-both-networks", both), "city"
    )


def test_network_overlap(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "network-overlap")
    pair = rows_where(
        rows,
        network1=ORGN + "mayors-dialogue-on-growth-and-solidarity",
        network2=ORGN + "mmc",
    )
    assert pair and int(pair[0]["sharedCities"]) >= 2
    assert {"Freetown", "Milan"} <= set(pair[0]["cities"].split("; "))
    shared = [int(n) for n in column(rows, "sharedCities")]
    assert shared == sorted(shared, reverse=True) and min(shared) >= 1
    assert all(r["network1"] < r["network2"] for r in rows)


def test_cities_by_country(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "cities-by-country")
    counts = {r["city"]: int(r["memberships"]) for r in rows}
    assert counts[CITY + "athens"] >= 3
    for city in ("bristol", "freetown", "kampala", "milan"):
        assert counts[CITY + city] >= 2, city
    athens = rows_where(rows, city=CITY + "athens")[0]
    assert "Mayors Migration Council" in athens["organisations"]
    # Countries come from the GeoNames reference data where it is loaded.
    for city, country in (("kampala", "ug"), ("bristol", "gb"), ("sao-paulo", "br")):
        row = rows_where(rows, city=CITY + city)[0]
        assert row.get("country", COUNTRY + country) == COUNTRY + country
    assert len({r["city"] for r in rows}) == len(rows), "one row per city"


def test_city_profile(canned_store: EmbeddedStore) -> None:
    (bristol,) = run(canned_store, "city-profile", {"city": "city:bristol"})
    assert int(bristol["networks"]) >= 2
    assert int(bristol["declarations"]) >= 2  # Bristol Declaration; its mayor's article
    assert int(bristol["events"]) >= 1
    assert int(bristol["pledges"]) >= 1
    assert "Marvin Rees" in bristol["mayors"]
    assert int(bristol["sources"]) >= 3
    assert bristol["pivotal"] == "true"
    (chicago,) = run(canned_store, "city-profile", {"city": "city:chicago"})
    assert chicago["pivotal"] == "false"
    assert int(chicago["declarations"]) >= 1


def test_pivotal_cities(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "pivotal-cities-assessment")
    # Stürner 2020, 2.2: "Amman, Athens, Barcelona, Bristol, Freetown, Gaziantep, Kampala,
    # Los Angeles, New York, Milan, Montréal, Rabat, São Paulo, Sfax, Tunis and Zurich".
    cities = {
        "amman", "athens", "barcelona", "bristol", "freetown", "gaziantep", "kampala",
        "los-angeles", "new-york", "milan", "montreal", "rabat", "sao-paulo", "sfax",
        "tunis", "zurich",
    }  # fmt: skip
    assert set(column(rows, "city")) == {CITY + c for c in cities}
    assert set(column(rows, "source")) == {SRC + "stuerner-2020"}
    assert all("the following cities" in q for q in column(rows, "quote"))
    labels = column(rows, "cityLabel")
    assert labels == sorted(labels)


def test_mayors(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "mayors")
    rees = rows_where(rows, person=PERSON + "marvin-rees", city=CITY + "bristol")
    assert {SRC + "ccga-2018", SRC + "stuerner-2020"} <= set(column(rees, "source"))
    ccga = rows_where(rees, source=SRC + "ccga-2018")[0]
    assert "Marvin Rees, the mayor of Bristol" in ccga["quote"]
    plante = rows_where(rows, person=PERSON + "valerie-plante")
    assert column(plante, "city") and set(column(plante, "city")) == {CITY + "montreal"}
    assert SRC + "van-haasen-2021" in column(plante, "source")
    assert rows_where(rows, person=PERSON + "giorgos-kaminis", city=CITY + "athens")
    assert rows_where(rows, person=PERSON + "erias-lukwago", city=CITY + "kampala")
    labels = column(rows, "cityLabel")
    assert labels == sorted(labels)


def test_events_of_marrakech(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "events-of-city", {"city": "city:marrakech"})
    gcm = rows_where(rows, event=EVENT + "gcm-conference-2018", relation="held in the city")
    assert gcm and SRC + "brookings-2018" in column(gcm, "source")
    assert EVENT + "mmc-launch-2018" in column(rows, "event")
    years = column(rows, "year")
    assert years == sorted(years)


def test_events_of_bristol_include_its_mayors(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "events-of-city", {"city": "city:bristol"})
    assert rows_where(rows, relation="held in the city")
    by_mayor = rows_where(rows, relation="attended by its mayor", via=PERSON + "marvin-rees")
    # "Marvin Rees, the mayor of Bristol, UK ... is a scheduled speaker at this year's
    # Chicago Forum on Global Cities" (Chicago Council 2018).
    assert by_mayor and SRC + "ccga-2018" in column(by_mayor, "source")


# --------------------------------------------------------------------------------------
# Declarations
# --------------------------------------------------------------------------------------


def test_declarations_of_bristol(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "declarations-of-city", {"city": "city:bristol"})
    hosted = [
        r
        for r in rows_where(rows, declaration=DECL + "bristol-declaration-2018")
        if r["relation"].startswith("hosted")
    ]
    assert hosted, "the Bristol Declaration was passed at the GPM summit in Bristol"
    assert SRC + "us-cities-chapter-2019" in column(hosted, "source")
    by_mayor = rows_where(rows, relation="adopted by its mayor", via=PERSON + "marvin-rees")
    assert by_mayor, "The Leadership of Cities, by the mayors of Athens, Bristol and Kampala"


def test_declarations_of_barcelona(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "declarations-of-city", {"city": "city:barcelona"})
    call = rows_where(rows, declaration=DECL + "call-of-barcelona-2014")
    # "whose inaugural meeting took place in Barcelona in 2014" (Chicago Council 2018)
    # and the Call of Barcelona as that forum's outcome (Stürner 2020).
    assert rows_where(call, via=EVENT + "global-mayoral-forum-2014", source=SRC + "ccga-2018")
    assert call[0]["year"] == "2014"


def test_declarations_of_new_york_and_marrakech(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "declarations-of-city", {"city": "city:new-york"})
    endorsed = rows_where(rows, relation="endorsed", source=SRC + "ccga-2018")
    assert endorsed and "New York" in endorsed[0]["quote"]
    assert rows_where(rows, relation="adopted")
    rows = run(canned_store, "declarations-of-city", {"city": "city:marrakech"})
    assert ID + "compact/gcm" in column(rows, "declaration")


def test_declaration_signatories_marrakech(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "declaration-signatories")
    counts = rows_where(rows, relation="count", count="150", source=SRC + "van-haasen-2021")
    assert counts, "150 city leaders also endorsed the Marrakesh Mayors Declaration"
    assert counts[0]["countQualifier"] == "exactly"
    # People, not cities: what was counted is said by the data, not by a note.
    assert counts[0]["counted"] == GL + "CityLeaders"
    assert "150 city leaders" in counts[0]["quote"]


def test_declaration_signatories_of_the_cities_call(canned_store: EmbeddedStore) -> None:
    # "Los Angeles, New York, Chicago, Atlanta and many other cities across the globe
    # have called for a consultative role" (Chicago Council 2018): found from Atlanta.
    atlanta = run(canned_store, "declarations-of-city", {"city": "city:atlanta"})
    (declaration,) = {r["declaration"] for r in rows_where(atlanta, relation="endorsed")}
    rows = run(canned_store, "declaration-signatories", {"declaration": declaration})
    endorsers = set(column(rows_where(rows, relation="endorsed"), "signatory"))
    assert {CITY + c for c in ("atlanta", "chicago", "los-angeles", "new-york")} <= endorsers
    labels = column(rows_where(rows, relation="endorsed"), "signatoryLabel")
    assert labels == sorted(labels)


def test_declaration_timeline(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "declaration-timeline")
    years = [int(r["year"]) for r in rows]
    assert years == sorted(years) and len(rows) >= 20
    by_iri = {r["declaration"]: r for r in rows}
    barcelona = by_iri[DECL + "call-of-barcelona-2014"]
    assert barcelona["year"] == "2014" and barcelona["place"] == "Barcelona"
    assert "Mayoral Forum" in barcelona["adoptedAt"]
    mechelen = by_iri[DECL + "mechelen-declaration-2017"]
    assert mechelen["year"] == "2017" and "Mechelen" in mechelen["place"]
    marrakech = by_iri[DECL + "marrakech-mayors-declaration-2018"]
    assert marrakech["year"] == "2018" and "Mayoral Forum" in marrakech["adoptedAt"]
    bristol = by_iri[DECL + "bristol-declaration-2018"]
    assert "Bristol" in bristol["place"] and "Global Parliament of Mayors" in bristol["issuedBy"]
    gcm = by_iri[ID + "compact/gcm"]
    assert gcm["year"] == "2018" and "Marrakech" in gcm["place"]


def test_year_overview(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "year-overview", {"year": "2018"})
    items = set(column(rows, "item"))
    assert {DECL + "marrakech-mayors-declaration-2018", DECL + "bristol-declaration-2018"} <= items
    assert {EVENT + "gcm-conference-2018", ID + "compact/gcm"} <= items
    rows = run(canned_store, "year-overview", {"year": "2014"})
    forum = rows_where(rows, item=EVENT + "global-mayoral-forum-2014")
    assert forum and forum[0]["place"] == "Barcelona"
    assert DECL + "call-of-barcelona-2014" in column(rows, "item")


# --------------------------------------------------------------------------------------
# Compacts, pledges and gaps
# --------------------------------------------------------------------------------------


def test_pledges_by_objective(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "pledges-by-objective")
    notations = [int(n) for n in column(rows, "notation")]
    assert notations == sorted(notations)
    # van Haasen: the four cities' pledges to the Call to Local Action, mapped to
    # GCM objectives 7 and 15 (Milan), 16 and 17 (Bristol), 23 (Strasbourg).
    for city, objectives in (("milan", (7, 15)), ("bristol", (16, 17)), ("strasbourg", (23,))):
        for number in objectives:
            found = rows_where(
                rows,
                objective=f"{OBJ}gcm-{number}",
                pledgedBy=CITY + city,
                source=SRC + "van-haasen-2021",
            )
            assert found and found[0]["kind"] == "pledge", (city, number)
    # Brookings groups Mechelen Declaration commitments under objectives 7, 15 and 16.
    for number in (7, 15, 16):
        mechelen = rows_where(
            rows,
            objective=f"{OBJ}gcm-{number}",
            context=DECL + "mechelen-declaration-2017",
            source=SRC + "brookings-2018",
        )
        assert mechelen and mechelen[0]["kind"] == "commitment", number


def test_objective_gaps(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "objective-gaps")
    gaps = set(column(rows, "objective"))
    pledged = {f"{OBJ}gcm-{n}" for n in (7, 15, 16, 17, 23)}
    assert not gaps & pledged
    assert gaps <= {f"{OBJ}gcm-{n}" for n in range(1, 24)}
    assert OBJ + "gcm-1" in gaps and len(rows) <= 23 - len(pledged)
    notations = [int(n) for n in column(rows, "notation")]
    assert notations == sorted(notations)
    # Brookings names objectives 3 and 4 among cities' priorities; nobody pledges to them.
    if OBJ + "gcm-3" in gaps:
        assert "Brookings" in rows_where(rows, objective=OBJ + "gcm-3")[0]["addressedBy"]
    refugees = run(canned_store, "objective-gaps", {"compact": "compact:gcr"})
    assert refugees and all(o.startswith(OBJ + "gcr-") for o in column(refugees, "objective"))


# --------------------------------------------------------------------------------------
# Governance of networks and forums
# --------------------------------------------------------------------------------------


def test_governance_of_the_mayors_mechanism(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "network-governance")
    co_steering = rows_where(rows, relation="co-steers")
    # "The MM is co-steered by IOM, UCLG and the MMC." (Stürner 2020; also van Haasen)
    assert {ORGN + "iom", ORGN + "uclg", ORGN + "mmc"} <= set(column(co_steering, "organisation"))
    assert {SRC + "stuerner-2020", SRC + "van-haasen-2021"} <= set(column(co_steering, "source"))
    founders = set(column(rows_where(rows, relation="founded"), "organisation"))
    assert {ORGN + "iom", ORGN + "uclg", ORGN + "mmc"} <= founders
    supporters = set(column(rows_where(rows, relation="supports"), "organisation"))
    assert {COUNTRY + "de", COUNTRY + "ma"} <= supporters  # the GFMD chairs at the time
    assert ORGN + "gfmd" in column(rows_where(rows, relation="contains it"), "organisation")
    relations = column(rows, "relation")
    assert relations == sorted(relations)


def test_governance_of_the_mayoral_forum(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "network-governance", {"network": "series:global-mayoral-forum"})
    # "The Mayoral Forum is an annual city-led dialogue on these topics, supported by IOM
    # and the World Bank, among others." (Brookings 2018)
    supporters = rows_where(rows, relation="supports", source=SRC + "brookings-2018")
    assert ORGN + "iom" in column(supporters, "organisation")
    organisers = column(rows_where(rows, relation="organises"), "organisation")
    assert ORGN + "mayors-mechanism" in organisers


def test_mayoral_forum_editions(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "mayoral-forum-editions")
    years = [int(r["year"]) for r in rows if "year" in r]
    assert years == sorted(years)
    by_edition = {r["edition"]: r for r in rows}
    first = by_edition[EVENT + "global-mayoral-forum-2014"]
    assert (first["number"], first["year"], first["place"]) == ("1", "2014", "Barcelona")
    assert "Call of Barcelona" in first["outcome"]
    # The place comes from the Chicago Council commentary, the number and outcome from
    # the Bosch paper's table.
    assert SRC + "ccga-2018" in first["placeSources"].split()
    assert SRC + "stuerner-2020" in first["outcomeSources"].split()
    third = by_edition[EVENT + "global-mayoral-forum-2016"]
    assert (third["number"], third["place"]) == ("3", "Quezon City")
    fifth = by_edition[EVENT + "global-mayoral-forum-2018"]
    assert fifth["number"] == "5" and "Marrakech" in fifth["outcome"]
    assert SRC + "van-haasen-2021" in fifth["outcomeSources"].split()
    # The 6th edition (Quito, January 2020) is the "2019 Mayoral Forum" the Brookings paper
    # expected and the Bosch paper lists in its 2020 row: one event, merged (see its note).
    assert by_edition[EVENT + "global-mayoral-forum-2019"]["number"] == "6"


def test_gfmd_summit_editions(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "mayoral-forum-editions", {"series": "series:gfmd-summit"})
    summit = rows_where(rows, edition=EVENT + "gfmd-2018")
    assert summit and summit[0]["place"] == "Marrakech"


# --------------------------------------------------------------------------------------
# Provenance and sources
# --------------------------------------------------------------------------------------


def test_which_source_says_freetown_belongs_to_the_mmc(canned_store: EmbeddedStore) -> None:
    rows = run(
        canned_store,
        "fact-provenance",
        {"subject": "city:freetown", "predicate": "org:memberOf", "object": "orgn:mmc"},
    )
    assert set(column(rows, "source")) >= {SRC + "stuerner-2020"}
    stuerner = rows_where(rows, source=SRC + "stuerner-2020", kind="membership")
    assert stuerner and any("Freetown" in q for q in column(stuerner, "quote"))
    if SEEDS.is_dir():
        for row in rows:
            assert in_seed(row["quote"], row["file"]), row["quote"]


def test_provenance_of_a_statement(canned_store: EmbeddedStore) -> None:
    fact = {"subject": "person:marvin-rees", "predicate": "gl:mayorOf", "object": "city:bristol"}
    rows = run(canned_store, "fact-provenance", fact)
    assert {SRC + "ccga-2018", SRC + "stuerner-2020"} <= set(column(rows, "source"))
    assert set(column(rows, "kind")) == {"statement"}
    assert rows_where(rows, source=SRC + "ccga-2018")[0]["file"] == "000_ed82d948dd36ded7.txt"
    if SEEDS.is_dir():
        for row in rows:
            assert in_seed(row["quote"], row["file"]), row["quote"]
    unstated = {"subject": "city:freetown", "predicate": "org:memberOf", "object": "orgn:c40"}
    assert run(canned_store, "fact-provenance", unstated) == []


def test_corroborated_facts(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "corroborated-facts")
    rees = rows_where(
        rows, subject=PERSON + "marvin-rees", predicate=GL + "mayorOf", object=CITY + "bristol"
    )
    assert rees and {SRC + "ccga-2018", SRC + "stuerner-2020"} <= set(rees[0]["sources"].split())
    assert rows_where(
        rows, subject=ORGN + "mmc", predicate=GL + "coSteers", object=ORGN + "mayors-mechanism"
    )
    assert rows_where(rows, predicate=ORG + "memberOf")
    counts = [int(n) for n in column(rows, "sourceCount")]
    assert counts == sorted(counts, reverse=True) and min(counts) >= 2


def test_stated_counts(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "stated-counts")
    for subject, counted, count, qualifier, source in (
        (ORGN + "eurocities", "MemberCities", "140", "more than", "ccga-2018"),
        (ORGN + "cities-for-action", "CityLeaders", "175", "more than", "us-cities-chapter-2019"),
        (
            DECL + "marrakech-mayors-declaration-2018",
            "CityLeaders",
            "150",
            "exactly",
            "van-haasen-2021",
        ),
        (
            DECL + "gcm-cities-petition-2017",
            "SignatoryCities",
            "130",
            "more than",
            "us-cities-chapter-2019",
        ),
    ):
        found = rows_where(rows, subject=subject, count=count, source=SRC + source)
        assert found and found[0]["countQualifier"] == qualifier, subject
        assert found[0]["counted"] == GL + counted, subject
    # Every count says what it counted.
    assert all(row.get("counted", "").startswith(GL) for row in rows)
    labels = column(rows, "subjectLabel")
    assert labels == sorted(labels)


def test_sources(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "sources")
    by_source = {r["source"]: r for r in rows}
    files = {
        "ccga-2018": "000_ed82d948dd36ded7.txt",
        "stuerner-2020": "001_89f10fed88e4d299.txt",
        "van-haasen-2021": "002_324ec6e0ebb4268e.txt",
        "us-cities-chapter-2019": "003_4506f445cb768100.txt",
        "brookings-2018": "004_6dbae27c1f462e1d.txt",
    }
    assert set(by_source) == {SRC + s for s in files}
    for slug, file_name in files.items():
        row = by_source[SRC + slug]
        assert row["file"] == file_name
        assert row["title"] and row["year"] and row["kind"]
        assert int(row["facts"]) >= 10, slug
    stuerner = by_source[SRC + "stuerner-2020"]
    assert stuerner["year"] == "2020" and "Bosch" in stuerner["publisher"]
    assert stuerner["title"] == "A New Role for Cities in Global and Regional Migration Governance?"
    assert "Chicago Council" in by_source[SRC + "ccga-2018"]["publisher"]
    assert "Brookings" in by_source[SRC + "brookings-2018"]["publisher"]
    assert int(stuerner["facts"]) == max(int(r["facts"]) for r in rows)
    years = column(rows, "year")
    assert years == sorted(years)


# --------------------------------------------------------------------------------------
# The graph's meaning: acting and venues, terms, positions, counts, plans, assessments
# --------------------------------------------------------------------------------------


def test_cities_that_acted_apart_from_venues(canned_store: EmbeddedStore) -> None:
    rows = {r["city"]: r for r in run(canned_store, "acting-cities")}
    # Marrakech hosted the GCM conference and the 5th Mayoral Forum as a venue only;
    # Mechelen only lent its name and hall to a declaration and a forum.
    for venue in ("marrakech", "mechelen", "quito", "dubai"):
        assert rows[CITY + venue]["kind"] == "venue only", venue
        assert rows[CITY + venue]["actingFacts"] == "0"
    for actor in ("freetown", "kampala", "bristol", "sao-paulo", "milan"):
        assert rows[CITY + actor]["kind"] == "acted", actor
    # Bristol both acted and was a venue (the Global Parliament of Mayors met there).
    assert int(rows[CITY + "bristol"]["venueFacts"]) >= 1


def test_who_was_mayor_in_a_year(canned_store: EmbeddedStore) -> None:
    # "After his resignation as the Mayor of Athens, Giorgos Kaminis ...": a term that
    # ended by 2019; it is not a term in 2020, when the source was written.
    rows = run(canned_store, "mayor-in-year", {"city": "city:athens", "year": "2019"})
    assert [r["person"] for r in rows] == [PERSON + "giorgos-kaminis"]
    assert rows[0]["status"] == GL + "Ended" and rows[0]["end"] == "2019"
    assert run(canned_store, "mayor-in-year", {"city": "city:athens", "year": "2020"}) == []
    # Marvin Rees is "the mayor of Bristol" in the 2018 commentary.
    rees = run(canned_store, "mayor-in-year", {"city": "city:bristol", "year": "2018"})
    assert PERSON + "marvin-rees" in column(rees, "person")


def test_states_positions_on_the_gcm(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "state-positions-on-gcm")
    us = rows_where(rows, state=COUNTRY + "us", position=GL + "withdrewFrom")
    assert us and "2017-12" in column(us, "date")
    assert rows_where(rows, state=COUNTRY + "us", position=GL + "declinedToJoin")
    hungary = rows_where(rows, state=COUNTRY + "hu")
    assert {GL + "declinedToJoin", GL + "withdrewFrom"} <= set(column(hungary, "position"))
    assert "2018-07" in column(hungary, "date")
    # The government's acts count for its state (gl:governmentOf).
    assert ID + "org/us-federal-government" in column(rows, "actor")


def test_signatory_counts_say_what_was_counted(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "signatory-counts")
    marrakech = rows_where(rows, document=DECL + "marrakech-mayors-declaration-2018")
    assert marrakech and marrakech[0]["counted"] == GL + "CityLeaders"
    assert (marrakech[0]["value"], marrakech[0]["qualifier"]) == ("150", "exactly")
    petition = rows_where(rows, document=DECL + "gcm-cities-petition-2017", value="130")
    assert petition and petition[0]["counted"] == GL + "SignatoryCities"
    assert petition[0]["qualifier"] == "more than"
    # The sources name 4 of the "over 130" cities.
    assert petition[0]["named"] == "4"
    charter = rows_where(rows, value="30", counted=GL + "SignatoryCities")
    assert charter and charter[0]["qualifier"] == "more than"


def test_planned_events_no_source_confirms(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "unconfirmed-plans")
    events = set(column(rows, "event"))
    # Marvin Rees "is a scheduled speaker at this year's Chicago Forum" (2018).
    assert EVENT + "chicago-forum-on-global-cities-2018" in events
    # The Local MICIC guidelines "were to be presented at the ASEAN Summit 2017".
    assert EVENT + "asean-summit-2017" in events
    # Events a source says took place are not listed.
    assert EVENT + "global-mayoral-forum-2014" not in events
    assert set(column(rows, "status")) <= {GL + "Planned", GL + "Announced", GL + "Scheduled"}


def test_assessments_of_a_city_by_every_source(canned_store: EmbeddedStore) -> None:
    rows = run(canned_store, "assessments-of-city", {"city": "city:bristol"})
    assessments = rows_where(rows, kind="assessment")
    assert {"pivotal city", "concrete city commitment"} <= set(column(assessments, "category"))
    assert {SRC + "stuerner-2020", SRC + "van-haasen-2021"} <= set(column(assessments, "source"))
    assert rows_where(rows, kind="interview", source=SRC + "stuerner-2020")
    kampala = run(canned_store, "assessments-of-city", {"city": "city:kampala"})
    assert "forerunner city" in column(kampala, "category")
