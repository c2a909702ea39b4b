"""The transactional outbox: every event an integrator may learn of is written in the same transaction
as the change it reports, so a change rolled back reports nothing and a change committed is never lost.
Webhook deliveries and the event feed read from here."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Index, Integer, String, UniqueConstraint
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

    event: Mapped[OutboxEvent] = relationship(lazy="raise", viewonly=True)


URL_MAX_LENGTH = 2000


class WebhookEndpoint(Base):
    """Where an organisation's integrator receives its events, signed with the endpoint's own secret."""

    __tablename__ = "webhook_endpoint"
    __table_args__ = (Index("ix_webhook_endpoint_organisation", "organisation_id", "enabled"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    organisation_kind: Mapped[OrganisationKind] = mapped_column(Enum(OrganisationKind, native_enum=False, length=32))
    organisation_id: Mapped[UUID]
    url: Mapped[str] = mapped_column(String(URL_MAX_LENGTH))
    description: Mapped[str] = mapped_column(String(2000), default="")
    # The event types sent here; empty means every type.
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Kept readable, not hashed: every delivery is signed with it (Standard Webhooks `whsec_<base64>`).
    secret: Mapped[str] = mapped_column(String(100))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(String(500))
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Since when no delivery has succeeded; an endpoint failing for the whole retry window is disabled.
    failing_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class DeliveryStatus(enum.StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"


class WebhookDelivery(Base):
    """One event on its way to one endpoint. While a worker sends it, `next_attempt_at` is pushed past its
    lease, so no other worker claims it; a worker that dies leaves it to be claimed again when it runs out."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        # The workers' claim: due pending deliveries, soonest first.
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
        Index("ix_webhook_delivery_endpoint", "endpoint_id", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    endpoint_id: Mapped[UUID] = mapped_column(ForeignKey("webhook_endpoint.id", ondelete="CASCADE"))
    event_id: Mapped[UUID] = mapped_column(ForeignKey("outbox_event.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(64))
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(DeliveryStatus, native_enum=False, length=16), default=DeliveryStatus.pending
    )
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    # Failed attempts since the last success or manual redelivery: the step of the retry schedule.
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


RESPONSE_BODY_MAX_BYTES = 2048


class WebhookAttempt(Base):
    """One request to the endpoint and what came back, for the integrator to read."""

    __tablename__ = "webhook_attempt"
    __table_args__ = (Index("ix_webhook_attempt_delivery", "delivery_id", "started_at"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    delivery_id: Mapped[UUID] = mapped_column(ForeignKey("webhook_delivery.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    duration_ms: Mapped[int] = mapped_column(Integer)
    response_status: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))
    # The first RESPONSE_BODY_MAX_BYTES of the answer, as text.
    response_body: Mapped[str] = mapped_column(String(RESPONSE_BODY_MAX_BYTES), default="")
