"""LLM call ledger and response cache.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "llm_calls",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("provider", sa.String(50), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("prompt_name", sa.String(200)),
        sa.Column("prompt_version", sa.String(50)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("repair", sa.Boolean, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
        sa.Column("latency_ms", sa.Float, nullable=False),
        sa.Column("cost_usd", sa.Float),
        sa.Column("error", sa.Text),
        sa.Column("grounded_share", sa.Float),
        sa.CheckConstraint("status IN ('ok', 'cached', 'invalid_json', 'error')", name="ck_llm_calls_status"),
    )
    op.create_index("ix_llm_calls_provider_model", "llm_calls", ["provider", "model"])
    op.create_table(
        "llm_cache",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("provider", sa.String(50), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("prompt_tokens", sa.Integer, nullable=False),
        sa.Column("completion_tokens", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_index("ix_llm_calls_provider_model", table_name="llm_calls")
    op.drop_table("llm_cache")
    op.drop_table("llm_calls")
