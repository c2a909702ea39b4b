"""agreement cancellations

Revision ID: a1c0de000009
Revises: a1c0de000008
Create Date: 2026-11-29 10:12:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "a1c0de000009"
down_revision: str | None = "a1c0de000008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agreement_cancellation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column(
            "proposed_by_side",
            sa.Enum("consumer", "producer", name="side", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("proposed_by_user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "carried", "superseded", name="cancellationstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("refund_minor", sa.BigInteger(), nullable=False),
        sa.Column("pool_minor", sa.BigInteger(), nullable=True),
        sa.Column("refund_transaction_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("carried_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("carried_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("superseded_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("refund_minor >= 0", name=op.f("ck_agreement_cancellation_refund_not_negative")),
        sa.CheckConstraint(
            "pool_minor IS NULL OR pool_minor >= 0", name=op.f("ck_agreement_cancellation_pool_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_cancellation_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_agreement_cancellation_proposed_by_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["refund_transaction_id"],
            ["ledger_transaction.id"],
            name=op.f("fk_agreement_cancellation_refund_transaction_id_ledger_transaction"),
        ),
        sa.ForeignKeyConstraint(
            ["carried_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_agreement_cancellation_carried_by_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_cancellation")),
    )
    with op.batch_alter_table("agreement_cancellation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agreement_cancellation_agreement_created", ["agreement_id", "created_at", "id"], unique=False
        )
        # At most one open proposal per agreement: the database holds the rule the service keeps.
        batch_op.create_index(
            "uq_agreement_cancellation_open",
            ["agreement_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "agreement_cancellation_approval",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("cancellation_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("side", sa.Enum("consumer", "producer", name="side", native_enum=False, length=16), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cancellation_id"],
            ["agreement_cancellation.id"],
            name=op.f("fk_agreement_cancellation_approval_cancellation_id_agreement_cancellation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_agreement_cancellation_approval_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_cancellation_approval")),
        sa.UniqueConstraint(
            "cancellation_id", "user_id", name=op.f("uq_agreement_cancellation_approval_cancellation_id_user_id")
        ),
    )
    with op.batch_alter_table("agreement_cancellation_approval", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_cancellation_approval_cancellation_id"), ["cancellation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("agreement_cancellation_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_cancellation_approval_cancellation_id"))
    op.drop_table("agreement_cancellation_approval")
    with op.batch_alter_table("agreement_cancellation", schema=None) as batch_op:
        batch_op.drop_index("uq_agreement_cancellation_open")
        batch_op.drop_index("ix_agreement_cancellation_agreement_created")
    op.drop_table("agreement_cancellation")
