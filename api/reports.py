"""``/reports``: the pivotal-cities report and single centrality measures."""

from __future__ import annotations

from fastapi import APIRouter

__all__ = ["router"]

router = APIRouter(tags=["Reports"])
