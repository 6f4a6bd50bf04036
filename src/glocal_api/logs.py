"""Rate-limited logging, so that a flood of failures cannot flood the log.

At 1,100 connections the server once wrote 488,911 "Too many open files" tracebacks,
198 MB in 40 s. :class:`RateLimit` lets through the first few records of each kind
(logger, level and message template) per interval, drops the rest, and says how many
it dropped on the next record it lets through.
"""

from __future__ import annotations

import logging
import threading
import time

__all__ = ["SERVER_LIMIT", "RateLimit", "limit_server_logs"]


class RateLimit(logging.Filter):
    """Pass at most ``burst`` records of each kind per ``interval`` seconds.

    Examples
    --------
    >>> limit = RateLimit(burst=2, interval=60)
    >>> record = logging.LogRecord("x", logging.ERROR, __file__, 1, "accept failed", None, None)
    >>> [limit.filter(record) for _ in range(4)]
    [True, True, False, False]
    >>> limit.dropped
    2
    """

    def __init__(self, *, burst: int = 5, interval: float = 10.0) -> None:
        super().__init__()
        self.burst = burst
        self.interval = interval
        #: Records dropped since the filter was made, of every kind.
        self.dropped = 0
        self._kinds: dict[tuple[str, int, str], tuple[float, int, int]] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        kind = (record.name, record.levelno, str(record.msg))
        now = time.monotonic()
        with self._lock:
            start, passed, dropped = self._kinds.get(kind, (now, 0, 0))
            if now - start >= self.interval:
                start, passed = now, 0
            if passed >= self.burst:
                self._kinds[kind] = (start, passed, dropped + 1)
                self.dropped += 1
                return False
            self._kinds[kind] = (start, passed + 1, 0)
        if dropped:
            record.msg = f"{record.msg} ({dropped} more like this were not logged)"
        return True


#: The one filter of the server's handlers, so that starting servers again (tests, the
#: benchmark) does not stack filters.
SERVER_LIMIT = RateLimit()


def limit_server_logs(rate_limit: RateLimit = SERVER_LIMIT) -> RateLimit:
    """Put one :class:`RateLimit` on every handler of the server's loggers.

    The root logger gets a stderr handler if it has none, so that asyncio's records
    (accept failures, say) pass the filter too instead of Python's last-resort handler.
    """
    limit = rate_limit
    root = logging.getLogger()
    if not root.handlers:
        stderr = logging.StreamHandler()
        stderr.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(stderr)
    for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access", "glocal.admin"):
        for handler in logging.getLogger(name).handlers:
            if limit not in handler.filters:
                handler.addFilter(limit)
    return limit
