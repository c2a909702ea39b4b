"""consumer group admission

Revision ID: a1c0de000005
Revises: a1c0de000004
Create Date: 2026-11-29 09:02:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db
from migrations.sqlite_rebuild import rebuilding_referenced_table

revision: str = "a1c0de000005"
down_revision: str | None = "a1c0de000004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Groups founded before the choice existed keep admitting at once; the model makes new ones ask.
    op.add_column(
        "consumer_group",
        sa.Column(
            "admission",
            sa.Enum("open", "by_approval", name="admission", native_enum=False, length=16),
            nullable=False,
            server_default="open",
        ),
    )
    with rebuilding_referenced_table(), op.batch_alter_table("consumer_group", schema=None) as batch_op:
        batch_op.alter_column("admission", server_default=None)
    op.create_table(
        "membership_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "admitted", "waiting", "declined", name="requeststatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("requested_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["user_account.id"], name=op.f("fk_membership_request_decided_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["consumer_group.id"],
            name=op.f("fk_membership_request_group_id_consumer_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_membership_request_household_id_household"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_membership_request")),
    )
    with op.batch_alter_table("membership_request", schema=None) as batch_op:
        batch_op.create_index("ix_membership_request_group_requested", ["group_id", "requested_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_membership_request_household_id"), ["household_id"], unique=False)
        batch_op.create_index(
            "uq_membership_request_pending",
            ["group_id", "household_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("membership_request", schema=None) as batch_op:
        batch_op.drop_index("uq_membership_request_pending")
        batch_op.drop_index(batch_op.f("ix_membership_request_household_id"))
        batch_op.drop_index("ix_membership_request_group_requested")
    op.drop_table("membership_request")
    with rebuilding_referenced_table(), op.batch_alter_table("consumer_group", schema=None) as batch_op:
        batch_op.drop_column("admission")
