"""Researchers' own data: ``glocal import`` and ``/admin``, checked before anything is stored.

Real CSV and RDF files go through the real code: row errors with their row numbers,
SHACL violations with their lines, whole imports rejected with the stored files
unchanged, the admin routes of a real server, reloads that refuse broken files, and
imports killed mid-way that leave the imports folder as it was before or after.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

from glocal.data.files import DataFiles
from glocal.data.imports.csv_rows import read_mapping
from glocal.data.imports.stored import IMPORT_NAMESPACE
from glocal.data.problems import DataRejected
from glocal.data.storage import import_files
from glocal.data.validation import validate_dataset
from glocal.dataset import Dataset, parse_file
from glocal.namespaces import PREFIXES
from glocal_api.admin import Watcher
from glocal_api.app import Settings, create_app
from tests.conftest import LiveServer, start_server, stop_server
from tests.data.test_shapes import BASE, ONTOLOGY
from tests.data.test_shapes import PREFIXES as TTL_PREFIXES

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "test-admin-token-8f3a"

#: Curated IRIs reused (Bristol; the MMC by its acronym), a new city and network, a country
#: by name, and the GeoNames id that picks one of three Portlands in the US.
GOOD = """city,country,network,role,since,source,geonames
Bristol,GB,MMC,leadership board,2018,Stürner 2020,
Linz,AT,Eurocities,member,2019,https://eurocities.eu/members,
Linz,Austria,Linz Welcome Network,founding member,2020,,
Portland,US,Eurocities,observer,2021,,5746545
"""
#: The line of the first statement after test_shapes.py's prefixes.
FIRST_LINE = TTL_PREFIXES.count("\n") + 1


def rows(*lines: str, header: str = "city,country,network,role,since") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of an imports folder but its (empty) lock file."""
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != ".lock"}


def query(dataset: Dataset, sparql: str) -> object:
    store = Store()
    store.bulk_extend(dataset.quads)
    return store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)


def select(dataset: Dataset, sparql: str) -> list[dict[str, str]]:
    solutions = query(dataset, sparql)
    names = [v.value for v in solutions.variables]  # type: ignore[attr-defined]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("import-cache")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, cache: Path) -> DataFiles:
    """The imports folder of these tests. The curated data's own conformance is
    test_shapes.py's business, so it is not validated again here."""
    return DataFiles(tmp_path_factory.mktemp("imports"), cache_dir=cache, check_base=False)


def rejected(files: DataFiles, data: bytes, **options: object) -> str:
    """Import ``data``, expect a rejection, check nothing was stored, return the message."""
    before = snapshot(files.imports_dir)
    with pytest.raises(DataRejected) as caught:
        files.import_memberships(data, file_name="mine.csv", **options)  # type: ignore[arg-type]
    assert snapshot(files.imports_dir) == before
    return str(caught.value)


# ---------------------------------------------------------------- memberships


