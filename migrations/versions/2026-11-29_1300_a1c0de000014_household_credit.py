"""household credit: a consumer group's own ledger, for its households' credit

Revision ID: a1c0de000014
Revises: a1c0de000013
Create Date: 2026-11-29 13:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.sqlite_rebuild import rebuilding_referenced_table

revision: str = "a1c0de000014"
down_revision: str | None = "a1c0de000013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TWO_OWNERS = (
    "(agreement_id IS NOT NULL AND trade_order_id IS NULL) OR (agreement_id IS NULL AND trade_order_id IS NOT NULL)"
)
THREE_OWNERS = (
    "(CASE WHEN agreement_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN trade_order_id IS NULL THEN 0 ELSE 1 END) "
    "+ (CASE WHEN consumer_group_id IS NULL THEN 0 ELSE 1 END) = 1"
)


def upgrade() -> None:
    with rebuilding_referenced_table():
        with op.batch_alter_table("ledger_account", schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f("ck_ledger_account_for_agreement_or_trade_order"), type_="check")
            batch_op.add_column(sa.Column("consumer_group_id", sa.Uuid(), nullable=True))
            batch_op.create_index(
                batch_op.f("ix_ledger_account_consumer_group_id"), ["consumer_group_id"], unique=False
            )
            batch_op.create_unique_constraint(
                batch_op.f("uq_ledger_account_consumer_group_id_kind_owner_id_currency"),
                ["consumer_group_id", "kind", "owner_id", "currency"],
            )
            batch_op.create_foreign_key(
                batch_op.f("fk_ledger_account_consumer_group_id_consumer_group"),
                "consumer_group",
                ["consumer_group_id"],
                ["id"],
            )
            batch_op.create_check_constraint(batch_op.f("ck_ledger_account_one_owner"), THREE_OWNERS)

        with op.batch_alter_table("ledger_transaction", schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f("ck_ledger_transaction_for_agreement_or_trade_order"), type_="check")
            batch_op.add_column(sa.Column("consumer_group_id", sa.Uuid(), nullable=True))
            batch_op.add_column(sa.Column("counterpart_id", sa.Uuid(), nullable=True))
            batch_op.create_index(
                "ix_ledger_transaction_consumer_group_created", ["consumer_group_id", "created_at", "id"], unique=False
            )
            batch_op.create_index(batch_op.f("ix_ledger_transaction_counterpart_id"), ["counterpart_id"], unique=False)
            batch_op.create_foreign_key(
                batch_op.f("fk_ledger_transaction_consumer_group_id_consumer_group"),
                "consumer_group",
                ["consumer_group_id"],
                ["id"],
            )
            batch_op.create_foreign_key(
                batch_op.f("fk_ledger_transaction_counterpart_id_ledger_transaction"),
                "ledger_transaction",
                ["counterpart_id"],
                ["id"],
            )
            batch_op.create_check_constraint(batch_op.f("ck_ledger_transaction_one_owner"), THREE_OWNERS)


def downgrade() -> None:
    # Households' credit goes with the consumer groups' ledgers: consumer_group_id is dropped below.
    op.execute("UPDATE ledger_transaction SET counterpart_id = NULL")
    op.execute(
        "DELETE FROM ledger_entry WHERE transaction_id IN "
        "(SELECT id FROM ledger_transaction WHERE consumer_group_id IS NOT NULL)"
    )
    op.execute("DELETE FROM ledger_transaction WHERE consumer_group_id IS NOT NULL")
    op.execute("DELETE FROM ledger_account WHERE consumer_group_id IS NOT NULL")
    with rebuilding_referenced_table():
        with op.batch_alter_table("ledger_transaction", schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f("ck_ledger_transaction_one_owner"), type_="check")
            batch_op.drop_constraint(
                batch_op.f("fk_ledger_transaction_counterpart_id_ledger_transaction"), type_="foreignkey"
            )
            batch_op.drop_constraint(
                batch_op.f("fk_ledger_transaction_consumer_group_id_consumer_group"), type_="foreignkey"
            )
            batch_op.drop_index(batch_op.f("ix_ledger_transaction_counterpart_id"))
            batch_op.drop_index("ix_ledger_transaction_consumer_group_created")
            batch_op.drop_column("counterpart_id")
            batch_op.drop_column("consumer_group_id")
            batch_op.create_check_constraint(
                batch_op.f("ck_ledger_transaction_for_agreement_or_trade_order"), TWO_OWNERS
            )

        with op.batch_alter_table("ledger_account", schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f("ck_ledger_account_one_owner"), type_="check")
            batch_op.drop_constraint(
                batch_op.f("fk_ledger_account_consumer_group_id_consumer_group"), type_="foreignkey"
            )
            batch_op.drop_constraint(
                batch_op.f("uq_ledger_account_consumer_group_id_kind_owner_id_currency"), type_="unique"
            )
            batch_op.drop_index(batch_op.f("ix_ledger_account_consumer_group_id"))
            batch_op.drop_column("consumer_group_id")
            batch_op.create_check_constraint(batch_op.f("ck_ledger_account_for_agreement_or_trade_order"), TWO_OWNERS)
