"""producer group approval quorum

Revision ID: a1c0de000003
Revises: a1c0de000002
Create Date: 2026-11-29 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from migrations.sqlite_rebuild import rebuilding_referenced_table

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
