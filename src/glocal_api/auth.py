"""The one bearer-token check, for ``/update`` and ``/admin``.

A route that needs a token is off unless the server was given one; a request must
then carry ``Authorization: Bearer <token>``. The comparison takes the same time
whatever the header holds, so it tells an attacker nothing about the token.
"""

from __future__ import annotations

import hmac

from fastapi import Request

from glocal_api.errors import RequestError

__all__ = ["require_bearer"]


def require_bearer(request: Request, token: str | None, *, off: str, routes: str) -> None:
    """Refuse a request (403) unless ``token`` is set and the request carries it.

    Parameters
    ----------
    request
        The request to check.
    token
        The server's token; ``None`` or empty turns the routes off.
    off
        The message when the routes are off: how to turn them on.
    routes
        What the routes are, for the message when the token is missing or wrong
        (``"SPARQL Update"``, ``"The admin routes"``).

    Raises
    ------
    RequestError
        403, with one of the two messages; never with the token in it.
    """
    if not token:
        raise RequestError(403, off)
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise RequestError(
            403, f"{routes}: send the server's token as 'Authorization: Bearer <token>'"
        )
