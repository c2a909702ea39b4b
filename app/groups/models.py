"""Households, consumer groups and their members, coordinators and pickup stations
(DESIGN principles 6, 7 and 9)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    Enum,
    Float,
    ForeignKey,
    Index,
    ScalarSelect,
    String,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Mapped, column_property, mapped_column, relationship

from app.core.db import Base, UtcDateTime, utc_now

MIN_ACTIVE_HOUSEHOLDS = 15
MAX_HOUSEHOLDS = 150
DEFAULT_APPROVAL_QUORUM = 2


def effective_quorum(chosen: int | None, coordinators_in_office: int) -> int:
    """The approvals a decision needs: the quorum the group chose (2 when it chose none), but never more
    than the coordinators in office, nor fewer than one."""
    return max(1, min(chosen or DEFAULT_APPROVAL_QUORUM, coordinators_in_office))


class LegalForm(enum.StrEnum):
    cooperative = "cooperative"
    association = "association"
    club = "club"
    self_help_group = "self_help_group"


class GroupStatus(enum.StrEnum):
    forming = "forming"
    active = "active"


class Admission(enum.StrEnum):
    """How a household joins a consumer group: at once (`open`), or once a coordinator consents."""

    open = "open"
    by_approval = "by_approval"


class RequestStatus(enum.StrEnum):
    pending = "pending"
    admitted = "admitted"  # the household became a member
    waiting = "waiting"  # admitted while the group was full: the household waits on its waiting list
    declined = "declined"


class Household(Base):
    __tablename__ = "household"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class HouseholdMember(Base):
    """A user who eats in (and may act for) a household; a user may belong to several."""

    __tablename__ = "household_member"

    household_id: Mapped[UUID] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[UUID] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class CoordinatorTerm(Base):
    """A coordinator's term, in a consumer or a producer group alike; ended terms stay, so who held the
    role when is never lost (principle 7). Each kind of group keeps its terms in a table of its own,
    whose column naming the group is `group_column`."""

    __abstract__ = True
    group_column: ClassVar[str]

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    appointed_by: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    appointed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    ended_by: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @classmethod
    def group_id_column(cls) -> InstrumentedAttribute[UUID]:
        column: InstrumentedAttribute[UUID] = getattr(cls, cls.group_column)
        return column

    @classmethod
    def of_group(cls, group_id: Any) -> ColumnElement[bool]:
        """The terms of the group; `group_id` is an id or, in a correlated subquery, the group's id column."""
        condition: ColumnElement[bool] = cls.group_id_column() == group_id
        return condition

    @classmethod
    def current_of_group(cls, group_id: Any) -> ColumnElement[bool]:
        return cls.of_group(group_id) & cls.ended_at.is_(None)

    @classmethod
    def in_office_count(cls, group_id: Any) -> ScalarSelect[int]:
        """The coordinators in office, counted from the terms: there is no stored count to drift from them."""
        return select(func.count()).where(cls.current_of_group(group_id)).correlate_except(cls).scalar_subquery()


