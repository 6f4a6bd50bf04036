"""The ``SERVICE`` policy: federation is off unless an allow-list names the endpoint.

A ``SERVICE`` clause makes the server fetch a URL, so a public endpoint that honours it
can be turned against hosts on its own network. The check errs on the side of refusal:
any ``SERVICE`` keyword whose endpoint is not a literal, allowed IRI is refused, even
one inside a string or comment.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from glocal.store.errors import FederationRefused

__all__ = ["check_federation"]

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)
_TARGET = re.compile(
    r"\bSERVICE(?:\s|#[^\n]*\n)+(?:SILENT(?:\s|#[^\n]*\n)+)?(<[^>\s]*>|[A-Za-z0-9_.-]*:[^\s{]*|[?$]\w+)",
    re.IGNORECASE,
)
_PREFIX = re.compile(r"\bPREFIX\s+([A-Za-z0-9_.-]*):\s*<([^>]*)>", re.IGNORECASE)


def check_federation(query: str, *, allow: Collection[str] | None = None) -> None:
    """Raise :class:`FederationRefused` unless every ``SERVICE`` target is allowed.

    Parameters
    ----------
    query
        The SPARQL query text.
    allow
        Endpoint IRIs that may be called; ``None`` or empty turns federation off.

    Examples
    --------
    >>> check_federation("SELECT * { ?s ?p ?o }")
    >>> check_federation("SELECT * { SERVICE <http://127.0.0.1:5/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    glocal.store.errors.FederationRefused: SERVICE federation is disabled on this endpoint ...
    >>> check_federation("SELECT * { SERVICE <http://q/sparql> { ?s ?p ?o } }",
    ...                  allow=["http://q/sparql"])
    """
    # SPARQL resolves \\u escapes before parsing, so a keyword may hide behind them.
    text = _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)
    keywords = len(_SERVICE.findall(text))
    if not keywords:
        return
    if not allow:
        raise FederationRefused(
            "SERVICE federation is disabled on this endpoint (start the server with "
            "--federation-allow IRI to allow an endpoint)"
        )
    prefixes = {m.group(1): m.group(2) for m in _PREFIX.finditer(text)}
    targets = _TARGET.findall(text)
    resolved = []
    for target in targets:
        if target.startswith("<"):
            resolved.append(target[1:-1])
        elif ":" in target and target.split(":", 1)[0] in prefixes:
            prefix, local = target.split(":", 1)
            resolved.append(prefixes[prefix] + local)
        else:
            resolved.append(target)
    refused = [t for t in resolved if t not in allow]
    if len(targets) != keywords or refused:
        shown = ", ".join(refused) or "an endpoint that is not a plain IRI"
        raise FederationRefused(f"SERVICE endpoint not on the allow-list: {shown}")
