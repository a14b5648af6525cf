"""Regulatory watch: groups of related updates, and versions of a page that changed.

An update remembers its group, the score that put it there and the vector it was grouped by, so the next
fetch restores the grouper without re-embedding anything. A watched page whose text changed is stored again
as the next ``version`` of the same URL (``previous_id`` points at the version it replaces): the unique key
moves from ``url`` to ``(url, version)``.

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

# SQLite's unique constraint from 0004 has no name; batch mode names reflected ones with this convention.
_NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _url_constraint() -> str:
    return "regwatch_updates_url_key" if op.get_bind().dialect.name == "postgresql" else "uq_regwatch_updates_url"


def upgrade() -> None:
    op.create_table(
        "regwatch_groups",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("canonical_title", sa.String(1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("regwatch_updates", naming_convention=_NAMING) as batch:
        batch.add_column(sa.Column("group_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("group_score", sa.Float, nullable=True))
        batch.add_column(sa.Column("group_vector", sa.LargeBinary, nullable=True))
        batch.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("previous_id", sa.Integer, nullable=True))
        batch.create_foreign_key(
            "fk_regwatch_updates_group_id", "regwatch_groups", ["group_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_foreign_key(
            "fk_regwatch_updates_previous_id", "regwatch_updates", ["previous_id"], ["id"], ondelete="SET NULL"
        )
        batch.create_index("ix_regwatch_updates_group_id", ["group_id"])
        batch.drop_constraint(_url_constraint(), type_="unique")
        batch.create_index("ix_regwatch_updates_url", ["url"])
        batch.create_unique_constraint("uq_regwatch_updates_url_version", ["url", "version"])


def downgrade() -> None:
    with op.batch_alter_table("regwatch_updates", naming_convention=_NAMING) as batch:
        batch.drop_constraint("uq_regwatch_updates_url_version", type_="unique")
        batch.drop_index("ix_regwatch_updates_url")
        batch.create_unique_constraint(_url_constraint(), ["url"])
        batch.drop_index("ix_regwatch_updates_group_id")
        batch.drop_constraint("fk_regwatch_updates_previous_id", type_="foreignkey")
        batch.drop_constraint("fk_regwatch_updates_group_id", type_="foreignkey")
        for column in ("previous_id", "version", "group_vector", "group_score", "group_id"):
            batch.drop_column(column)
    op.drop_table("regwatch_groups")