def test_a_good_csv_becomes_memberships_in_glocals_model(files: DataFiles) -> None:
    result = files.import_memberships(GOOD.encode(), file_name="members.csv")
    assert result.graph.startswith(IMPORT_NAMESPACE + "members-")
    assert result.path == files.imports_dir / "members.trig" and result.facts == 4
    dataset = files.load()
    graph = result.graph
    memberships = select(
        dataset,
        f"""SELECT ?m ?city ?org ?role ?since ?quote ?cite WHERE {{ GRAPH <{graph}> {{
              ?city org:memberOf ?org .
              ?m a org:Membership ; org:member ?city ; org:organization ?org ; org:role ?role ;
                 gl:quote ?quote ; prov:wasDerivedFrom <{graph}> .
              OPTIONAL {{ ?m gl:since ?since }} OPTIONAL {{ ?m dcterms:bibliographicCitation ?cite }} }} }}
            ORDER BY ?m""",
    )
    assert len(memberships) == 4
    bristol = memberships[0]
    # Curated IRIs are reused: the city by label and country, the network by its acronym.
    assert bristol["city"] == PREFIXES["city"] + "bristol"
    assert bristol["org"] == PREFIXES["orgn"] + "mmc"
    assert bristol["role"] == PREFIXES["gl"] + "LeadershipBoardMember"
    assert bristol["since"] == "2018"
    assert bristol["quote"] == "row 2: Bristol,GB,MMC,leadership board,2018,Stürner 2020,"
    assert bristol["cite"] == "Stürner 2020"
    assert bristol["m"] == f"{graph}-row-2"
    # A new city is minted and placed from GeoNames; "Austria" is read as AT.
    linz = select(
        dataset,
        """SELECT ?g ?country ?label WHERE { city:linz a gl:City ; rdfs:label ?label ;
             gl:geonames ?g ; gl:country ?country ; geo:lat ?lat ; geo:long ?long }""",
    )
    assert linz == [
        {
            "g": "https://sws.geonames.org/2772400/",
            "country": PREFIXES["country"] + "at",
            "label": "Linz",
        }
    ]
    # A new network becomes a gl:CityNetwork; the explicit id picks one of three Portlands.
    assert query(dataset, "ASK { orgn:linz-welcome-network a gl:CityNetwork ; rdfs:label ?l }")
    portland = select(dataset, "SELECT ?g WHERE { city:portland gl:geonames ?g }")
    assert portland == [{"g": "https://sws.geonames.org/5746545/"}]
    # The import is its own source, and its quotes are not checked against seed texts.
    assert query(dataset, f'ASK {{ <{graph}> a gl:ImportedSource ; dcterms:title "members.csv" }}')
    assert not query(dataset, f"ASK {{ <{graph}> gl:fileName ?f }}")


def test_the_same_import_again_replaces_it_and_changes_nothing(files: DataFiles) -> None:
    first = files.import_memberships(GOOD.encode(), file_name="members.csv")
    before = snapshot(files.imports_dir)
    again = files.import_memberships(GOOD.encode(), file_name="members.csv")
    assert again == first and snapshot(files.imports_dir) == before


def test_a_mapping_names_the_columns(files: DataFiles, tmp_path: Path) -> None:
    mapping = read_mapping(
        b'{"city": "Municipality", "country": "ISO", "network": "Network", "since": "Joined"}'
    )
    data = rows("Graz;AT;Eurocities;2016", header="Municipality;ISO;Network;Joined")
    result = files.import_memberships(
        data, file_name="semicolons.csv", mapping=mapping, out=tmp_path / "x.trig"
    )
    assert result.facts == 1 and result.path.is_file()
    assert not (files.imports_dir / "semicolons.trig").exists()  # --out does not store
    assert "org:role gl:Member" in result.path.read_text()  # an empty role means member


def test_missing_columns_are_reported_on_row_1(files: DataFiles) -> None:
    message = rejected(files, rows("Graz,AT,2016", header="city,country,since"))
    assert "mine.csv row 1: missing column 'network'" in message
    assert "'city', 'country', 'since'" in message  # what the header does have
    message = rejected(files, rows("Graz,AT,Eurocities"), mapping={"city": "Municipality"})
    assert "row 1: missing column 'city' (mapped to 'Municipality')" in message


def test_bad_years_are_row_errors(files: DataFiles) -> None:
    message = rejected(
        files,
        rows(
            "Graz,AT,Eurocities,member,2016",
            "Graz,AT,Eurocities,member,20l6",
            "Graz,AT,Eurocities,member,16",
            "Graz,AT,Eurocities,member,2016.0",
            "Graz,AT,Eurocities,member,3016",
        ),
    )
    assert "(4 problems)" in message
    assert "mine.csv row 3: 'since' '20l6' is not a year" in message
    assert "mine.csv row 4: 'since' '16' is not a year" in message
    assert "mine.csv row 5: 'since' '2016.0' is not a year" in message
    assert "mine.csv row 6: 'since' 3016 is not a plausible year" in message


def test_unknown_countries_are_row_errors(files: DataFiles) -> None:
    message = rejected(
        files,
        rows("Graz,AT,Eurocities,,", "Graz,Narnia,Eurocities,,", "Graz,XX,Eurocities,,", ""),
    )
    assert "mine.csv row 3: country 'Narnia' is not an ISO 3166-1 code or name" in message
    assert "mine.csv row 4: country 'XX' is not an ISO 3166-1 code or name" in message
    assert "row 2:" not in message


