"""governance by motion in both kinds of group

Revision ID: a1c0de000008
Revises: a1c0de000007
Create Date: 2026-11-29 10:11:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.sqlite_rebuild import rebuilding_referenced_table

revision: str = "a1c0de000008"
down_revision: str | None = "a1c0de000007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A motion belongs to a consumer group or to a producer group; every motion so far is a consumer
    # group's, so each names exactly one group already. A removal records its household and its reason.
    with rebuilding_referenced_table(), op.batch_alter_table("group_motion", schema=None) as batch_op:
        batch_op.add_column(sa.Column("producer_group_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("subject_household_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("reason", sa.String(length=500), nullable=True))
        batch_op.alter_column("group_id", existing_type=sa.Uuid(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_group_motion_producer_group_id_producer_group"),
            "producer_group",
            ["producer_group_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_group_motion_subject_household_id_household"),
            "household",
            ["subject_household_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_group_motion_one_group"), "(group_id IS NULL) <> (producer_group_id IS NULL)"
        )
        batch_op.create_index(
            "ix_group_motion_producer_group_created", ["producer_group_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_group_motion_subject_household_id"), ["subject_household_id"], unique=False
        )


def downgrade() -> None:
    # A producer group's motions have no place in a table of consumer groups' motions only.
    op.execute("DELETE FROM group_motion WHERE group_id IS NULL")
    with rebuilding_referenced_table(), op.batch_alter_table("group_motion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_group_motion_subject_household_id"))
        batch_op.drop_index("ix_group_motion_producer_group_created")
        batch_op.drop_constraint(batch_op.f("ck_group_motion_one_group"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_group_motion_subject_household_id_household"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_group_motion_producer_group_id_producer_group"), type_="foreignkey")
        batch_op.alter_column("group_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.drop_column("reason")
        batch_op.drop_column("subject_household_id")
        batch_op.drop_column("producer_group_id")
