"""A query answered from the event loop, without a thread, when a query worker is idle.

A canned query (trusted text of known form) goes to the worker as it is; a query sent
to ``/sparql`` is checked, then parsed and run by the worker in one round trip
(:meth:`EmbeddedStore.open_query <glocal.store.EmbeddedStore.open_query>`), where the
threads' way (:func:`glocal_api.query.run_query`) takes a hop to a thread and two round
trips. The time limit, the per-client limit, the result cache, and stopping the worker
for a client that goes away all hold as in a thread.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable

from fastapi import Request
from fastapi.responses import Response

from glocal.formats import offered_for
from glocal.store import EmbeddedStore, ParsedQuery, QueryForm
from glocal_api.cut_stream import CutOnError
from glocal_api.errors import RequestError
from glocal_api.query import Checked, Kept, choose_media_type, take_slot, whole_response
from glocal_api.runtime import runtime_of

__all__ = ["run_canned_query", "run_sparql_query"]

#: A result under way: its media type and chunks.
_Opened = tuple[str, AsyncGenerator[bytes, None]]
_Open = Callable[[EmbeddedStore, float], Awaitable[_Opened | None]]

_FORMS: tuple[QueryForm, ...] = ("SELECT", "ASK", "CONSTRUCT")


async def run_canned_query(
    request: Request, checked: Checked, *, form: QueryForm
) -> Response | None:
    """Answer trusted text of known ``form`` (a canned query with its values bound)
    from an idle worker; None when this cannot be (see :func:`_on_loop`), for the
    caller to run :func:`~glocal_api.query.run_query` in a thread."""
    query = ParsedQuery(checked.sparql, form)
    accept = request.headers.get("accept")

    async def open_stream(store: EmbeddedStore, timeout: float) -> _Opened | None:
        media_type = choose_media_type(query.media_types, accept, checked.fmt, form)
        chunks = await store.open_stream(query, media_type=media_type, timeout=timeout)
        return None if chunks is None else (media_type, chunks)

    return await _on_loop(request, checked, open_stream)


async def run_sparql_query(request: Request, checked: Checked) -> Response | None:
    """Answer untrusted text (``/sparql``) from an idle worker, which parses and runs it
    in one round trip; None when this cannot be (see :func:`_on_loop`), for the caller
    to run :func:`~glocal_api.query.run_query` in a thread.

    The media type is negotiated for each form before the form is known, and the worker
    picks the one of the form it finds; a form the client takes no type for gets its
    ``406`` then, after a syntax error's ``400``, as on the threads' way.
    """
    accept = request.headers.get("accept")
    negotiated: dict[QueryForm, str | RequestError] = {}
    for form in _FORMS:
        try:
            negotiated[form] = choose_media_type(offered_for(form), accept, checked.fmt, form)
        except RequestError as refusal:
            negotiated[form] = refusal
    media_types = {f: m for f, m in negotiated.items() if isinstance(m, str)}
    settings = runtime_of(request).settings

    async def open_query(store: EmbeddedStore, timeout: float) -> _Opened | None:
        opened = await store.open_query(
            checked.sparql,
            media_types=media_types,
            federation=settings.federation_allow,
            default_graphs=checked.default_graphs or None,
            named_graphs=checked.named_graphs or None,
            timeout=timeout,
        )
        if opened is None:
            return None
        form, chunks = opened
        if chunks is None:
            refusal = negotiated[form]
            assert isinstance(refusal, RequestError)  # the forms without a media type
            raise refusal
        return media_types[form], chunks

    return await _on_loop(request, checked, open_query)


async def _on_loop(request: Request, checked: Checked, open_result: _Open) -> Response | None:
    """Answer a checked query with the result ``open_result`` opens on the embedded
    store, whole if it came in one chunk; None when this cannot be: another kind of
    store, a reload since the check, or no idle worker."""
    runtime = runtime_of(request)
    settings = runtime.settings
    store = runtime.store
    if not isinstance(store, EmbeddedStore) or store.version != checked.version:
        return None
    client = take_slot(request, runtime)
    streaming = False
    try:
        opened = await open_result(store, settings.timeout)
        if opened is None:
            return None
        media_type, chunks = opened
        first = await anext(chunks, b"")
        second = await anext(chunks, None)
        if second is None:
            return whole_response(request, checked.etag, media_type, first, checked.headers())
        streaming = True
    finally:
        if not streaming:
            runtime.clients.give_back(client)

    async def body() -> AsyncGenerator[bytes, None]:
        kept = Kept(settings.result_cache_max_bytes, [first, second])
        try:
            yield first
            yield second
            async for chunk in chunks:
                kept.add(chunk)
                yield chunk
            kept.cache(runtime.results, checked.etag, media_type)
        finally:
            # Closing the worker's stream stops (kills) a worker still writing.
            await chunks.aclose()
            runtime.clients.give_back(client)

    return CutOnError(body(), media_type=media_type, headers=checked.headers())
