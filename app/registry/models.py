"""Households' pledges as socially enterprising consumers, and the per-country counts the public summary
reads (the round table's target of one million)."""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID, uuid4

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UtcDateTime, utc_now

PLEDGE_TARGET = 1_000_000


class PledgeStatus(enum.StrEnum):
    active = "active"  # counted
    withdrawn = "withdrawn"  # kept as history, no longer counted


class Pledge(Base):
    """A household's pledge, made with consent by one of its members. Withdrawn pledges stay as history;
    a household may pledge again after withdrawing."""

    __tablename__ = "pledge"
    __table_args__ = (
        # One counted pledge per household: the database backs the rule should two requests race past the lock.
        Index(
            "uq_pledge_household_active",
            "household_id",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
        Index("ix_pledge_household_pledged", "household_id", "pledged_at", "id"),
        # The recount groups the counted pledges by country.
        Index(
            "ix_pledge_country_active",
            "country",
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    household_id: Mapped[UUID] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"))
    country: Mapped[str] = mapped_column(String(2))
    # Which wording of the consent the member agreed to, so a later wording never rewrites what was agreed.
    consent_text_version: Mapped[str] = mapped_column(String(50))
    pledged_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    pledged_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    withdrawn_by: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def status(self) -> PledgeStatus:
        return PledgeStatus.active if self.withdrawn_at is None else PledgeStatus.withdrawn


class PledgeCount(Base):
    """The counted pledges of one country, changed in the transaction of each pledge and withdrawal, so the
    public summary reads a dozen rows instead of counting a million. The migration creates the rows of the
    eleven ASEAN members; a row for another country is created by its first pledge."""

    __tablename__ = "pledge_count"
    __table_args__ = (CheckConstraint("pledges >= 0", name="pledges_not_negative"),)

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    pledges: Mapped[int] = mapped_column(default=0)
