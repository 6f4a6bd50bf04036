"""Browse indexes over HTTP: /browse, /id/{kind} in HTML, JSON and CSV, facets and sorting."""

from __future__ import annotations

import csv
import io

import pytest

from tests.conftest import LiveServer

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def test_resource_paths_answer_with_their_index(server: LiveServer) -> None:
    with server.client() as client:
        page = client.get("/id/city", headers=HTML)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert 'href="/id/city/freetown"' in page.text and "World region" in page.text
        org = client.get("/id/org", headers=HTML)
        assert org.status_code == 200 and 'href="/id/org/mmc"' in org.text
        assert client.get("/id/planet", headers=HTML).status_code == 404


def test_browse_lists_every_index_with_counts(server: LiveServer) -> None:
    with server.client() as client:
        listed = client.get("/browse", headers={"Accept": "application/json"}).json()
        by_kind = {i["kind"]: i for i in listed}
        for kind in ("city", "org", "declaration", "event", "person", "source", "objective"):
            rows = client.get(f"/id/{kind}.json").json()["rows"]
            assert by_kind[kind]["count"] == len(rows) > 0
        assert 'href="/id/event"' in client.get("/browse", headers=HTML).text


@pytest.mark.parametrize(
    ("path", "headers", "kind"),
    [
        ("/id/city.json", {}, "json"),
        ("/id/city?_format=json", HTML, "json"),
        ("/id/city", {"Accept": "application/json"}, "json"),
        ("/id/city.csv", {}, "csv"),
        ("/id/city?_format=csv", {}, "csv"),
        ("/id/city", {"Accept": "text/csv"}, "csv"),
    ],
)
def test_json_and_csv_beside_every_index(
    server: LiveServer, path: str, headers: dict[str, str], kind: str
) -> None:
    with server.client() as client:
        response = client.get(path, headers=headers)
        assert response.status_code == 200
        reference = client.get("/id/city.json").json()["rows"]
        if kind == "json":
            assert response.json()["rows"] == reference
        else:
            # A byte-order mark first, for spreadsheet programs; then the same rows.
            assert response.content.startswith(b"\xef\xbb\xbf")
            rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
            assert [r["iri"] for r in rows] == [r["iri"] for r in reference]
            assert "São Paulo" in {r["label"] for r in rows}


def test_facets_filter_and_sort_in_the_url(server: LiveServer) -> None:
    with server.client() as client:
        everything = client.get("/id/city.json").json()
        africa = client.get("/id/city.json", params={"region": "Africa"}).json()
        assert 0 < africa["count"] < everything["count"]
        assert all(r["region"] == "Africa" for r in africa["rows"])
        (facet,) = [f for f in everything["facets"]["region"] if f["value"] == "Africa"]
        assert facet["count"] == africa["count"]
        both = client.get(
            "/id/city.json", params=[("region", "Africa"), ("network", "orgn:mmc")]
        ).json()
        assert {r["iri"] for r in both["rows"]} <= {r["iri"] for r in africa["rows"]}
        assert all("https://w3id.org/glocal/id/org/mmc" in r["networks"] for r in both["rows"])
        ranked = client.get("/id/org.json", params={"_sort": "-quoted"}).json()["rows"]
        assert [r["quoted"] for r in ranked] == sorted((r["quoted"] for r in ranked), reverse=True)
        bad = client.get("/id/city.json", params={"_sort": "size"})
        assert bad.status_code == 400 and "cannot sort by 'size'" in bad.text
        # The HTML page links each facet value to the filtered URL.
        page = client.get("/id/city", headers=HTML).text
        assert 'href="/id/city?region=Africa"' in page


def test_canned_queries_are_a_page_for_browsers_and_json_for_clients(server: LiveServer) -> None:
    with server.client() as client:
        listing = client.get("/queries")
        assert listing.headers["content-type"].startswith("application/json")
        page = client.get("/queries", headers=HTML)
        assert page.headers["content-type"].startswith("text/html")
        for query in listing.json():
            assert f'href="/queries/{query["name"]}"' in page.text
        run = client.get(
            "/queries/networks-of-city", params={"city": "city:freetown"}, headers=HTML
        )
        assert run.status_code == 200 and 'href="/id/org/mmc"' in run.text
        assert "Mayors Migration Council" in run.text
        # The city field completes from every city, with its name.
        cities = client.get("/id/city.json").json()["rows"]
        assert 'list="choices-city"' in run.text
        for city in cities:
            assert f'<option value="{city["curie"]}">' in run.text


def test_every_page_has_the_site_navigation(server: LiveServer) -> None:
    targets = ["/", "/browse", "/queries", "/reports/pivotal", "/coverage", "/docs"]
    with server.client() as client:
        for path in [
            "/",
            "/browse",
            "/id/city",
            "/id/city/freetown",
            "/search?q=mmc",
            "/coverage",
            "/queries",
            "/queries/networks-of-city",
            "/reports/pivotal",
        ]:
            page = client.get(path, headers=HTML)
            assert page.status_code == 200, path
            for target in targets:
                assert f'href="{target}"' in page.text, (path, target)


def test_report_cities_link_to_their_pages(server: LiveServer) -> None:
    with server.client() as client:
        report = client.get("/reports/pivotal", headers=HTML).text
        cities = client.get("/reports/pivotal", params={"format": "json"}).json()["cities"]
        for city in cities[:5]:
            path = city["iri"].replace("https://w3id.org/glocal", "")
            assert f'href="{path}"' in report


def test_long_indexes_come_in_pages(server: LiveServer) -> None:
    with server.client() as client:
        every = client.get("/id/country.json").json()
        assert every["count"] == len(every["rows"]) > 200
        page = client.get("/id/country", headers=HTML).text
        assert page.count('<tr><td><a href="/id/country/') == 200
        assert 'rel="next" href="/id/country?_offset=200"' in page or (
            'href="/id/country?_offset=200" rel="next"' in page
        )
        last = client.get("/id/country.json", params={"_size": 10, "_offset": 240}).json()
        assert last["rows"] == every["rows"][240:250] and last["count"] == every["count"]
