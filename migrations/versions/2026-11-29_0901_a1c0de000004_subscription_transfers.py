"""subscription transfers

Revision ID: a1c0de000004
Revises: a1c0de000003
Create Date: 2026-11-29 09:01:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "a1c0de000004"
down_revision: str | None = "a1c0de000003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subscription_transfer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("from_household_id", sa.Uuid(), nullable=False),
        sa.Column("to_household_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("offered", "accepted", "withdrawn", name="transferstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("offered_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("offered_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("accepted_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("accepted_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscription.id"],
            name=op.f("fk_subscription_transfer_subscription_id_subscription"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_household_id"], ["household.id"], name=op.f("fk_subscription_transfer_from_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["to_household_id"], ["household.id"], name=op.f("fk_subscription_transfer_to_household_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["offered_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_subscription_transfer_offered_by_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["accepted_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_subscription_transfer_accepted_by_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_transfer")),
    )
    with op.batch_alter_table("subscription_transfer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscription_transfer_subscription_id"), ["subscription_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_subscription_transfer_from_household_id"), ["from_household_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_subscription_transfer_to_household_id"), ["to_household_id"], unique=False)
        # At most one open offer per subscription: the database holds the rule the service checks.
        batch_op.create_index(
            "uq_subscription_transfer_offered",
            ["subscription_id"],
            unique=True,
            sqlite_where=sa.text("status = 'offered'"),
            postgresql_where=sa.text("status = 'offered'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("subscription_transfer", schema=None) as batch_op:
        batch_op.drop_index("uq_subscription_transfer_offered")
        batch_op.drop_index(batch_op.f("ix_subscription_transfer_to_household_id"))
        batch_op.drop_index(batch_op.f("ix_subscription_transfer_from_household_id"))
        batch_op.drop_index(batch_op.f("ix_subscription_transfer_subscription_id"))
    op.drop_table("subscription_transfer")
