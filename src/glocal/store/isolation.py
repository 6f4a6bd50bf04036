"""Cut a worker process off the network, so no query it runs can reach another host.

Oxigraph follows ``SERVICE`` clauses with its own HTTP client. A text check on the query
cannot be trusted to see every spelling (``1SERVICE <…>`` parses as a literal followed by
the keyword), so untrusted queries run in workers that have no network at all: each
moves itself into a new, empty Linux network namespace (``unshare(CLONE_NEWNET)``), which
has no interfaces but a downed loopback. Pipes to the parent are file descriptors and
keep working. Where the kernel refuses (no privilege and no user namespaces), the worker
reports it and the text check in :mod:`glocal.store.service_policy` is all that is left.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

__all__ = ["cut_network"]

_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000


def cut_network() -> bool:
    """Move this process into a new network namespace; whether it worked.

    Tried as is (enough for root), then inside a new user namespace (enough for an
    unprivileged user where the kernel allows them). Only ever call it in a process of
    its own: it cannot be undone.
    """
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET):
        if libc.unshare(flags) == 0:
            return True
        if ctypes.get_errno() not in (1, 22):  # EPERM, EINVAL: try the next way
            break
    return False
