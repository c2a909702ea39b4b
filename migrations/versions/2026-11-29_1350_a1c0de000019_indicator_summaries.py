"""indicator summaries

Revision ID: a1c0de000019
Revises: a1c0de000020
Create Date: 2026-11-29 13:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "a1c0de000019"
down_revision: str | None = "a1c0de000020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


CBE_KINDS = ("consumer_group", "producer_group", "trading_organisation")
COUNTS = (
    "households_served",
    "shares_offered",
    "shares_subscribed",
    "agreements",
    "renewals",
    "lapses",
    "cancellations",
    "learning_events",
    "learning_attendances",
)


def upgrade() -> None:
    op.create_table(
        "indicator_summary",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("cbe_kind", sa.Enum(*CBE_KINDS, name="cbekind", native_enum=False, length=32), nullable=False),
        sa.Column("cbe_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("season", sa.String(length=220), nullable=False),
        sa.Column("season_year", sa.Integer(), nullable=False),
        sa.Column("season_starts_on", sa.Date(), nullable=False),
        sa.Column("season_ends_on", sa.Date(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("refreshed_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_summary")),
        sa.UniqueConstraint("cbe_kind", "cbe_id", "season", name=op.f("uq_indicator_summary_cbe_kind_cbe_id_season")),
    )
    op.create_index("ix_indicator_summary_country_year", "indicator_summary", ["country", "season_year"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_indicator_summary_country_year", table_name="indicator_summary")
    op.drop_table("indicator_summary")
