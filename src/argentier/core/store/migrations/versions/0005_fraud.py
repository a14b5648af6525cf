"""Fraud detection: model registry and saved real-time feature state.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fraud_models",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, index=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("model_json", sa.Text, nullable=False),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("trained_from", sa.String(10)),
        sa.Column("trained_to", sa.String(10)),
        sa.Column("note", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("promoted_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("name", "version", name="uq_fraud_models_name_version"),
        sa.CheckConstraint("status IN ('challenger', 'champion', 'retired')", name="ck_fraud_models_status"),
    )
    op.create_table(
        "fraud_states",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("model_version", sa.String(64)),
        sa.Column("clock_ns", sa.BigInteger, nullable=False),
        sa.Column("snapshot", sa.LargeBinary, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("fraud_states")
    op.drop_table("fraud_models")
