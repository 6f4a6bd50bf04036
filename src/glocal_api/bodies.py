"""What a request sends: its body under a size limit, decoded strictly as UTF-8.

A silently replaced byte would run a different query from the one the client sent, so
invalid UTF-8 is refused (400), in raw bytes and in percent-escapes alike; a body over
the limit is refused (413) as soon as it passes it, declared or streamed.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import Request

from glocal.formats import bare
from glocal_api.errors import RequestError

__all__ = ["content_type", "decode", "parse_params", "query_params", "read_body"]


def content_type(request: Request) -> str:
    """The request's media type, without parameters (``""`` when none is given)."""
    return bare(request.headers.get("content-type"))


async def read_body(request: Request, limit: int) -> bytes:
    """Read a request body, refusing it with 413 as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestError(413, f"the request body is {declared} bytes; the limit is {limit}")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise RequestError(413, f"the request body is larger than the limit of {limit} bytes")
    return bytes(body)


def decode(raw: bytes, what: str) -> str:
    """Bytes as UTF-8 text, or 400 naming ``what`` and the first bad byte."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise RequestError(400, f"{what} is not valid UTF-8 (byte {err.start})") from None


def parse_params(raw: bytes, what: str) -> list[tuple[str, str]]:
    """Decode ``application/x-www-form-urlencoded`` data, refusing invalid UTF-8.

    Both the raw bytes and the percent-escapes must be UTF-8.
    """
    text = decode(raw, what)
    try:
        return parse_qsl(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError as err:
        raise RequestError(
            400, f"{what} has a percent-escape that is not valid UTF-8 (byte {err.start})"
        ) from None


def query_params(request: Request) -> list[tuple[str, str]]:
    """The parameters of the request's query string, in order, repeats kept."""
    return parse_params(request.scope.get("query_string", b""), "the query string")
