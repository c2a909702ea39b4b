"""group motions

Revision ID: a1c0de000006
Revises: a1c0de000005
Create Date: 2026-11-29 09:22:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "a1c0de000006"
down_revision: str | None = "a1c0de000005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "group_motion",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("lower_quorum", "end_term", name="motionkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("approval_quorum", sa.Integer(), nullable=True),
        sa.Column("subject_user_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status", sa.Enum("open", "carried", name="motionstatus", native_enum=False, length=16), nullable=False
        ),
        sa.Column("moved_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("carried_at", app.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["consumer_group.id"],
            name=op.f("fk_group_motion_group_id_consumer_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["moved_by"], ["user_account.id"], name=op.f("fk_group_motion_moved_by_user_account")),
        sa.ForeignKeyConstraint(
            ["subject_user_id"], ["user_account.id"], name=op.f("fk_group_motion_subject_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_group_motion")),
    )
    with op.batch_alter_table("group_motion", schema=None) as batch_op:
        batch_op.create_index("ix_group_motion_group_created", ["group_id", "created_at", "id"], unique=False)

    op.create_table(
        "group_motion_approval",
        sa.Column("motion_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("approved_at", app.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["motion_id"],
            ["group_motion.id"],
            name=op.f("fk_group_motion_approval_motion_id_group_motion"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_group_motion_approval_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("motion_id", "user_id", name=op.f("pk_group_motion_approval")),
    )


def downgrade() -> None:
    op.drop_table("group_motion_approval")
    with op.batch_alter_table("group_motion", schema=None) as batch_op:
        batch_op.drop_index("ix_group_motion_group_created")
    op.drop_table("group_motion")
