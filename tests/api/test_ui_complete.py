"""``/complete``: what the query editor and parameter fields suggest, from the real store."""

from __future__ import annotations

from tests.conftest import LiveServer


def _complete(server: LiveServer, **params: str) -> list[dict[str, object]]:
    with server.client() as client:
        response = client.get("/complete", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return list(response.json())


def test_a_city_is_found_by_its_label_without_accents(server: LiveServer) -> None:
    found = _complete(server, prefix="sao paulo")
    assert found[0]["curie"] == "city:sao-paulo"
    assert found[0]["label"] == "São Paulo"
    assert found[0]["type"] == "City" and found[0]["kind"] == "resource"
    assert isinstance(found[0]["count"], int) and found[0]["count"] > 0


def test_prefixes_come_first_then_names(server: LiveServer) -> None:
    found = _complete(server, prefix="ci")
    assert found[0] == {
        "curie": "city:",
        "iri": "https://w3id.org/glocal/id/city/",
        "label": "https://w3id.org/glocal/id/city/",
        "kind": "prefix",
        "type": "",
        "count": 0,
    }
    assert all(item["kind"] != "prefix" for item in found[1:])


def test_a_compact_name_and_ontology_terms(server: LiveServer) -> None:
    assert _complete(server, prefix="city:kamp")[0]["curie"] == "city:kampala"
    classes = _complete(server, prefix="gl:Cit", kind="class")
    assert classes and classes[0]["curie"] == "gl:City"
    properties = _complete(server, prefix="memberOf", kind="property")
    assert "org:memberOf" in [p["curie"] for p in properties]


def test_the_most_used_come_first_and_a_type_narrows(server: LiveServer) -> None:
    found = _complete(server, prefix="m", type="city", limit="50")
    assert found and all(item["type"] == "City" for item in found)
    starts = [item for item in found if str(item["label"]).lower().startswith("m")]
    counts = [int(str(item["count"])) for item in starts]
    assert counts == sorted(counts, reverse=True)


def test_bad_arguments_are_refused(server: LiveServer) -> None:
    with server.client() as client:
        assert client.get("/complete", params={"limit": "0"}).status_code == 422
        assert client.get("/complete", params={"kind": "planet"}).status_code == 422
