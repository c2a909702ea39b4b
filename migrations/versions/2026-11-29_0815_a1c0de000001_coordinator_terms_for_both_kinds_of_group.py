"""coordinator terms for both kinds of group

Revision ID: a1c0de000001
Revises: 189c87914025
Create Date: 2026-11-29 08:15:00.000000
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

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


@contextmanager
def rebuilding_referenced_table() -> Iterator[None]:
    """SQLite changes the table in batch mode: it copies it, drops the old one and renames the copy. With
    foreign keys enforced, that DROP TABLE first deletes every row, which would cascade to the groups'
    memberships, coordinator terms and stations, and fails on the agreements naming a group. So, as
    SQLite's own procedure for such changes has it, enforcement is off while the table is rebuilt, and
    the rebuild must leave no reference dangling. The pragma only takes effect between transactions:
    the migrations before this one are committed first, this one runs in a transaction of its own."""
    if op.get_context().dialect.name != "sqlite":
        yield
        return
    op.execute("COMMIT")
    op.execute("PRAGMA foreign_keys=OFF")
    op.execute("BEGIN IMMEDIATE")
    yield
    if not op.get_context().as_sql:
        dangling = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if dangling:
            raise RuntimeError(f"The rebuilt table leaves references dangling: {dangling}")
    op.execute("COMMIT")
    op.execute("PRAGMA foreign_keys=ON")
    op.execute("BEGIN IMMEDIATE")