def test_an_ambiguous_city_lists_the_candidates(files: DataFiles) -> None:
    message = rejected(files, rows("Graz,AT,Eurocities,,", "Portland,US,Eurocities,,"))
    assert "mine.csv row 3: city 'Portland' is ambiguous" in message
    for candidate in ("5746545", "4975802", "4720131"):  # Oregon, Maine, Texas
        assert f"GeoNames id {candidate}" in message
    assert "add a 'geonames' column" in message


def test_an_unknown_city_or_a_wrong_geonames_id_is_a_row_error(files: DataFiles) -> None:
    message = rejected(
        files,
        rows(
            "Atlantis,GR,Eurocities,,,",
            "Graz,AT,Eurocities,,,2772400",
            header="city,country,network,role,since,geonames",
        ),
    )
    assert "mine.csv row 2: no GeoNames city named 'Atlantis' in GR" in message
    assert "mine.csv row 3: GeoNames id 2772400 is Linz (AT" in message
    assert "never calls 'Graz'" in message


def test_an_unknown_role_is_a_row_error(files: DataFiles) -> None:
    message = rejected(files, rows("Graz,AT,Eurocities,member,", "Graz,AT,Eurocities,boss,"))
    assert "mine.csv row 3: unknown role 'boss'; use one of: chair" in message
    assert "leadership board member" in message


def test_invalid_utf8_names_its_row(files: DataFiles) -> None:
    data = rows("Graz,AT,Eurocities,,", "Malm\xf6,SE,Eurocities,,").replace(
        "Malmö".encode(), b"Malm\xf6"
    )
    message = rejected(files, data)
    assert "mine.csv row 3: invalid UTF-8 (byte 0xf6 at column 5)" in message


def test_a_row_with_the_wrong_number_of_fields_is_an_error(files: DataFiles) -> None:
    message = rejected(files, rows("Graz,AT", "Graz,AT,Eurocities,member,2016,extra"))
    assert "mine.csv row 2: has 2 fields but the header has 5" in message
    assert "mine.csv row 3: has 6 fields but the header has 5" in message
    message = rejected(files, rows("Graz,AT,Eurocities,,", 'Graz,AT,"Eurocities,,'))
    assert "mine.csv row 3: malformed CSV" in message


def test_one_bad_row_rejects_the_whole_import(files: DataFiles) -> None:
    files.import_memberships(GOOD.encode(), file_name="members.csv", name="kept")
    version = files.load().version
    triples = len(files.load().quads)
    message = rejected(files, (GOOD + "Graz,AT,Eurocities,boss,2016,,\n").encode(), name="kept")
    assert "(1 problem)" in message and "mine.csv row 6: unknown role 'boss'" in message
    assert files.load().version == version and len(files.load().quads) == triples


# ---------------------------------------------------------------- RDF files

MALFORMED = [
    (
        "broken.ttl",
        RdfFormat.TURTLE,
        '@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n',
        3,
    ),
    ("broken.trig", RdfFormat.TRIG, "<http://g> {\n <http://a> <http://b> .\n}\n", 2),
    (
        "broken.nt",
        RdfFormat.N_TRIPLES,
        "<http://a> <http://b> <http://c> .\n<http://a> <http://b> .\n",
        2,
    ),
    (
        "broken.nq",
        RdfFormat.N_QUADS,
        "<http://a> <http://b> <http://c> .\n<http://a> <http://b> <http://c> <http://g> <http://x> .\n",
        2,
    ),
    ("broken.jsonld", RdfFormat.JSON_LD, '{"@id": "http://a",\n "http://b": [ }', 2),
    (
        "broken.rdf",
        RdfFormat.RDF_XML,
        "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>\n"
        "<rdf:Description rdf:about='http://a'>\n</rdf:RDF>\n",
        3,
    ),
    (
        "iri.rdf",
        RdfFormat.RDF_XML,
        "<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'\n"
        "         xmlns:ex='http://e/'>\n<rdf:Description rdf:about='http://a'>\n"
        "  <ex:p rdf:resource='x y'/>\n</rdf:Description>\n</rdf:RDF>\n",
        4,
    ),
]


