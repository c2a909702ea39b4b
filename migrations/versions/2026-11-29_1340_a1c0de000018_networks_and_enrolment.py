"""networks and enrolment

Revision ID: a1c0de000018
Revises: a1c0de000016
Create Date: 2026-11-29 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "a1c0de000018"
down_revision: str | None = "a1c0de000016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CBE_KINDS = ("consumer_group", "producer_group", "trading_organisation")
STATUSES = ("proposed", "enrolled", "declined", "withdrawn")
OPEN = sa.text("status IN ('proposed', 'enrolled')")
ENROLLED = sa.text("status = 'enrolled'")


def _moment(name: str, *, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, app.core.db.UtcDateTime(timezone=True), nullable=nullable)


def _user(table: str, column: str, *, ondelete: str | None = None) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["user_account.id"], name=op.f(f"fk_{table}_{column}_user_account"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "network",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "csa_network", "fair_trade_network", "university", name="networkkind", native_enum=False, length=32
            ),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        _moment("created_at"),
        _user("network", "created_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network")),
    )
    op.create_index("ix_network_created", "network", ["created_at", "id"])
    op.create_index("ix_network_country_created", "network", ["country", "created_at", "id"])

    op.create_table(
        "network_member",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("network_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("coordinator", "analyst", "trainer", name="networkrole", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("added_by", sa.Uuid(), nullable=False),
        _moment("created_at"),
        _moment("updated_at"),
        sa.ForeignKeyConstraint(
            ["network_id"], ["network.id"], name=op.f("fk_network_member_network_id_network"), ondelete="CASCADE"
        ),
        _user("network_member", "user_id", ondelete="CASCADE"),
        _user("network_member", "added_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_member")),
        sa.UniqueConstraint("network_id", "user_id", name=op.f("uq_network_member_network_id_user_id")),
    )
    op.create_index(op.f("ix_network_member_user_id"), "network_member", ["user_id"])
    op.create_index("ix_network_member_network_created", "network_member", ["network_id", "created_at", "id"])

    op.create_table(
        "monitoring_programme",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("network_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        _moment("created_at"),
        sa.CheckConstraint(
            "ends_on IS NULL OR ends_on >= starts_on", name=op.f("ck_monitoring_programme_dates_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["network.id"],
            name=op.f("fk_monitoring_programme_network_id_network"),
            ondelete="CASCADE",
        ),
        _user("monitoring_programme", "created_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_programme")),
    )
    op.create_index(
        "ix_monitoring_programme_network_created", "monitoring_programme", ["network_id", "created_at", "id"]
    )

    op.create_table(
        "enrolment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("programme_id", sa.Uuid(), nullable=False),
        sa.Column("network_id", sa.Uuid(), nullable=False),
        sa.Column("cbe_kind", sa.Enum(*CBE_KINDS, name="cbekind", native_enum=False, length=32), nullable=False),
        sa.Column("cbe_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.Enum(*STATUSES, name="enrolmentstatus", native_enum=False, length=16), nullable=False),
        sa.Column("proposed_by", sa.Uuid(), nullable=False),
        _moment("proposed_at"),
        _moment("enrolled_at", nullable=True),
        sa.Column("withdrawn_by", sa.Uuid(), nullable=True),
        _moment("withdrawn_at", nullable=True),
        sa.CheckConstraint(
            "(status IN ('proposed', 'enrolled')) = (withdrawn_at IS NULL)",
            name=op.f("ck_enrolment_ended_when_withdrawn"),
        ),
        sa.ForeignKeyConstraint(
            ["programme_id"],
            ["monitoring_programme.id"],
            name=op.f("fk_enrolment_programme_id_monitoring_programme"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["network_id"], ["network.id"], name=op.f("fk_enrolment_network_id_network"), ondelete="CASCADE"
        ),
        _user("enrolment", "proposed_by"),
        _user("enrolment", "withdrawn_by"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment")),
    )
    op.create_index(
        "uq_enrolment_open",
        "enrolment",
        ["programme_id", "cbe_kind", "cbe_id"],
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index(
        "ix_enrolment_enrolled", "enrolment", ["cbe_kind", "cbe_id"], sqlite_where=ENROLLED, postgresql_where=ENROLLED
    )
    op.create_index("ix_enrolment_programme_proposed", "enrolment", ["programme_id", "proposed_at", "id"])
    op.create_index("ix_enrolment_network_proposed", "enrolment", ["network_id", "proposed_at", "id"])
    op.create_index("ix_enrolment_cbe_proposed", "enrolment", ["cbe_kind", "cbe_id", "proposed_at", "id"])

    op.create_table(
        "enrolment_consent",
        sa.Column("enrolment_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        _moment("consented_at"),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolment.id"],
            name=op.f("fk_enrolment_consent_enrolment_id_enrolment"),
            ondelete="CASCADE",
        ),
        _user("enrolment_consent", "user_id"),
        sa.PrimaryKeyConstraint("enrolment_id", "user_id", name=op.f("pk_enrolment_consent")),
    )


def downgrade() -> None:
    op.drop_table("enrolment_consent")
    for index in (
        "ix_enrolment_cbe_proposed",
        "ix_enrolment_network_proposed",
        "ix_enrolment_programme_proposed",
        "ix_enrolment_enrolled",
        "uq_enrolment_open",
    ):
        op.drop_index(index, table_name="enrolment")
    op.drop_table("enrolment")
    op.drop_index("ix_monitoring_programme_network_created", table_name="monitoring_programme")
    op.drop_table("monitoring_programme")
    op.drop_index("ix_network_member_network_created", table_name="network_member")
    op.drop_index(op.f("ix_network_member_user_id"), table_name="network_member")
    op.drop_table("network_member")
    op.drop_index("ix_network_country_created", table_name="network")
    op.drop_index("ix_network_created", table_name="network")
    op.drop_table("network")
