"""`/assistant`: the finance assistant: questions with cited answers, conversations."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/assistant", tags=["assistant"])
