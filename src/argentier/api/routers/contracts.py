"""`/contracts`: contract review: clauses, key terms, playbook results, the portfolio."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/contracts", tags=["contracts"])