class Coordinator(CoordinatorTerm):
    __tablename__ = "group_coordinator"
    __table_args__ = (
        Index(
            "uq_group_coordinator_current",
            "group_id",
            "user_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )
    group_column = "group_id"

    group_id: Mapped[UUID] = mapped_column(ForeignKey("consumer_group.id", ondelete="CASCADE"), index=True)


class ConsumerGroup(Base):
    __tablename__ = "consumer_group"
    __table_args__ = (
        # The database backs the counted limit too, should a code path ever forget the lock.
        CheckConstraint(f"member_count BETWEEN 0 AND {MAX_HOUSEHOLDS}", name="member_count_in_scale"),
        CheckConstraint("approval_quorum IS NULL OR approval_quorum >= 1", name="approval_quorum_positive"),
        Index("ix_consumer_group_country_created", "country", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    name: Mapped[str] = mapped_column(String(200))
    legal_form: Mapped[LegalForm] = mapped_column(Enum(LegalForm, native_enum=False, length=32))
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(200))
    # Text, not a native enum: a new status is then a code change, not an ALTER TYPE.
    status: Mapped[GroupStatus] = mapped_column(
        Enum(GroupStatus, native_enum=False, length=16), default=GroupStatus.forming, index=True
    )
    member_count: Mapped[int] = mapped_column(default=0)
    # New groups admit by approval; groups founded before the choice existed stay open (see the migration).
    admission: Mapped[Admission] = mapped_column(
        Enum(Admission, native_enum=False, length=16), default=Admission.by_approval
    )
    # None: the default rule (2 once there are 2 coordinators). Never above the coordinators there are.
    approval_quorum: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now, onupdate=utc_now)
    # Counted from the terms when the group is read. A flush of the group's own columns leaves it be (they
    # do not change it); the service reads it again once a term begins or ends.
    coordinator_count: Mapped[int] = column_property(Coordinator.in_office_count(id), expire_on_flush=False)

    @property
    def effective_approval_quorum(self) -> int:
        return effective_quorum(self.approval_quorum, self.coordinator_count)


class Membership(Base):
    __tablename__ = "group_membership"
    __table_args__ = (UniqueConstraint("group_id", "household_id"),)
    group_column: ClassVar[str] = "group_id"

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    group_id: Mapped[UUID] = mapped_column(ForeignKey("consumer_group.id", ondelete="CASCADE"))
    household_id: Mapped[UUID] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    # lazy="raise": an unloaded relationship fails loudly instead of querying behind our back.
    household: Mapped[Household] = relationship(lazy="raise")

    @property
    def household_name(self) -> str:
        return self.household.name


class WaitingListEntry(Base):
    """A household waiting for a place in a full group; admitted first come, first served."""

    __tablename__ = "waiting_list_entry"
    __table_args__ = (UniqueConstraint("group_id", "household_id"),)

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    group_id: Mapped[UUID] = mapped_column(ForeignKey("consumer_group.id", ondelete="CASCADE"))
    household_id: Mapped[UUID] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)

    # lazy="raise": an unloaded relationship fails loudly instead of querying behind our back.
    household: Mapped[Household] = relationship(lazy="raise")

    @property
    def household_name(self) -> str:
        return self.household.name


class MembershipRequest(Base):
    """A household asking to join a group that admits by approval; it stays, decided, as the record of
    who consented or declined, when and why."""

    __tablename__ = "membership_request"
    __table_args__ = (
        # One open question per household and group; decided requests stay beside a new one.
        Index(
            "uq_membership_request_pending",
            "group_id",
            "household_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
        Index("ix_membership_request_group_requested", "group_id", "requested_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    group_id: Mapped[UUID] = mapped_column(ForeignKey("consumer_group.id", ondelete="CASCADE"))
    household_id: Mapped[UUID] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"), index=True)
    status: Mapped[RequestStatus] = mapped_column(
        Enum(RequestStatus, native_enum=False, length=16), default=RequestStatus.pending
    )
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    decided_by: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decline_reason: Mapped[str | None] = mapped_column(String(500))

    # lazy="raise": an unloaded relationship fails loudly instead of querying behind our back.
    household: Mapped[Household] = relationship(lazy="raise")

    @property
    def household_name(self) -> str:
        return self.household.name


class PickupStation(Base):
    """Where members collect their produce (principle 6: self-distribution)."""

    __tablename__ = "pickup_station"
    __table_args__ = (
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    group_id: Mapped[UUID] = mapped_column(ForeignKey("consumer_group.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(500))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)


class MotionKind(enum.StrEnum):
    lower_quorum = "lower_quorum"
    end_term = "end_term"
    remove_household = "remove_household"


class GroupKind(enum.StrEnum):
    """The two kinds of group whose coordinators decide by motion."""

    consumer = "consumer"
    producer = "producer"


class MotionStatus(enum.StrEnum):
    open = "open"
    carried = "carried"


class Motion(Base):
    """A governance change the coordinators of a consumer or a producer group decide together: one that
    would weaken the quorum protecting the group's decisions, or remove one of its households, needs that
    quorum's approval, not one coordinator's say (principle 7). A motion belongs to exactly one group:
    `group_id` names a consumer group, `producer_group_id` a producer group. A carried removal stays as
    the record of why the household was removed."""

    __tablename__ = "group_motion"
    __table_args__ = (
        CheckConstraint("(group_id IS NULL) <> (producer_group_id IS NULL)", name="one_group"),
        Index("ix_group_motion_group_created", "group_id", "created_at", "id"),
        Index("ix_group_motion_producer_group_created", "producer_group_id", "created_at", "id"),
    )

    id: Mapped[UUID] = mapped_column(primary_key=True, default=uuid4)
    group_id: Mapped[UUID | None] = mapped_column(ForeignKey("consumer_group.id", ondelete="CASCADE"))
    producer_group_id: Mapped[UUID | None] = mapped_column(ForeignKey("producer_group.id", ondelete="CASCADE"))
    kind: Mapped[MotionKind] = mapped_column(Enum(MotionKind, native_enum=False, length=32))
    # What the motion changes, by kind: the new quorum (lower_quorum), whose term ends (end_term), which
    # household leaves and why (remove_household).
    approval_quorum: Mapped[int | None] = mapped_column()
    subject_user_id: Mapped[UUID | None] = mapped_column(ForeignKey("user_account.id"))
    subject_household_id: Mapped[UUID | None] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[MotionStatus] = mapped_column(
        Enum(MotionStatus, native_enum=False, length=16), default=MotionStatus.open
    )
    moved_by: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
    carried_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def group_kind(self) -> GroupKind:
        return GroupKind.consumer if self.group_id is not None else GroupKind.producer

    @property
    def of_group_id(self) -> UUID:
        """The id of the motion's group, of either kind."""
        group_id = self.group_id if self.group_id is not None else self.producer_group_id
        assert group_id is not None  # the one_group constraint
        return group_id

    @property
    def params(self) -> dict[str, Any]:
        if self.kind == MotionKind.lower_quorum:
            return {"approval_quorum": self.approval_quorum}
        if self.kind == MotionKind.remove_household:
            return {"household_id": str(self.subject_household_id), "reason": self.reason}
        return {"user_id": str(self.subject_user_id)}


class MotionApproval(Base):
    """A coordinator's approval of a motion; it counts only while its coordinator holds office."""

    __tablename__ = "group_motion_approval"

    motion_id: Mapped[UUID] = mapped_column(ForeignKey("group_motion.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[UUID] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    approved_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utc_now)
