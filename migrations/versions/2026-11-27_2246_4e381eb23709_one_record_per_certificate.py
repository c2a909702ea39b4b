"""one record per certificate

Revision ID: 4e381eb23709
Revises: 0594d2ae66ee
Create Date: 2026-11-27 22:46:50.246955
"""

from collections.abc import Sequence

from alembic import op

revision: str = "4e381eb23709"
down_revision: str | None = "0594d2ae66ee"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("certification", schema=None) as batch_op:
        batch_op.create_unique_constraint(
            batch_op.f("uq_certification_producer_group_id_scheme_number"), ["producer_group_id", "scheme", "number"]
        )


def downgrade() -> None:
    with op.batch_alter_table("certification", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_certification_producer_group_id_scheme_number"), type_="unique")
