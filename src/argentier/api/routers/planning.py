"""`/planning`: staffing (Erlang), schedules, supply simulations and capital allocation."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/planning", tags=["planning"])
