"""collection account approvals

Revision ID: a1c0de000017
Revises: a1c0de000014
Create Date: 2026-11-29 13:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "a1c0de000017"
down_revision: str | None = "a1c0de000014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


STATUS = sa.Enum("proposed", "active", "retired", name="collectionaccountstatus", native_enum=False, length=16)


def upgrade() -> None:
    # Accounts recorded before approvals existed were in use: they stay active, their default too.
    op.add_column("collection_account", sa.Column("status", STATUS, nullable=False, server_default="active"))
    op.add_column("collection_account", sa.Column("label", sa.String(length=200), nullable=True))
    op.add_column("collection_account", sa.Column("activated_at", app.core.db.UtcDateTime(timezone=True)))
    op.add_column("collection_account", sa.Column("retired_at", app.core.db.UtcDateTime(timezone=True)))
    op.add_column("collection_account", sa.Column("retired_by", sa.Uuid(), nullable=True))
    op.execute("UPDATE collection_account SET activated_at = created_at")
    # No other table references collection_account yet, so SQLite's rebuild cascades nowhere.
    with op.batch_alter_table("collection_account", schema=None) as batch_op:
        batch_op.alter_column("status", server_default=None)
        batch_op.create_foreign_key(
            batch_op.f("fk_collection_account_retired_by_user_account"), "user_account", ["retired_by"], ["id"]
        )
    op.create_table(
        "collection_account_proposal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("add_account", "make_default", name="proposalkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("makes_default", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("open", "carried", "withdrawn", name="proposalstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("proposed_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["collection_account.id"],
            name=op.f("fk_collection_account_proposal_account_id_collection_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by"], ["user_account.id"], name=op.f("fk_collection_account_proposal_proposed_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_account_proposal")),
    )
    op.create_index(
        "ix_collection_account_proposal_account",
        "collection_account_proposal",
        ["account_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "uq_collection_account_proposal_open",
        "collection_account_proposal",
        ["account_id"],
        unique=True,
        sqlite_where=sa.text("status = 'open'"),
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "collection_account_approval",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("proposal_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["collection_account_proposal.id"],
            name=op.f("fk_collection_account_approval_proposal_id_collection_account_proposal"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_collection_account_approval_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_account_approval")),
        sa.UniqueConstraint("proposal_id", "user_id", name=op.f("uq_collection_account_approval_proposal_id_user_id")),
    )
    op.create_index(
        op.f("ix_collection_account_approval_proposal_id"),
        "collection_account_approval",
        ["proposal_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_collection_account_approval_proposal_id"), table_name="collection_account_approval")
    op.drop_table("collection_account_approval")
    op.drop_index("uq_collection_account_proposal_open", table_name="collection_account_proposal")
    op.drop_index("ix_collection_account_proposal_account", table_name="collection_account_proposal")
    op.drop_table("collection_account_proposal")
    # Proposed and retired accounts are never the default, so without their status no payer is sent to them.
    with op.batch_alter_table("collection_account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_collection_account_retired_by_user_account"), type_="foreignkey")
        batch_op.drop_column("retired_by")
        batch_op.drop_column("retired_at")
        batch_op.drop_column("activated_at")
        batch_op.drop_column("label")
        batch_op.drop_column("status")
