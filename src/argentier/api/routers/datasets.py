"""`/datasets`: tabular files (CSV, Parquet) uploaded for the analytical modules."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/datasets", tags=["datasets"])