@pytest.mark.parametrize(
    ("name", "fmt", "content", "line"), MALFORMED, ids=[m[0] for m in MALFORMED]
)
def test_malformed_rdf_is_reported_with_its_line(
    files: DataFiles, name: str, fmt: RdfFormat, content: str, line: int
) -> None:
    before = snapshot(files.imports_dir)
    with pytest.raises(DataRejected) as caught:
        files.import_rdf(content.encode(), file_name=name, fmt=fmt)
    assert f"{name}:{line}: malformed RDF" in str(caught.value)
    assert snapshot(files.imports_dir) == before


RDF_MEMBERSHIP = """
<{graph}> a gl:ImportedSource ; dcterms:title "Field notes, 2024" .
city:graz a gl:City ; rdfs:label "Graz"@en .
city:graz org:memberOf orgn:eurocities .
[] a org:Membership ; org:member city:graz ; org:organization orgn:eurocities ;
   org:role gl:Member ; gl:quote "Graz joined Eurocities" ; prov:wasDerivedFrom <{graph}> .
"""


def test_good_rdf_is_imported_with_blank_nodes_named(files: DataFiles) -> None:
    graph = "https://example.org/field-notes"
    data = (TTL_PREFIXES + RDF_MEMBERSHIP.format(graph=graph)).encode()
    result = files.import_rdf(data, file_name="notes.ttl", fmt=RdfFormat.TURTLE, graph=graph)
    quads = parse_file(result.path)
    assert {q.graph_name for q in quads} == {NamedNode(graph)}
    assert NamedNode(graph + "-node-1") in {q.subject for q in quads}
    assert result.path.name == "notes.trig"


@pytest.mark.parametrize(
    ("extra", "expected", "line"),
    [
        (
            "city:atlantis a gl:City ; org:memberOf orgn:mmc .",
            "city:atlantis org:memberOf: Curated fact without provenance",
            FIRST_LINE,
        ),
        ("city:atlantis a gl:City .", "city:atlantis rdfs:label: Every city", FIRST_LINE),
        (
            # A declaration is no member: the check on org:member's value must run even
            # though the declaration itself is not imported.
            """[] a org:Membership ; org:member decl:mechelen-declaration-2017 ;
                 org:organization orgn:mmc ; org:role gl:Member ; gl:quote "q q q" ;
                 prov:wasDerivedFrom <https://example.org/g> .
               <https://example.org/g> a gl:ImportedSource ; dcterms:title "t" .""",
            "org:member: A membership has exactly one member",
            None,
        ),
        (
            "city:bristol gl:geonames <https://sws.geonames.org/1/> .",
            "city:bristol gl:geonames: gl:geonames is one IRI",
            FIRST_LINE,
        ),
    ],
)
def test_shacl_violations_reject_the_import_with_their_line(
    files: DataFiles, extra: str, expected: str, line: int | None
) -> None:
    before = snapshot(files.imports_dir)
    with pytest.raises(DataRejected) as caught:
        files.import_rdf(
            (TTL_PREFIXES + extra).encode(),
            file_name="mine.ttl",
            fmt=RdfFormat.TURTLE,
            graph="https://example.org/g",
        )
    message = str(caught.value)
    assert expected in message and "SHACL" in message
    if line is not None:
        assert f"mine.ttl:{line}: SHACL" in message
    assert snapshot(files.imports_dir) == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            'gl:City rdfs:comment "anything" .',
            "imports may not describe vocabulary terms (gl:City)",
        ),
        (
            'src:stuerner-2020 { city:bristol rdfs:label "B"@en . }',
            "graph <https://w3id.org/glocal/id/source/stuerner-2020> is already used by the curated data",
        ),
    ],
)
def test_imports_may_not_redefine_the_vocabulary_or_write_curated_graphs(
    files: DataFiles, content: str, expected: str
) -> None:
    with pytest.raises(DataRejected) as caught:
        files.import_rdf((TTL_PREFIXES + content).encode(), file_name="x.trig", fmt=RdfFormat.TRIG)
    assert expected in str(caught.value)


