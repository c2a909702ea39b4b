"""Stored outcomes of requests sent with an Idempotency-Key."""

from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UtcDateTime, utc_now


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_record"
    # The key is scoped to its caller and route, so one client's key never replays another's response.
    __table_args__ = (UniqueConstraint("caller_id", "route", "key"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    caller_id: Mapped[UUID] = mapped_column()
    route: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int | None] = mapped_column()
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)
