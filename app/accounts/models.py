"""Users and their refresh tokens."""

from datetime import datetime
from uuid import UUID, uuid4

import sqlalchemy as sa
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UtcDateTime, utc_now


class User(Base):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    # Administrators record exchange rates; granted only with `python -m app.accounts.admin grant EMAIL`.
    is_admin: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # When the password last changed, in whole seconds as access tokens count their `iat`: tokens issued
    # before it are refused, so the sessions a change ends stop at once rather than when their tokens expire.
    credentials_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class RefreshToken(Base):
    """One link of a rotation chain; a reused (already rotated) token revokes its whole family."""

    __tablename__ = "refresh_token"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[UUID] = mapped_column(index=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
