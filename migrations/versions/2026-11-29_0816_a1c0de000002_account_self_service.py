"""account self service

Revision ID: a1c0de000002
Revises: a1c0de000001
Create Date: 2026-11-29 08:16:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.core.db

revision: str = "a1c0de000002"
down_revision: str | None = "a1c0de000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "user_account", sa.Column("credentials_changed_at", app.core.db.UtcDateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    # Not in batch mode: on SQLite that copies the table and drops the original, and dropping it deletes,
    # through ON DELETE CASCADE, every row that refers to an account. SQLite drops a plain column itself.
    op.drop_column("user_account", "credentials_changed_at")
