"""How many queries each client address has running, counted across HTTP processes.

``glocal serve`` answers from several processes (:mod:`glocal_api.processes`), and a
client's connections land on any of them: a count per process would let one client run
its limit in every process. :class:`ClientSlots` keeps the counts in shared memory,
made before the processes are forked, under one cross-process lock.

The counts sit in an open-addressing hash table (linear probing, with Knuth's
backward-shift deletion, *The Art of Computer Programming* vol. 3, 6.4, Algorithm R),
keyed by a 16-byte BLAKE2b digest of the address: a client is only in the table while
it has a query running, so the table stays small and every lookup short.
"""

from __future__ import annotations

import ctypes
import hashlib
import multiprocessing
from multiprocessing.sharedctypes import RawArray, RawValue

__all__ = ["ClientSlots"]

_KEY_BYTES = 16


class ClientSlots:
    """A bounded count of running queries per client address, shared by forked processes.

    Parameters
    ----------
    limit
        Queries one client may have running at once.
    capacity
        Clients that may have queries running at once; past it every client is refused
        until one finishes. The default far exceeds the connections a server accepts.

    Examples
    --------
    >>> slots = ClientSlots(2)
    >>> [slots.take("10.0.0.1") for _ in range(3)], slots.take("10.0.0.2")
    ([True, True, False], True)
    >>> slots.give_back("10.0.0.1"); slots.take("10.0.0.1")
    True
    >>> slots.running("10.0.0.1"), slots.running("10.0.0.3")
    (2, 0)
    """

    def __init__(self, limit: int, *, capacity: int = 65_536) -> None:
        if limit < 1:
            raise ValueError(f"the per-client query limit must be at least 1, not {limit}")
        self.limit = limit
        self._capacity = capacity
        # Shared memory and a semaphore, passed to the spawned server processes.
        self._keys = RawArray(ctypes.c_char, capacity * _KEY_BYTES)
        self._counts = RawArray(ctypes.c_int32, capacity)
        self._clients = RawValue(ctypes.c_int64, 0)
        self._lock = multiprocessing.get_context("spawn").Lock()

    def take(self, client: str) -> bool:
        """Count one more query for ``client``; False (and no count) past the limit."""
        key = _key(client)
        with self._lock:
            slot = self._find(key)
            if self._counts[slot] == 0:
                # One slot always stays empty, so that every probe ends.
                if self._clients.value >= self._capacity - 1:
                    return False
                self._clients.value += 1
                self._put_key(slot, key)
            elif self._counts[slot] >= self.limit:
                return False
            self._counts[slot] += 1
            return True

    def give_back(self, client: str) -> None:
        """A query of ``client`` ended."""
        with self._lock:
            slot = self._find(_key(client))
            if self._counts[slot] == 0:
                return
            self._counts[slot] -= 1
            if self._counts[slot] == 0:
                self._delete(slot)

    def running(self, client: str) -> int:
        """Queries of ``client`` running now, in every process."""
        with self._lock:
            return int(self._counts[self._find(_key(client))])

    def _home(self, key: bytes) -> int:
        return int.from_bytes(key[:8], "little") % self._capacity

    def _key_at(self, slot: int) -> bytes:
        return ctypes.string_at(ctypes.addressof(self._keys) + slot * _KEY_BYTES, _KEY_BYTES)

    def _put_key(self, slot: int, key: bytes) -> None:
        ctypes.memmove(ctypes.addressof(self._keys) + slot * _KEY_BYTES, key, _KEY_BYTES)

    def _find(self, key: bytes) -> int:
        """The slot holding ``key``, or the empty slot where it would go."""
        slot = self._home(key)
        while self._counts[slot] and self._key_at(slot) != key:
            slot = (slot + 1) % self._capacity
        return slot

    def _delete(self, slot: int) -> None:
        """Empty ``slot``, moving later keys of the same run back so that each stays
        reachable from its home slot without passing an empty one."""
        here = slot
        after = slot
        while True:
            after = (after + 1) % self._capacity
            if not self._counts[after]:
                break
            home = self._home(self._key_at(after))
            # Leave the key where it is if its home lies cyclically in (here, after].
            if (here < home <= after) if here <= after else (here < home or home <= after):
                continue
            self._put_key(here, self._key_at(after))
            self._counts[here] = self._counts[after]
            here = after
        self._counts[here] = 0
        self._clients.value -= 1


def _key(client: str) -> bytes:
    return hashlib.blake2b(client.encode(), digest_size=_KEY_BYTES).digest()
