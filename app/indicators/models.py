"""The indicators of each monitored CBE and season, as the daily job last computed them, so that a country's
roll-up reads one row per CBE and season instead of a million households' facts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy import JSON, Date, Enum, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UtcDateTime, utc_now
from app.networks.models import CbeKind


class IndicatorSummary(Base):
    """One CBE's indicators for one season. The counts are columns, summed in SQL across a country's rows;
    what comes per crop, per currency and per disposal is kept in `detail` (the schema `CbeIndicatorsRead`
    minus what the columns hold), merged key by key. Rows of CBEs no longer monitored are deleted by the
    refresh that finds them so."""

    __tablename__ = "indicator_summary"
    __table_args__ = (
        UniqueConstraint("cbe_kind", "cbe_id", "season"),
        Index("ix_indicator_summary_country_year", "country", "season_year"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    cbe_kind: Mapped[CbeKind] = mapped_column(Enum(CbeKind, native_enum=False, length=32))
    cbe_id: Mapped[UUID] = mapped_column()
    country: Mapped[str] = mapped_column(String(2))
    season: Mapped[str] = mapped_column(String(220))
    season_year: Mapped[int] = mapped_column()
    season_starts_on: Mapped[date] = mapped_column(Date)
    season_ends_on: Mapped[date] = mapped_column(Date)
    households_served: Mapped[int] = mapped_column()
    shares_offered: Mapped[int] = mapped_column()
    shares_subscribed: Mapped[int] = mapped_column()
    agreements: Mapped[int] = mapped_column()
    renewals: Mapped[int] = mapped_column()
    lapses: Mapped[int] = mapped_column()
    cancellations: Mapped[int] = mapped_column()
    learning_events: Mapped[int] = mapped_column()
    learning_attendances: Mapped[int] = mapped_column()
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    refreshed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
