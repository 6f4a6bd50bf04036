"""Apply a SPARQL Update to a copy of a store, in a worker process cut off the network.

An update is as untrusted as a query: ``LOAD <http://…>`` fetches any URL and a
``SERVICE`` clause in its ``WHERE`` calls any endpoint, and either can run away. So the
copy is built and updated in a process of its own: offline unless federation is
allowed (:mod:`glocal.store.isolation`, the same switch the query workers use), killed
at its time limit, and its result is only a folder that the caller renames into place.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection

from glocal.store.errors import (
    DefaultGraphWrite,
    FederationRefused,
    QueryFailed,
    QuerySyntaxError,
    QueryTimeout,
)
from glocal.store.isolation import cut_network

__all__ = ["apply_update"]


def _apply(conn: Connection, source: str, target: str, sparql: str, offline: bool) -> None:
    """In the worker: copy ``source`` into a new store at ``target`` and update it."""
    from pyoxigraph import Store

    from glocal.namespaces import PREFIXES
    from glocal.store.merge import remerge

    isolated = cut_network() if offline else False
    try:
        original = Store.read_only(source)
        copy = Store(target)
        copy.bulk_extend(original.quads_for_pattern(None, None, None, None))
        copy.update(sparql, prefixes=PREFIXES)
        remerge(copy, before=original)
        copy.flush()
    except SyntaxError as err:
        conn.send(("syntax", str(err)))
    except DefaultGraphWrite as err:
        conn.send(("default", str(err)))
    except OSError as err:
        # Offline, a LOAD or SERVICE fails here: the network is not there to reach.
        conn.send(("offline" if isolated else "error", str(err)))
    except (ValueError, RuntimeError) as err:
        conn.send(("error", str(err)))
    else:
        conn.send(("done",))


def apply_update(
    source: str, target: str, sparql: str, *, offline: bool = True, timeout: float | None = None
) -> None:
    """Write the store at ``source`` with ``sparql`` applied into a new store at ``target``.

    Raises
    ------
    QuerySyntaxError
        If the update does not parse.
    DefaultGraphWrite
        If it writes into the default graph (the merge of the named graphs).
    FederationRefused
        If it tried to reach another host (``LOAD``, ``SERVICE``) while offline.
    QueryTimeout
        If it ran past ``timeout`` seconds; the worker is killed.
    QueryFailed
        If Oxigraph failed on it otherwise, or the worker died.
    """
    ctx = multiprocessing.get_context("forkserver")
    parent, child = ctx.Pipe()
    process = ctx.Process(target=_apply, args=(child, source, target, sparql, offline))
    process.start()
    child.close()
    try:
        if not parent.poll(timeout):
            raise QueryTimeout("the update ran past its time limit and was stopped")
        answer = parent.recv()
    except EOFError:
        raise QueryFailed(f"the update's worker died (exit code {process.exitcode})") from None
    finally:
        process.kill()
        process.join(timeout=5)
        parent.close()
    if answer[0] == "done":
        return
    errors: dict[str, type[Exception]] = {
        "syntax": QuerySyntaxError,
        "default": DefaultGraphWrite,
        "error": QueryFailed,
    }
    if answer[0] == "offline":
        raise FederationRefused(
            f"the update tried to reach another host ({answer[1]}); LOAD and SERVICE may "
            "only reach the hosts that --federation-allow names"
        )
    raise errors[answer[0]](answer[1])
