"""Every error a store raises, in one place, so that callers map them without importing backends.

Each is a small subclass of a built-in exception: the API turns each into one status
code (:mod:`glocal_api.errors`), the command line into one message.
"""

from __future__ import annotations

__all__ = [
    "DefaultGraphWrite",
    "FederationRefused",
    "QueryFailed",
    "QuerySyntaxError",
    "QueryTimeout",
    "ResourceLimit",
    "StoreUnavailable",
    "UpdateUnsupported",
]


class QuerySyntaxError(ValueError):
    """The query is not valid SPARQL; the message gives line and column."""


class QueryTimeout(TimeoutError):
    """The query ran past its deadline and was stopped."""


class StoreUnavailable(ConnectionError):
    """The SPARQL engine cannot be reached, or it went away during a request."""


class FederationRefused(PermissionError):
    """A query asks for a ``SERVICE`` endpoint that is not allowed."""


class QueryFailed(RuntimeError):
    """The engine failed on a well-formed query for a reason of its own."""


class ResourceLimit(QueryFailed):
    """A query worker passed a resource limit (its memory) and was stopped; the message
    names the limit."""


class UpdateUnsupported(NotImplementedError):
    """The backend does not apply SPARQL Update through glocal."""


class DefaultGraphWrite(ValueError):
    """An update writes into the default graph, which is the merge of the named graphs."""
