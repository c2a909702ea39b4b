"""bank statements

Revision ID: a1c0de000015
Revises: a1c0de000018
Create Date: 2026-11-29 13:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "a1c0de000015"
down_revision: str | None = "a1c0de000018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PAYEE_KIND = sa.Enum("consumer_group", "producer_group", name="payeekind", native_enum=False, length=32)
PAYER_KIND = sa.Enum("household", "consumer_group", name="payerkind", native_enum=False, length=32)


def upgrade() -> None:
    op.create_table(
        "statement_import",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payee_kind", PAYEE_KIND, nullable=False),
        sa.Column("payee_id", sa.Uuid(), nullable=False),
        sa.Column(
            "format",
            sa.Enum("csv", "camt053", "mt940", name="statementformat", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("lines_read", sa.Integer(), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("debits", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("matched", sa.Integer(), nullable=False),
        sa.Column("suggested", sa.Integer(), nullable=False),
        sa.Column("unmatched", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["user_account.id"], name=op.f("fk_statement_import_uploaded_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_import")),
    )
    op.create_index("ix_statement_import_payee", "statement_import", ["payee_id", "created_at", "id"], unique=False)
    op.create_table(
        "statement_line",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("payee_kind", PAYEE_KIND, nullable=False),
        sa.Column("payee_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payer_name", sa.String(length=200), nullable=True),
        sa.Column("description", sa.String(length=1000), nullable=True),
        sa.Column("bank_transaction_id", sa.String(length=100), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "matched",
                "suggested",
                "unmatched",
                "confirmed",
                "dismissed",
                name="linestatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("reference", sa.String(length=11), nullable=True),
        sa.Column("agreement_id", sa.Uuid(), nullable=True),
        sa.Column("payer_kind", PAYER_KIND, nullable=True),
        sa.Column("payer_id", sa.Uuid(), nullable=True),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column(
            "confirmed_as",
            sa.Enum("payment", "credit", name="confirmedas", native_enum=False, length=16),
            nullable=True,
        ),
        sa.Column("ledger_transaction_id", sa.Uuid(), nullable=True),
        sa.Column("credit_transaction_id", sa.Uuid(), nullable=True),
        sa.Column("dismissal_reason", sa.String(length=500), nullable=True),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreement.id"], name=op.f("fk_statement_line_agreement_id_agreement")
        ),
        sa.ForeignKeyConstraint(
            ["credit_transaction_id"],
            ["ledger_transaction.id"],
            name=op.f("fk_statement_line_credit_transaction_id_ledger_transaction"),
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["user_account.id"], name=op.f("fk_statement_line_decided_by_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["statement_import.id"], name=op.f("fk_statement_line_import_id_statement_import")
        ),
        sa.ForeignKeyConstraint(
            ["ledger_transaction_id"],
            ["ledger_transaction.id"],
            name=op.f("fk_statement_line_ledger_transaction_id_ledger_transaction"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_line")),
        sa.UniqueConstraint("credit_transaction_id", name=op.f("uq_statement_line_credit_transaction_id")),
        sa.UniqueConstraint("ledger_transaction_id", name=op.f("uq_statement_line_ledger_transaction_id")),
        sa.UniqueConstraint("payee_id", "fingerprint", name=op.f("uq_statement_line_payee_id_fingerprint")),
    )
    op.create_index("ix_statement_line_import", "statement_line", ["import_id", "created_at", "id"], unique=False)
    op.create_index(
        "ix_statement_line_payee_status", "statement_line", ["payee_id", "status", "created_at", "id"], unique=False
    )
    op.create_table(
        "statement_csv_mapping",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("payee_kind", PAYEE_KIND, nullable=False),
        sa.Column("payee_id", sa.Uuid(), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=False),
        sa.Column("updated_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by"], ["user_account.id"], name=op.f("fk_statement_csv_mapping_updated_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_csv_mapping")),
        sa.UniqueConstraint("payee_id", name=op.f("uq_statement_csv_mapping_payee_id")),
    )


def downgrade() -> None:
    op.drop_table("statement_csv_mapping")
    op.drop_index("ix_statement_line_payee_status", table_name="statement_line")
    op.drop_index("ix_statement_line_import", table_name="statement_line")
    op.drop_table("statement_line")
    op.drop_index("ix_statement_import_payee", table_name="statement_import")
    op.drop_table("statement_import")
