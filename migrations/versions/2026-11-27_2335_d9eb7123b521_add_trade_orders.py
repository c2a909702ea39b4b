"""add trade orders

Trade orders, their lines and history; the ledger's accounts and transactions belong to an agreement
or (new) a trade order, exactly one of the two.

Revision ID: d9eb7123b521
Revises: f32dc3efa44a
Create Date: 2026-11-27 23:35:59.235401
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "d9eb7123b521"
down_revision: str | None = "f32dc3efa44a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Copied, not imported: a migration stays as it was written when the models change.
ONE_OWNER = (
    "(agreement_id IS NOT NULL AND trade_order_id IS NULL) OR (agreement_id IS NULL AND trade_order_id IS NOT NULL)"
)


def _set_ledger_entries_aside() -> bool:
    """On SQLite, batch mode rebuilds a table to change a column, and dropping the old table deletes its
    rows, which ledger_entry rows reference: with foreign keys on (they cannot be switched off inside the
    migration's transaction) that fails on any database holding payments. So the entries wait, unchanged,
    in a temporary table while ledger_account and ledger_transaction are rebuilt with the same rows."""
    if op.get_bind().dialect.name != "sqlite":
        return False
    op.execute("CREATE TEMPORARY TABLE ledger_entry_aside AS SELECT * FROM ledger_entry")
    op.execute("DELETE FROM ledger_entry")
    return True


def _restore_ledger_entries() -> None:
    op.execute("INSERT INTO ledger_entry SELECT * FROM ledger_entry_aside")
    op.execute("DROP TABLE ledger_entry_aside")


def upgrade() -> None:
    op.create_table(
        "trade_order",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("buyer_id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column(
            "terms", sa.Enum("wfto", "fairtrade", name="tradeterms", native_enum=False, length=16), nullable=False
        ),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "confirmed",
                "prefinance_requested",
                "prefinanced",
                "shipped",
                "delivered",
                "settled",
                "cancelled",
                name="tradeorderstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("product_currency", sa.String(length=3), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("rate_text", sa.String(length=64), nullable=True),
        sa.Column("rate_source", sa.String(length=200), nullable=True),
        sa.Column("rate_as_of", sa.Date(), nullable=True),
        sa.Column("rate_inverted", sa.Boolean(), nullable=True),
        sa.Column("order_value_minor", sa.BigInteger(), nullable=True),
        sa.Column("premium_minor", sa.BigInteger(), nullable=True),
        sa.Column("prefinance_percent", sa.Integer(), nullable=True),
        sa.Column("prefinance_requested_minor", sa.BigInteger(), nullable=True),
        sa.Column("prefinance_paid_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "terms <> 'fairtrade' OR prefinance_percent <= 60", name=op.f("ck_trade_order_fairtrade_prefinance_ceiling")
        ),
        sa.CheckConstraint("buyer_id <> seller_id", name=op.f("ck_trade_order_buyer_is_not_seller")),
        sa.CheckConstraint(
            "order_value_minor >= 0 AND premium_minor >= 0", name=op.f("ck_trade_order_amounts_not_negative")
        ),
        sa.CheckConstraint(
            "prefinance_paid_minor = 0 OR prefinance_paid_minor <= prefinance_requested_minor",
            name=op.f("ck_trade_order_prefinance_paid_within_request"),
        ),
        sa.CheckConstraint("prefinance_paid_minor >= 0", name=op.f("ck_trade_order_prefinance_paid_not_negative")),
        sa.CheckConstraint(
            "prefinance_percent BETWEEN 1 AND 100", name=op.f("ck_trade_order_prefinance_percent_range")
        ),
        sa.ForeignKeyConstraint(
            ["buyer_id"], ["trading_organisation.id"], name=op.f("fk_trade_order_buyer_id_trading_organisation")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_trade_order_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["trading_organisation.id"], name=op.f("fk_trade_order_seller_id_trading_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade_order")),
    )
    with op.batch_alter_table("trade_order", schema=None) as batch_op:
        batch_op.create_index("ix_trade_order_buyer_created", ["buyer_id", "created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trade_order_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_trade_order_seller_created", ["seller_id", "created_at", "id"], unique=False)

    op.create_table(
        "trade_order_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("trade_order_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "transition",
            sa.Enum(
                "request",
                "confirm",
                "request-prefinance",
                "prefinance",
                "ship",
                "deliver",
                "settle",
                "cancel",
                name="transition",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_status",
            sa.Enum(
                "requested",
                "confirmed",
                "prefinance_requested",
                "prefinanced",
                "shipped",
                "delivered",
                "settled",
                "cancelled",
                name="tradeorderstatus",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "requested",
                "confirmed",
                "prefinance_requested",
                "prefinanced",
                "shipped",
                "delivered",
                "settled",
                "cancelled",
                name="tradeorderstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("party", sa.Enum("buyer", "seller", name="party", native_enum=False, length=16), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["trade_order_id"],
            ["trade_order.id"],
            name=op.f("fk_trade_order_event_trade_order_id_trade_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_trade_order_event_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade_order_event")),
        sa.UniqueConstraint("trade_order_id", "position", name=op.f("uq_trade_order_event_trade_order_id_position")),
    )
    op.create_table(
        "trade_order_line",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("trade_order_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column(
            "unit",
            sa.Enum("kg", "g", "litre", "piece", "bunch", "dozen", "box", name="unit", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("quantity_base", sa.BigInteger(), nullable=False),
        sa.Column("list_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("minimum_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("premium_per_unit_minor", sa.BigInteger(), nullable=False),
        sa.Column("agreed_price_minor", sa.BigInteger(), nullable=True),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=True),
        sa.Column("value_minor", sa.BigInteger(), nullable=True),
        sa.Column("premium_minor", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("quantity_base > 0", name=op.f("ck_trade_order_line_quantity_positive")),
        sa.CheckConstraint(
            "unit_price_minor >= minimum_price_minor", name=op.f("ck_trade_order_line_unit_price_not_below_minimum")
        ),
        sa.ForeignKeyConstraint(["product_id"], ["product.id"], name=op.f("fk_trade_order_line_product_id_product")),
        sa.ForeignKeyConstraint(
            ["trade_order_id"],
            ["trade_order.id"],
            name=op.f("fk_trade_order_line_trade_order_id_trade_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trade_order_line")),
        sa.UniqueConstraint("trade_order_id", "position", name=op.f("uq_trade_order_line_trade_order_id_position")),
        sa.UniqueConstraint("trade_order_id", "product_id", name=op.f("uq_trade_order_line_trade_order_id_product_id")),
    )
    with op.batch_alter_table("trade_order_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trade_order_line_product_id"), ["product_id"], unique=False)

    entries_aside = _set_ledger_entries_aside()
    with op.batch_alter_table("ledger_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trade_order_id", sa.Uuid(), nullable=True))
        batch_op.alter_column("agreement_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index(batch_op.f("ix_ledger_account_trade_order_id"), ["trade_order_id"], unique=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_ledger_account_trade_order_id_kind_owner_id_currency"),
            ["trade_order_id", "kind", "owner_id", "currency"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_ledger_account_trade_order_id_trade_order"), "trade_order", ["trade_order_id"], ["id"]
        )
        batch_op.create_check_constraint(batch_op.f("ck_ledger_account_for_agreement_or_trade_order"), ONE_OWNER)

    with op.batch_alter_table("ledger_transaction", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trade_order_id", sa.Uuid(), nullable=True))
        batch_op.alter_column("agreement_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_index(
            "ix_ledger_transaction_trade_order_created", ["trade_order_id", "created_at", "id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_ledger_transaction_trade_order_id_trade_order"), "trade_order", ["trade_order_id"], ["id"]
        )
        batch_op.create_check_constraint(batch_op.f("ck_ledger_transaction_for_agreement_or_trade_order"), ONE_OWNER)
    if entries_aside:
        _restore_ledger_entries()


def downgrade() -> None:
    # Trade orders' money goes with the trade orders: agreement_id is NOT NULL again below.
    op.execute(
        "DELETE FROM ledger_entry WHERE transaction_id IN "
        "(SELECT id FROM ledger_transaction WHERE trade_order_id IS NOT NULL)"
    )
    op.execute("DELETE FROM ledger_transaction WHERE trade_order_id IS NOT NULL")
    op.execute("DELETE FROM ledger_account WHERE trade_order_id IS NOT NULL")
    entries_aside = _set_ledger_entries_aside()
    with op.batch_alter_table("ledger_transaction", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_ledger_transaction_for_agreement_or_trade_order"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_ledger_transaction_trade_order_id_trade_order"), type_="foreignkey")
        batch_op.drop_index("ix_ledger_transaction_trade_order_created")
        batch_op.alter_column("agreement_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("trade_order_id")

    with op.batch_alter_table("ledger_account", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_ledger_account_for_agreement_or_trade_order"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_ledger_account_trade_order_id_trade_order"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_ledger_account_trade_order_id_kind_owner_id_currency"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_ledger_account_trade_order_id"))
        batch_op.alter_column("agreement_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("trade_order_id")
    if entries_aside:
        _restore_ledger_entries()

    with op.batch_alter_table("trade_order_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trade_order_line_product_id"))

    op.drop_table("trade_order_line")
    op.drop_table("trade_order_event")
    with op.batch_alter_table("trade_order", schema=None) as batch_op:
        batch_op.drop_index("ix_trade_order_seller_created")
        batch_op.drop_index(batch_op.f("ix_trade_order_created_at"))
        batch_op.drop_index("ix_trade_order_buyer_created")

    op.drop_table("trade_order")
