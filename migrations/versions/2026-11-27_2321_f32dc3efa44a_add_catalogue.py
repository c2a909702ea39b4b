"""add catalogue

Revision ID: f32dc3efa44a
Revises: 37d0a4413652
Create Date: 2026-11-27 23:21:52.934365
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db
from migrations.sqlite_rebuild import rebuilding_referenced_table

revision: str = "f32dc3efa44a"
down_revision: str | None = "37d0a4413652"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_rate",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("base", sa.String(length=3), nullable=False),
        sa.Column("quote", sa.String(length=3), nullable=False),
        sa.Column("rate_text", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("base <> quote", name=op.f("ck_exchange_rate_two_currencies")),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["user_account.id"], name=op.f("fk_exchange_rate_recorded_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_rate")),
        sa.UniqueConstraint("base", "quote", "source", "as_of", name=op.f("uq_exchange_rate_base_quote_source_as_of")),
    )
    with op.batch_alter_table("exchange_rate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_rate_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_exchange_rate_pair_as_of", ["base", "quote", "as_of"], unique=False)

    op.create_table(
        "trading_organisation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "importer",
                "shop",
                "producer_cooperative",
                "producer_group",
                "consumer_group",
                "other",
                name="organisationkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("producer_group_id", sa.Uuid(), nullable=True),
        sa.Column("consumer_group_id", sa.Uuid(), nullable=True),
        sa.Column("declares_no_child_labour", sa.Boolean(), nullable=False),
        sa.Column("declares_non_discrimination", sa.Boolean(), nullable=False),
        sa.Column("declares_safe_work", sa.Boolean(), nullable=False),
        sa.Column("declares_environmental_practice", sa.Boolean(), nullable=False),
        sa.Column("declared_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "producer_group_id IS NULL OR consumer_group_id IS NULL",
            name=op.f("ck_trading_organisation_acts_for_one_group"),
        ),
        sa.ForeignKeyConstraint(
            ["consumer_group_id"],
            ["consumer_group.id"],
            name=op.f("fk_trading_organisation_consumer_group_id_consumer_group"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_trading_organisation_created_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["producer_group_id"],
            ["producer_group.id"],
            name=op.f("fk_trading_organisation_producer_group_id_producer_group"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_organisation")),
        sa.UniqueConstraint("consumer_group_id", name=op.f("uq_trading_organisation_consumer_group_id")),
        sa.UniqueConstraint("producer_group_id", name=op.f("uq_trading_organisation_producer_group_id")),
    )
    with op.batch_alter_table("trading_organisation", schema=None) as batch_op:
        batch_op.create_index("ix_trading_organisation_country_created", ["country", "created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trading_organisation_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_trading_organisation_kind"), ["kind"], unique=False)

    op.create_table(
        "product",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seller_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column(
            "category",
            sa.Enum(
                "coffee",
                "tea",
                "rice",
                "sugar",
                "spices",
                "cocoa",
                "fruit",
                "vegetables",
                "handicrafts",
                "textiles",
                "other",
                name="productcategory",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("origin_country", sa.String(length=2), nullable=False),
        sa.Column("origin_region", sa.String(length=200), nullable=False),
        sa.Column(
            "unit",
            sa.Enum("kg", "g", "litre", "piece", "bunch", "dozen", "box", name="unit", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("pack_size_base", sa.BigInteger(), nullable=False),
        sa.Column("hs_code", sa.String(length=6), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("ahtn_code", sa.String(length=8), nullable=True),
        sa.Column("form_d_criterion", sa.String(length=16), nullable=True),
        sa.Column("available_from", sa.Date(), nullable=True),
        sa.Column("available_to", sa.Date(), nullable=True),
        sa.Column("minimum_order_quantity_base", sa.BigInteger(), nullable=False),
        sa.Column("lead_time_days", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("price_minor", sa.BigInteger(), nullable=False),
        sa.Column("minimum_price_minor", sa.BigInteger(), nullable=False),
        sa.Column("premium_minor", sa.BigInteger(), nullable=False),
        sa.Column("producer_share_minor", sa.BigInteger(), nullable=False),
        sa.Column(
            "status", sa.Enum("listed", "withdrawn", name="productstatus", native_enum=False, length=16), nullable=False
        ),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "ahtn_code IS NULL OR substr(ahtn_code, 1, 6) = hs_code", name=op.f("ck_product_ahtn_under_hs_code")
        ),
        sa.CheckConstraint(
            "available_from IS NULL OR available_to IS NULL OR available_from <= available_to",
            name=op.f("ck_product_availability_ordered"),
        ),
        sa.CheckConstraint("lead_time_days BETWEEN 0 AND 365", name=op.f("ck_product_lead_time_range")),
        sa.CheckConstraint("minimum_order_quantity_base > 0", name=op.f("ck_product_minimum_order_positive")),
        sa.CheckConstraint("minimum_price_minor >= 0", name=op.f("ck_product_minimum_price_not_negative")),
        sa.CheckConstraint("pack_size_base > 0", name=op.f("ck_product_pack_size_positive")),
        sa.CheckConstraint("premium_minor >= 0", name=op.f("ck_product_premium_not_negative")),
        sa.CheckConstraint("price_minor > 0", name=op.f("ck_product_price_positive")),
        sa.CheckConstraint("price_minor >= minimum_price_minor", name=op.f("ck_product_price_not_below_minimum")),
        sa.CheckConstraint(
            "producer_share_minor BETWEEN 0 AND price_minor", name=op.f("ck_product_producer_share_within_price")
        ),
        sa.ForeignKeyConstraint(["created_by"], ["user_account.id"], name=op.f("fk_product_created_by_user_account")),
        sa.ForeignKeyConstraint(
            ["seller_id"], ["trading_organisation.id"], name=op.f("fk_product_seller_id_trading_organisation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
    )
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_product_category"), ["category"], unique=False)
        batch_op.create_index(batch_op.f("ix_product_origin_country"), ["origin_country"], unique=False)
        batch_op.create_index("ix_product_seller_created", ["seller_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_product_status_created", ["status", "created_at", "id"], unique=False)

    op.create_table(
        "trading_organisation_member",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("trading_organisation_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.Enum("owner", "member", name="memberrole", native_enum=False, length=16), nullable=False),
        sa.Column("added_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by"], ["user_account.id"], name=op.f("fk_trading_organisation_member_added_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["trading_organisation_id"],
            ["trading_organisation.id"],
            name="fk_trading_organisation_member_organisation",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_trading_organisation_member_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_organisation_member")),
        sa.UniqueConstraint("trading_organisation_id", "user_id", name="uq_trading_organisation_member_user"),
    )
    with op.batch_alter_table("trading_organisation_member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trading_organisation_member_user_id"), ["user_id"], unique=False)

    op.create_table(
        "product_certification",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_product_certification_product_id_product"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_certification")),
        sa.UniqueConstraint("product_id", "position", name=op.f("uq_product_certification_product_id_position")),
    )
    with op.batch_alter_table("product_certification", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_product_certification_scheme"), ["scheme"], unique=False)

    op.create_table(
        "product_image",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("product_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_product_image_product_id_product"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_image")),
        sa.UniqueConstraint("product_id", "position", name=op.f("uq_product_image_product_id_position")),
    )
    with rebuilding_referenced_table(), op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    # Rebuilt on SQLite; without the helper the rebuild deleted every row referring to an account.
    with rebuilding_referenced_table(), op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("is_admin")

    op.drop_table("product_image")
    with op.batch_alter_table("product_certification", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_certification_scheme"))

    op.drop_table("product_certification")
    with op.batch_alter_table("trading_organisation_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trading_organisation_member_user_id"))

    op.drop_table("trading_organisation_member")
    with op.batch_alter_table("product", schema=None) as batch_op:
        batch_op.drop_index("ix_product_status_created")
        batch_op.drop_index("ix_product_seller_created")
        batch_op.drop_index(batch_op.f("ix_product_origin_country"))
        batch_op.drop_index(batch_op.f("ix_product_category"))

    op.drop_table("product")
    with op.batch_alter_table("trading_organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trading_organisation_kind"))
        batch_op.drop_index(batch_op.f("ix_trading_organisation_created_at"))
        batch_op.drop_index("ix_trading_organisation_country_created")

    op.drop_table("trading_organisation")
    with op.batch_alter_table("exchange_rate", schema=None) as batch_op:
        batch_op.drop_index("ix_exchange_rate_pair_as_of")
        batch_op.drop_index(batch_op.f("ix_exchange_rate_created_at"))

    op.drop_table("exchange_rate")
