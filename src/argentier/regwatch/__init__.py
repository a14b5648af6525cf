"""Regulatory watch: follow regulators' publications and summarise each update with grounded citations."""

from argentier.regwatch.sources import RegWatch, validate_jurisdiction
from argentier.regwatch.summarise import (
    Obligation,
    UpdateSummary,
    detect_language,
    summarise_document,
    summarise_text,
)

__all__ = [
    "Obligation",
    "RegWatch",
    "UpdateSummary",
    "detect_language",
    "summarise_document",
    "summarise_text",
    "validate_jurisdiction",
]
