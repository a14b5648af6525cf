"""Forecasting: kept versions (append-only) and scenarios.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "forecast_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, index=True),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("source", sa.String(2000)),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("meta", sa.JSON, nullable=False),
        sa.Column("rows", sa.JSON, nullable=False),
        sa.UniqueConstraint("name", "number", name="uq_forecast_versions_name_number"),
        sa.CheckConstraint("kind IN ('forecast', 'budget')", name="ck_forecast_versions_kind"),
    )
    op.create_table(
        "forecast_scenarios",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column(
            "version_id", sa.Integer, sa.ForeignKey("forecast_versions.id"), nullable=False, index=True
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("overrides", sa.JSON, nullable=False),
        sa.Column("rows", sa.JSON, nullable=False),
    )
    # Versions are kept for audit: the database itself refuses to change or remove one.
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER forecast_versions_no_{operation.lower()} BEFORE {operation} ON forecast_versions"
                f" BEGIN SELECT RAISE(ABORT, 'forecast_versions is append-only: {operation} refused'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE TRIGGER forecast_versions_append_only BEFORE UPDATE OR DELETE ON forecast_versions"
            " FOR EACH ROW EXECUTE FUNCTION argentier_append_only()"
        )
        op.execute(
            "CREATE TRIGGER forecast_versions_no_truncate BEFORE TRUNCATE ON forecast_versions"
            " FOR EACH STATEMENT EXECUTE FUNCTION argentier_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS forecast_versions_no_update")
        op.execute("DROP TRIGGER IF EXISTS forecast_versions_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS forecast_versions_append_only ON forecast_versions")
        op.execute("DROP TRIGGER IF EXISTS forecast_versions_no_truncate ON forecast_versions")
    op.drop_table("forecast_scenarios")
    op.drop_table("forecast_versions")
