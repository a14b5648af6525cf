"""`/forecast`: forecasts, backtests, anomalies and scenarios over uploaded datasets."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/forecast", tags=["forecast"])
