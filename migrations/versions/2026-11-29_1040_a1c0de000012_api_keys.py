"""api keys

Revision ID: a1c0de000012
Revises: a1c0de000011
Create Date: 2026-11-29 10:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "a1c0de000012"
down_revision: str | None = "a1c0de000011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("secret_digest", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=10), nullable=False),
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
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], name=op.f("fk_api_key_created_by_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("secret_digest", name=op.f("uq_api_key_secret_digest")),
    )
    op.create_index("ix_api_key_organisation", "api_key", ["organisation_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_api_key_organisation", table_name="api_key")
    op.drop_table("api_key")
