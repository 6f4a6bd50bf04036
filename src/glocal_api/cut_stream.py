"""A streamed query result that is never passed off as whole when it is not.

:class:`CutOnError` ends a response cut by a store error without its closing chunk, so
the client's HTTP library reports the result as cut, and stops the query's worker as
soon as the client goes away.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncGenerator, Generator, Iterator
from typing import Any

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from starlette.types import Send

from glocal.store import QueryFailed, QueryTimeout, StoreUnavailable

__all__ = ["CutOnError"]

logger = logging.getLogger("glocal.query")


class CutOnError(StreamingResponse):
    """A streamed result that is never passed off as whole when it is not.

    A store error mid-stream (the time limit, a worker stopped) ends the response
    without its closing chunk, so the client's HTTP library reports the result as cut
    (``curl`` exits non-zero, httpx raises); the log gets one line, not a traceback. A
    client that goes away gets its query's worker stopped at once: the source iterator
    is closed as soon as sending stops, rather than whenever it is collected.
    """

    def __init__(
        self, source: Iterator[bytes] | AsyncGenerator[bytes, None], **kwargs: Any
    ) -> None:
        super().__init__(source, **kwargs)
        self._source = source

    async def stream_response(self, send: Send) -> None:
        try:
            await send(
                {
                    "type": "http.response.start",
                    "status": self.status_code,
                    "headers": self.raw_headers,
                }
            )
            async for chunk in self.body_iterator:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except (QueryTimeout, QueryFailed, StoreUnavailable) as err:
            logger.warning("a result was cut and its connection closed: %s", err)
            return
        finally:
            # Runs on a disconnect too (the task is cancelled): free the worker now.
            if isinstance(self._source, AsyncGenerator):
                await self._source.aclose()
            else:
                await run_in_threadpool(_close, self._source)
        await send({"type": "http.response.body", "body": b"", "more_body": False})


def _close(source: Iterator[bytes]) -> None:
    if isinstance(source, Generator):
        # ValueError: still running in another thread; it stops at its next chunk.
        with contextlib.suppress(ValueError):
            source.close()
