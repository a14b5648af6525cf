"""Regulatory watch: sources (feeds, pages) and the updates they published.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "regwatch_sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("url", sa.String(2000), nullable=False, unique=True),
        sa.Column("kind", sa.String(10)),
        sa.Column("jurisdiction", sa.String(2), nullable=False, index=True),
        sa.Column("language", sa.String(20)),
        sa.Column("etag", sa.String(500)),
        sa.Column("last_modified", sa.String(100)),
        sa.Column("last_fetched_at", sa.DateTime(timezone=True)),
        sa.Column("last_status", sa.String(20)),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IS NULL OR kind IN ('feed', 'page', 'folder')", name="ck_regwatch_sources_kind"),
    )
    op.create_table(
        "regwatch_updates",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "source_id", sa.Integer, sa.ForeignKey("regwatch_sources.id", ondelete="SET NULL"), index=True
        ),
        sa.Column(
            "document_id",
            sa.Integer,
            sa.ForeignKey("documents.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("url", sa.String(2000), unique=True),
        sa.Column("title", sa.String(1000), nullable=False),
        sa.Column("jurisdiction", sa.String(2), nullable=False, index=True),
        sa.Column("language", sa.String(20)),
        sa.Column("published_at", sa.DateTime(timezone=True), index=True),
        sa.Column("retrieved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
    )


def downgrade() -> None:
    op.drop_table("regwatch_updates")
    op.drop_table("regwatch_sources")
