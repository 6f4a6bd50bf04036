"""``/reports`` options are checked by the analysis: the API answers 400 with its message."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from glocal.analysis.graph import check_layers
from tests.conftest import LiveServer


@pytest.fixture(scope="module")
def client(server: LiveServer) -> Iterator[httpx.Client]:
    with server.client() as c:
        yield c


@pytest.mark.parametrize(
    ("route", "params"),
    [
        ("/reports/pivotal", {"layers": "gossip", "format": "json"}),
        ("/reports/pivotal", {"layers": ["events", "gossip"], "format": "html"}),
        ("/reports/centrality", {"measure": "degree", "layers": "organisations,gossip"}),
    ],
)
def test_a_bad_layer_gets_the_analysis_message(
    client: httpx.Client, route: str, params: dict[str, str | list[str]]
) -> None:
    with pytest.raises(ValueError) as raised:
        check_layers(["gossip"])
    response = client.get(route, params=params)
    assert response.status_code == 400
    assert response.text.strip() == str(raised.value)
    assert "gossip" in str(raised.value) and "organisations" in str(raised.value)


def test_an_unknown_measure_gets_the_report_message(client: httpx.Client) -> None:
    response = client.get("/reports/centrality", params={"measure": "astrology"})
    assert response.status_code == 400
    assert response.text.startswith("unknown measure 'astrology'; choose from degree")
