"""collection accounts and payment references

Revision ID: a1c0de000013
Revises: a1c0de000012
Create Date: 2026-11-29 11:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "a1c0de000013"
down_revision: str | None = "a1c0de000012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collection_account",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "payee_kind",
            sa.Enum("consumer_group", "producer_group", name="payeekind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("payee_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("bank_account", "qr", name="collectionaccountkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("bank_name", sa.String(length=200), nullable=True),
        sa.Column("account_holder", sa.String(length=200), nullable=True),
        sa.Column("account_number", sa.String(length=34), nullable=True),
        sa.Column("swift_bic", sa.String(length=11), nullable=True),
        sa.Column(
            "scheme", sa.Enum("promptpay", "vietqr", name="qrscheme", native_enum=False, length=32), nullable=True
        ),
        sa.Column(
            "proxy_type",
            sa.Enum(
                "mobile", "national_id", "e_wallet", "bank_account", name="proxytype", native_enum=False, length=32
            ),
            nullable=True,
        ),
        sa.Column("proxy_value", sa.String(length=34), nullable=True),
        sa.Column("bank_bin", sa.String(length=6), nullable=True),
        sa.Column("merchant_name", sa.String(length=25), nullable=True),
        sa.Column("merchant_city", sa.String(length=15), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_collection_account_created_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_account")),
    )
    op.create_index("ix_collection_account_payee", "collection_account", ["payee_id", "created_at"], unique=False)
    op.create_index(
        "uq_collection_account_default",
        "collection_account",
        ["payee_id"],
        unique=True,
        sqlite_where=sa.text("is_default"),
        postgresql_where=sa.text("is_default"),
    )
    op.create_table(
        "payment_reference",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=11), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column(
            "payer_kind",
            sa.Enum("household", "consumer_group", name="payerkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("payer_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_payment_reference_agreement_id_agreement")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_reference")),
        sa.UniqueConstraint("agreement_id", "payer_kind", "payer_id", name="uq_payment_reference_payer"),
        sa.UniqueConstraint("reference", name=op.f("uq_payment_reference_reference")),
    )


def downgrade() -> None:
    op.drop_table("payment_reference")
    op.drop_index("uq_collection_account_default", table_name="collection_account")
    op.drop_index("ix_collection_account_payee", table_name="collection_account")
    op.drop_table("collection_account")
