"""The transactional outbox: every event an integrator may learn of is written in the same transaction
as the change it reports, so a change rolled back reports nothing and a change committed is never lost.
Webhook deliveries and the event feed read from here."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import JSON, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, UtcDateTime, utc_now


class OrganisationKind(enum.StrEnum):
    """The organisations events concern, and integrators act for."""

    consumer_group = "consumer_group"
    producer_group = "producer_group"
    trading_organisation = "trading_organisation"


class OutboxEvent(Base):
    """Something that happened, once; its id stays the same through every delivery of it."""

    __tablename__ = "outbox_event"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    type: Mapped[str] = mapped_column(String(64))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)

    audience: Mapped[list[EventAudience]] = relationship(lazy="raise", cascade="all, delete-orphan")


class EventAudience(Base):
    """An organisation the event concerns: only its own integrators receive or read it. The event's
    time is kept here too, so one organisation's feed is read in order from a single index."""

    __tablename__ = "outbox_event_audience"
    __table_args__ = (Index("ix_outbox_event_audience_feed", "organisation_id", "occurred_at", "event_id"),)

    event_id: Mapped[UUID] = mapped_column(ForeignKey("outbox_event.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[UUID] = mapped_column(primary_key=True)
    organisation_kind: Mapped[OrganisationKind] = mapped_column(Enum(OrganisationKind, native_enum=False, length=32))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
