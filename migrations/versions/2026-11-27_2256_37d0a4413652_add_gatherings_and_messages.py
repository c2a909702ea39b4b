"""add gatherings and messages

Revision ID: 37d0a4413652
Revises: 560a814fdaed
Create Date: 2026-11-27 22:56:00.574517
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "37d0a4413652"
down_revision: str | None = "560a814fdaed"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gathering",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("farm_visit", "meeting", "learning", name="gatheringkind", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("starts_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("consumer_group_id", sa.Uuid(), nullable=True),
        sa.Column("producer_group_id", sa.Uuid(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("open_to_all", sa.Boolean(), nullable=False),
        sa.Column("signup_count", sa.Integer(), nullable=False),
        sa.Column("posted_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(consumer_group_id IS NULL AND producer_group_id IS NOT NULL) OR (consumer_group_id IS NOT NULL AND producer_group_id IS NULL)",
            name=op.f("ck_gathering_one_host"),
        ),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name=op.f("ck_gathering_capacity_positive")),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_gathering_ends_after_start")),
        sa.CheckConstraint(
            "signup_count >= 0 AND (capacity IS NULL OR signup_count <= capacity)",
            name=op.f("ck_gathering_within_capacity"),
        ),
        sa.ForeignKeyConstraint(
            ["consumer_group_id"],
            ["consumer_group.id"],
            name=op.f("fk_gathering_consumer_group_id_consumer_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["posted_by"], ["user_account.id"], name=op.f("fk_gathering_posted_by_user_account")),
        sa.ForeignKeyConstraint(
            ["producer_group_id"],
            ["producer_group.id"],
            name=op.f("fk_gathering_producer_group_id_producer_group"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gathering")),
    )
    with op.batch_alter_table("gathering", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gathering_consumer_group_id"), ["consumer_group_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_gathering_producer_group_id"), ["producer_group_id"], unique=False)
        batch_op.create_index("ix_gathering_starts_at_id", ["starts_at", "id"], unique=False)

    op.create_table(
        "gathering_signup",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("gathering_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["gathering_id"],
            ["gathering.id"],
            name=op.f("fk_gathering_signup_gathering_id_gathering"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_gathering_signup_household_id_household"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_gathering_signup_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gathering_signup")),
        sa.UniqueConstraint("gathering_id", "user_id", name=op.f("uq_gathering_signup_gathering_id_user_id")),
    )
    with op.batch_alter_table("gathering_signup", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_gathering_signup_user_id"), ["user_id"], unique=False)

    op.create_table(
        "agreement_message",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=False),
        sa.Column("author_display_name", sa.String(length=200), nullable=False),
        sa.Column("side", sa.Enum("consumer", "producer", name="side", native_enum=False, length=16), nullable=False),
        sa.Column("body", sa.String(length=2000), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_message_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["user_account.id"], name=op.f("fk_agreement_message_author_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement_message")),
    )
    with op.batch_alter_table("agreement_message", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agreement_message_agreement_created", ["agreement_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_agreement_message_author_user_id"), ["author_user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("agreement_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_message_author_user_id"))
        batch_op.drop_index("ix_agreement_message_agreement_created")

    op.drop_table("agreement_message")
    with op.batch_alter_table("gathering_signup", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_gathering_signup_user_id"))

    op.drop_table("gathering_signup")
    with op.batch_alter_table("gathering", schema=None) as batch_op:
        batch_op.drop_index("ix_gathering_starts_at_id")
        batch_op.drop_index(batch_op.f("ix_gathering_producer_group_id"))
        batch_op.drop_index(batch_op.f("ix_gathering_consumer_group_id"))

    op.drop_table("gathering")
