"""registry and learning events

Revision ID: a1c0de000020
Revises: a1c0de000015
Create Date: 2026-11-29 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "a1c0de000020"
down_revision: str | None = "a1c0de000015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The eleven ASEAN members: the public summary reads their counts whether or not anyone pledged yet.
ASEAN_COUNTRIES = ("BN", "ID", "KH", "LA", "MM", "MY", "PH", "SG", "TH", "TL", "VN")
ACTIVE = sa.text("withdrawn_at IS NULL")


def upgrade() -> None:
    op.create_table(
        "pledge",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("consent_text_version", sa.String(length=50), nullable=False),
        sa.Column("pledged_by", sa.Uuid(), nullable=False),
        sa.Column("pledged_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_by", sa.Uuid(), nullable=True),
        sa.Column("withdrawn_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_pledge_household_id_household"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["pledged_by"], ["user_account.id"], name=op.f("fk_pledge_pledged_by_user_account")),
        sa.ForeignKeyConstraint(
            ["withdrawn_by"], ["user_account.id"], name=op.f("fk_pledge_withdrawn_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledge")),
    )
    op.create_index(
        "uq_pledge_household_active",
        "pledge",
        ["household_id"],
        unique=True,
        sqlite_where=ACTIVE,
        postgresql_where=ACTIVE,
    )
    op.create_index("ix_pledge_household_pledged", "pledge", ["household_id", "pledged_at", "id"], unique=False)
    op.create_index(
        "ix_pledge_country_active", "pledge", ["country"], unique=False, sqlite_where=ACTIVE, postgresql_where=ACTIVE
    )
    pledge_count = op.create_table(
        "pledge_count",
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("pledges", sa.Integer(), nullable=False),
        sa.CheckConstraint("pledges >= 0", name=op.f("ck_pledge_count_pledges_not_negative")),
        sa.PrimaryKeyConstraint("country", name=op.f("pk_pledge_count")),
    )
    op.bulk_insert(pledge_count, [{"country": country, "pledges": 0} for country in ASEAN_COUNTRIES])

    op.create_table(
        "learning_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("starts_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("online", sa.Boolean(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("signup_count", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Uuid(), nullable=True),
        sa.Column("trainer_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_learning_event_ends_after_start")),
        sa.CheckConstraint("(network_id IS NULL) <> (trainer_id IS NULL)", name=op.f("ck_learning_event_one_host")),
        sa.CheckConstraint(
            "online OR (location IS NOT NULL AND country IS NOT NULL)",
            name=op.f("ck_learning_event_online_or_located"),
        ),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name=op.f("ck_learning_event_capacity_positive")),
        sa.CheckConstraint(
            "signup_count >= 0 AND (capacity IS NULL OR signup_count <= capacity)",
            name=op.f("ck_learning_event_within_capacity"),
        ),
        sa.ForeignKeyConstraint(
            ["network_id"], ["network.id"], name=op.f("fk_learning_event_network_id_network"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["trainer_id"], ["user_account.id"], name=op.f("fk_learning_event_trainer_id_user_account")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["user_account.id"], name=op.f("fk_learning_event_created_by_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_event")),
    )
    op.create_index("ix_learning_event_starts_at_id", "learning_event", ["starts_at", "id"], unique=False)
    op.create_index(
        "ix_learning_event_country_starts_at", "learning_event", ["country", "starts_at", "id"], unique=False
    )
    op.create_index(op.f("ix_learning_event_network_id"), "learning_event", ["network_id"], unique=False)
    op.create_index(op.f("ix_learning_event_trainer_id"), "learning_event", ["trainer_id"], unique=False)
    op.create_table(
        "learning_signup",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("learning_event_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=True),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("attendance_recorded_by", sa.Uuid(), nullable=True),
        sa.Column("attendance_recorded_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["learning_event_id"],
            ["learning_event.id"],
            name=op.f("fk_learning_signup_learning_event_id_learning_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_learning_signup_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_learning_signup_household_id_household"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["attendance_recorded_by"],
            ["user_account.id"],
            name=op.f("fk_learning_signup_attendance_recorded_by_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learning_signup")),
        sa.UniqueConstraint("learning_event_id", "user_id", name=op.f("uq_learning_signup_learning_event_id_user_id")),
    )
    op.create_index(
        "ix_learning_signup_event_created", "learning_signup", ["learning_event_id", "created_at", "id"], unique=False
    )
    op.create_index(op.f("ix_learning_signup_user_id"), "learning_signup", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_learning_signup_user_id"), table_name="learning_signup")
    op.drop_index("ix_learning_signup_event_created", table_name="learning_signup")
    op.drop_table("learning_signup")
    op.drop_index(op.f("ix_learning_event_trainer_id"), table_name="learning_event")
    op.drop_index(op.f("ix_learning_event_network_id"), table_name="learning_event")
    op.drop_index("ix_learning_event_country_starts_at", table_name="learning_event")
    op.drop_index("ix_learning_event_starts_at_id", table_name="learning_event")
    op.drop_table("learning_event")
    op.drop_table("pledge_count")
    op.drop_index("ix_pledge_country_active", table_name="pledge")
    op.drop_index("ix_pledge_household_pledged", table_name="pledge")
    op.drop_index("uq_pledge_household_active", table_name="pledge")
    op.drop_table("pledge")
