"""coordinator terms for both kinds of group

Revision ID: a1c0de000001
Revises: 189c87914025
Create Date: 2026-11-29 08:15:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.sqlite_rebuild import rebuilding_referenced_table

revision: str = "a1c0de000001"
down_revision: str | None = "189c87914025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The terms in office of each group: what the counter held, and what replaces it.
BACKFILL_COORDINATOR_COUNT = (
    "UPDATE consumer_group SET coordinator_count = (SELECT count(*) FROM group_coordinator"
    " WHERE group_coordinator.group_id = consumer_group.id AND group_coordinator.ended_at IS NULL)"
)


def upgrade() -> None:
    # Coordinators in office are counted from their terms, as in producer groups: the stored counter goes.
    with rebuilding_referenced_table(), op.batch_alter_table("consumer_group", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_consumer_group_coordinator_count_not_negative"), type_="check")
        batch_op.drop_column("coordinator_count")


def downgrade() -> None:
    with rebuilding_referenced_table():
        with op.batch_alter_table("consumer_group", schema=None) as batch_op:
            batch_op.add_column(sa.Column("coordinator_count", sa.Integer(), nullable=False, server_default="0"))
        op.execute(BACKFILL_COORDINATOR_COUNT)
        with op.batch_alter_table("consumer_group", schema=None) as batch_op:
            batch_op.alter_column("coordinator_count", server_default=None)
            batch_op.create_check_constraint(
                batch_op.f("ck_consumer_group_coordinator_count_not_negative"), "coordinator_count >= 0"
            )
