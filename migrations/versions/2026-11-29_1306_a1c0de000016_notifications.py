"""notifications

Revision ID: a1c0de000016
Revises: a1c0de000017
Create Date: 2026-11-29 13:06:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "a1c0de000016"
down_revision: str | None = "a1c0de000017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("approval_awaited", "payment_due", "harvest_allocated", "pickup_tomorrow", "motion_to_approve")
SUBJECTS = ("agreement", "harvest", "pickup_station", "motion")


def upgrade() -> None:
    op.create_table(
        "notification_event_cursor",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("updated_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_notification_event_cursor")),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Enum(*KINDS, name="notificationkind", native_enum=False, length=32), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("subject_type", sa.Enum(*SUBJECTS, name="subjecttype", native_enum=False, length=32), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("read_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_notification_user_id_user_account"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint("user_id", "key", name=op.f("uq_notification_user_id_key")),
    )
    op.create_index("ix_notification_feed", "notification", ["user_id", "created_at", "id"], unique=False)
    op.create_table(
        "notification_preference",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("muted_kinds", sa.JSON(), nullable=False),
        sa.Column("unmailed_kinds", sa.JSON(), nullable=False),
        sa.Column("reminder_days", sa.JSON(), nullable=False),
        sa.Column("updated_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_preference_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_preference")),
    )
    op.create_table(
        "notification_email",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("notification_id", sa.Uuid(), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=4000), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "sent", "failed", name="emailstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("attempt_count", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("sent_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notification_id"],
            ["notification.id"],
            name=op.f("fk_notification_email_notification_id_notification"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_email")),
        sa.UniqueConstraint("notification_id", name=op.f("uq_notification_email_notification_id")),
    )
    op.create_index("ix_notification_email_due", "notification_email", ["status", "next_attempt_at"], unique=False)
    op.create_index("ix_outbox_event_occurred", "outbox_event", ["occurred_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_event_occurred", table_name="outbox_event")
    op.drop_index("ix_notification_email_due", table_name="notification_email")
    op.drop_table("notification_email")
    op.drop_table("notification_preference")
    op.drop_index("ix_notification_feed", table_name="notification")
    op.drop_table("notification")
    op.drop_table("notification_event_cursor")
