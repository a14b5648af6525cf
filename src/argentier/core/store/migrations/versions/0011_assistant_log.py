"""The assistant's conversations and its append-only log of exchanges (question, answer, citations, groups).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_TABLE = "assistant_exchanges"


def upgrade() -> None:
    op.create_table(
        "assistant_conversations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("collection", sa.String(200)),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_assistant_conversations_user", "assistant_conversations", ["user_name", "updated_at"])
    op.create_table(
        _TABLE,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "conversation_id", sa.Integer, sa.ForeignKey("assistant_conversations.id"), nullable=False
        ),
        sa.Column("ordinal", sa.Integer, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("groups", sa.JSON),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("query", sa.Text, nullable=False),
        sa.Column("answer", sa.Text, nullable=False),
        sa.Column("citations", sa.JSON, nullable=False),
        sa.Column("refused", sa.Boolean, nullable=False),
        sa.Column("method", sa.String(20), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("model", sa.String(200)),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_assistant_exchanges_conversation", _TABLE, ["conversation_id", "ordinal"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {_TABLE}_no_{operation.lower()} BEFORE {operation} ON {_TABLE} BEGIN"
                f" SELECT RAISE(ABORT, '{_TABLE} is append-only: {operation} refused'); END"
            )
    elif dialect == "postgresql":
        # argentier_append_only() comes from revision 0002.
        op.execute(
            f"CREATE TRIGGER {_TABLE}_append_only BEFORE UPDATE OR DELETE ON {_TABLE}"
            " FOR EACH ROW EXECUTE FUNCTION argentier_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {_TABLE}_no_truncate BEFORE TRUNCATE ON {_TABLE}"
            " FOR EACH STATEMENT EXECUTE FUNCTION argentier_append_only()"
        )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(f"DROP TRIGGER IF EXISTS {_TABLE}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {_TABLE}_no_delete")
    elif dialect == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {_TABLE}_append_only ON {_TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS {_TABLE}_no_truncate ON {_TABLE}")
    op.drop_index("ix_assistant_exchanges_conversation", table_name=_TABLE)
    op.drop_table(_TABLE)
    op.drop_index("ix_assistant_conversations_user", table_name="assistant_conversations")
    op.drop_table("assistant_conversations")
