"""producer group approval quorum

Revision ID: a1c0de000003
Revises: a1c0de000002
Create Date: 2026-11-29 09:00:00.000000
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = "a1c0de000003"
down_revision: str | None = "a1c0de000002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Null for every existing group: the default rule, as for consumer groups. SQLite adds the check by
    # rebuilding the table, which agreements, plans and terms reference.
    with rebuilding_referenced_table(), op.batch_alter_table("producer_group", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approval_quorum", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_producer_group_approval_quorum_positive"), "approval_quorum IS NULL OR approval_quorum >= 1"
        )


def downgrade() -> None:
    with rebuilding_referenced_table(), op.batch_alter_table("producer_group", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_producer_group_approval_quorum_positive"), type_="check")
        batch_op.drop_column("approval_quorum")


@contextmanager
def rebuilding_referenced_table() -> Iterator[None]:
    """SQLite changes the table in batch mode: it copies it, drops the old one and renames the copy. With
    foreign keys enforced, that DROP TABLE first deletes every row, which would cascade to the groups'
    farming households, coordinator terms, certifications and plans, and fails on the agreements naming a group. So, as
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
