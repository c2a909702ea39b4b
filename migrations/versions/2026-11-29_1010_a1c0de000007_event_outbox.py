"""event outbox

Revision ID: a1c0de000007
Revises: a1c0de000006
Create Date: 2026-11-29 10:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "a1c0de000007"
down_revision: str | None = "a1c0de000006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("occurred_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_event")),
    )
    op.create_table(
        "outbox_event_audience",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column(
            "organisation_kind",
            sa.Enum(
                "consumer_group",
                "producer_group",
                "trading_organisation",
                name="organisationkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("occurred_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["outbox_event.id"],
            name=op.f("fk_outbox_event_audience_event_id_outbox_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "organisation_id", name=op.f("pk_outbox_event_audience")),
    )
    op.create_index(
        "ix_outbox_event_audience_feed",
        "outbox_event_audience",
        ["organisation_id", "occurred_at", "event_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_event_audience_feed", table_name="outbox_event_audience")
    op.drop_table("outbox_event_audience")
    op.drop_table("outbox_event")