def test_imported_source_shape_pair() -> None:
    """gls:ImportedSourceShape: a valid base, and the same base with the title missing."""
    from pyoxigraph import parse

    source = 'src:imp a gl:ImportedSource ; dcterms:title "members.csv" .\n'
    fact = (
        'city:bristol org:memberOf orgn:x . orgn:x a gl:CityNetwork ; rdfs:label "X"@en .\n'
        "[] a org:Membership ; org:member city:bristol ; org:organization orgn:x ; "
        'org:role gl:Member ; gl:quote "row 2: Bristol,GB,X" ; prov:wasDerivedFrom src:imp .\n'
    )

    def report(extra: str) -> object:
        quads = list(parse(ONTOLOGY.read_bytes(), RdfFormat.TURTLE))
        quads += list(parse((TTL_PREFIXES + BASE + extra).encode(), RdfFormat.TURTLE))
        return validate_dataset(Dataset(quads, (), "test", {}))

    good = report(source + fact)
    assert good.conforms, [str(v) for v in good.violations]  # type: ignore[attr-defined]
    bad = report(source.replace('dcterms:title "members.csv"', 'rdfs:comment "x"') + fact)
    assert not bad.conforms  # type: ignore[attr-defined]
    assert "An imported source has exactly one dcterms:title" in str(bad.violations)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the command line


