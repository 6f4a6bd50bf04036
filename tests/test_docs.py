"""Every CLI command, HTTP route and canned query is documented (Datasette's test_docs)."""

from __future__ import annotations

import argparse
from pathlib import Path

from glocal.canned import load_queries
from glocal.store import EmbeddedStore
from glocal_api.app import create_app
from glocal_cli.main import build_parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _commands(parser: argparse.ArgumentParser, prefix: str = "glocal") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found.append(f"{prefix} {name}")
                found.extend(_commands(child, f"{prefix} {name}"))
    return found


def test_every_cli_command_is_in_the_readme() -> None:
    commands = _commands(build_parser())
    assert "glocal report pivotal" in commands
    missing = [c for c in commands if c not in README]
    assert not missing, missing


def test_every_route_is_in_the_readme_or_openapi(store: EmbeddedStore) -> None:
    app = create_app(store)
    spec = app.openapi()
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            assert operation.get("summary") or operation.get("description"), path
        first = path.split("{")[0].rstrip("/") or "/"
        assert first in README, f"{path} is not mentioned in the README"


def test_every_canned_query_is_documented() -> None:
    for query in load_queries().values():
        assert query.title and query.description
        assert all(p.description for p in query.parameters)
