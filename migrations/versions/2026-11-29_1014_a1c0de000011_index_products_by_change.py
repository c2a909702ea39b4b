"""index products by change, for the catalogue's change feed

Revision ID: a1c0de000011
Revises: a1c0de000010
Create Date: 2026-11-29 10:14:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "a1c0de000011"
down_revision: str | None = "a1c0de000010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_product_updated", "product", ["updated_at", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_product_updated", table_name="product")