def glocal(*args: str, cache: Path, imports: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "glocal_cli.main", "--cache-dir", str(cache), *args]
    return subprocess.run(
        [*command, "--imports-dir", str(imports)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_cli_imports_a_csv_with_a_mapping_and_rejects_a_bad_one(
    cache: Path, tmp_path: Path
) -> None:
    imports = tmp_path / "imports"
    csv_file = tmp_path / "Researcher Data.csv"
    csv_file.write_text("Municipality,ISO,Network\nGraz,AT,Eurocities\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"city": "Municipality", "country": "ISO", "network": "Network"}))
    done = glocal(
        "import",
        "memberships",
        str(csv_file),
        "--mapping",
        str(mapping),
        cache=cache,
        imports=imports,
    )
    assert done.returncode == 0, done.stderr
    assert "imported 1 memberships" in done.stdout
    assert [p.name for p in import_files(imports)] == ["researcher-data.trig"]
    before = snapshot(imports)

    csv_file.write_text("Municipality,ISO,Network\nGraz,AT,Eurocities\nGraz,Narnia,Eurocities\n")
    refused = glocal(
        "import",
        "memberships",
        str(csv_file),
        "--mapping",
        str(mapping),
        cache=cache,
        imports=imports,
    )
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "Researcher Data.csv row 3: country 'Narnia'" in refused.stderr
    assert "nothing was stored" in refused.stderr
    assert snapshot(imports) == before


# ---------------------------------------------------------------- the admin routes


@pytest.fixture(scope="module")
def admin(
    tmp_path_factory: pytest.TempPathFactory, cache: Path
) -> Iterator[tuple[LiveServer, object]]:
    """A real server with admin routes on, over its own imports folder."""
    data = DataFiles(
        tmp_path_factory.mktemp("served-imports"), cache_dir=cache, workers=2, check_base=False
    )
    app = create_app(data.open_store(), Settings(timeout=8.0, admin_token=TOKEN, data=data))
    live = start_server(app)
    yield live, app
    stop_server(live)
    app.state.runtime.store.close()


def count_triples(client: httpx.Client) -> int:
    response = client.get(
        "/sparql",
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def ask(client: httpx.Client, query: str) -> bool:
    response = client.get("/sparql", params={"query": query, "format": "json"})
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def test_admin_routes_are_off_without_a_token(server: LiveServer) -> None:
    with server.client() as client:
        for route in ("/admin/import", "/admin/reload"):
            response = client.post(route, content=GOOD, headers={"Content-Type": "text/csv"})
            assert response.status_code == 403
            assert "admin routes are off" in response.json()["error"]


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token", TOKEN, f"Basic {TOKEN}"])
def test_admin_routes_need_the_right_token(
    admin: tuple[LiveServer, object], authorization: str | None
) -> None:
    live, _ = admin
    headers = {"Content-Type": "text/csv"} | (
        {"Authorization": authorization} if authorization else {}
    )
    with live.client() as client:
        for route in ("/admin/import", "/admin/reload"):
            response = client.post(route, content=GOOD, headers=headers)
            assert response.status_code == 403, response.text
            assert "Authorization: Bearer" in response.json()["error"]
            assert TOKEN not in response.text


def test_an_import_over_http_is_queryable_at_once(admin: tuple[LiveServer, object]) -> None:
    live, app = admin
    runtime = app.state.runtime  # type: ignore[attr-defined]
    old = runtime.store.version
    with live.client(headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        assert not ask(client, "ASK { city:leipzig org:memberOf orgn:eurocities }")
        response = client.post(
            "/admin/import",
            params={"name": "http-members", "source_label": "Survey 2024"},
            content=rows("Leipzig,DE,Eurocities,member,2017"),
            headers={"Content-Type": "text/csv; charset=utf-8"},
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["facts"] == 1 and body["file"] == "http-members.trig"
        assert runtime.store.version == body["version"] != old
        graph = body["graph"]
        assert ask(
            client,
            f"""ASK {{ GRAPH <{graph}> {{ city:leipzig org:memberOf orgn:eurocities .
                  ?m org:member city:leipzig ; org:organization orgn:eurocities ; org:role gl:Member ;
                     gl:since "2017"^^xsd:gYear ; gl:quote "row 2: Leipzig,DE,Eurocities,member,2017" .
                  <{graph}> a gl:ImportedSource ; dcterms:title "Survey 2024" }} }}""",
        )
        turtle = TTL_PREFIXES + RDF_MEMBERSHIP.format(graph="https://example.org/http-notes")
        response = client.post(
            "/admin/import",
            params={"name": "http-notes", "graph": "https://example.org/http-notes"},
            content=turtle,
            headers={"Content-Type": "text/turtle"},
        )
        assert response.status_code == 200, response.text
        assert ask(
            client,
            "ASK { GRAPH <https://example.org/http-notes> { city:graz org:memberOf orgn:eurocities } }",
        )


def test_a_rejected_import_over_http_changes_nothing(admin: tuple[LiveServer, object]) -> None:
    live, app = admin
    runtime = app.state.runtime  # type: ignore[attr-defined]
    data: DataFiles = runtime.settings.data
    with live.client(headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        version, triples, stored = (
            runtime.store.version,
            count_triples(client),
            snapshot(data.imports_dir),
        )
        response = client.post(
            "/admin/import",
            params={"name": "http-bad"},
            content=rows("Leipzig,DE,Eurocities,member,2017", "Portland,US,Eurocities,boss,20l7"),
            headers={"Content-Type": "text/csv"},
        )
        assert response.status_code == 422, response.text
        problems = response.json()["problems"]
        assert {p["row"] for p in problems} == {3}
        assert {p["file"] for p in problems} == {"http-bad.csv"}
        assert len(problems) == 3  # the ambiguous city, the role and the year
        assert response.json()["version"] == version
        assert runtime.store.version == version and count_triples(client) == triples
        assert snapshot(data.imports_dir) == stored

        wrong_type = client.post(
            "/admin/import", content=b"x", headers={"Content-Type": "image/png"}
        )
        assert wrong_type.status_code == 415


def test_reload_refuses_a_corrupted_file_and_keeps_serving(
    admin: tuple[LiveServer, object],
) -> None:
    live, app = admin
    runtime = app.state.runtime  # type: ignore[attr-defined]
    data: DataFiles = runtime.settings.data
    with live.client(headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        assert client.post("/admin/reload").json()["changed"] is False
        version, triples = runtime.store.version, count_triples(client)
        broken = data.imports_dir / "broken.trig"
        broken.write_text(
            "<https://example.org/g> {\n  <https://example.org/a> <https://example.org/b> .\n}\n"
        )
        try:
            response = client.post("/admin/reload")
            assert response.status_code == 409, response.text
            assert response.json()["problems"][0]["line"] == 2
            assert "broken.trig:2: malformed RDF" in response.json()["text"]
            assert runtime.store.version == version and count_triples(client) == triples

            # Well-formed but breaking a shape: refused too.
            broken.write_text(
                "@prefix gl: <https://w3id.org/glocal/ontology#> .\n"
                "<https://example.org/g> {\n  <https://w3id.org/glocal/id/city/nowhere> a gl:City .\n}\n"
            )
            response = client.post("/admin/reload")
            assert response.status_code == 409, response.text
            assert "broken.trig:3: SHACL: city:nowhere rdfs:label" in response.json()["text"]
            assert runtime.store.version == version and count_triples(client) == triples
        finally:
            broken.unlink()
        assert client.post("/admin/reload").json() == {"version": version, "changed": False}


def test_the_watcher_reloads_changed_files_and_refuses_broken_ones(
    admin: tuple[LiveServer, object],
) -> None:
    live, app = admin
    runtime = app.state.runtime  # type: ignore[attr-defined]
    data: DataFiles = runtime.settings.data
    watcher = Watcher(app).start()  # type: ignore[arg-type]

    def served(predicate: object, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():  # type: ignore[operator]
                return True
            time.sleep(0.1)
        return False

    try:
        with live.client() as client:
            version = runtime.store.version
            # Another process (say `glocal import`) adds an import to the folder.
            data.import_memberships(
                rows("Bologna,IT,Eurocities,member,2012"), file_name="watched.csv"
            )
            assert served(lambda: runtime.store.version != version)
            assert ask(client, "ASK { city:bologna org:memberOf orgn:eurocities }")
            version = runtime.store.version
            (data.imports_dir / "zz-half-written.trig").write_text("<https://example.org/g> {\n <a")
            time.sleep(2.5)  # two polls
            assert runtime.store.version == version
            assert ask(client, "ASK { city:bologna org:memberOf orgn:eurocities }")
            (data.imports_dir / "zz-half-written.trig").unlink()
            (data.imports_dir / "watched.trig").unlink()
            assert served(lambda: runtime.store.version != version)
            assert not ask(client, "ASK { city:bologna org:memberOf orgn:eurocities }")
    finally:
        watcher.stop()


# ---------------------------------------------------------------- atomicity

SLOW_FSYNC = """
import os, sys, time
# Instrumentation for the test only: a slow disk, so that the kill lands while the
# import is writing its file (after the bytes are written, before the rename).
real = os.fsync
def slow(fd):
    time.sleep(0.5)
    real(fd)
os.fsync = slow
from glocal_cli.main import main
sys.exit(main(sys.argv[1:]))
"""


def test_killing_an_import_leaves_the_old_or_the_new_file(cache: Path, tmp_path: Path) -> None:
    imports = tmp_path / "imports"
    lines = [
        f"{city},{country},{network},member,{1990 + i % 30},note {i}"
        for i, (city, country, network) in enumerate(
            [
                ("Bristol", "GB", "Eurocities"),
                ("Graz", "AT", "MMC"),
                ("Leipzig", "DE", "Solidarity Cities"),
            ]
            * 50
        )
    ]
    csv_file = tmp_path / "kill.csv"
    csv_file.write_bytes(rows(*lines, header="city,country,network,role,since,source"))
    expected: dict[str, bytes] = {}
    for label in ("v1", "v2"):
        # What a finished import under each label stores (the context is the same).
        reference = DataFiles(tmp_path / f"expected-{label}", cache_dir=cache, check_base=False)
        expected[label] = reference.import_memberships(
            csv_file.read_bytes(), file_name="kill.csv", source_label=label
        ).path.read_bytes()
    assert expected["v1"] != expected["v2"]
    DataFiles(imports, cache_dir=cache, check_base=False).import_memberships(
        csv_file.read_bytes(), file_name="kill.csv", source_label="v1"
    )

    rng = random.Random(5)
    current = "v1"
    killed_while_writing = 0
    for mode in ("writing", "random", "writing", "random"):
        target = "v2" if current == "v1" else "v1"
        command = ["--cache-dir", str(cache), "import", "memberships", str(csv_file)]
        command += ["--source-label", target, "--imports-dir", str(imports)]
        program = ["-c", SLOW_FSYNC] if mode == "writing" else ["-m", "glocal_cli.main"]
        process = subprocess.Popen([sys.executable, *program, *command], cwd=ROOT)
        if mode == "writing":
            mine = f".{process.pid}.tmp"
            deadline = time.monotonic() + 60
            while process.poll() is None and time.monotonic() < deadline:
                if any(name.endswith(mine) for name in os.listdir(imports)):
                    process.send_signal(signal.SIGKILL)
                    killed_while_writing += 1
                    break
                time.sleep(0.005)
        else:
            time.sleep(rng.uniform(0.0, 2.5))
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        stored = import_files(imports)
        assert [p.name for p in stored] == ["kill.trig"]
        content = stored[0].read_bytes()
        assert content in (expected["v1"], expected["v2"]), "a half-written import"
        assert parse_file(stored[0])
        current = "v1" if content == expected["v1"] else "v2"
        if mode == "writing":
            assert content == expected[current] and current != target  # killed before the rename
    assert killed_while_writing == 2
    # The next import removes what the killed ones left behind and loads cleanly.
    done = DataFiles(imports, cache_dir=cache, check_base=False)
    done.import_memberships(csv_file.read_bytes(), file_name="kill.csv", source_label="v2")
    assert sorted(p.name for p in imports.iterdir()) == [".lock", "kill.trig"]
    assert len(done.load().quads) > 1000


# ---------------------------------------------------------------- limits before parsing

DEEP_JSONLD = (
    b'{"@id": "https://example.org/a", "https://example.org/p": '
    + b"[" * 5000
    + b'"x"'
    + b"]" * 5000
    + b"}"
)
ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:ex="https://example.org/">
  <rdf:Description rdf:about="https://example.org/a"><ex:p>&d;</ex:p></rdf:Description>
</rdf:RDF>
"""


@pytest.mark.parametrize(
    ("file_name", "data", "expected"),
    [
        ("deep.jsonld", DEEP_JSONLD, "nests 5001 levels deep"),
        ("bomb.rdf", ENTITY_BOMB, "declares the entity 'a'"),
        (
            "deep.ttl",
            b"<https://example.org/a> <https://example.org/p> "
            + b"[ <https://example.org/q> " * 300
            + b"1"
            + b" ]" * 300
            + b" .",
            "nests 300 levels deep",
        ),
    ],
)
def test_cli_refuses_files_past_the_limits_before_parsing(
    cache: Path, tmp_path: Path, file_name: str, data: bytes, expected: str
) -> None:
    """Such files crashed the process (deep JSON-LD: SIGSEGV) or flooded it (entities)."""
    imports = tmp_path / "imports"
    path = tmp_path / file_name
    path.write_bytes(data)
    done = glocal("import", "rdf", str(path), cache=cache, imports=imports)
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert expected in done.stderr
    assert "nothing was stored" in done.stderr
    assert not list(imports.glob("*.trig")) if imports.exists() else True


def test_a_literal_past_the_limit_is_refused(cache: Path, tmp_path: Path) -> None:
    from glocal.data.imports.guard import MAX_LITERAL

    imports = tmp_path / "imports"
    path = tmp_path / "long.nt"
    path.write_text(
        f'<https://example.org/a> <https://example.org/p> "{"x" * (MAX_LITERAL + 1)}" .\n'
    )
    done = glocal("import", "rdf", str(path), cache=cache, imports=imports)
    assert done.returncode == 1
    assert "longer than the limit" in done.stderr


def test_over_http_a_deep_document_is_a_422_and_the_server_lives(
    admin: tuple[LiveServer, object],
) -> None:
    live, _ = admin
    with live.client(headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        response = client.post(
            "/admin/import",
            params={"name": "deep"},
            content=DEEP_JSONLD,
            headers={"Content-Type": "application/ld+json"},
        )
        assert response.status_code == 422, response.text
        assert "levels deep" in response.text
        assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_a_zero_byte_import_is_refused_on_reload(admin: tuple[LiveServer, object]) -> None:
    """An emptied file would drop every fact it held; it is refused like a malformed one."""
    live, app = admin
    runtime = app.state.runtime  # type: ignore[attr-defined]
    data: DataFiles = runtime.settings.data
    with live.client(headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        client.post("/admin/reload")
        version, triples = runtime.store.version, count_triples(client)
        empty = data.imports_dir / "emptied.trig"
        empty.write_bytes(b"")
        try:
            response = client.post("/admin/reload")
            assert response.status_code == 409, response.text
            assert "holds no triples" in response.json()["text"]
            assert runtime.store.version == version and count_triples(client) == triples
        finally:
            empty.unlink()
            client.post("/admin/reload")
