"""Tables for the assistant: conversations and every exchange, kept for audit."""

from __future__ import annotations
