"""The server's options, kept apart from the app so that ``glocal serve``'s supervising
process can hold them without importing the web framework (most of a second at start-up).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from glocal.data.files import DataFiles

__all__ = ["Settings"]


@dataclass(frozen=True)
class Settings:
    """Server options; the defaults are the safe ones (read-only, no federation)."""

    timeout: float = 30.0
    max_query_bytes: int = 1_000_000
    update_token: str | None = None
    admin_token: str | None = None
    federation_allow: tuple[str, ...] = ()
    result_cache_entries: int = 256
    result_cache_max_bytes: int = 1_000_000
    #: Queries one client (by address) may have running at once; more get 429, so that
    #: one client's runaways cannot hold every query worker.
    max_queries_per_client: int = 8
    #: The files served, for /admin/import and /admin/reload (see glocal_api.admin).
    data: DataFiles | None = None
