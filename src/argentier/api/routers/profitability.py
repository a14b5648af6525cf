"""`/profitability`: margins, variance bridges, what-ifs, elasticities and prices over uploaded datasets."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/profitability", tags=["profitability"])
