"""add plans agreements ledger harvests

Revision ID: 560a814fdaed
Revises: 4e381eb23709
Create Date: 2026-11-27 22:52:10.437015
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "560a814fdaed"
down_revision: str | None = "4e381eb23709"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "idempotency_record",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("caller_id", sa.Uuid(), nullable=False),
        sa.Column("route", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_idempotency_record")),
        sa.UniqueConstraint("caller_id", "route", "key", name=op.f("uq_idempotency_record_caller_id_route_key")),
    )
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_idempotency_record_created_at"), ["created_at"], unique=False)

    op.create_table(
        "production_plan",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("producer_group_id", sa.Uuid(), nullable=False),
        sa.Column("season_name", sa.String(length=200), nullable=False),
        sa.Column("season_starts_on", sa.Date(), nullable=False),
        sa.Column("season_ends_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "published", "closed", name="planstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("published_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("season_starts_on <= season_ends_on", name=op.f("ck_production_plan_season_in_order")),
        sa.ForeignKeyConstraint(
            ["producer_group_id"],
            ["producer_group.id"],
            name=op.f("fk_production_plan_producer_group_id_producer_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_production_plan")),
    )
    with op.batch_alter_table("production_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_production_plan_producer_group_id"), ["producer_group_id"], unique=False)
        batch_op.create_index("ix_production_plan_status_created", ["status", "created_at", "id"], unique=False)

    op.create_table(
        "agreement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("production_plan_id", sa.Uuid(), nullable=False),
        sa.Column("consumer_group_id", sa.Uuid(), nullable=False),
        sa.Column("producer_group_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "agreed",
                "active",
                "completed",
                "lapsed",
                "cancelled",
                name="agreementstatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("agreed_version", sa.Integer(), nullable=True),
        sa.Column("shares", sa.Integer(), nullable=False),
        sa.Column("subscribed_shares", sa.Integer(), nullable=False),
        sa.Column("total_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("advance_due_on", sa.Date(), nullable=True),
        sa.Column("renewed_from_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("agreed_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("activated_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "subscribed_shares >= 0 AND subscribed_shares <= shares",
            name=op.f("ck_agreement_subscriptions_within_shares"),
        ),
        sa.ForeignKeyConstraint(
            ["consumer_group_id"], ["consumer_group.id"], name=op.f("fk_agreement_consumer_group_id_consumer_group")
        ),
        sa.ForeignKeyConstraint(
            ["producer_group_id"], ["producer_group.id"], name=op.f("fk_agreement_producer_group_id_producer_group")
        ),
        sa.ForeignKeyConstraint(
            ["production_plan_id"], ["production_plan.id"], name=op.f("fk_agreement_production_plan_id_production_plan")
        ),
        sa.ForeignKeyConstraint(
            ["renewed_from_id"], ["agreement.id"], name=op.f("fk_agreement_renewed_from_id_agreement")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement")),
    )
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_consumer_group_id"), ["consumer_group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_producer_group_id"), ["producer_group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_production_plan_id"), ["production_plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_renewed_from_id"), ["renewed_from_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_status"), ["status"], unique=False)

    op.create_table(
        "plan_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("crop", sa.String(length=100), nullable=False),
        sa.Column("variety", sa.String(length=100), nullable=True),
        sa.Column(
            "unit",
            sa.Enum("kg", "g", "litre", "piece", "bunch", "dozen", "box", name="unit", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("max_quantity_base", sa.BigInteger(), nullable=False),
        sa.Column("committed_base", sa.BigInteger(), nullable=False),
        sa.Column("harvest_from", sa.Date(), nullable=False),
        sa.Column("harvest_to", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "committed_base >= 0 AND committed_base <= max_quantity_base",
            name=op.f("ck_plan_item_committed_within_max"),
        ),
        sa.CheckConstraint("harvest_from <= harvest_to", name=op.f("ck_plan_item_harvest_window_in_order")),
        sa.CheckConstraint("max_quantity_base > 0", name=op.f("ck_plan_item_max_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["production_plan.id"], name=op.f("fk_plan_item_plan_id_production_plan"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_item")),
    )
    with op.batch_alter_table("plan_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_item_crop"), ["crop"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_item_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "absence",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("on_date", sa.Date(), nullable=False),
        sa.Column("to_household_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_absence_agreement_id_agreement"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"], name=op.f("fk_absence_household_id_household")),
        sa.ForeignKeyConstraint(
            ["to_household_id"], ["household.id"], name=op.f("fk_absence_to_household_id_household")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_absence")),
        sa.UniqueConstraint(
            "agreement_id", "household_id", "on_date", name=op.f("uq_absence_agreement_id_household_id_on_date")
        ),
    )
    with op.batch_alter_table("absence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_absence_agreement_id"), ["agreement_id"], unique=False)

    op.create_table(
        "agreement_version",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "proposed_by_side",
            sa.Enum("consumer", "producer", name="side", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("proposed_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("is_amendment", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "awaiting_approval",
                "accepted",
                "superseded",
                name="versionstatus",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("shares", sa.Integer(), nullable=False),
        sa.Column("advance_due_on", sa.Date(), nullable=False),
        sa.Column(
            "distribution_mode",
            sa.Enum("producer_delivers", "consumers_collect", name="distributionmode", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("total_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("accepted_by_user_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint("shares > 0", name=op.f("ck_agreement_version_shares_positive")),
        sa.CheckConstraint("total_price_minor >= 0", name=op.f("ck_agreement_version_total_not_negative")),
        sa.ForeignKeyConstraint(
            ["accepted_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_agreement_version_accepted_by_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_version_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_agreement_version_proposed_by_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_version")),
        sa.UniqueConstraint("agreement_id", "number", name=op.f("uq_agreement_version_agreement_id_number")),
    )
    op.create_table(
        "harvest",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("pickup_station_id", sa.Uuid(), nullable=False),
        sa.Column("carried_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agreement_id"], ["agreement.id"], name=op.f("fk_harvest_agreement_id_agreement")),
        sa.ForeignKeyConstraint(
            ["carried_by_user_id"], ["user_account.id"], name=op.f("fk_harvest_carried_by_user_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["pickup_station_id"], ["pickup_station.id"], name=op.f("fk_harvest_pickup_station_id_pickup_station")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"], ["user_account.id"], name=op.f("fk_harvest_recorded_by_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_harvest")),
    )
    with op.batch_alter_table("harvest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_harvest_agreement_id"), ["agreement_id"], unique=False)
        batch_op.create_index("ix_harvest_station_date", ["pickup_station_id", "delivered_on"], unique=False)

    op.create_table(
        "ledger_account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "household_paid",
                "group_fund",
                "group_own",
                "producer_received",
                name="accountkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_ledger_account_agreement_id_agreement")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_account")),
        sa.UniqueConstraint(
            "agreement_id",
            "kind",
            "owner_id",
            "currency",
            name=op.f("uq_ledger_account_agreement_id_kind_owner_id_currency"),
        ),
    )
    with op.batch_alter_table("ledger_account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_account_agreement_id"), ["agreement_id"], unique=False)

    op.create_table(
        "ledger_transaction",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("method", sa.String(length=50), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("recorded_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_ledger_transaction_agreement_id_agreement")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["user_account.id"],
            name=op.f("fk_ledger_transaction_recorded_by_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_transaction")),
    )
    with op.batch_alter_table("ledger_transaction", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ledger_transaction_agreement_created", ["agreement_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "subscription",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("shares", sa.Integer(), nullable=False),
        sa.Column("first_share", sa.Integer(), nullable=False),
        sa.Column("amount_due_minor", sa.BigInteger(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("first_share >= 0", name=op.f("ck_subscription_first_share_not_negative")),
        sa.CheckConstraint("shares > 0", name=op.f("ck_subscription_shares_positive")),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_subscription_agreement_id_agreement"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_subscription_household_id_household")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription")),
        sa.UniqueConstraint("agreement_id", "household_id", name=op.f("uq_subscription_agreement_id_household_id")),
    )
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_subscription_agreement_id"), ["agreement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_subscription_household_id"), ["household_id"], unique=False)

    op.create_table(
        "agreement_approval",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("side", sa.Enum("consumer", "producer", name="side", native_enum=False, length=16), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_agreement_approval_user_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["agreement_version.id"],
            name=op.f("fk_agreement_approval_version_id_agreement_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_approval")),
        sa.UniqueConstraint("version_id", "user_id", name=op.f("uq_agreement_approval_version_id_user_id")),
    )
    with op.batch_alter_table("agreement_approval", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_approval_version_id"), ["version_id"], unique=False)

    op.create_table(
        "agreement_version_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("plan_item_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("quantity_base", sa.BigInteger(), nullable=False),
        sa.Column("unit_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("line_total_minor", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity_base > 0", name=op.f("ck_agreement_version_item_quantity_positive")),
        sa.CheckConstraint("unit_price_minor >= 0", name=op.f("ck_agreement_version_item_unit_price_not_negative")),
        sa.ForeignKeyConstraint(
            ["plan_item_id"], ["plan_item.id"], name=op.f("fk_agreement_version_item_plan_item_id_plan_item")
        ),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["agreement_version.id"],
            name=op.f("fk_agreement_version_item_version_id_agreement_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_version_item")),
        sa.UniqueConstraint(
            "version_id", "plan_item_id", name=op.f("uq_agreement_version_item_version_id_plan_item_id")
        ),
    )
    with op.batch_alter_table("agreement_version_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_version_item_plan_item_id"), ["plan_item_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_agreement_version_item_version_id"), ["version_id"], unique=False)

    op.create_table(
        "harvest_line",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("harvest_id", sa.Uuid(), nullable=False),
        sa.Column("plan_item_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("quantity_base", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity_base > 0", name=op.f("ck_harvest_line_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["harvest_id"], ["harvest.id"], name=op.f("fk_harvest_line_harvest_id_harvest"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["plan_item_id"], ["plan_item.id"], name=op.f("fk_harvest_line_plan_item_id_plan_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_harvest_line")),
        sa.UniqueConstraint("harvest_id", "plan_item_id", name=op.f("uq_harvest_line_harvest_id_plan_item_id")),
    )
    with op.batch_alter_table("harvest_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_harvest_line_harvest_id"), ["harvest_id"], unique=False)

    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("transaction_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_minor <> 0", name=op.f("ck_ledger_entry_amount_not_zero")),
        sa.ForeignKeyConstraint(
            ["account_id"], ["ledger_account.id"], name=op.f("fk_ledger_entry_account_id_ledger_account")
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ledger_transaction.id"],
            name=op.f("fk_ledger_entry_transaction_id_ledger_transaction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entry")),
    )
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ledger_entry_account_id"), ["account_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entry_transaction_id"), ["transaction_id"], unique=False)

    op.create_table(
        "allocation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("harvest_line_id", sa.Uuid(), nullable=False),
        sa.Column("share_holder_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("quantity_base", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity_base >= 0", name=op.f("ck_allocation_quantity_not_negative")),
        sa.ForeignKeyConstraint(
            ["harvest_line_id"],
            ["harvest_line.id"],
            name=op.f("fk_allocation_harvest_line_id_harvest_line"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["household_id"], ["household.id"], name=op.f("fk_allocation_household_id_household")),
        sa.ForeignKeyConstraint(
            ["share_holder_id"], ["household.id"], name=op.f("fk_allocation_share_holder_id_household")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation")),
    )
    with op.batch_alter_table("allocation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_allocation_harvest_line_id"), ["harvest_line_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_allocation_household_id"), ["household_id"], unique=False)

    op.create_table(
        "surplus",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("harvest_line_id", sa.Uuid(), nullable=False),
        sa.Column("handed_over_by_id", sa.Uuid(), nullable=True),
        sa.Column("quantity_base", sa.BigInteger(), nullable=False),
        sa.Column(
            "use",
            sa.Enum("undecided", "stored", "sold", "given", name="surplususe", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("decided_by_user_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("quantity_base > 0", name=op.f("ck_surplus_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["decided_by_user_id"], ["user_account.id"], name=op.f("fk_surplus_decided_by_user_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["handed_over_by_id"], ["household.id"], name=op.f("fk_surplus_handed_over_by_id_household")
        ),
        sa.ForeignKeyConstraint(
            ["harvest_line_id"],
            ["harvest_line.id"],
            name=op.f("fk_surplus_harvest_line_id_harvest_line"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surplus")),
    )
    with op.batch_alter_table("surplus", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_surplus_harvest_line_id"), ["harvest_line_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("surplus", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_surplus_harvest_line_id"))

    op.drop_table("surplus")
    with op.batch_alter_table("allocation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_allocation_household_id"))
        batch_op.drop_index(batch_op.f("ix_allocation_harvest_line_id"))

    op.drop_table("allocation")
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entry_transaction_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entry_account_id"))

    op.drop_table("ledger_entry")
    with op.batch_alter_table("harvest_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_harvest_line_harvest_id"))

    op.drop_table("harvest_line")
    with op.batch_alter_table("agreement_version_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_version_item_version_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_version_item_plan_item_id"))

    op.drop_table("agreement_version_item")
    with op.batch_alter_table("agreement_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_approval_version_id"))

    op.drop_table("agreement_approval")
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_subscription_household_id"))
        batch_op.drop_index(batch_op.f("ix_subscription_agreement_id"))

    op.drop_table("subscription")
    with op.batch_alter_table("ledger_transaction", schema=None) as batch_op:
        batch_op.drop_index("ix_ledger_transaction_agreement_created")

    op.drop_table("ledger_transaction")
    with op.batch_alter_table("ledger_account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_account_agreement_id"))

    op.drop_table("ledger_account")
    with op.batch_alter_table("harvest", schema=None) as batch_op:
        batch_op.drop_index("ix_harvest_station_date")
        batch_op.drop_index(batch_op.f("ix_harvest_agreement_id"))

    op.drop_table("harvest")
    op.drop_table("agreement_version")
    with op.batch_alter_table("absence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_absence_agreement_id"))

    op.drop_table("absence")
    with op.batch_alter_table("plan_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_item_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_item_crop"))

    op.drop_table("plan_item")
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_status"))
        batch_op.drop_index(batch_op.f("ix_agreement_renewed_from_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_production_plan_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_producer_group_id"))
        batch_op.drop_index(batch_op.f("ix_agreement_consumer_group_id"))

    op.drop_table("agreement")
    with op.batch_alter_table("production_plan", schema=None) as batch_op:
        batch_op.drop_index("ix_production_plan_status_created")
        batch_op.drop_index(batch_op.f("ix_production_plan_producer_group_id"))

    op.drop_table("production_plan")
    with op.batch_alter_table("idempotency_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_idempotency_record_created_at"))

    op.drop_table("idempotency_record")
